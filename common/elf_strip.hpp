// --strip, as `strip -s`: the symbol tables, their string tables and the debug
// sections go, with what describes them; what no segment maps is laid out anew
// after the loaded part, and the section headers are renumbered.
#pragma once

#include "elf_layout.hpp"
#include "elf_rewrite.hpp"

#include <gelf.h>

#include <optional>
#include <string>
#include <vector>

namespace aw {

// By section index, the sections `strip -s` removes; empty when none goes.
std::vector<bool> sections_to_strip(const Layout& layout);

// Plans the stripped file's end in `rewrite` (whose `removed` is set): what no
// segment maps (past the loaded part, up to `region_end`) is rebuilt from the
// sections that stay, followed by room for the section headers; removed
// sections before it are zeroed unless a segment maps them.
void strip_sections(Bytes original, const Layout& layout, FileRewrite& rewrite, std::uint64_t region_end,
                    const std::optional<GElf_Phdr>& previous, const std::string& path);

// The section headers as they end: in place, only those that changed; or for a
// stripped file the new, shorter table with every section index renumbered
// (links, relocation targets, .shstrtab's index, .dynsym's st_shndx).
void write_section_headers(const Layout& layout, FileRewrite& rewrite);

// For more sections than the file has: .shstrtab (when `section_names` holds its new bytes)
// and the section header table go after everything planned so far.
void move_section_headers(const Layout& layout, std::vector<unsigned char> section_names, FileRewrite& rewrite);

}  // namespace aw
