// What policy-check reads of a wheel: its ELF members and the libraries they
// need, from the "elf" and "symvers" records of elf-deps and elf-symvers.
#pragma once

#include "elf/elf_record.hpp"
#include "protocol/records.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace aw {

// needed file -> version -> undefined symbols bound to it
using VersionRequirements = std::map<std::string, std::map<std::string, std::vector<std::string>>>;

struct TreeLibrary {
    std::optional<std::string> realpath;
    std::vector<std::string> needed;
    bool in_wheel = false;
};

// One ELF member, from its "elf" and "symvers" records.
struct ElfMember {
    std::string path;
    int elf_class = 0;
    ByteOrder byte_order = ByteOrder::little;
    std::uint16_t e_machine = 0;
    std::uint32_t e_flags = 0;
    std::optional<std::string> libc;
    bool python_extension = false;
    std::vector<std::string> needed;    // DT_NEEDED, then what it dlopens (elf-deps --include)
    std::vector<std::string> included;  // those dlopen'ed names
    std::map<std::string, TreeLibrary> libraries;  // soname -> where its tree found it
    VersionRequirements versions;
    std::set<std::string> undefined;
    std::optional<std::uint32_t> x86_isa_needed;
    bool ucs2 = false;
    bool pyfpe = false;
    bool executable_stack = false;
};

// An external library, from its "symvers" record (origin "library") and its "library" record.
struct LibraryFacts {
    VersionRequirements versions;
    std::optional<std::uint32_t> x86_isa_needed;
    bool executable_stack = false;
};

struct AnalysisInput {
    std::string wheel;  // file name
    std::vector<std::string> python_tags, abi_tags, platform_tags;
    std::vector<ElfMember> elfs;  // member order
    std::map<std::string, LibraryFacts> libraries;  // by realpath
    std::vector<std::string> unreadable;  // "member: why" of ELF-looking members that were not analysed
};

// Throws Error naming a record's line and field when one it reads breaks the protocol's table.
AnalysisInput read_analysis_input(const std::vector<Record>& records);
// What the analysis needs of an elf record (its versions come from the symvers record).
ElfMember elf_member_of(ElfRecord elf);

}  // namespace aw
