// The edits of a file's program headers and ELF header: the stack's
// executability (PT_GNU_STACK), the interpreter (PT_INTERP and .interp) and the
// OS ABI. In place when they fit; else the program headers (one more entry) or
// a longer interpreter go into the new segment with the dynamic section.
#pragma once

#include "edit/dynamic_edits.hpp"
#include "edit/elf_layout.hpp"
#include "edit/elf_rewrite.hpp"

#include <gelf.h>

#include <optional>
#include <string>
#include <vector>

namespace aw {

struct HeaderPlan {
    std::vector<GElf_Phdr> program_headers;   // the file's, edited, then any added
    std::optional<std::string> moved_interpreter;  // too long for .interp: goes into the new segment
    // True when the program header table must move (an added entry).
    bool adds_headers(const Layout& layout) const { return program_headers.size() > layout.program_headers.size(); }
};

// Plans the edits; an interpreter that fits is written in place (patches, and
// .interp's size in `rewrite`), as is the OS ABI, unless it lies in `rebuilt`
// (the segment an earlier rewrite added, which is laid out anew). Throws Error
// naming `path` when an interpreter is set on a file without PT_INTERP.
HeaderPlan plan_header_edits(const Layout& layout, const DynamicEdits& edits, const std::optional<GElf_Phdr>& rebuilt,
                             FileRewrite& rewrite, const std::string& path);

// The interpreter when PT_INTERP lies in `segment`: what a rebuild of that segment must carry.
std::optional<std::string> interpreter_inside(const Layout& layout, const std::optional<GElf_Phdr>& segment, Bytes file);

// Writes the edited program headers over the old ones (when the table stays where it is).
void patch_program_headers_in_place(const Layout& layout, const HeaderPlan& plan, Patches& patches);

// "execstack: X", "-" or "?" (no PT_GNU_STACK), as patchelf --print-execstack.
char execstack_of(const std::vector<GElf_Phdr>& program_headers);

}  // namespace aw
