// What the edits of one file decide, before anything is laid out: llvm-objcopy's split, in which
// the planning passes (the dynamic table and its strings, symbol renames, the program headers,
// --strip, the resolution cache) fill an EditPlan, finalize_rewrite lays it out as a RewritePlan,
// and write_rewrite writes that. The plan's tables are typed (GElf structs): they are encoded in
// the file's class and byte order only when laid out. What the passes change where it lies (a
// renamed version-need file, renamed symbols and their hash tables, an interpreter that fits,
// the OS ABI, a dropped note) is kept as patches over the original.
#pragma once

#include "edit/elf_layout.hpp"
#include "edit/elf_rewrite.hpp"

#include <gelf.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace aw {

// The resolution cache note the new segment is to carry (added, or kept from a segment rebuilt).
struct ResolutionNote {
    std::vector<unsigned char> bytes;           // empty when none
    std::optional<std::size_t> program_header;  // the PT_NOTE to point at it, in program_headers
    std::optional<std::size_t> section;         // its header, in sections
    std::vector<unsigned char> section_names;   // .shstrtab with the note's name added; empty when unchanged
    bool added = false;
};

struct EditPlan {
    // The file as it is: its dynamic table, string table, program and section headers.
    explicit EditPlan(const Layout& layout);

    std::vector<GElf_Dyn> dynamic;      // the entries as they will be, strings placed, without DT_NULL
    std::vector<unsigned char> dynstr;  // .dynstr as edited in place
    std::string appended_strings;       // strings no room was found for: .dynstr grows and moves
    std::vector<GElf_Phdr> program_headers;        // the file's, edited, then any added
    std::optional<std::string> moved_interpreter;  // too long for .interp: goes into the new segment
    bool interpreter_set = false;                  // .interp rewritten in place: it may not move
    std::vector<GElf_Shdr> sections;  // by index, as they will be (an added note's last)
    std::vector<bool> removed;        // by section index, for --strip; empty when nothing goes
    ResolutionNote note;
    Patches in_place;
    std::optional<std::uint64_t> page_size;  // --page-size: the new segment's alignment

    // True when the program header table must move (an added entry).
    bool adds_program_headers(const Layout& layout) const { return program_headers.size() > layout.program_headers.size(); }
};

// Lays `plan` out: in place when everything fits, else .dynstr, the dynamic table, the program
// headers (and what must move with them) in one new segment (segment_growth); --strip's
// sections; the section headers, in place or anew at the end. Throws ElfError naming the file
// when the plan cannot be laid out.
RewritePlan finalize_rewrite(const Layout& layout, EditPlan plan);

}  // namespace aw
