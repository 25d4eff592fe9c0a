// Text pieces the header and option parsers and the logs share: plain string operations.
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace aw {

// `text` without the spaces, tabs and line ends around it.
inline std::string_view trim_blanks(std::string_view text) {
    const std::size_t begin = text.find_first_not_of(" \t\r\n");
    if (begin == std::string_view::npos) return {};
    return text.substr(begin, text.find_last_not_of(" \t\r\n") - begin + 1);
}

// A byte count for people: "512 B", "31.2 KiB", "890.2 MiB", "1.4 GiB".
inline std::string binary_size(std::uint64_t bytes) {
    if (bytes < 1024) return fmt::format("{} B", bytes);
    double value = static_cast<double>(bytes) / 1024;
    const char* unit = "KiB";
    for (const char* larger : {"MiB", "GiB", "TiB"}) {
        if (value < 1024) break;
        value /= 1024;
        unit = larger;
    }
    return fmt::format("{:.1f} {}", value, unit);
}

}  // namespace aw
