// The edits of a file's program headers and ELF header: the stack's
// executability (PT_GNU_STACK), the interpreter (PT_INTERP and .interp) and the
// OS ABI. In place when they fit; else the program headers (one more entry) or
// a longer interpreter go into the new segment with the dynamic section.
#pragma once

#include "edit/dynamic_edits.hpp"
#include "edit/edit_plan.hpp"
#include "edit/elf_layout.hpp"
#include "edit/elf_rewrite.hpp"

#include <gelf.h>

#include <optional>
#include <string>
#include <vector>

namespace aw {

// Plans the edits in `plan`: its program headers, and an interpreter too long for its place as
// moved_interpreter. An interpreter that fits is written in place (a patch, and .interp's size),
// as is the OS ABI, unless it lies in the layout's previous segment (which is laid out anew).
// Throws ElfError naming the file when an interpreter is set on a file without PT_INTERP.
void plan_header_edits(const Layout& layout, const DynamicEdits& edits, EditPlan& plan);

// The interpreter when PT_INTERP lies in `segment`: what a rebuild of that segment must carry.
std::optional<std::string> interpreter_inside(const Layout& layout, const std::optional<GElf_Phdr>& segment);

// Writes the edited program headers over the old ones (when the table stays where it is).
void patch_program_headers_in_place(const Layout& layout, const std::vector<GElf_Phdr>& program_headers, Patches& patches);

// "execstack: X", "-" or "?" (no PT_GNU_STACK), as patchelf --print-execstack.
char execstack_of(const std::vector<GElf_Phdr>& program_headers);

}  // namespace aw
