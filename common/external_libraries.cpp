#include "external_libraries.hpp"

#include "dependency_tree.hpp"

#include <fnmatch.h>

namespace aw {
namespace {
bool matches_any(const std::string& text, const std::vector<std::string>& patterns) {
    for (const std::string& pattern : patterns)
        if (fnmatch(pattern.c_str(), text.c_str(), 0) == 0) return true;
    return false;
}
}  // namespace

bool is_dynamic_loader(const std::string& name) {
    return name.find("ld-linux") != std::string::npos || name == "ld64.so.2" || name == "ld64.so.1";
}

bool is_excluded(const std::string& soname, const std::optional<std::string>& realpath,
                 const std::vector<std::string>& patterns) {
    return matches_any(soname, patterns) || (realpath && matches_any(*realpath, patterns));
}

void walk_exclusions(const ElfMember& elf, const std::vector<std::string>& needs, const std::vector<std::string>& exclude,
                     std::set<std::string>& walked, std::vector<LogLine>& log) {
    std::set<std::string> excluded;
    for (const std::string& name : needs) {
        if (walked.count(name) || excluded.count(name)) continue;
        auto library = elf.libraries.find(name);
        std::optional<std::string> realpath = library == elf.libraries.end() ? std::nullopt : library->second.realpath;
        if (matches_any(name, exclude)) {
            log.push_back({false, "Excluding " + name});
            excluded.insert(name);
            continue;
        }
        if (is_libpython(name)) {
            log.push_back({false, "Skip " + name + " resolution"});
            walked.insert(name);
            continue;
        }
        if (realpath && matches_any(*realpath, exclude)) {
            log.push_back({false, "Excluding " + *realpath});
            excluded.insert(name);
            continue;
        }
        walked.insert(name);
        if (realpath) walk_exclusions(elf, library->second.needed, exclude, walked, log);
    }
}

std::map<std::string, std::optional<std::string>> external_libraries(const ElfMember& elf, const PlatformPolicy& policy,
                                                                     bool android, const std::vector<std::string>& exclude) {
    std::map<std::string, std::optional<std::string>> external;
    std::set<std::string> seen;
    std::vector<std::string> pending(elf.needed.rbegin(), elf.needed.rend());
    while (!pending.empty()) {
        std::string name = pending.back();
        pending.pop_back();
        if (is_dynamic_loader(name) || policy.whitelist.count(name) || !seen.insert(name).second) continue;
        if (android && name.starts_with("libpython")) continue;
        auto library = elf.libraries.find(name);
        std::optional<std::string> realpath = library == elf.libraries.end() ? std::nullopt : library->second.realpath;
        if (is_excluded(name, realpath, exclude)) continue;
        if (library == elf.libraries.end()) {
            external[name] = std::nullopt;
            continue;
        }
        if (!library->second.in_wheel) external[name] = realpath;
        pending.insert(pending.end(), library->second.needed.rbegin(), library->second.needed.rend());
    }
    return external;
}

}  // namespace aw
