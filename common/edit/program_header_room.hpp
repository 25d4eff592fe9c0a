// Room for an executable's program header table where it is. Kernels before Linux 5.18 tell the
// program its headers' address as the first PT_LOAD's bias plus e_phoff, so a table moved into a
// new segment at the end must keep that bias, and the file then grows by the .bss between (16 MiB
// for a 16 MiB .bss). Instead the table stays at e_phoff and grows there, and what lay right after
// it, .interp and notes (patchelf 0.19 makes the same choice), moves into the new segment with the
// program headers that describe it; the new segment then follows the file's end and the memory's
// end as a shared object's does.
#pragma once

#include "edit/elf_layout.hpp"

#include <cstdint>
#include <optional>
#include <vector>

namespace aw {

struct ProgramHeaderRoom {
    std::uint64_t offset = 0, address = 0;  // where the moved bytes were, in the file and in memory
    std::vector<unsigned char> bytes;       // the moved sections, with the padding between them
    std::uint64_t alignment = 1;            // the largest alignment among them: kept modulo it
    std::vector<std::size_t> sections;      // the moved sections, by index
    std::uint64_t end() const { return offset + bytes.size(); }
};

// The room for a table of `phnum` entries at e_phoff, or nullopt when there is none to be had: the
// table is not in the first PT_LOAD (or PT_PHDR is elsewhere), the sections in the way are not
// only .interp and notes, a program header other than PT_INTERP, PT_NOTE and PT_GNU_PROPERTY (or
// the first PT_LOAD, or PT_PHDR) touches them, or the dynamic table points into them.
std::optional<ProgramHeaderRoom> program_header_room(const Layout& layout, std::size_t phnum);

}  // namespace aw
