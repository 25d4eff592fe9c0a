// patchelf's --rename-dynamic-symbols: .dynsym names changed as a map says,
// and the hash tables the loader looks names up in rebuilt for the new names.
// The GNU hash table wants its symbols ordered by bucket, so those are
// reordered, and .gnu.version and the relocations' symbol indexes follow.
#pragma once

#include "edit/elf_layout.hpp"
#include "edit/elf_rewrite.hpp"
#include "edit/string_placement.hpp"

#include <map>
#include <string>

namespace aw {

using SymbolRenames = std::map<std::string, std::string>;  // old name -> new name

// A map file's lines "OLD NEW" (reading stops at a line with no name, as patchelf's does);
// throws Error naming file:line for a line with one name, a name given twice, or an OLD
// with '@' (a version is not part of a .dynsym name).
SymbolRenames parse_symbol_renames(const std::string& text, const std::string& file);

// Plans the renames as patches and returns whether a symbol was renamed. The symbol positions
// `layout` records for later steps (section indexes, _DYNAMIC's value) follow the reordering.
// Throws ElfError naming the file for a table out of range or a hash table that does not fit.
bool plan_symbol_renames(Layout& layout, const SymbolRenames& renames, StringPlacer& strings, Patches& patches);

}  // namespace aw
