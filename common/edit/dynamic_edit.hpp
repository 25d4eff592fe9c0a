// rpath-set's engine: patchelf's edits (SONAME, DT_NEEDED, RPATH/RUNPATH, the
// interpreter, the stack's executability, the OS ABI, dynamic flags) applied
// to an ELF file in one rewrite, written through a temporary file and a
// rename. The layout rules (strings reused or overwritten in place, else
// .dynstr, the dynamic table, the program headers and a longer interpreter
// moved into a new PT_LOAD) are described in rpath-set(1).
#pragma once

#include "edit/dynamic_edits.hpp"
#include "edit/edit_plan.hpp"
#include "edit/elf_layout.hpp"

#include <string>

namespace aw {

// The planning passes over a file's layout: the dynamic table and its strings, symbol renames
// (the symbol positions `layout` records follow their reordering), the program headers,
// --strip, the resolution cache. Throws ElfError naming the file and what is wrong.
EditPlan plan_edits(Layout& layout, const DynamicEdits& edits);

// Maps `path` once, plans, lays out and writes: applies `edits` to `path` and writes the result to `output` (which may be
// `path`). Returns false, writing nothing, when the file would not change.
// Throws Error naming the file and what is wrong; the original is untouched.
bool apply_dynamic_edits(const std::string& path, const DynamicEdits& edits, const std::string& output);

}  // namespace aw
