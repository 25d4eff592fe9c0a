#include "edit/elf_edit_record.hpp"

#include "base/diagnostics.hpp"
#include "protocol/record_kinds.hpp"
#include "wheel/member_path.hpp"

namespace aw {

Json record_json(const ElfEditRecord& record) {
    const DynamicEdits& edits = record.edits;
    Json json{{"kind", "elf_edit"}, {"path", record.path}};
    if (edits.set_soname) json["set_soname"] = *edits.set_soname;
    if (!edits.replace_needed.empty()) {
        Json pairs = Json::array();
        for (const auto& [old_name, new_name] : edits.replace_needed) pairs.push_back(Json::array({old_name, new_name}));
        json["replace_needed"] = pairs;
    }
    if (!edits.remove_needed.empty()) json["remove_needed"] = edits.remove_needed;
    if (edits.set_rpath) json["set_rpath"] = *edits.set_rpath;
    if (edits.force_rpath) json["force_rpath"] = true;
    if (edits.remove_rpath) json["remove_rpath"] = true;
    if (edits.strip) json["strip"] = true;
    if (!edits.add_needed.empty()) json["add_needed"] = edits.add_needed;
    if (edits.set_interpreter) json["set_interpreter"] = *edits.set_interpreter;
    if (edits.executable_stack) json[*edits.executable_stack ? "set_execstack" : "clear_execstack"] = true;
    return json;
}

Json record_json(const ElfEditedRecord& record) {
    return Json{{"kind", "elf_edited"}, {"path", record.path}, {"changed", record.changed}};
}

ElfEditRecord read_elf_edit_record(const Record& record) {
    RecordFields fields(record);
    ElfEditRecord edit{fields.text("path"), {}};
    const std::string where = fmt::format("{}: elf_edit record for {}", record.place, edit.path);
    if (auto reason = unsafe_member_path_reason(edit.path))
        fail("{}: path must lie inside the work directory ({})", where, *reason);
    auto name = [&](std::string text, const char* what) {
        if (text.empty()) fail("{}: {} must not be empty", where, what);
        return text;
    };
    DynamicEdits& edits = edit.edits;
    if (auto soname = fields.optional_text("set_soname")) edits.set_soname = name(*soname, "set_soname");
    for (const Json& pair : fields.json("replace_needed"))  // [string, string] pairs, as the table says
        edits.replace_needed.emplace_back(name(pair[0].get<std::string>(), "a replaced name"),
                                          name(pair[1].get<std::string>(), "a new name"));
    for (const std::string& needed : fields.texts("remove_needed")) edits.remove_needed.push_back(name(needed, "remove_needed"));
    edits.set_rpath = fields.optional_text("set_rpath");
    edits.force_rpath = fields.flag("force_rpath");
    edits.remove_rpath = fields.flag("remove_rpath");
    edits.strip = fields.flag("strip");
    for (const std::string& needed : fields.texts("add_needed")) edits.add_needed.push_back(name(needed, "add_needed"));
    if (auto interpreter = fields.optional_text("set_interpreter")) edits.set_interpreter = name(*interpreter, "set_interpreter");
    if (fields.flag("set_execstack") && fields.flag("clear_execstack"))
        fail("{}: set_execstack and clear_execstack contradict each other", where);
    if (fields.flag("set_execstack")) edits.executable_stack = true;
    if (fields.flag("clear_execstack")) edits.executable_stack = false;
    if (auto reason = edits.contradiction()) fail("{}: {}", where, *reason);
    return edit;
}

}  // namespace aw
