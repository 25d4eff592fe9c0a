// patchelf's --print-* answers, for rpath-set.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace aw {

// What rpath-set was asked to print, in the order it prints them.
struct FileQueries {
    bool interpreter = false, os_abi = false, soname = false, execstack = false, rpath = false, needed = false;
    bool any() const { return interpreter || os_abi || soname || execstack || rpath || needed; }
};

// The answers as patchelf prints them, one per line: the interpreter, OS ABI,
// SONAME and "execstack: X|-|?", then the RPATH, then the DT_NEEDED names.
// patchelf prints the RPATH after its edits and the others before them.
struct QueryAnswers {
    std::string head, rpath, needed;
    std::string text() const { return head + rpath + needed; }
};
// All but the RPATH, from the file before the edits. Throws ElfError for
// --print-interpreter on a file without PT_INTERP.
QueryAnswers answer_before_edits(const FileQueries& queries, const std::string& file);
// The RPATH, from the file as written.
void answer_after_edits(const FileQueries& queries, const std::string& written, QueryAnswers& answers);

}  // namespace aw
