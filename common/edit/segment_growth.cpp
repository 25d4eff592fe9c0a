#include "edit/segment_growth.hpp"

#include "base/diagnostics.hpp"
#include "base/file_io.hpp"
#include "edit/elf_encode.hpp"
#include "elf/elf_file.hpp"

#include <algorithm>
#include <cstdint>

namespace aw {

Placement place_new_segment(const std::vector<GElf_Phdr>& loads, std::uint64_t file_end, Loader loaded_by,
                            std::optional<std::uint64_t> alignment) {
    Placement placement;
    const GElf_Phdr* first = nullptr;
    std::uint64_t memory_end = 0;
    for (const GElf_Phdr& load : loads) {
        placement.alignment = alignment.value_or(std::max<std::uint64_t>(placement.alignment, load.p_align));
        if (first == nullptr || load.p_vaddr < first->p_vaddr) first = &load;
        memory_end = std::max(memory_end, load.p_vaddr + load.p_memsz);
    }
    if (loaded_by == Loader::dynamic_loader) {
        placement.offset = align_up(file_end, placement.alignment);
        placement.address = align_up(memory_end, placement.alignment);
        return placement;
    }
    std::int64_t delta = first == nullptr ? 0 : static_cast<std::int64_t>(first->p_vaddr - first->p_offset);
    std::int64_t lowest = static_cast<std::int64_t>(memory_end) - delta;
    std::uint64_t offset = std::max<std::uint64_t>(file_end, lowest > 0 ? static_cast<std::uint64_t>(lowest) : 0);
    placement.offset = align_up(offset, placement.alignment);
    placement.address = static_cast<std::uint64_t>(static_cast<std::int64_t>(placement.offset) + delta);
    return placement;
}

Loader loaded_by(const Layout& layout) {
    if (layout.ehdr.e_type == ET_EXEC) return Loader::kernel;
    for (const GElf_Phdr& header : layout.program_headers)
        if (header.p_type == PT_INTERP) return Loader::kernel;
    return Loader::dynamic_loader;
}

SegmentPlan plan_new_segment(const Layout& layout, const EditPlan& edits, std::uint64_t dynstr_size, std::uint64_t file_end) {
    const std::string& path = layout.path();
    const std::optional<GElf_Phdr>& previous = layout.previous_segment;
    auto is_previous = [&](const GElf_Phdr& header) {
        return previous && header.p_type == PT_LOAD && header.p_offset == previous->p_offset;
    };
    std::vector<GElf_Phdr> kept;
    std::optional<std::size_t> note_header;
    for (std::size_t i = 0; i < edits.program_headers.size(); ++i) {
        if (is_previous(edits.program_headers[i])) continue;
        if (edits.note.program_header == i) note_header = kept.size();
        kept.push_back(edits.program_headers[i]);
    }
    std::vector<GElf_Phdr> loads;
    for (const GElf_Phdr& header : kept)
        if (header.p_type == PT_LOAD) loads.push_back(header);
    if (loads.empty()) fail_elf(path, "no PT_LOAD segment");
    for (const GElf_Phdr& load : loads)
        if (load.p_vaddr + load.p_memsz < load.p_vaddr)
            fail_elf(path, "a PT_LOAD's address and memory size overflow ({:#x} + {:#x})", load.p_vaddr, load.p_memsz);

    SegmentPlan plan;
    std::vector<GElf_Dyn> entries = edits.dynamic;
    plan.move_dynamic = entries.size() + 1 > layout.dynamic_slots || (previous && layout.dynamic_offset >= previous->p_offset);
    plan.placement = place_new_segment(loads, file_end, loaded_by(layout), edits.page_size);
    if (loaded_by(layout) == Loader::kernel && !previous && !edits.moved_interpreter && !edits.interpreter_set &&
        plan.placement.offset > align_up(file_end, plan.placement.alignment) &&
        (plan.room = program_header_room(layout, kept.size() + 1)))
        plan.placement = place_new_segment(loads, file_end, Loader::dynamic_loader, edits.page_size);
    const Placement& placement = plan.placement;
    // The gap before the new segment is zeros in the file (a large .bss makes it large).
    constexpr std::uint64_t kMaxGap = 1ull << 30;
    if (placement.offset - file_end > kMaxGap)
        fail_elf(path, "the new segment would start {} bytes past the end of the file (segment sizes are implausible); "
             "nothing was written", placement.offset - file_end);

    const std::size_t word = layout.word();
    const std::size_t dynamic_entry = layout.is64() ? sizeof(Elf64_Dyn) : sizeof(Elf32_Dyn);
    plan.phnum = kept.size() + 1;
    const std::uint64_t table_size = plan.phnum * layout.ehdr.e_phentsize;
    if (plan.room) plan.moved_at = plan.room->offset % plan.room->alignment;  // each moved part keeps its alignment
    plan.dynstr_at = align_up(plan.room ? plan.moved_at + plan.room->bytes.size() : table_size, word);
    plan.dynstr_size = dynstr_size;
    plan.dynamic_at = align_up(plan.dynstr_at + plan.dynstr_size, word);
    const std::uint64_t dynamic_size = (entries.size() + 1) * dynamic_entry;
    plan.interp_at = plan.move_dynamic ? plan.dynamic_at + dynamic_size : plan.dynstr_at + plan.dynstr_size;
    plan.interpreter = edits.moved_interpreter;
    plan.note_at = align_up(plan.interp_at + (plan.interpreter ? plan.interpreter->size() + 1 : 0), 4);
    plan.note = edits.note.bytes;
    plan.note_section = edits.note.section;
    plan.size = plan.note_at + plan.note.size();
    // A 32-bit file's addresses and offsets are 32-bit fields (found by the fuzzer: a PT_LOAD at
    // 0xfffff002 put the new segment past 4 GiB, its address wrapped onto the first segment and the
    // new DT_STRTAB read the old bytes there).
    const std::uint64_t limit = layout.is64() ? UINT64_MAX : UINT32_MAX;
    if (placement.address > limit - plan.size || placement.offset > limit - plan.size)
        fail_elf(path, "the new segment ({} bytes at address {:#x}, offset {:#x}) would lie past the {}-bit address "
                       "space; nothing was written", plan.size, placement.address, placement.offset, layout.is64() ? 64 : 32);

    for (GElf_Dyn& entry : entries) {
        if (entry.d_tag == DT_STRTAB) entry.d_un.d_ptr = placement.address + plan.dynstr_at;
        if (entry.d_tag == DT_STRSZ) entry.d_un.d_val = plan.dynstr_size;
    }
    auto move_to = [&](GElf_Phdr& header, std::uint64_t at, std::uint64_t size) {
        header.p_offset = placement.offset + at;
        header.p_vaddr = header.p_paddr = placement.address + at;
        header.p_filesz = header.p_memsz = size;
    };
    auto follow_room = [&](GElf_Phdr& header) {
        if (!plan.room || header.p_offset < plan.room->offset || header.p_offset + header.p_filesz > plan.room->end()) return;
        header.p_offset += placement.offset + plan.moved_at - plan.room->offset;
        header.p_vaddr += placement.address + plan.moved_at - plan.room->address;
        header.p_paddr += placement.address + plan.moved_at - plan.room->address;
    };
    for (std::size_t i = 0; i < kept.size(); ++i) {
        GElf_Phdr updated = kept[i];
        if (note_header == i && !plan.note.empty()) move_to(updated, plan.note_at, plan.note.size());
        if (updated.p_type == PT_PHDR && !plan.room) move_to(updated, 0, table_size);
        if (updated.p_type == PT_PHDR && plan.room) updated.p_filesz = updated.p_memsz = table_size;
        if (updated.p_type != PT_PHDR && updated.p_type != PT_LOAD) follow_room(updated);
        if (updated.p_type == PT_DYNAMIC && plan.move_dynamic) move_to(updated, plan.dynamic_at, dynamic_size);
        if (updated.p_type == PT_INTERP && plan.interpreter) move_to(updated, plan.interp_at, plan.interpreter->size() + 1);
        plan.headers.push_back(updated);
    }
    // The new PT_LOAD goes after the last one: loadable segments stay in address order.
    auto last_load = std::find_if(plan.headers.rbegin(), plan.headers.rend(), [](const GElf_Phdr& h) { return h.p_type == PT_LOAD; });
    GElf_Phdr segment{PT_LOAD, static_cast<Elf64_Word>(PF_R | (plan.move_dynamic ? PF_W : 0)), placement.offset,
                      placement.address, placement.address, plan.size, plan.size, placement.alignment};
    plan.headers.insert(last_load.base(), segment);

    plan.table = std::move(entries);
    plan.table.resize(plan.move_dynamic ? plan.table.size() + 1 : layout.dynamic_slots, GElf_Dyn{DT_NULL, {0}});
    return plan;
}

void add_new_segment(const Layout& layout, const SegmentPlan& plan, const std::vector<unsigned char>& dynstr,
                     FileRewrite& rewrite) {
    Patches& patches = rewrite.plan.patches;
    const Placement& placement = plan.placement;
    std::vector<unsigned char> table = encode_dynamic(layout, plan.table);
    if (!plan.move_dynamic) patches.put(layout.dynamic_offset, table);

    // Headers that point at what moved: the ELF header, the section headers, _DYNAMIC.
    if (plan.room) {  // the table in place, zeros over what moved out of its way
        std::vector<unsigned char> in_place = encode_program_headers(layout, plan.headers);
        in_place.resize(std::max<std::uint64_t>(in_place.size(), plan.room->end() - layout.ehdr.e_phoff), 0);
        patches.put(layout.ehdr.e_phoff, std::move(in_place));
    } else {
        patches.put_field(header_field(layout, HeaderField::phoff), placement.offset);
    }
    patches.put_field(header_field(layout, HeaderField::phnum), plan.phnum);
    auto move_section = [&](const std::optional<std::size_t>& section, std::uint64_t at, std::uint64_t size) {
        if (!section) return;
        GElf_Shdr& header = rewrite.sections[*section];
        header.sh_addr = placement.address + at;
        header.sh_offset = placement.offset + at;
        header.sh_size = size;
        for (const auto& [value, index] : layout.section_symbols)
            if (index == *section && !rewrite.removes(value.table))
                patches.put_field(word_field(layout, value.field), placement.address + at);
    };
    move_section(layout.dynstr_section, plan.dynstr_at, plan.dynstr_size);
    if (plan.move_dynamic) {
        move_section(layout.dynamic_section, plan.dynamic_at, table.size());
        for (const SymbolValue& value : layout.dynamic_symbol_values)
            if (!rewrite.removes(value.table))
                patches.put_field(word_field(layout, value.field), placement.address + plan.dynamic_at);
    }

    if (plan.interpreter) move_section(layout.interp_section, plan.interp_at, plan.interpreter->size() + 1);
    if (!plan.note.empty()) move_section(plan.note_section, plan.note_at, plan.note.size());
    if (plan.room) {
        for (std::size_t section : plan.room->sections) {
            const GElf_Shdr& before = layout.sections[section].header;
            std::uint64_t at = plan.moved_at + (before.sh_offset - plan.room->offset);
            move_section(section, at, before.sh_size);
            const std::uint64_t shift = placement.address + at - before.sh_addr;
            for (const SymbolInSection& symbol : layout.note_symbols)
                if (symbol.section == section && !rewrite.removes(symbol.value.table))
                    patches.put_field(word_field(layout, symbol.value.field), symbol.address + shift);
        }
    }

    std::vector<unsigned char> bytes(plan.size, 0);
    auto put = [&](std::uint64_t at, const std::vector<unsigned char>& what) {
        std::copy(what.begin(), what.end(), bytes.begin() + static_cast<std::ptrdiff_t>(at));
    };
    if (plan.room) put(plan.moved_at, plan.room->bytes);
    else put(0, encode_program_headers(layout, plan.headers));
    put(plan.dynstr_at, dynstr);
    if (plan.move_dynamic) put(plan.dynamic_at, table);
    if (plan.interpreter) put(plan.interp_at, std::vector<unsigned char>(plan.interpreter->begin(), plan.interpreter->end()));
    put(plan.note_at, plan.note);
    rewrite.plan.place(placement.offset, std::move(bytes));
}

}  // namespace aw
