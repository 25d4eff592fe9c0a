// The libraries an ELF file loads, found as its target's dynamic loader
// would find them (see elf-deps(1) for the order and where we differ from
// pypa auditwheel).
#pragma once

#include "elf/elf_file.hpp"

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace aw {

struct SearchOptions {
    std::string root = "/";  // resolve inside this sysroot
    // Replaces ld.so.conf and the default directories (--ldpaths).
    std::optional<std::vector<std::string>> ldpaths;
    // Searched where LD_LIBRARY_PATH is: --add-path, AUDITWHEEL_LD_LIBRARY_PATH,
    // then LD_LIBRARY_PATH (not with --ldpaths), in that order.
    std::vector<std::string> library_path;
    // Files under this directory are "in the wheel".
    std::optional<std::string> wheel_root;
};

struct ResolvedLibrary {
    std::string soname;  // the DT_NEEDED name
    std::optional<std::string> path;      // where the loader finds it
    // pypa auditwheel's realpath (follow_final_links): what show --json, lddtree --json, --exclude
    // and the SBOM name; /lib/x86_64-linux-gnu/libffi.so.8.1.2 on a merged /usr, not /usr/lib/...
    std::optional<std::string> realpath;
    std::vector<std::string> needed;
    bool in_wheel = false;
    bool skipped = false;  // libpython: never resolved, as pypa auditwheel
    bool executable_stack = false;  // ElfFacts::executable_stack of the file found
};

struct DependencyTree {
    std::string path;
    std::shared_ptr<const ElfFacts> facts;
    std::optional<std::string> libc;
    std::vector<ResolvedLibrary> libraries;  // breadth first, as the loader loads them
    std::vector<std::string> included;       // names resolved as if the file needed them (dlopen'ed)
};

// True for libpythonX.Y[m].so[.N...], which extensions must not need.
bool is_libpython(const std::string& soname);

// Resolves trees for many files, parsing each library once.
class DependencyResolver {
public:
    explicit DependencyResolver(SearchOptions options);
    // Throws ElfError for the file itself. `included` names are searched as the
    // file's own DT_NEEDED entries after them (what it dlopens: glibc's dlopen
    // searches the caller's RPATH and RUNPATH the same way).
    DependencyTree resolve(const std::string& path, const std::vector<std::string>& included = {});

private:
    struct Node;
    std::shared_ptr<const ElfFacts> parse(const std::string& realpath);
    struct Found {
        std::string path;       // where the search found it
        std::string realpath;   // as pypa auditwheel reports it
        std::string canonical;  // every link resolved: the file itself
    };
    std::optional<Found> find(const std::string& name, const Node& requester, const std::string& libc);
    std::vector<std::string> search_dirs(const Node& requester, const std::string& libc);
    const std::vector<std::string>& system_dirs(const ElfIdent& target, const std::string& libc);
    bool is_directory(const std::string& path);

    SearchOptions options_;
    std::map<std::string, std::shared_ptr<const ElfFacts>> parsed_;  // by realpath; null when unusable
    std::map<std::string, std::vector<std::string>> system_dirs_;    // by libc and machine
    std::map<std::string, bool> directories_;
    std::optional<std::vector<std::string>> ld_so_conf_;
};

}  // namespace aw
