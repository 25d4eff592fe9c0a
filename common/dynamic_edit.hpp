// rpath-set's engine: SONAME, DT_NEEDED and RPATH/RUNPATH edits applied to an
// ELF file in one rewrite, written through a temporary file and a rename.
//
// This version edits within the file's existing .dynstr and dynamic table:
// a new string reuses an identical string already there, or takes the place
// of a string that no remaining reference shares (linkers merge suffixes);
// new dynamic entries take spare DT_NULL slots. An edit that needs more room
// is refused, and the file is left as it was.
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

    bool empty() const;
};

// Applies `edits` to `path` and writes the result to `output` (which may be
// `path`). Returns false, writing nothing, when the file would not change.
// Throws Error naming the file and what is wrong; the original is untouched.
bool apply_dynamic_edits(const std::string& path, const DynamicEdits& edits, const std::string& output);

}  // namespace aw
