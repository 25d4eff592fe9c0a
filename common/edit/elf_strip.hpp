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

// Lays out the stripped file's end in `rewrite` (whose `removed` is set): what no
// segment maps (past the loaded part, up to `region_end`) is rebuilt from the
// sections that stay; removed sections before it are zeroed unless a segment
// maps them. place_section_headers then adds the shorter table.
void strip_sections(const Layout& layout, FileRewrite& rewrite, std::uint64_t region_end);

// The section headers as they end: in place, only those that changed; or for a
// stripped file the new, shorter table with every section index renumbered
// (links, relocation targets, .shstrtab's index, .dynsym's st_shndx).
void write_section_headers(const Layout& layout, FileRewrite& rewrite);

// After everything else is planned: room for the section header table goes at the end
// of the file when it is stripped, gains sections, or the table lies past what is kept;
// .shstrtab goes just before it with `section_names` as its new bytes, or its old ones
// when they lie past what is kept.
void place_section_headers(const Layout& layout, std::vector<unsigned char> section_names, FileRewrite& rewrite);

}  // namespace aw
