// What `auditwheel repair` does to a judged wheel: the tags it writes and the
// libraries it grafts, as the "retag" and "graft_plan" records say them.
#pragma once

#include "graft/graft_plan.hpp"
#include "policy/analysis_input.hpp"
#include "policy/wheel_abi.hpp"
#include "protocol/records.hpp"
#include "wheel/wheel_metadata.hpp"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace aw {

// What a repair to `plat` writes: the tags (abis[0] decides what is grafted),
// the platform tags they replace, and per member the libraries to graft.
struct RepairPlan {
    std::vector<std::string> abis;
    std::vector<std::string> replace_platforms;
    std::map<std::string, std::string> libraries;  // soname -> realpath, to graft
    std::vector<std::pair<std::string, std::vector<std::string>>> members;  // path -> sonames it needs grafted
    std::vector<std::pair<std::string, std::vector<std::string>>> remove_needed;  // path -> libpython names
    std::set<std::string> included;  // grafted sonames that are dlopen'ed by name (keep it)
    std::optional<std::string> eligible;  // the wider policy added to the requested one (not with --only-plat)
};

// Throws Error with exit status 3 (kExitRefused) where the policies refuse
// the repair (too-recent symbols, UCS2, blacklist, ISA: naming what is at
// fault; pypa auditwheel's parser.error, which auditwheel(1) maps to 2), 2 for
// a --plat that is no policy of the wheel's, and 1 when a library to graft
// cannot be found.
RepairPlan plan_repair(const AnalysisInput& input, const Verdict& verdict, const std::string& plat, bool only_plat,
                       const AnalysisOptions& options);

// The plan as the records policy-check writes for lib-graft and whl-pack.
Retag retag_of(const RepairPlan& plan);
GraftPlan graft_plan_of(const RepairPlan& plan, const Verdict& verdict);

}  // namespace aw
