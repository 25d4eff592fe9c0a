#include "wheel/member_path.hpp"

#include <utf8proc.h>

#include <cstdlib>
#include <map>
#include <set>

namespace aw {

std::optional<std::string> unsafe_member_path_reason(std::string_view name) {
    if (name.empty()) return "empty name";
    if (name.front() == '/') return "absolute path";
    if (name.find('\0') != std::string_view::npos) return "NUL byte in name";
    if (name.find('\\') != std::string_view::npos) return "backslash in name (a Windows path separator)";
    if (name.size() >= 2 && name[1] == ':') return "drive letter in name";
    std::string_view rest = name;
    if (rest.back() == '/') rest.remove_suffix(1);
    std::size_t start = 0;
    while (start <= rest.size()) {
        std::size_t end = rest.find('/', start);
        if (end == std::string_view::npos) end = rest.size();
        std::string_view component = rest.substr(start, end - start);
        if (component == "..") return "'..' path component";
        if (component == ".") return "'.' path component";
        if (component.empty()) return "empty path component";
        start = end + 1;
    }
    return std::nullopt;
}

namespace {
std::string folded_name(const std::string& name) {
    utf8proc_uint8_t* folded = nullptr;
    utf8proc_ssize_t size = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(name.data()),
                                         static_cast<utf8proc_ssize_t>(name.size()), &folded,
                                         static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD));
    if (size < 0) return name;
    std::string key(reinterpret_cast<const char*>(folded), static_cast<std::size_t>(size));
    std::free(folded);
    return key;
}
}  // namespace

std::vector<std::pair<std::string, std::string>> folded_name_clashes(const std::vector<std::string>& names) {
    std::map<std::string, std::string> by_folded;
    std::vector<std::pair<std::string, std::string>> clashes;
    for (const std::string& name : names) {
        auto [it, inserted] = by_folded.emplace(folded_name(name), name);
        if (!inserted && it->second != name) clashes.emplace_back(it->second, name);
    }
    return clashes;
}

std::optional<std::pair<std::string, std::string>> file_directory_clash(const std::vector<std::string>& file_names,
                                                                        const std::vector<std::string>& directory_names) {
    std::set<std::string> files(file_names.begin(), file_names.end());
    for (const std::vector<std::string>* names : {&file_names, &directory_names}) {
        for (const std::string& name : *names) {
            for (std::size_t slash = name.find('/'); slash != std::string::npos; slash = name.find('/', slash + 1)) {
                std::string parent = name.substr(0, slash);
                if (files.count(parent)) return std::make_pair(parent, name);
            }
        }
    }
    return std::nullopt;
}

}  // namespace aw
