// elf-symvers: the symbol versions, undefined symbols, x86 ISA level and
// old-ABI markers of every ELF member and external library in the stream
// (or of the files named).
#include "base/diagnostics.hpp"
#include "base/interrupt.hpp"
#include "elf/elf_record.hpp"
#include "elf/symbol_versions.hpp"
#include "elf/symvers_record.hpp"
#include "protocol/options.hpp"
#include "protocol/records.hpp"
#include "protocol/stage_stream.hpp"
#include "wheel/member_record.hpp"

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
            out.emit(aw::record_json(aw::SymversRecord{file, "file", file, std::nullopt, aw::read_symbol_versions(file)}));
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
        std::string kind = record->kind();
        if (kind == "member") {
            aw::MemberRecord member = aw::read_member_record(*record);
            if (!member.extracted_elf()) continue;
            const aw::WheelRecord& wheel = stream.wheel_for(*record);
            if (std::string file = wheel.extracted_file(member.path); seen_files.insert(file).second)
                todo.push_back({member.path, "member", file, wheel.member(member.path)});
        } else if (kind == "elf") {
            aw::ElfRecord elf = aw::read_elf_record(*record);
            if (elf.error) unreadable_members.insert(elf.path);
        } else if (kind == "library") {
            aw::LibraryRecord library = aw::read_library_record(*record);
            if (library.found && library.realpath && !library.in_wheel && seen_files.insert(*library.realpath).second)
                todo.push_back({*library.realpath, "library", *library.realpath, aw::Where{"", "library", *library.realpath}});
        }
    }
    for (const Todo& file : todo) {
        aw::throw_if_interrupted();
        if (file.origin == "member" && unreadable_members.count(file.label)) continue;
        try {
            stream.emit(aw::record_json(
                aw::SymversRecord{file.label, file.origin, file.file, std::nullopt, aw::read_symbol_versions(file.file)}));
        } catch (const aw::ElfError& error) {
            aw::warn("{}", aw::describe_at(file.where, error));
            stream.emit(aw::record_json(aw::SymversRecord{file.label, file.origin, file.file, error.detail(), {}}));
        }
    }
    stream.finish();
    return aw::kExitOk;
}
}  // namespace

int main(int argc, char** argv) {
    return aw::run_stage("elf-symvers", [&] { return symvers_main(argc, argv); });
}
