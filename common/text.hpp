// Text pieces the header and option parsers share: plain string operations.
#pragma once

#include <string_view>

namespace aw {

// `text` without the spaces, tabs and line ends around it.
inline std::string_view trim_blanks(std::string_view text) {
    const std::size_t begin = text.find_first_not_of(" \t\r\n");
    if (begin == std::string_view::npos) return {};
    return text.substr(begin, text.find_last_not_of(" \t\r\n") - begin + 1);
}

}  // namespace aw
