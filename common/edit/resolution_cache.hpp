// patchelf's --build-resolution-cache (NixOS): a note, section
// .note.nixos.ldcache (owner "NixOS", type 0x63a86cb6, read by Nixpkgs' patched
// loader), whose descriptor says for each DT_NEEDED name where the run path
// resolves it ("=PATH") or which directory the loader must still search itself
// ("?DIR": one with $ORIGIN-like tokens or a glibc-hwcaps subdirectory).
// The note describes one set of DT_NEEDED names and one run path: an edit that
// changes either drops it.
#pragma once

#include "edit/elf_layout.hpp"
#include "edit/elf_rewrite.hpp"
#include "edit/header_edits.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace aw {

inline constexpr const char* kResolutionCacheSection = ".note.nixos.ldcache";

// The descriptor for `needed` resolved against `run_path` (RUNPATH, or else RPATH),
// probing the file system as the loader would; nullopt, with `why_none` set, when there
// is nothing to record.
std::optional<std::string> resolution_cache_descriptor(const std::vector<std::string>& needed,
                                                       const std::optional<std::string>& run_path, std::string& why_none);

// The whole note (header, owner, descriptor, each padded to 4 bytes) in the file's byte order.
std::vector<unsigned char> encode_resolution_cache(const std::string& descriptor, unsigned char encoding);

// A note section of the file: its index, and its descriptor when it is a well-formed
// resolution cache (else empty, which no descriptor equals).
struct ExistingCache {
    std::size_t section = 0;
    std::string descriptor;
};
std::optional<ExistingCache> existing_resolution_cache(const Layout& layout, Bytes file);

// What the loader resolves: the DT_NEEDED names and the run path (RUNPATH, or else RPATH).
struct LinkNames {
    std::vector<std::string> needed;
    std::optional<std::string> run_path;
    bool operator==(const LinkNames&) const = default;
};

// The cache's part of a rewrite. A note the edits make stale (`before` and `after` differ) is
// dropped: its bytes zeroed, the PT_NOTE (and a PT_LOAD of its own) made PT_NULL, its section
// header removed (it must be the last one). With `build`, a note for `after` is added (unless an
// equal one is there; a different one is an error, as patchelf): its bytes go into the new
// segment, a PT_NOTE points at them and a section header (and .shstrtab's name) describe them.
// A kept note inside `rebuilt` (the segment an earlier rewrite added) is carried into the new one.
struct CachePlan {
    std::vector<unsigned char> note;            // for the new segment; empty when none
    std::optional<std::size_t> program_header;  // the PT_NOTE to point at it, in the planned headers
    std::optional<std::size_t> section;         // its header, in the rewrite's sections
    std::vector<unsigned char> section_names;   // .shstrtab with the note's name added; empty when unchanged
    bool adds_note = false;
};
CachePlan plan_resolution_cache(const Layout& layout, bool build, const LinkNames& before, const LinkNames& after,
                                Bytes file, const std::optional<GElf_Phdr>& rebuilt, HeaderPlan& headers,
                                FileRewrite& rewrite, const std::string& path);

}  // namespace aw
