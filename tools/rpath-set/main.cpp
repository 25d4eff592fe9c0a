// rpath-set: set SONAME, rename or remove DT_NEEDED entries and set or remove
// RPATH/RUNPATH, with patchelf's flags, all edits of a file in one rewrite.
#include "diagnostics.hpp"
#include "elf_edit_record.hpp"
#include "elf_file.hpp"
#include "interrupt.hpp"
#include "member_path.hpp"
#include "options.hpp"
#include "records.hpp"
#include "stage_stream.hpp"

#include <iostream>

namespace {
const aw::OptionTable kOptions(
    "rpath-set", "FILE... | < RECORDS",
    "Edits the dynamic section of each FILE as patchelf's options of the same names do, all edits of a file in one "
    "rewrite (a temporary file beside it, renamed into place; an --output that is not a regular file is written "
    "into). Options may come before or after the files. Without FILE, applies the \"elf_edit\" records on stdin to "
    "the files of the wheel's work directory.",
    {{"set-soname", 0, 1, "SONAME", "set DT_SONAME"},
     {"replace-needed", 0, 2, "OLD NEW", "rename the DT_NEEDED entry OLD to NEW (repeatable)"},
     {"remove-needed", 0, 1, "NAME", "remove the DT_NEEDED entry NAME (repeatable)"},
     {"set-rpath", 0, 1, "RPATH", "set DT_RUNPATH (DT_RPATH with --force-rpath)"},
     {"force-rpath", 0, 0, "", "write DT_RPATH rather than DT_RUNPATH"},
     {"remove-rpath", 0, 0, "", "remove DT_RPATH and DT_RUNPATH"},
     {"strip", 0, 0, "", "drop the symbol tables and debug sections, as strip -s"},
     {"output", 0, 1, "FILE", "write the result to FILE; the input is only read"},
     {"print-rpath", 0, 0, "", "print DT_RUNPATH, or DT_RPATH when there is none"},
     {"print-soname", 0, 0, "", "print DT_SONAME"},
     {"print-needed", 0, 0, "", "print the DT_NEEDED entries, one per line"},
     {"log", 0, 0, "", "with records: print each file's edits as an rpath-set command line on stderr"}});

// Applies each "elf_edit" record to its file in the work directory, passing every record on and
// adding an "elf_edited" record after each edit.
int apply_records(bool log) {
    aw::StageStream stream(std::cin, std::cout);
    while (auto record = stream.next()) {
        if (record->kind() != "elf_edit") continue;
        aw::throw_if_interrupted();
        const aw::WheelRecord& wheel = stream.wheel_for(*record);
        auto [path, edits] = aw::at_record(*record, [&] {
            std::string path = aw::required_string(record->value, "path");
            if (auto reason = aw::unsafe_member_path_reason(path))
                aw::fail("elf_edit record: path \"{}\" must lie inside the work directory ({})", path, *reason);
            return std::pair(path, aw::dynamic_edits_from_record(record->value));
        });
        if (log) aw::print_log(aw::edit_command_line(path, edits));
        bool changed = false;
        try {
            changed = aw::apply_dynamic_edits(wheel.file_of(path), edits, wheel.file_of(path));
        } catch (const aw::FileError& error) {
            aw::fail_at(wheel.member(path), error);
        }
        stream.emit(aw::Json{{"kind", "elf_edited"}, {"path", path}, {"changed", changed}});
    }
    stream.finish();
    return aw::kExitOk;
}

int rpath_main(int argc, char** argv) {
    aw::CommandLine line = kOptions.parse_stage_arguments(argc, argv);
    aw::DynamicEdits edits;
    edits.set_soname = line.last("set-soname");
    std::vector<std::string> renames = line.all("replace-needed");
    for (std::size_t i = 0; i + 1 < renames.size(); i += 2) edits.replace_needed.emplace_back(renames[i], renames[i + 1]);
    edits.remove_needed = line.all("remove-needed");
    edits.set_rpath = line.last("set-rpath");
    edits.force_rpath = line.has("force-rpath");
    edits.remove_rpath = line.has("remove-rpath");
    edits.strip = line.has("strip");
    std::optional<std::string> output = line.last("output");
    bool print_rpath = line.has("print-rpath"), print_soname = line.has("print-soname"),
         print_needed = line.has("print-needed");
    const std::vector<std::string>& files = line.operands();
    if (files.empty()) {
        if (!edits.empty() || output || print_rpath || print_soname || print_needed)
            aw::fail_usage("expected a FILE; see rpath-set --help");
        return apply_records(line.has("log"));
    }
    if (output && files.size() != 1) aw::fail_usage("--output goes with exactly one FILE");
    if (auto reason = edits.contradiction()) aw::fail_usage("{}", *reason);

    for (const std::string& file : files) {
        if (!edits.empty() || output) aw::apply_dynamic_edits(file, edits, output.value_or(file));
        if (!print_rpath && !print_soname && !print_needed) continue;
        aw::ElfFacts facts = aw::read_elf_facts(output.value_or(file));
        if (print_soname && facts.soname) std::cout << *facts.soname << '\n';
        if (print_rpath) std::cout << aw::join_search_path(facts.runpath.empty() ? facts.rpath : facts.runpath) << '\n';
        if (print_needed)
            for (const std::string& name : facts.needed) std::cout << name << '\n';
    }
    return aw::kExitOk;
}
}  // namespace

int main(int argc, char** argv) {
    return aw::run_stage("rpath-set", [&] { return rpath_main(argc, argv); });
}
