#include "wheel/wheel_name.hpp"

#include "base/diagnostics.hpp"

#include <algorithm>

namespace aw {
namespace {
std::vector<std::string> split(std::string_view text, char separator) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (;;) {
        std::size_t end = text.find(separator, start);
        parts.emplace_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
        if (end == std::string_view::npos) return parts;
        start = end + 1;
    }
}

bool is_word_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
}

bool all_of_charset(std::string_view text, std::string_view extra) {
    return !text.empty() && std::all_of(text.begin(), text.end(), [&](char c) {
        return is_word_char(c) || extra.find(c) != std::string_view::npos;
    });
}

std::vector<std::string> expand_tag_set(std::string_view path, std::string_view set, const char* what) {
    std::vector<std::string> tags = split(set, '.');
    for (const std::string& tag : tags)
        if (tag.empty() || !all_of_charset(tag, ""))
            fail("{}: not a wheel file name: bad {} tag '{}'", path, what, tag);
    return tags;
}
}  // namespace

WheelName parse_wheel_filename(std::string_view path) {
    std::string_view basename = path.substr(path.rfind('/') + 1);
    constexpr std::string_view kSuffix = ".whl";
    if (basename.size() <= kSuffix.size() || basename.substr(basename.size() - kSuffix.size()) != kSuffix)
        fail("{}: not a wheel file name: it must end in .whl", path);
    std::string_view stem = basename.substr(0, basename.size() - kSuffix.size());
    std::vector<std::string> parts = split(stem, '-');
    if (parts.size() != 5 && parts.size() != 6)
        fail("{}: not a wheel file name: expected name-version(-build)-python-abi-platform.whl", path);
    WheelName wheel;
    wheel.name = parts[0];
    wheel.version = parts[1];
    if (!all_of_charset(wheel.name, "")) fail("{}: not a wheel file name: bad distribution name '{}'", path, wheel.name);
    if (!all_of_charset(wheel.version, "!+"))
        fail("{}: not a wheel file name: bad version '{}'", path, wheel.version);
    if (parts.size() == 6) {
        wheel.build = parts[2];
        if (!all_of_charset(*wheel.build, "") || !(wheel.build->front() >= '0' && wheel.build->front() <= '9'))
            fail("{}: not a wheel file name: build tag '{}' must start with a digit", path, *wheel.build);
    }
    std::size_t tags_at = parts.size() - 3;
    wheel.python = expand_tag_set(path, parts[tags_at], "python");
    wheel.abi = expand_tag_set(path, parts[tags_at + 1], "abi");
    wheel.platform = expand_tag_set(path, parts[tags_at + 2], "platform");
    wheel.prefix = std::string(stem.substr(0, stem.rfind('-')));
    return wheel;
}

std::string compress_tags(std::vector<std::string> tags) {
    std::sort(tags.begin(), tags.end());
    tags.erase(std::unique(tags.begin(), tags.end()), tags.end());
    std::string joined;
    for (const std::string& tag : tags) {
        if (!joined.empty()) joined += '.';
        joined += tag;
    }
    return joined;
}

std::string WheelName::filename_with_platforms(const std::vector<std::string>& platforms) const {
    return prefix + '-' + compress_tags(platforms) + ".whl";
}

}  // namespace aw
