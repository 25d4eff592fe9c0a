#include "policy/analysis_input.hpp"

#include "base/diagnostics.hpp"
#include "elf/symvers_record.hpp"
#include "protocol/stage_stream.hpp"
#include "wheel/member_record.hpp"

namespace aw {

AnalysisInput read_analysis_input(const std::vector<Record>& records) {
    AnalysisInput input;
    std::map<std::string, std::size_t> elf_by_path;
    for (const Record& record : records) {
        std::string kind = record.kind();
        if (kind == "wheel") {
            WheelRecord wheel = read_wheel_record(record);
            input.wheel = wheel.filename;
            input.python_tags = wheel.python_tags;
            input.abi_tags = wheel.abi_tags;
            input.platform_tags = wheel.platform_tags;
        } else if (kind == "member") {
            MemberRecord member = read_member_record(record);
            if (member.elf_error) input.unreadable.push_back(member.path + ": " + *member.elf_error);
        } else if (kind == "elf") {
            ElfRecord record_of_elf = read_elf_record(record);
            if (record_of_elf.error) {
                input.unreadable.push_back(record_of_elf.path + ": " + *record_of_elf.error);
                continue;
            }
            elf_by_path[record_of_elf.path] = input.elfs.size();
            input.elfs.push_back(elf_member_of(std::move(record_of_elf)));
        } else if (kind == "symvers") {
            SymversRecord symvers = read_symvers_record(record);
            if (symvers.error) continue;
            if (symvers.origin == "member" && elf_by_path.count(symvers.path)) {
                ElfMember& elf = input.elfs[elf_by_path[symvers.path]];
                elf.versions = std::move(symvers.versions.required);
                elf.undefined.insert(symvers.versions.undefined.begin(), symvers.versions.undefined.end());
                elf.x86_isa_needed = symvers.versions.x86_isa_needed;
                elf.ucs2 = symvers.versions.ucs2;
                elf.pyfpe = symvers.versions.pyfpe;
            } else if (symvers.origin == "library") {
                input.libraries[symvers.path].versions = std::move(symvers.versions.required);
                input.libraries[symvers.path].x86_isa_needed = symvers.versions.x86_isa_needed;
            }
        } else if (kind == "library") {
            LibraryRecord library = read_library_record(record);
            if (library.realpath) input.libraries[*library.realpath].executable_stack = library.executable_stack;
        }
    }
    if (input.wheel.empty()) fail("no \"wheel\" record on standard input");
    return input;
}

ElfMember elf_member_of(ElfRecord elf) {
    ElfMember member;
    member.path = std::move(elf.path);
    member.elf_class = elf.ident.elf_class;
    member.byte_order = elf.ident.byte_order;
    member.e_machine = elf.ident.e_machine;
    member.e_flags = elf.e_flags;
    member.libc = std::move(elf.libc);
    member.python_extension = elf.python_extension;
    member.executable_stack = elf.executable_stack;
    member.needed = std::move(elf.needed);
    member.included = elf.included;
    member.needed.insert(member.needed.end(), elf.included.begin(), elf.included.end());
    for (TreeLibraryRecord& library : elf.libraries)
        member.libraries.emplace(std::move(library.soname),
                                 TreeLibrary{std::move(library.realpath), std::move(library.needed), library.in_wheel});
    return member;
}

}  // namespace aw
