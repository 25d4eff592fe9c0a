#include "edit/elf_layout.hpp"

#include "base/diagnostics.hpp"
#include "base/file_io.hpp"
#include "elf/elf_file.hpp"

#include <libelf.h>

#include <cstddef>
#include <cstring>
#include <fmt/format.h>

namespace aw {
namespace {
std::uint64_t to_offset(const std::vector<GElf_Phdr>& headers, std::uint64_t address, const std::string& path,
                        const char* what) {
    if (std::optional<std::uint64_t> offset = address_to_offset(headers, address)) return *offset;
    fail_elf(path, "{} address {:#x} is in no PT_LOAD segment", what, address);
}

// Walks the version needs (DT_VERNEED) or definitions (DT_VERDEF) and their
// auxiliary entries, collecting the strings they name; every field is read
// through the file's checked view and at most `count` entries are visited.
// The version structures have one layout in both classes (halves and words).
void read_version_strings(Layout& layout, std::uint64_t entry, std::uint64_t count, bool needs) {
    const ElfBytes& file = layout.file;
    const char* table = needs ? "DT_VERNEED" : "DT_VERDEF";
    const std::uint64_t aux_count_at = needs ? offsetof(Elf64_Verneed, vn_cnt) : offsetof(Elf64_Verdef, vd_cnt);
    const std::uint64_t aux_at = needs ? offsetof(Elf64_Verneed, vn_aux) : offsetof(Elf64_Verdef, vd_aux);
    const std::uint64_t next_at = needs ? offsetof(Elf64_Verneed, vn_next) : offsetof(Elf64_Verdef, vd_next);
    const std::uint64_t name_at = needs ? offsetof(Elf64_Vernaux, vna_name) : offsetof(Elf64_Verdaux, vda_name);
    const std::uint64_t aux_next_at = needs ? offsetof(Elf64_Vernaux, vna_next) : offsetof(Elf64_Verdaux, vda_next);
    for (std::uint64_t i = 0; i < count; ++i) {
        std::string where = fmt::format("{} entry {}", table, i);
        std::uint16_t aux_count = file.half(entry + aux_count_at, where);
        std::uint64_t aux = entry + file.word(entry + aux_at, where);
        if (needs) {
            std::uint64_t file_at = entry + offsetof(Elf64_Verneed, vn_file);
            layout.vn_files.emplace_back(file_at, file.word(file_at, where));
        }
        for (std::uint16_t a = 0; a < aux_count; ++a) {
            std::string aux_where = fmt::format("{}'s auxiliary entry {}", where, a);
            layout.other_references.push_back(file.word(aux + name_at, aux_where));
            std::uint32_t next = file.word(aux + aux_next_at, aux_where);
            if (next == 0) break;
            aux += next;
        }
        std::uint32_t next = file.word(entry + next_at, where);
        if (next == 0) break;
        entry += next;
    }
}

// Refuses a DT_STRTAB that shares bytes with the ELF header, the program or section headers or
// the dynamic table, which a rewrite writes anew (found by the fuzzer: a string table at offset 1,
// which the grown file then zeroed as the old .dynstr, ELF header and all). No linker puts the
// strings there; such a table is no string table.
void refuse_strtab_over_headers(Elf* elf, const Layout& layout, std::uint64_t section_count) {
    const GElf_Ehdr& header = layout.ehdr;
    struct Table {
        const char* name;
        std::uint64_t offset, size;
    };
    const Table tables[] = {
        {"the ELF header", 0, gelf_fsize(elf, ELF_T_EHDR, 1, EV_CURRENT)},
        {"the program headers", header.e_phoff, std::uint64_t{header.e_phentsize} * layout.program_headers.size()},
        {"the section headers", header.e_shoff, std::uint64_t{header.e_shentsize} * section_count},
        {"the dynamic table", layout.dynamic_offset,
         layout.dynamic_slots * gelf_fsize(elf, ELF_T_DYN, 1, EV_CURRENT)},
    };
    // All lie inside the file, read_layout has checked: no end wraps around.
    for (const Table& table : tables)
        if (layout.strtab_size > 0 && table.size > 0 && layout.strtab_offset < table.offset + table.size &&
            table.offset < layout.strtab_offset + layout.strtab_size)
            fail_elf(layout.path(), "DT_STRTAB ({} bytes at {:#x}) overlaps {} ({} bytes at {:#x}): it is no string table",
                     layout.strtab_size, layout.strtab_offset, table.name, table.size, table.offset);
}


std::uint64_t section_table_tail(const Layout& layout, std::uint64_t file_size) {
    const std::uint64_t table = layout.ehdr.e_shoff;
    if (layout.sections.empty() || layout.extended_numbering ||
        !table_inside(table, layout.sections.size(), layout.ehdr.e_shentsize, file_size) ||
        table + layout.sections.size() * layout.ehdr.e_shentsize != file_size)
        return file_size;
    auto nothing_past = [&](std::uint64_t limit, std::size_t except) {
        for (const GElf_Phdr& h : layout.program_headers)
            if (h.p_filesz > 0 && h.p_offset + h.p_filesz > limit) return false;
        for (std::size_t i = 1; i < layout.sections.size(); ++i) {
            const GElf_Shdr& h = layout.sections[i].header;
            if (i != except && h.sh_type != SHT_NOBITS && h.sh_size > 0 && h.sh_offset + h.sh_size > limit) return false;
        }
        return true;
    };
    if (!nothing_past(table, 0)) return file_size;
    std::size_t index = layout.ehdr.e_shstrndx;
    if (index == 0 || index >= layout.sections.size()) return table;
    const GElf_Shdr& names = layout.sections[index].header;
    bool names_last = (names.sh_flags & SHF_ALLOC) == 0 && names.sh_type != SHT_NOBITS &&
                      names.sh_offset + names.sh_size <= table && table - (names.sh_offset + names.sh_size) < layout.word() &&
                      nothing_past(names.sh_offset, index);
    return names_last ? names.sh_offset : table;
}

std::optional<GElf_Phdr> our_previous_segment(const Layout& layout) {
    for (const GElf_Phdr& header : layout.program_headers)
        if (header.p_type == PT_LOAD && header.p_offset == layout.ehdr.e_phoff &&
            header.p_offset + header.p_filesz == layout.tail)
            return header;
    return std::nullopt;
}

}  // namespace

bool is_string_tag(std::int64_t tag) {
    return tag == DT_NEEDED || tag == DT_SONAME || tag == DT_RPATH || tag == DT_RUNPATH || tag == DT_AUXILIARY ||
           tag == DT_FILTER || tag == DT_CONFIG || tag == DT_DEPAUDIT || tag == DT_AUDIT;
}

Layout read_layout(const ElfImage& image) {
    const std::string& path = image.path();
    const Bytes bytes = image.bytes();
    Elf* elf = image.handle();
    Layout layout;
    layout.file = image.view();
    GElf_Ehdr& header = layout.ehdr;
    header = image.header();
    layout.elf_class = header.e_ident[EI_CLASS];
    std::vector<GElf_Phdr> headers = program_headers(elf, path);
    const std::size_t count = headers.size();
    const GElf_Phdr* dynamic = nullptr;
    layout.program_headers = headers;
    // Growing appends at the end of the file: nothing may already reach past it (a truncated
    // file), or the appended bytes would change what it means.
    for (std::size_t i = 0; i < count; ++i) {
        if (!range_inside(headers[i].p_offset, headers[i].p_filesz, bytes.size()))
            fail_elf(path, "program header {} ({} bytes at {:#x}) runs past the end of the file (truncated?)", i,
                 headers[i].p_filesz, headers[i].p_offset);
        // The gABI forbids it, and the new segment goes past the old ones' memory sizes: an address
        // there would also fall in this segment's file bytes (found by the fuzzer: the new DT_STRTAB
        // then read as another segment's bytes).
        if (headers[i].p_type == PT_LOAD && headers[i].p_filesz > headers[i].p_memsz)
            fail_elf(path, "program header {} is a PT_LOAD of {} file bytes but {} in memory; the file size may not "
                     "be larger", i, headers[i].p_filesz, headers[i].p_memsz);
    }
    // e_shnum as written (libelf reports a truncated table as no table); 0 means extended numbering.
    std::size_t section_count = header.e_shnum;
    if (section_count == 0 && header.e_shoff != 0 && elf_getshdrnum(elf, &section_count) != 0)
        fail_elf(path, "cannot read the section header count");
    if (section_count > 0 && !table_inside(header.e_shoff, section_count, header.e_shentsize, bytes.size()))
        fail_elf(path, "the section headers ({} at {:#x}) run past the end of the file (truncated?)", section_count,
             header.e_shoff);
    for (const GElf_Phdr& segment : headers) {
        if (segment.p_type != PT_DYNAMIC) continue;
        // Loaders disagree on which of several tables counts: edit none.
        if (dynamic != nullptr) fail_elf(path, "more than one PT_DYNAMIC program header");
        dynamic = &segment;
    }
    if (dynamic == nullptr) fail_elf(path, "no dynamic section (PT_DYNAMIC): a static file has nothing to edit");
    std::size_t entry_size = gelf_fsize(elf, ELF_T_DYN, 1, EV_CURRENT);
    Elf_Data* data = elf_getdata_rawchunk(elf, static_cast<int64_t>(dynamic->p_offset), dynamic->p_filesz, ELF_T_DYN);
    if (data == nullptr || entry_size == 0) fail_elf(path, "PT_DYNAMIC is outside the file");
    layout.dynamic_offset = dynamic->p_offset;
    layout.dynamic_slots = dynamic->p_filesz / entry_size;
    std::optional<std::uint64_t> strtab, strsz, verneed, verneednum, verdef, verdefnum;
    for (std::size_t i = 0; i < layout.dynamic_slots; ++i) {
        GElf_Dyn entry;
        if (gelf_getdyn(data, static_cast<int>(i), &entry) == nullptr || entry.d_tag == DT_NULL) break;
        layout.entries.push_back(entry);
        switch (entry.d_tag) {
            case DT_STRTAB: strtab = entry.d_un.d_ptr; break;
            case DT_STRSZ: strsz = entry.d_un.d_val; break;
            case DT_VERNEED: verneed = entry.d_un.d_ptr; break;
            case DT_VERNEEDNUM: verneednum = entry.d_un.d_val; break;
            case DT_VERDEF: verdef = entry.d_un.d_ptr; break;
            case DT_VERDEFNUM: verdefnum = entry.d_un.d_val; break;
            default: break;
        }
    }
    // A file without a string table (a static PIE, some hand-made files) can still have its
    // interpreter, stack or OS ABI edited; any edit that needs a string is refused later.
    if (strtab.has_value() != strsz.has_value()) fail_elf(path, "the dynamic table has DT_STRTAB or DT_STRSZ, not both");
    layout.has_strtab = strtab.has_value();
    if (strtab) {
        layout.strtab_offset = to_offset(headers, *strtab, path, "DT_STRTAB");
        layout.strtab_size = *strsz;
        // Found by the fuzzer: a DT_STRSZ near 2^64 made offset + size wrap around.
        if (!range_inside(layout.strtab_offset, layout.strtab_size, bytes.size()))
            fail_elf(path, "DT_STRTAB ({} bytes at {:#x}) runs past the end of the file", *strsz, layout.strtab_offset);
        refuse_strtab_over_headers(elf, layout, section_count);
    }
    if (verneed && verneednum)
        read_version_strings(layout, to_offset(headers, *verneed, path, "DT_VERNEED"), *verneednum, true);
    if (verdef && verdefnum)
        read_version_strings(layout, to_offset(headers, *verdef, path, "DT_VERDEF"), *verdefnum, false);

    bool saw_dynsym = false;
    std::size_t symbol_value_at = layout.is64() ? offsetof(Elf64_Sym, st_value) : offsetof(Elf32_Sym, st_value);
    std::size_t symbol_shndx_at = layout.is64() ? offsetof(Elf64_Sym, st_shndx) : offsetof(Elf32_Sym, st_shndx);
    layout.extended_numbering = header.e_shnum == 0 && section_count > 0;
    layout.extended_numbering |= header.e_shstrndx == SHN_XINDEX;
    std::vector<bool> movable(section_count, false);  // .interp and notes, which the program headers may displace
    for (std::size_t index = 0; index < section_count; ++index) {
        GElf_Shdr section;
        Elf_Scn* scn = elf_getscn(elf, index);
        if (scn == nullptr || gelf_getshdr(scn, &section) == nullptr) continue;
        movable[index] = section.sh_type == SHT_NOTE;
        for (const GElf_Phdr& segment : headers)
            movable[index] = movable[index] || (segment.p_type == PT_INTERP && section.sh_offset == segment.p_offset);
    }
    for (std::size_t index = 0; index < section_count; ++index) {
        Elf_Scn* scn = elf_getscn(elf, index);
        Section& entry = layout.sections.emplace_back();
        if (scn == nullptr || gelf_getshdr(scn, &entry.header) == nullptr)
            fail_elf(path, "section header {} cannot be read", index);
        const char* name = elf_strptr(elf, header.e_shstrndx, entry.header.sh_name);
        entry.name = name != nullptr ? name : "";
        const GElf_Shdr& section = entry.header;
        if (section.sh_type == SHT_STRTAB && section.sh_offset == layout.strtab_offset) layout.dynstr_section = index;
        if (section.sh_type == SHT_DYNAMIC && section.sh_offset == layout.dynamic_offset) layout.dynamic_section = index;
        for (const GElf_Phdr& segment : headers)
            if (segment.p_type == PT_INTERP && section.sh_type == SHT_PROGBITS && section.sh_offset == segment.p_offset &&
                segment.p_filesz > 0)
                layout.interp_section = index;
        if (section.sh_type == SHT_DYNSYM || section.sh_type == SHT_SYMTAB) {
            Elf_Data* symbols = elf_getdata(scn, nullptr);
            for (std::size_t i = 0; symbols != nullptr && section.sh_entsize != 0 && i < symbols->d_size / section.sh_entsize; ++i) {
                GElf_Sym symbol;
                if (gelf_getsym(symbols, static_cast<int>(i), &symbol) == nullptr) continue;
                const char* symbol_name = elf_strptr(elf, section.sh_link, symbol.st_name);
                std::uint64_t at = section.sh_offset + i * section.sh_entsize;
                SymbolValue value{at + symbol_value_at, index};
                if (symbol_name != nullptr && std::strcmp(symbol_name, "_DYNAMIC") == 0) layout.dynamic_symbol_values.push_back(value);
                if (GELF_ST_TYPE(symbol.st_info) == STT_SECTION) layout.section_symbols.emplace_back(value, symbol.st_shndx);
                else if (symbol.st_shndx < movable.size() && movable[symbol.st_shndx])
                    layout.note_symbols.push_back({value, symbol.st_shndx, symbol.st_value});
                if (section.sh_type == SHT_DYNSYM && symbol.st_shndx != SHN_UNDEF && symbol.st_shndx < SHN_LORESERVE)
                    layout.dynsym_shndx.emplace_back(at + symbol_shndx_at, symbol.st_shndx);
            }
        }
        if (section.sh_type != SHT_DYNSYM) continue;
        Elf_Data* symbols = elf_getdata(scn, nullptr);
        if (symbols == nullptr || section.sh_entsize == 0) fail_elf(path, ".dynsym cannot be read");
        for (std::size_t i = 0; i < symbols->d_size / section.sh_entsize; ++i) {
            GElf_Sym symbol;
            if (gelf_getsym(symbols, static_cast<int>(i), &symbol) != nullptr && symbol.st_name != 0)
                layout.other_references.push_back(symbol.st_name);
        }
        saw_dynsym = true;
    }
    layout.references_known = saw_dynsym;
    layout.tail = section_table_tail(layout, bytes.size());
    layout.previous_segment = our_previous_segment(layout);
    return layout;
}

}  // namespace aw
