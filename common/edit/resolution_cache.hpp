// patchelf's --build-resolution-cache (NixOS): a note, section
// .note.nixos.ldcache (owner "NixOS", type 0x63a86cb6, read by Nixpkgs' patched
// loader), whose descriptor says for each DT_NEEDED name where the run path
// resolves it ("=PATH") or which directory the loader must still search itself
// ("?DIR": one with $ORIGIN-like tokens or a glibc-hwcaps subdirectory).
// The note describes one set of DT_NEEDED names and one run path: an edit that
// changes either drops it.
#pragma once

#include "edit/edit_plan.hpp"
#include "edit/elf_layout.hpp"

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
std::vector<unsigned char> encode_resolution_cache(const std::string& descriptor, ByteOrder order);

// A note section of the file: its index, and its descriptor when it is a well-formed
// resolution cache (else empty, which no descriptor equals).
struct ExistingCache {
    std::size_t section = 0;
    std::string descriptor;
};
std::optional<ExistingCache> existing_resolution_cache(const Layout& layout);

// What the loader resolves: the DT_NEEDED names and the run path (RUNPATH, or else RPATH).
struct LinkNames {
    std::vector<std::string> needed;
    std::optional<std::string> run_path;
    bool operator==(const LinkNames&) const = default;
};

// The cache's part of the plan. A note the edits make stale (`before` and `after` differ) is
// dropped: its bytes zeroed, the PT_NOTE (and a PT_LOAD of its own) made PT_NULL, its section
// header removed (it must be the last one). With `build`, a note for `after` is added (unless an
// equal one is there; a different one is an error, as patchelf): plan.note holds it for the new
// segment, a PT_NOTE points at it and a section header (and .shstrtab's name) describe it. A kept
// note inside the layout's previous segment (which is laid out anew) is carried into the new one.
void plan_resolution_cache(const Layout& layout, bool build, const LinkNames& before, const LinkNames& after,
                           EditPlan& plan);

}  // namespace aw
