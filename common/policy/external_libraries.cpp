#include "policy/external_libraries.hpp"

#include "elf/dependency_tree.hpp"

#include <fmt/format.h>
#include <fnmatch.h>

#include <algorithm>

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

namespace {
// Levenshtein's distance: the fewest one-character insertions, deletions and substitutions
// that turn `from` into `to`.
std::size_t edit_distance(const std::string& from, const std::string& to) {
    std::vector<std::size_t> row(to.size() + 1);
    for (std::size_t j = 0; j < row.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= from.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= to.size(); ++j) {
            std::size_t above = row[j];
            row[j] = std::min({above + 1, row[j - 1] + 1, diagonal + (from[i - 1] == to[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row.back();
}
}  // namespace

std::vector<LogLine> unmatched_exclusions(const std::vector<const ElfMember*>& members,
                                          const std::vector<std::string>& patterns) {
    std::map<std::string, std::optional<std::string>> seen;  // soname -> realpath, of every tree
    for (const ElfMember* elf : members) {
        for (const std::string& name : elf->needed) seen.try_emplace(name);
        for (const auto& [name, library] : elf->libraries) seen[name] = library.realpath;
    }
    std::vector<LogLine> warnings;
    for (const std::string& pattern : patterns) {
        bool matched = std::any_of(seen.begin(), seen.end(), [&](const auto& library) {
            return is_excluded(library.first, library.second, {pattern});
        });
        if (matched) continue;
        auto nearest = std::min_element(seen.begin(), seen.end(), [&](const auto& a, const auto& b) {
            return edit_distance(pattern, a.first) < edit_distance(pattern, b.first);
        });
        warnings.push_back({true, nearest == seen.end()
            ? fmt::format("--exclude {} matched no library: this wheel needs none", pattern)
            : fmt::format("--exclude {} matched no library of this wheel (the nearest soname is {}; a pattern "
                          "matches a whole soname or path)", pattern, nearest->first)});
    }
    return warnings;
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
