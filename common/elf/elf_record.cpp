#include "elf/elf_record.hpp"

#include "protocol/record_kinds.hpp"

namespace aw {
namespace {
Json optional_json(const std::optional<std::string>& value) { return value ? Json(*value) : Json(nullptr); }

std::optional<std::string> optional_text(const Json& object, const char* field) {
    auto found = object.find(field);
    return found != object.end() && found->is_string() ? std::optional(found->get<std::string>()) : std::nullopt;
}
}  // namespace

Json record_json(const ElfRecord& elf) {
    Json record{{"kind", "elf"}, {"path", elf.path}, {"file", elf.file}};
    if (elf.error) {
        record["error"] = *elf.error;
        return record;
    }
    add_elf_ident(record, elf.ident);
    record["e_flags"] = elf.e_flags;
    record["type"] = elf.type;
    record["interpreter"] = optional_json(elf.interpreter);
    record["soname"] = optional_json(elf.soname);
    record["needed"] = elf.needed;
    if (!elf.included.empty()) record["included"] = elf.included;
    record["rpath"] = elf.rpath;
    record["runpath"] = elf.runpath;
    record["python_extension"] = elf.python_extension;
    record["gnu_stack"] = optional_json(elf.gnu_stack);
    record["executable_stack"] = elf.executable_stack;
    record["libc"] = optional_json(elf.libc);
    Json libraries = Json::array();
    for (const TreeLibraryRecord& library : elf.libraries) {
        Json entry{{"soname", library.soname},
                   {"path", optional_json(library.path)},
                   {"realpath", optional_json(library.realpath)},
                   {"needed", library.needed},
                   {"in_wheel", library.in_wheel}};
        if (library.member) entry["member"] = *library.member;
        if (library.skipped) entry["skipped"] = *library.skipped;
        libraries.push_back(std::move(entry));
    }
    record["libraries"] = std::move(libraries);
    return record;
}

Json record_json(const LibraryRecord& library) {
    Json record{{"kind", "library"},
                {"soname", library.soname},
                {"path", optional_json(library.path)},
                {"realpath", optional_json(library.realpath)},
                {"found", library.found},
                {"in_wheel", library.in_wheel},
                {"member", optional_json(library.member)},
                {"needed", library.needed},
                {"executable_stack", library.executable_stack},
                {"needed_by", library.needed_by}};
    if (library.skipped) record["skipped"] = *library.skipped;
    return record;
}

ElfRecord read_elf_record(const Record& record) {
    RecordFields fields(record);
    ElfRecord elf;
    elf.path = fields.text("path");
    elf.file = fields.text("file");
    elf.error = fields.optional_text("error");
    if (elf.error) return elf;
    elf.ident = elf_ident_of(record.value, record.place);
    elf.e_flags = static_cast<std::uint32_t>(fields.number("e_flags", UINT32_MAX));
    elf.type = fields.text("type");
    elf.interpreter = fields.optional_text("interpreter");
    elf.soname = fields.optional_text("soname");
    elf.needed = fields.texts("needed");
    elf.included = fields.texts("included");
    elf.rpath = fields.texts("rpath");
    elf.runpath = fields.texts("runpath");
    elf.python_extension = fields.flag("python_extension");
    elf.gnu_stack = fields.optional_text("gnu_stack");
    elf.executable_stack = fields.flag("executable_stack");
    elf.libc = fields.optional_text("libc");
    for (const Json& library : fields.json("libraries")) {  // their fields' types are checked
        TreeLibraryRecord tree;
        tree.soname = library["soname"].get<std::string>();
        tree.path = optional_text(library, "path");
        tree.realpath = optional_text(library, "realpath");
        tree.needed = library["needed"].get<std::vector<std::string>>();
        tree.in_wheel = library["in_wheel"].get<bool>();
        tree.member = optional_text(library, "member");
        tree.skipped = optional_text(library, "skipped");
        elf.libraries.push_back(std::move(tree));
    }
    return elf;
}

LibraryRecord read_library_record(const Record& record) {
    RecordFields fields(record);
    LibraryRecord library;
    library.soname = fields.text("soname");
    library.path = fields.optional_text("path");
    library.realpath = fields.optional_text("realpath");
    library.found = fields.flag("found");
    library.in_wheel = fields.flag("in_wheel");
    library.member = fields.optional_text("member");
    library.needed = fields.texts("needed");
    library.executable_stack = fields.flag("executable_stack");
    library.needed_by = fields.texts("needed_by");
    library.skipped = fields.optional_text("skipped");
    return library;
}

}  // namespace aw
