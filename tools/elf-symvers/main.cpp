// elf-symvers: the symbol versions, undefined symbols, x86 ISA level and
// old-ABI markers of every ELF member and external library in the stream
// (or of the files named).
#include "base/diagnostics.hpp"
#include "base/interrupt.hpp"
#include "elf/symbol_versions.hpp"
#include "protocol/options.hpp"
#include "protocol/records.hpp"
#include "protocol/stage_stream.hpp"

#include <iostream>
#include <set>

namespace {
const aw::OptionTable kOptions(
    "elf-symvers", "[FILE...]",
    "Reads the versioned symbols each ELF member and external library in the records on stdin (or each FILE) "
    "requires, and writes a \"symvers\" record per file.",
    {});

int symvers_main(int argc, char** argv) {
    aw::CommandLine line = kOptions.parse_stage_arguments(argc, argv);
    if (!line.operands().empty()) {
        aw::RecordWriter out(std::cout);
        for (const std::string& file : line.operands())
            out.emit(aw::symvers_record(file, "file", file, aw::read_symbol_versions(file)));
        out.flush();
        return aw::kExitOk;
    }
    // Each file once: the members, then the external libraries; a member elf-deps could not
    // read is left out (it said so).
    struct Todo {
        std::string label, origin, file;
        aw::Where where;
    };
    std::vector<Todo> todo;
    std::set<std::string> seen_files, unreadable_members;
    aw::StageStream stream(std::cin, std::cout);
    while (auto record = stream.next()) {
        const aw::Json& value = record->value;
        std::string kind = record->kind();
        if (kind == "member" && value.value("elf", aw::Json(nullptr)).is_object() && value.value("extracted", false)) {
            const aw::WheelRecord& wheel = stream.wheel_for(*record);
            std::string path = aw::at_record(*record, [&] { return aw::required_string(value, "path"); });
            if (std::string file = wheel.extracted_file(path); seen_files.insert(file).second)
                todo.push_back({path, "member", file, wheel.member(path)});
        } else if (kind == "elf" && value.contains("error")) {
            unreadable_members.insert(aw::at_record(*record, [&] { return aw::required_string(value, "path"); }));
        } else if (kind == "library" && value.value("found", false) && !value.value("in_wheel", false)) {
            std::string realpath = aw::at_record(*record, [&] { return aw::required_string(value, "realpath"); });
            if (seen_files.insert(realpath).second) todo.push_back({realpath, "library", realpath, aw::Where{"", "library", realpath}});
        }
    }
    for (const Todo& file : todo) {
        aw::throw_if_interrupted();
        if (file.origin == "member" && unreadable_members.count(file.label)) continue;
        try {
            stream.emit(aw::symvers_record(file.label, file.origin, file.file, aw::read_symbol_versions(file.file)));
        } catch (const aw::ElfError& error) {
            aw::warn("{}", aw::describe_at(file.where, error));
            stream.emit(aw::symvers_error_record(file.label, file.origin, file.file, error.detail()));
        }
    }
    stream.finish();
    return aw::kExitOk;
}
}  // namespace

int main(int argc, char** argv) {
    return aw::run_stage("elf-symvers", [&] { return symvers_main(argc, argv); });
}
