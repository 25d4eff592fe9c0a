#include "edit/program_header_room.hpp"

#include "base/file_io.hpp"

#include <algorithm>
#include <cstdint>

namespace aw {
namespace {
bool overlaps(std::uint64_t offset, std::uint64_t size, std::uint64_t lo, std::uint64_t hi) {
    return size > 0 && offset < hi && offset + size > lo;
}

// Dynamic tags whose value is an address (gABI's d_ptr, and the GNU ones).
bool is_address_tag(std::int64_t tag) {
    switch (tag) {
        case DT_PLTGOT: case DT_HASH: case DT_STRTAB: case DT_SYMTAB: case DT_RELA: case DT_INIT: case DT_FINI:
        case DT_REL: case DT_DEBUG: case DT_JMPREL: case DT_INIT_ARRAY: case DT_FINI_ARRAY: case DT_PREINIT_ARRAY:
        case DT_SYMTAB_SHNDX: case DT_VERSYM: case DT_VERDEF: case DT_VERNEED: case 36 /* DT_RELR */:
            return true;
        default:
            return tag >= DT_ADDRRNGLO && tag <= DT_ADDRRNGHI;
    }
}

bool is_movable(const Layout& layout, std::size_t index) {
    const GElf_Shdr& section = layout.sections[index].header;
    return section.sh_type == SHT_NOTE || layout.interp_section == index;
}
}  // namespace

std::optional<ProgramHeaderRoom> program_header_room(const Layout& layout, std::size_t phnum) {
    const Bytes original = layout.file.bytes();
    if (layout.sections.empty() || !layout.references_known || layout.ehdr.e_phentsize == 0) return std::nullopt;
    const std::uint64_t table = layout.ehdr.e_phoff, table_end = table + phnum * layout.ehdr.e_phentsize;
    const GElf_Phdr* first = nullptr;
    for (const GElf_Phdr& header : layout.program_headers) {
        if (header.p_type == PT_LOAD && (first == nullptr || header.p_vaddr < first->p_vaddr)) first = &header;
        if (header.p_type == PT_PHDR && header.p_offset != table) return std::nullopt;
    }
    if (first == nullptr || table < first->p_offset || table_end > first->p_offset + first->p_filesz) return std::nullopt;

    for (const Section& section : layout.sections)  // untrusted: ends that wrap around are refused here
        if (section.header.sh_size > UINT64_MAX - section.header.sh_offset) return std::nullopt;

    // What lies in the way, widened to every section and program header it shares bytes with
    // (a PT_NOTE over several notes moves whole), until nothing more joins.
    const std::uint64_t old_end = table + layout.program_headers.size() * layout.ehdr.e_phentsize;
    std::uint64_t lo = UINT64_MAX, hi = 0;  // what must move, while it grows
    for (bool widened = true; widened;) {
        widened = false;
        auto take = [&](std::uint64_t offset, std::uint64_t size) {
            if (!overlaps(offset, size, std::min(table, lo), std::max(table_end, hi))) return;
            if (offset >= lo && offset + size <= hi) return;
            lo = std::min(lo, offset);
            hi = std::max(hi, offset + size);
            widened = true;
        };
        for (const Section& section : layout.sections)
            if ((section.header.sh_flags & SHF_ALLOC) && section.header.sh_type != SHT_NOBITS)
                take(section.header.sh_offset, section.header.sh_size);
        for (const GElf_Phdr& header : layout.program_headers)
            if (header.p_type != PT_LOAD && header.p_type != PT_PHDR) take(header.p_offset, header.p_filesz);
    }
    if (hi == 0) lo = hi = table_end;  // nothing in the way
    if (lo < old_end) return std::nullopt;  // something overlaps the table itself

    ProgramHeaderRoom room;
    room.offset = lo;
    room.address = first->p_vaddr + (lo - first->p_offset);
    for (std::size_t i = 1; i < layout.sections.size(); ++i) {
        const GElf_Shdr& section = layout.sections[i].header;
        if (!(section.sh_flags & SHF_ALLOC) || section.sh_type == SHT_NOBITS || !overlaps(section.sh_offset, section.sh_size, lo, hi))
            continue;
        if (!is_movable(layout, i) || section.sh_addr != first->p_vaddr + (section.sh_offset - first->p_offset))
            return std::nullopt;
        room.sections.push_back(i);
        room.alignment = std::max<std::uint64_t>(room.alignment, section.sh_addralign);
    }
    for (const GElf_Phdr& header : layout.program_headers) {
        if (header.p_type == PT_LOAD || header.p_type == PT_PHDR || !overlaps(header.p_offset, header.p_filesz, lo, hi))
            continue;
        if (header.p_type != PT_INTERP && header.p_type != PT_NOTE && header.p_type != PT_GNU_PROPERTY) return std::nullopt;
        room.alignment = std::max<std::uint64_t>(room.alignment, header.p_align);
    }
    if (hi > first->p_offset + first->p_filesz || !range_inside(lo, hi - lo, original.size())) return std::nullopt;
    for (const GElf_Dyn& entry : layout.entries)
        if (is_address_tag(entry.d_tag) && entry.d_un.d_ptr >= room.address && entry.d_un.d_ptr < room.address + (hi - lo))
            return std::nullopt;
    if (room.alignment & (room.alignment - 1)) return std::nullopt;
    room.bytes.assign(original.begin() + static_cast<std::ptrdiff_t>(lo), original.begin() + static_cast<std::ptrdiff_t>(hi));
    return room;
}

}  // namespace aw
