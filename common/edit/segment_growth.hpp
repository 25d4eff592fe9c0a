// Growth: when .dynstr or the dynamic table no longer fit, they move (with the
// program headers, one more) into a new PT_LOAD at the end of the file. The
// layout is planned first (plan_new_segment), then added to the rewrite with
// every header field that points at what moved (add_new_segment).
#pragma once

#include "edit/edit_plan.hpp"
#include "edit/elf_layout.hpp"
#include "edit/elf_rewrite.hpp"
#include "edit/program_header_room.hpp"

#include <gelf.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace aw {

// Where a new loadable segment may go: past the end of the file and past every
// segment's memory, at an offset and address congruent modulo the largest
// PT_LOAD alignment (64 KiB on aarch64 and ppc64 files, read from the file, not
// the host). The one place this layout rule is decided, in two forms:
// - a shared object (ld.so maps it, and finds the program headers through
//   PT_PHDR or whichever PT_LOAD holds them) takes the segment at the end of
//   the file: offset and address each rounded up to the alignment, so the file
//   grows by about what is added, however large its .bss;
// - an executable (ET_EXEC, or a PIE with PT_INTERP) whose program headers move
//   keeps the first PT_LOAD's address-minus-offset, because kernels before Linux
//   5.18 compute AT_PHDR as that bias plus e_phoff: the new segment's offset then
//   follows its address, and the file would grow by its .bss too; so when that
//   costs more than the alignment, the headers stay where they are if room can be
//   made there (ProgramHeaderRoom), and the segment is placed as a shared object's.
struct Placement {
    std::uint64_t offset = 0, address = 0, alignment = 1;
};
enum class Loader { kernel, dynamic_loader };
// `alignment` (--page-size) replaces the largest PT_LOAD alignment of the file.
Placement place_new_segment(const std::vector<GElf_Phdr>& loads, std::uint64_t file_end, Loader loaded_by,
                            std::optional<std::uint64_t> alignment = std::nullopt);
// Who maps the file: the kernel (an executable) or the dynamic loader (a shared object).
Loader loaded_by(const Layout& layout);

// The new segment laid out: the program headers at its start (or, with `room`, what moved out of
// their way), then .dynstr, then (when it must move) the dynamic table, then a moved interpreter,
// then a note.
struct SegmentPlan {
    Placement placement;
    std::size_t phnum = 0;
    std::optional<ProgramHeaderRoom> room;  // the headers stay at e_phoff; room.bytes go to moved_at
    std::uint64_t moved_at = 0;
    std::uint64_t dynstr_at = 0, dynstr_size = 0, dynamic_at = 0, interp_at = 0, note_at = 0, size = 0;
    bool move_dynamic = false;
    std::optional<std::string> interpreter;
    std::vector<unsigned char> note;
    std::optional<std::size_t> note_section;
    std::vector<GElf_Phdr> headers;  // the file's program headers as they will be
    std::vector<GElf_Dyn> table;     // the dynamic table as it will be, DT_NULL-padded
};

// What the new segment holds, from `plan`: the program headers as the edits leave them (the
// file's, edited, and any added; the layout's previous segment replaced), the dynamic entries,
// .dynstr (`dynstr_size` bytes), an interpreter too long for its place, the resolution cache note.
// Throws ElfError naming the file when it has no PT_LOAD or implausible segment sizes would put
// the segment more than 1 GiB past the end.
SegmentPlan plan_new_segment(const Layout& layout, const EditPlan& plan, std::uint64_t dynstr_size, std::uint64_t file_end);

// Adds the planned segment's bytes to the rewrite, and patches the ELF header
// (e_phoff, e_phnum), the moved sections' headers (.dynstr, .dynamic, .interp),
// their STT_SECTION symbols, _DYNAMIC and, when the table stays, the table in place.
void add_new_segment(const Layout& layout, const SegmentPlan& plan, const std::vector<unsigned char>& dynstr,
                     FileRewrite& rewrite);

}  // namespace aw
