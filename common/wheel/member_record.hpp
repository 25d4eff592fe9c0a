// The member record of whl-unpack (auditwheel-records(7)): one per file of the archive.
#pragma once

#include "elf/elf_ident.hpp"
#include "protocol/records.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace aw {

struct MemberRecord {
    std::string path;
    std::uint64_t size = 0;
    std::uint32_t mode = 0644;               // permission bits as extracted
    std::optional<std::string> sha256;       // hex; from RECORD when not extracted
    std::optional<std::string> record_hash;  // RECORD's "algo=digest", for a member not extracted
    bool extracted = false;
    std::optional<ElfIdent> elf;
    std::optional<std::string> elf_error;  // starts like ELF, but its header cannot be real

    // An ELF member whose file is in the work directory: what elf-deps and elf-symvers read.
    bool extracted_elf() const { return elf.has_value() && extracted; }
};

Json record_json(const MemberRecord& member);
// Throws Error naming the record's line and the field at fault (a mode that is no octal string).
MemberRecord read_member_record(const Record& record);

}  // namespace aw
