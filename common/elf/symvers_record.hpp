// The symvers record of elf-symvers (auditwheel-records(7)): one per ELF member and external
// library, the symbol versions it requires.
#pragma once

#include "elf/symbol_versions.hpp"
#include "protocol/records.hpp"

#include <optional>
#include <string>

namespace aw {

struct SymversRecord {
    std::string path;    // the member path, library realpath or file name as given
    std::string origin;  // "member", "library" or "file"
    std::string file;    // the file read
    std::optional<std::string> error;  // the file could not be read: nothing below
    SymbolVersions versions;
};

// Its namespaces (each in version order) and x86 ISA level are written from the versions.
Json record_json(const SymversRecord& record);
// Throws Error naming the record's line and the field at fault.
SymversRecord read_symvers_record(const Record& record);

}  // namespace aw
