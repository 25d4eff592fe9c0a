// The libraries an analysed ELF member needs from outside the wheel, walked
// through the tree elf-deps found, as pypa auditwheel's lddtree walks it.
#pragma once

#include "base/diagnostics.hpp"
#include "policy/analysis_input.hpp"
#include "policy/policy.hpp"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace aw {

// ld-linux*, ld64.so.1 and ld64.so.2: never external, and their symbol versions are not judged.
bool is_dynamic_loader(const std::string& name);

// Whether a library's soname or realpath matches one of the fnmatch `patterns` (repair --exclude).
bool is_excluded(const std::string& soname, const std::optional<std::string>& realpath,
                 const std::vector<std::string>& patterns);

// pypa's lddtree walk of one file's needs (`ldd`), for the INFO lines it logs ("Excluding X",
// "Skip X resolution"): each call has its own set of excluded names, all calls share the
// libraries already walked.
void walk_exclusions(const ElfMember& elf, const std::vector<std::string>& needs, const std::vector<std::string>& exclude,
                     std::set<std::string>& walked, std::vector<LogLine>& log);

// A warning for each --exclude pattern that matches no soname or realpath in the trees of
// `members` (librocblas.so for librocblas.so.5), naming the nearest soname.
std::vector<LogLine> unmatched_exclusions(const std::vector<const ElfMember*>& members,
                                          const std::vector<std::string>& patterns);

// The external libraries of one ELF under one policy (soname -> realpath, nullopt when not
// found): the closure of its DT_NEEDED through its tree, less loaders and whitelisted libraries
// (whose own dependencies are not followed), less what lies in the wheel or is excluded.
std::map<std::string, std::optional<std::string>> external_libraries(const ElfMember& elf, const PlatformPolicy& policy,
                                                                     bool android, const std::vector<std::string>& exclude);

}  // namespace aw
