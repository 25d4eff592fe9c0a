#include "wheel/wheel_metadata.hpp"

#include <fmt/ranges.h>

#include "base/diagnostics.hpp"
#include "base/text.hpp"
#include "protocol/record_kinds.hpp"

#include <algorithm>
#include <strings.h>

namespace aw {
namespace {
bool same_header_name(std::string_view a, std::string_view b) {
    return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

template <typename T>
bool contains(const std::vector<T>& items, const T& item) {
    return std::find(items.begin(), items.end(), item) != items.end();
}

void append_unique(std::vector<std::string>& items, const std::string& item) {
    if (!contains(items, item)) items.push_back(item);
}
}  // namespace

WheelMetadata WheelMetadata::parse(std::string_view text, std::string_view where) {
    WheelMetadata metadata;
    std::size_t line_number = 0;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        std::string_view line = text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
        start = end == std::string_view::npos ? text.size() : end + 1;
        ++line_number;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty()) break;  // headers end at the first blank line
        if (line.front() == ' ' || line.front() == '\t') {
            if (metadata.headers_.empty()) fail("{}: line {}: continuation line before any header", where, line_number);
            metadata.headers_.back().second += ' ' + std::string(trim_blanks(line));
            continue;
        }
        std::size_t colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0)
            fail("{}: line {}: expected 'Name: value'", where, line_number);
        metadata.headers_.emplace_back(std::string(line.substr(0, colon)), std::string(trim_blanks(line.substr(colon + 1))));
    }
    return metadata;
}

std::vector<std::string> WheelMetadata::all(std::string_view name) const {
    std::vector<std::string> values;
    for (const auto& [key, value] : headers_)
        if (same_header_name(key, name)) values.push_back(value);
    return values;
}

std::optional<std::string> WheelMetadata::first(std::string_view name) const {
    for (const auto& [key, value] : headers_)
        if (same_header_name(key, name)) return value;
    return std::nullopt;
}

void WheelMetadata::remove_all(std::string_view name) {
    std::erase_if(headers_, [&](const auto& header) { return same_header_name(header.first, name); });
}

void WheelMetadata::append(std::string name, std::string value) { headers_.emplace_back(std::move(name), std::move(value)); }

std::string WheelMetadata::serialize() const {
    std::string text;
    for (const auto& [key, value] : headers_) text += key + ": " + value + "\n";
    return text + "\n";
}

RetagResult apply_retags(const WheelName& name, const WheelMetadata& metadata, const std::vector<Retag>& retags) {
    std::vector<std::string> platforms = name.platform;
    std::sort(platforms.begin(), platforms.end());
    platforms.erase(std::unique(platforms.begin(), platforms.end()), platforms.end());
    WheelMetadata updated = metadata;
    bool metadata_changed = false;
    std::vector<std::string> log;
    auto listed = [](const std::vector<std::string>& items) { return fmt::format("{}", fmt::join(items, ", ")); };

    for (const Retag& retag : retags) {
        std::vector<std::string> to_remove = retag.remove;
        std::vector<std::string> kept;
        for (const std::string& tag : platforms)
            if (!contains(to_remove, tag)) append_unique(kept, tag);
        for (const std::string& tag : retag.add) append_unique(kept, tag);
        bool no_longer_pure = false;
        if (kept.size() > 1 && contains(kept, std::string("any"))) {
            std::erase(kept, std::string("any"));
            to_remove.push_back("any");
            no_longer_pure = true;
        }
        log.push_back("Previous filename tags: " + listed(platforms));
        log.push_back(kept != platforms ? "New filename tags: " + listed(kept) : "No filename tags change needed.");
        std::sort(kept.begin(), kept.end());
        platforms = std::move(kept);

        std::vector<std::string> tags = updated.all("Tag");
        log.push_back("Previous WHEEL info tags: " + listed(tags));
        std::vector<std::string> interpreter_abis;  // "py-abi" prefixes of the Tag lines
        for (const std::string& tag : tags) {
            std::size_t second_dash = tag.find('-', tag.find('-') + 1);
            append_unique(interpreter_abis, tag.substr(0, second_dash));
        }
        std::vector<std::string> new_tags;
        for (const std::string& tag : tags) {
            bool unwanted = false;
            for (const std::string& prefix : interpreter_abis)
                for (const std::string& platform : to_remove) unwanted |= tag == prefix + '-' + platform;
            if (!unwanted) new_tags.push_back(tag);
        }
        for (const std::string& prefix : interpreter_abis)
            for (const std::string& platform : retag.add)
                if (!contains(tags, prefix + '-' + platform)) append_unique(new_tags, prefix + '-' + platform);
        if (new_tags != tags) {
            updated.remove_all("Tag");
            for (std::string& tag : new_tags) updated.append("Tag", std::move(tag));
            if (no_longer_pure) {
                updated.remove_all("Root-Is-Purelib");
                updated.append("Root-Is-Purelib", "False");
                log.push_back("Changed wheel type to Platlib");
            }
            log.push_back("New WHEEL info tags: " + listed(updated.all("Tag")));
            metadata_changed = true;
        } else {
            log.push_back("No WHEEL info change needed.");
        }
    }
    RetagResult result{std::move(platforms), std::nullopt, std::move(log)};
    if (metadata_changed) result.metadata = std::move(updated);
    return result;
}

Json record_json(const Retag& retag) { return Json{{"kind", "retag"}, {"add", retag.add}, {"remove", retag.remove}}; }

Retag read_retag(const Record& record) {
    RecordFields fields(record);
    return Retag{fields.texts("add"), fields.texts("remove")};
}

}  // namespace aw
