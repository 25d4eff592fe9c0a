// The elf_edit record (auditwheel-records(7)): lib-graft's plan of one file's edits, rpath-set's
// input; and the elf_edited record rpath-set writes after each.
#pragma once

#include "edit/dynamic_edits.hpp"
#include "protocol/records.hpp"

#include <string>

namespace aw {

struct ElfEditRecord {
    std::string path;  // the member, in the work directory
    DynamicEdits edits;
};

struct ElfEditedRecord {
    std::string path;
    bool changed = false;
};

Json record_json(const ElfEditRecord& record);
Json record_json(const ElfEditedRecord& record);
// Throws Error naming the record's line and its path when a field has the wrong shape, the path
// leaves the work directory or the edits contradict each other.
ElfEditRecord read_elf_edit_record(const Record& record);

}  // namespace aw
