#include "edit/elf_strip.hpp"

#include "base/diagnostics.hpp"
#include "base/file_io.hpp"
#include "edit/elf_encode.hpp"
#include "elf/elf_file.hpp"

#include <algorithm>
#include <cstring>

namespace aw {
namespace {
bool is_debug_section(const std::string& name) {
    for (const char* prefix : {".debug", ".zdebug", ".stab", ".line", ".gnu.debuglto_"})
        if (name.starts_with(prefix)) return true;
    return false;
}

}  // namespace

std::vector<bool> sections_to_strip(const Layout& layout) {
    const std::vector<Section>& sections = layout.sections;
    std::vector<bool> removed(sections.size(), false);
    auto loaded = [&](std::size_t i) { return (sections[i].header.sh_flags & SHF_ALLOC) != 0; };
    for (std::size_t i = 1; i < sections.size(); ++i)
        removed[i] = !loaded(i) && (sections[i].header.sh_type == SHT_SYMTAB || is_debug_section(sections[i].name));
    auto names_removed = [&](std::size_t index) { return index < sections.size() && removed[index]; };
    for (bool more = true; more;) {
        more = false;
        for (std::size_t i = 1; i < sections.size(); ++i) {
            const GElf_Shdr& h = sections[i].header;
            bool describes = h.sh_type == SHT_SYMTAB_SHNDX || ((h.sh_type == SHT_REL || h.sh_type == SHT_RELA) && !loaded(i));
            if (!removed[i] && describes && (names_removed(h.sh_link) || names_removed(h.sh_info))) more = removed[i] = true;
        }
    }
    for (std::size_t i = 1; i < sections.size(); ++i) {
        if (!removed[i] || sections[i].header.sh_type != SHT_SYMTAB) continue;
        std::size_t strings = sections[i].header.sh_link;
        if (strings == 0 || strings >= sections.size() || loaded(strings) || strings == layout.ehdr.e_shstrndx) continue;
        bool used = false;
        for (std::size_t j = 1; j < sections.size(); ++j) used |= !removed[j] && sections[j].header.sh_link == strings;
        if (!used) removed[strings] = true;
    }
    if (std::find(removed.begin(), removed.end(), true) == removed.end()) removed.clear();
    return removed;
}

void strip_sections(const Layout& layout, FileRewrite& rewrite, std::uint64_t region_end) {
    RewritePlan& plan = rewrite.plan;
    const std::optional<GElf_Phdr>& previous = layout.previous_segment;
    std::uint64_t region_start = std::max<std::uint64_t>(layout.ehdr.e_ehsize,
                                                         layout.ehdr.e_phoff + layout.ehdr.e_phnum * layout.ehdr.e_phentsize);
    auto mapped = [&](std::uint64_t offset, std::uint64_t size) {
        for (const GElf_Phdr& header : layout.program_headers)
            if (header.p_type == PT_LOAD && offset < header.p_offset + header.p_filesz && header.p_offset < offset + size)
                return true;
        return false;
    };
    for (const GElf_Phdr& header : layout.program_headers)
        if (!(previous && header.p_offset == previous->p_offset) && header.p_filesz > 0)
            region_start = std::max(region_start, header.p_offset + header.p_filesz);
    region_start = std::min(region_start, region_end);

    std::vector<std::size_t> moving;
    for (std::size_t i = 1; i < layout.sections.size(); ++i) {
        const GElf_Shdr& h = layout.sections[i].header;
        bool has_bytes = h.sh_type != SHT_NOBITS && h.sh_size > 0;
        if (rewrite.removes(i)) {
            if (has_bytes && range_inside(h.sh_offset, h.sh_size, region_start) && !mapped(h.sh_offset, h.sh_size))
                plan.patches.put(h.sh_offset, std::vector<unsigned char>(h.sh_size, 0));
            continue;
        }
        if (h.sh_offset < region_start || (h.sh_flags & SHF_ALLOC) != 0) continue;  // loaded ones stay (or grow moves them)
        if (has_bytes) layout.file.range(h.sh_offset, h.sh_size, "section " + layout.sections[i].name);
        moving.push_back(i);
    }
    std::sort(moving.begin(), moving.end(), [&](std::size_t a, std::size_t b) {
        return layout.sections[a].header.sh_offset < layout.sections[b].header.sh_offset;
    });
    plan.keep = region_start;
    std::uint64_t cursor = region_start;
    for (std::size_t i : moving) {
        const GElf_Shdr& h = layout.sections[i].header;
        // Laid out anew, the sections that stay can need no more room than the whole file had
        // (found by the fuzzer: an sh_addralign of 2^45 asked for that many bytes of padding).
        std::uint64_t alignment = std::max<std::uint64_t>(h.sh_addralign, 1);
        std::uint64_t at = align_up(cursor, alignment);
        if ((alignment & (alignment - 1)) != 0 || at < region_start || at - region_start > region_end)
            fail_elf(layout.path(), "section {} has an implausible alignment of {} bytes for a file of {}; nothing was written",
                 layout.sections[i].name, h.sh_addralign, region_end);
        rewrite.sections[i].sh_offset = at;
        cursor = at;
        if (h.sh_type != SHT_NOBITS && h.sh_size > 0) {
            plan.place_original(at, layout.file.bytes().subspan(h.sh_offset, h.sh_size));
            cursor = at + h.sh_size;
        }
    }
}

void write_section_headers(const Layout& layout, FileRewrite& rewrite) {
    Patches& patches = rewrite.plan.patches;
    if (!rewrite.section_table_piece) {
        if (rewrite.sections.size() > layout.sections.size()) fail("internal error: added sections need a moved table");
        for (std::size_t i = 0; i < rewrite.sections.size(); ++i)
            if (std::memcmp(&rewrite.sections[i], &layout.sections[i].header, sizeof(GElf_Shdr)) != 0)
                patches.put(layout.ehdr.e_shoff + i * layout.ehdr.e_shentsize,
                            encode_section_headers(layout, {rewrite.sections[i]}));
        if (std::size_t kept = rewrite.sections.size(); kept < layout.sections.size()) {  // the last ones dropped
            patches.put(layout.ehdr.e_shoff + kept * layout.ehdr.e_shentsize,
                        std::vector<unsigned char>((layout.sections.size() - kept) * layout.ehdr.e_shentsize, 0));
            patches.put_field(header_field(layout, HeaderField::shnum), kept);
        }
        return;
    }
    std::vector<std::uint32_t> new_index(rewrite.sections.size(), 0);
    std::vector<GElf_Shdr> kept;
    for (std::size_t i = 0; i < rewrite.sections.size(); ++i)
        if (!rewrite.removes(i)) new_index[i] = static_cast<std::uint32_t>(kept.size()), kept.push_back(rewrite.sections[i]);
    auto renumber = [&](std::uint32_t index) { return index < new_index.size() ? new_index[index] : index; };
    for (GElf_Shdr& header : kept) {
        header.sh_link = renumber(header.sh_link);
        if (header.sh_type == SHT_REL || header.sh_type == SHT_RELA || (header.sh_flags & SHF_INFO_LINK) != 0)
            header.sh_info = renumber(header.sh_info);
    }
    RewritePlan::Piece& table = rewrite.plan.pieces[*rewrite.section_table_piece];
    std::vector<unsigned char> encoded = encode_section_headers(layout, kept);
    if (encoded.size() != table.bytes.size()) fail("internal error: the section headers do not fit their room");
    table.bytes = std::move(encoded);
    patches.put_field(header_field(layout, HeaderField::shoff), table.offset);
    patches.put_field(header_field(layout, HeaderField::shnum), kept.size());
    patches.put_field(header_field(layout, HeaderField::shstrndx), renumber(layout.ehdr.e_shstrndx));
    for (const auto& [field, index] : layout.dynsym_shndx)
        if (renumber(index) != index) patches.put_field({field, 2}, renumber(index));
}

void place_section_headers(const Layout& layout, std::vector<unsigned char> section_names, FileRewrite& rewrite) {
    RewritePlan& plan = rewrite.plan;
    const Bytes original = layout.file.bytes();
    bool table_dropped = !layout.sections.empty() && layout.ehdr.e_shoff >= plan.keep;
    if (rewrite.removed.empty() && rewrite.sections.size() <= layout.sections.size() && !table_dropped) return;
    std::size_t index = layout.ehdr.e_shstrndx;
    if (section_names.empty() && rewrite.removed.empty() && index > 0 && index < layout.sections.size()) {
        const GElf_Shdr& names = layout.sections[index].header;
        if (names.sh_type != SHT_NOBITS && names.sh_offset >= plan.keep && range_inside(names.sh_offset, names.sh_size, original.size()))
            section_names.assign(original.begin() + static_cast<std::ptrdiff_t>(names.sh_offset),
                                 original.begin() + static_cast<std::ptrdiff_t>(names.sh_offset + names.sh_size));
    }
    if (!section_names.empty()) {
        GElf_Shdr& names = rewrite.sections[index];
        names.sh_offset = plan.end();
        names.sh_size = section_names.size();
        plan.place(plan.end(), std::move(section_names));
    }
    std::size_t kept = 0;
    for (std::size_t i = 0; i < rewrite.sections.size(); ++i) kept += rewrite.removes(i) ? 0 : 1;
    std::vector<unsigned char> room(kept * layout.ehdr.e_shentsize, 0);
    rewrite.section_table_piece = plan.place(align_up(plan.end(), layout.word()), std::move(room));
}

}  // namespace aw
