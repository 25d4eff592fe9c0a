// The graft_plan record (auditwheel-records(7)): what a repair grafts, as policy-check --plat
// plans it and lib-graft carries it out.
#pragma once

#include "protocol/records.hpp"

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace aw {

struct GraftPlan {
    std::string wheel;                             // the wheel's file name
    std::string policy;                            // the tag that decided the grafts
    std::vector<std::string> tags;                 // the tags the repair gives
    std::map<std::string, std::string> libraries;  // soname -> realpath on this host
    std::vector<std::pair<std::string, std::vector<std::string>>> members;        // member -> sonames grafted for it
    std::vector<std::pair<std::string, std::vector<std::string>>> remove_needed;  // member -> libpython names
    std::set<std::string> included;  // sonames code dlopens by name: grafted under that name, unhashed
};

Json record_json(const GraftPlan& plan);
// Throws Error naming the record's line and what is wrong: a missing or mistyped field, a
// library path that is not absolute, a member path outside the wheel, a soname a member or
// `included` names that is not among the libraries.
GraftPlan read_graft_plan(const Record& record);

}  // namespace aw
