// Where the dynamic loaders look for libraries: glibc's ld.so and musl's,
// as their documentation and sources describe them.
#pragma once

#include "elf/elf_file.hpp"

#include <optional>
#include <string>
#include <vector>

namespace aw {

// Which C library an ELF file is built against: from its interpreter, then
// its DT_NEEDED, then the SOABI suffix of its file name; nullopt when silent.
std::optional<std::string> detect_libc(const ElfFacts& facts, const std::string& file_name);

// The directories ld.so.conf lists, following `include` globs (relative ones
// against the including file's directory), each file read once, in order,
// without duplicates. Paths are read and returned inside `root`.
std::vector<std::string> read_ld_so_conf(const std::string& root, const std::string& conf_path = "/etc/ld.so.conf");

// musl's /etc/ld-musl-ARCH.path (entries separated by ':' or newlines), or
// its built-in list when the file is missing.
std::vector<std::string> musl_system_path(const std::string& root, const std::string& machine);

// glibc's directories after ld.so.conf for this target: the multiarch
// directories, then lib64 (for 64-bit), then /lib and /usr/lib.
std::vector<std::string> glibc_default_dirs(const std::string& machine, int elf_class);

// Expands $ORIGIN, ${ORIGIN}, $LIB, ${LIB}, $PLATFORM and ${PLATFORM} in an
// RPATH/RUNPATH entry. $LIB is lib64 for 64-bit targets and lib for 32-bit
// (the manylinux images' value); $PLATFORM the target's machine name.
std::string expand_dynamic_tokens(const std::string& entry, const std::string& origin, const ElfIdent& target);

// `path` with every symbolic link resolved as if `root` were '/': absolute
// link targets stay inside the root. nullopt when it does not exist.
std::optional<std::string> resolve_in_root(const std::string& path, const std::string& root);

// pypa auditwheel's "realpath" of a library it found (its lddtree readlink):
// the links of the last component followed, each target taken relative to the
// link's folder (absolute ones inside `root`), then normalised lexically;
// links among the folders stay (/lib/x86_64-linux-gnu stays /lib on a merged
// /usr). What show --json, lddtree --json, --exclude and the SBOM name.
std::string follow_final_links(const std::string& path, const std::string& root);

// Whether a loader for `requester` accepts `candidate`: same class, byte
// order and machine; OS ABIs equal or both System V / GNU.
bool is_loadable_by(const ElfIdent& requester, const ElfIdent& candidate);

}  // namespace aw
