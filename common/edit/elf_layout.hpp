// What rpath-set needs to know of an ELF file before it plans an edit: its
// headers, its dynamic table and string table, and every field that names a
// .dynstr string, a section or a moved address. Read once, bounds-checked,
// from the image's one mapping and through libelf (any class and byte order).
#pragma once

#include "elf/elf_bytes.hpp"
#include "elf/elf_file.hpp"

#include <gelf.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace aw {

struct Section {
    GElf_Shdr header{};
    std::string name;
};

// A symbol whose st_value must follow a moved section: where that field is,
// and the symbol table (section index) holding it.
struct SymbolValue {
    std::uint64_t field = 0;
    std::size_t table = 0;
};

// A symbol defined in a section a rewrite may move (.interp, a note): its st_value follows it.
struct SymbolInSection {
    SymbolValue value;
    std::size_t section = 0;
    std::uint64_t address = 0;  // st_value as read
};

struct Layout {
    ElfBytes file;  // the mapped file, its byte order and path: every field read through it is checked
    int elf_class = 0;
    GElf_Ehdr ehdr{};
    std::vector<GElf_Phdr> program_headers;
    std::vector<Section> sections;  // by index, [0] the null section; empty without section headers
    std::optional<std::size_t> dynstr_section, dynamic_section, interp_section;
    std::vector<SymbolValue> dynamic_symbol_values;  // _DYNAMIC's
    std::vector<std::pair<SymbolValue, std::size_t>> section_symbols;  // STT_SECTION symbols and their section
    std::vector<std::pair<std::uint64_t, std::uint16_t>> dynsym_shndx;  // .dynsym st_shndx fields naming a section
    std::vector<SymbolInSection> note_symbols;  // other symbols in .interp or a SHT_NOTE section
    std::uint64_t dynamic_offset = 0;
    std::size_t dynamic_slots = 0;
    std::vector<GElf_Dyn> entries;  // up to, not including, the first DT_NULL
    bool has_strtab = false;  // DT_STRTAB and DT_STRSZ
    std::uint64_t strtab_offset = 0, strtab_size = 0;
    std::vector<std::uint64_t> other_references;   // string offsets of .dynsym names, version names
    std::vector<std::pair<std::uint64_t, std::uint32_t>> vn_files;  // (file offset of vn_file, its string offset)
    bool references_known = true;  // false without section headers: nothing may be overwritten
    bool extended_numbering = false;  // section count or .shstrtab index beyond the ELF header's fields
    // Where the file's trailing section-header part begins: the section header table when it
    // ends the file, with .shstrtab when that comes just before it and nothing else follows;
    // else the file's size. A growing file drops this part and places it again after the new
    // segment, as patchelf does, so the section headers stay last and nothing is left behind.
    std::uint64_t tail = 0;
    // The PT_LOAD a previous rewrite of ours added: it starts with the program headers and ends
    // at `tail`. A new segment replaces it rather than stacking.
    std::optional<GElf_Phdr> previous_segment;

    bool is64() const { return elf_class == ELFCLASS64; }
    std::size_t word() const { return is64() ? 8 : 4; }
    ByteOrder byte_order() const { return file.order(); }
    const std::string& path() const { return file.path(); }
};

// Throws ElfError naming the file and the part at fault: no or several PT_DYNAMIC,
// tables or strings past the end of the file, unmapped addresses.
Layout read_layout(const ElfImage& image);

// Dynamic tags whose value is an offset into .dynstr.
bool is_string_tag(std::int64_t tag);

}  // namespace aw
