// --strip, as `strip -s`: the symbol tables, their string tables and the debug
// sections go, with what describes them; what no segment maps is laid out anew
// after the loaded part, and the section headers are renumbered.
#pragma once

#include "edit/elf_layout.hpp"
#include "edit/elf_rewrite.hpp"

#include <gelf.h>

#include <optional>
#include <string>
#include <vector>

namespace aw {

// By section index, the sections `strip -s` removes; empty when none goes.
std::vector<bool> sections_to_strip(const Layout& layout);

// Plans the stripped file's end in `rewrite` (whose `removed` is set): what no
// segment maps (past the loaded part, up to `region_end`) is rebuilt from the
// sections that stay; removed sections before it are zeroed unless a segment
// maps them. place_section_headers then adds the shorter table.
void strip_sections(Bytes original, const Layout& layout, FileRewrite& rewrite, std::uint64_t region_end,
                    const std::optional<GElf_Phdr>& previous, const std::string& path);

// Where the file's trailing section-header part begins: the section header table when it
// ends the file, with .shstrtab when that comes just before it and nothing else follows;
// else the file's size. A growing file drops this part and places it again after the new
// segment, as patchelf does, so the section headers stay last and nothing is left behind.
std::uint64_t section_table_tail(const Layout& layout, std::uint64_t file_size);

// The section headers as they end: in place, only those that changed; or for a
// stripped file the new, shorter table with every section index renumbered
// (links, relocation targets, .shstrtab's index, .dynsym's st_shndx).
void write_section_headers(const Layout& layout, FileRewrite& rewrite);

// After everything else is planned: room for the section header table goes at the end
// of the file when it is stripped, gains sections, or the table lies past what is kept;
// .shstrtab goes just before it with `section_names` as its new bytes, or its old ones
// when they lie past what is kept.
void place_section_headers(const Layout& layout, Bytes original, std::vector<unsigned char> section_names,
                           FileRewrite& rewrite);

}  // namespace aw
