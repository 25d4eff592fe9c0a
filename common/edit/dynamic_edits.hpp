// The edits rpath-set makes to one ELF file, patchelf's (SONAME, DT_NEEDED,
// RPATH/RUNPATH, the interpreter, the stack's executability, the OS ABI,
// dynamic flags, symbol names) and ours: what the planning passes read, the
// elf_edit record carries and lib-graft plans.
#pragma once

#include <cstdint>
#include <map>
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
    std::vector<std::string> add_needed;           // new DT_NEEDED entries, first in the table
    std::optional<std::string> add_rpath;          // appended to the RPATH/RUNPATH (or set when none)
    bool shrink_rpath = false;                     // keep only the directories that hold a needed library
    std::vector<std::string> allowed_rpath_prefixes;  // with shrink_rpath: drop absolute directories outside them
    std::optional<std::string> set_interpreter;    // PT_INTERP's path
    std::optional<bool> executable_stack;          // PT_GNU_STACK's PF_X set (true) or cleared
    std::optional<std::uint8_t> os_abi;            // e_ident[EI_OSABI]
    bool add_debug_tag = false;                    // a DT_DEBUG entry, when there is none
    bool no_default_lib = false;                   // DF_1_NODEFLIB in DT_FLAGS_1
    std::optional<std::uint64_t> page_size;        // the new segment's alignment instead of the file's
    std::map<std::string, std::string> rename_symbols;  // .dynsym names, old -> new
    std::string rename_symbols_from;                 // the map file they were read from (for the log)
    bool build_resolution_cache = false;             // NixOS's .note.nixos.ldcache for the final run path

    bool empty() const;
    // Why these edits contradict each other (a name both removed and
    // replaced, an RPATH both set and removed), if they do.
    std::optional<std::string> contradiction() const;
};

// The same edits as rpath-set's (and patchelf's) command line for `path`, each
// word quoted for a POSIX shell where it needs it: what repair -v logs.
std::string edit_command_line(const std::string& path, const DynamicEdits& edits);

}  // namespace aw
