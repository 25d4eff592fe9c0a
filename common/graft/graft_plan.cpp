#include "graft/graft_plan.hpp"

#include "base/diagnostics.hpp"
#include "protocol/record_kinds.hpp"
#include "wheel/member_path.hpp"

namespace aw {
namespace {
Json member_lists_json(const std::vector<std::pair<std::string, std::vector<std::string>>>& lists, const char* list) {
    Json entries = Json::array();
    for (const auto& [path, names] : lists) entries.push_back(Json{{"path", path}, {list, names}});
    return entries;
}

// A field of member paths, each with a list (types checked by the protocol's table).
std::vector<std::pair<std::string, std::vector<std::string>>> member_lists(const Json& entries, const char* list,
                                                                          const std::string& place) {
    std::vector<std::pair<std::string, std::vector<std::string>>> lists;
    for (const Json& entry : entries) {
        std::string path = entry["path"].get<std::string>();
        if (auto reason = unsafe_member_path_reason(path))
            fail("{}: graft_plan record: member path \"{}\" must lie inside the wheel ({})", place, path, *reason);
        lists.emplace_back(path, entry[list].get<std::vector<std::string>>());
    }
    return lists;
}
}  // namespace

Json record_json(const GraftPlan& plan) {
    Json libraries = Json::array();
    for (const auto& [soname, path] : plan.libraries) libraries.push_back(Json{{"soname", soname}, {"realpath", path}});
    return Json{{"kind", "graft_plan"},
                {"wheel", plan.wheel},
                {"policy", plan.policy},
                {"tags", plan.tags},
                {"libraries", libraries},
                {"members", member_lists_json(plan.members, "graft")},
                {"remove_needed", member_lists_json(plan.remove_needed, "remove_needed")},
                {"included", plan.included}};
}

GraftPlan read_graft_plan(const Record& record) {
    RecordFields fields(record);
    const std::string& place = record.place;
    GraftPlan plan;
    plan.wheel = fields.text("wheel");
    plan.policy = fields.text("policy");
    plan.tags = fields.texts("tags");
    for (const Json& library : fields.json("libraries")) {
        std::string realpath = library["realpath"].get<std::string>();
        if (!realpath.starts_with('/'))
            fail("{}: graft_plan record: library path \"{}\" must be absolute", place, realpath);
        plan.libraries[library["soname"].get<std::string>()] = realpath;
    }
    plan.members = member_lists(fields.json("members"), "graft", place);
    plan.remove_needed = member_lists(fields.json("remove_needed"), "remove_needed", place);
    for (const std::string& soname : fields.texts("included")) plan.included.insert(soname);
    for (const std::string& soname : plan.included)
        if (!plan.libraries.contains(soname) || soname.find('/') != std::string::npos)
            fail("{}: graft_plan record: included library {} is not among the libraries", place, soname);
    for (const auto& [member, sonames] : plan.members)
        for (const std::string& soname : sonames)
            if (!plan.libraries.contains(soname))
                fail("{}: graft_plan record: {} needs {}, which is not among the libraries", place, member, soname);
    return plan;
}

}  // namespace aw
