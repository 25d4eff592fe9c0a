#include "edit/elf_edit_record.hpp"

#include "base/diagnostics.hpp"

namespace aw {

Json elf_edit_record(const std::string& path, const DynamicEdits& edits) {
    Json record{{"kind", "elf_edit"}, {"path", path}};
    if (edits.set_soname) record["set_soname"] = *edits.set_soname;
    if (!edits.replace_needed.empty()) {
        Json pairs = Json::array();
        for (const auto& [old_name, new_name] : edits.replace_needed) pairs.push_back(Json::array({old_name, new_name}));
        record["replace_needed"] = pairs;
    }
    if (!edits.remove_needed.empty()) record["remove_needed"] = edits.remove_needed;
    if (edits.set_rpath) record["set_rpath"] = *edits.set_rpath;
    if (edits.force_rpath) record["force_rpath"] = true;
    if (edits.remove_rpath) record["remove_rpath"] = true;
    if (edits.strip) record["strip"] = true;
    if (!edits.add_needed.empty()) record["add_needed"] = edits.add_needed;
    if (edits.set_interpreter) record["set_interpreter"] = *edits.set_interpreter;
    if (edits.executable_stack) record[*edits.executable_stack ? "set_execstack" : "clear_execstack"] = true;
    return record;
}

DynamicEdits dynamic_edits_from_record(const Json& record) {
    std::string path = required_string(record, "path");
    auto text = [&](const Json& value, const char* what) {
        if (!value.is_string() || value.get<std::string>().empty())
            fail("elf_edit record for {}: {} must be a non-empty string", path, what);
        return value.get<std::string>();
    };
    auto flag = [&](const char* field) {
        auto found = record.find(field);
        if (found == record.end()) return false;
        if (!found->is_boolean()) fail("elf_edit record for {}: {} must be true or false", path, field);
        return found->get<bool>();
    };
    DynamicEdits edits;
    if (auto found = record.find("set_soname"); found != record.end()) edits.set_soname = text(*found, "set_soname");
    if (auto found = record.find("replace_needed"); found != record.end()) {
        if (!found->is_array()) fail("elf_edit record for {}: replace_needed must be a list of [old, new] pairs", path);
        for (const Json& pair : *found) {
            if (!pair.is_array() || pair.size() != 2)
                fail("elf_edit record for {}: replace_needed holds [old, new] pairs", path);
            edits.replace_needed.emplace_back(text(pair[0], "a replaced name"), text(pair[1], "a new name"));
        }
    }
    if (auto found = record.find("remove_needed"); found != record.end())
        edits.remove_needed = string_list(*found, fmt::format("elf_edit record for {}: remove_needed", path));
    if (auto found = record.find("set_rpath"); found != record.end()) {
        if (!found->is_string()) fail("elf_edit record for {}: set_rpath must be a string", path);
        edits.set_rpath = found->get<std::string>();
    }
    edits.force_rpath = flag("force_rpath");
    edits.remove_rpath = flag("remove_rpath");
    edits.strip = flag("strip");
    if (auto found = record.find("add_needed"); found != record.end())
        edits.add_needed = string_list(*found, fmt::format("elf_edit record for {}: add_needed", path));
    if (auto found = record.find("set_interpreter"); found != record.end())
        edits.set_interpreter = text(*found, "set_interpreter");
    if (flag("set_execstack") && flag("clear_execstack"))
        fail("elf_edit record for {}: set_execstack and clear_execstack contradict each other", path);
    if (flag("set_execstack")) edits.executable_stack = true;
    if (flag("clear_execstack")) edits.executable_stack = false;
    if (auto reason = edits.contradiction()) fail("elf_edit record for {}: {}", path, *reason);
    return edits;
}

}  // namespace aw
