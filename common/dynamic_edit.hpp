// rpath-set's engine: SONAME, DT_NEEDED and RPATH/RUNPATH edits applied to an
// ELF file in one rewrite, written through a temporary file and a rename.
// The layout rules (strings reused or overwritten in place, else .dynstr and
// the dynamic table moved into a new PT_LOAD) are described in rpath-set(1).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace aw {

struct DynamicEdits {
    std::optional<std::string> set_soname;
    std::vector<std::pair<std::string, std::string>> replace_needed;  // old -> new
    std::vector<std::string> remove_needed;
    std::optional<std::string> set_rpath;
    bool force_rpath = false;   // write DT_RPATH and drop DT_RUNPATH (else DT_RUNPATH, as patchelf)
    bool remove_rpath = false;  // drop DT_RPATH and DT_RUNPATH
    bool strip = false;         // drop the symbol tables and debug sections, as `strip -s`

    bool empty() const;
    // Why these edits contradict each other (a name both removed and
    // replaced, an RPATH both set and removed), if they do.
    std::optional<std::string> contradiction() const;
};

// Applies `edits` to `path` and writes the result to `output` (which may be
// `path`). Returns false, writing nothing, when the file would not change.
// Throws Error naming the file and what is wrong; the original is untouched.
bool apply_dynamic_edits(const std::string& path, const DynamicEdits& edits, const std::string& output);

// The same edits as rpath-set's (and patchelf's) command line for `path`, each
// word quoted for a POSIX shell where it needs it: what repair -v logs.
std::string edit_command_line(const std::string& path, const DynamicEdits& edits);

}  // namespace aw
