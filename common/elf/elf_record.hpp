// The elf and library records of elf-deps (auditwheel-records(7)): one struct and one codec each,
// read through the protocol's table.
#pragma once

#include "elf/elf_ident.hpp"
#include "protocol/records.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace aw {

// One library of an elf record's tree.
struct TreeLibraryRecord {
    std::string soname;
    std::optional<std::string> path, realpath;  // none when not found
    std::vector<std::string> needed;
    bool in_wheel = false;
    std::optional<std::string> member;   // its member path, when in the wheel
    std::optional<std::string> skipped;  // "libpython": never searched
};

// An ELF member's (or a named file's) facts and dependency tree; with an error, only path and file.
struct ElfRecord {
    std::string path, file;
    std::optional<std::string> error;
    ElfIdent ident;
    std::uint32_t e_flags = 0;
    std::string type;
    std::optional<std::string> interpreter, soname;
    std::vector<std::string> needed;
    std::vector<std::string> included;  // elf-deps --include; the field is absent when empty
    std::vector<std::string> rpath, runpath;
    bool python_extension = false;
    std::optional<std::string> gnu_stack;
    bool executable_stack = false;
    std::optional<std::string> libc;
    std::vector<TreeLibraryRecord> libraries;
};

// One library the trees load, once.
struct LibraryRecord {
    std::string soname;
    std::optional<std::string> path, realpath;
    bool found = false, in_wheel = false;
    std::optional<std::string> member;
    std::vector<std::string> needed;
    bool executable_stack = false;
    std::vector<std::string> needed_by;
    std::optional<std::string> skipped;
};

Json record_json(const ElfRecord& elf);
Json record_json(const LibraryRecord& library);
// Throw Error naming the record's line and the field at fault.
ElfRecord read_elf_record(const Record& record);
LibraryRecord read_library_record(const Record& record);

}  // namespace aw
