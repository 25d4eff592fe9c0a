// The elf_edit record (auditwheel-records(7)): lib-graft's plan of one
// file's edits, rpath-set's input.
#pragma once

#include "edit/dynamic_edits.hpp"
#include "protocol/records.hpp"

#include <string>

namespace aw {

Json elf_edit_record(const std::string& path, const DynamicEdits& edits);
// Throws Error naming the record's path when a field has the wrong shape or
// the edits contradict each other.
DynamicEdits dynamic_edits_from_record(const Json& record);

}  // namespace aw
