// elf-deps' records: an "elf" record per ELF file with its facts and its
// dependency tree, and a "library" record per library any tree loads.
#pragma once

#include "elf/dependency_tree.hpp"
#include "elf/elf_record.hpp"
#include "protocol/records.hpp"
#include "protocol/stage_stream.hpp"

#include <map>
#include <string>
#include <vector>

namespace aw {

// What elf-deps' command line asks of the search.
struct SearchRequest {
    std::optional<std::vector<std::string>> ldpaths;  // --ldpaths
    std::string root = "/";                           // --root
    std::vector<std::string> add_paths;               // --add-path
};

// The non-empty entries of a ':'-separated list (--ldpaths); none for nullptr.
std::vector<std::string> search_path_entries(const char* value);
// The entries of LD_LIBRARY_PATH (or AUDITWHEEL_LD_LIBRARY_PATH), empty ones kept: ld.so
// searches the current directory for them. None for nullptr or "".
std::vector<std::string> library_path_entries(const char* value);

// The search for files named on the command line, as pypa auditwheel's:
// --add-path, then AUDITWHEEL_LD_LIBRARY_PATH, then LD_LIBRARY_PATH (a host
// setting: not with --ldpaths or a sysroot) where LD_LIBRARY_PATH is searched.
SearchOptions search_for_files(const SearchRequest& request);
// The same for a wheel's members; an Android wheel never loads the host's
// libraries, so without --ldpaths it searches no host directory.
SearchOptions search_for_wheel(const SearchRequest& request, const WheelRecord& wheel);

// Exports the module init function CPython (PyInit_<mod>, or PEP 793's
// PyModExport_<mod>, which abi3t modules export alone), Python 2 (init<mod>)
// or PyPy's cffi (_cffi_pypyinit_<mod>) looks for, <mod> being the file name
// up to its first '.'. pypa auditwheel 6.8.1 does not know PyModExport_.
bool is_python_extension(const ElfFacts& facts, const std::string& file_name);

// `label` is the member path (or the file as named); `workdir` maps in-wheel
// realpaths back to member paths.
ElfRecord elf_record(const std::string& label, const DependencyTree& tree, const std::string& workdir);
ElfRecord elf_error_record(const std::string& label, const std::string& file, const std::string& error);

// Collects the libraries of many trees, one record per library.
class LibraryIndex {
public:
    void add(const std::string& label, const DependencyTree& tree, const std::string& workdir);
    std::vector<LibraryRecord> records() const;

private:
    std::vector<std::string> order_;
    std::map<std::string, LibraryRecord> by_key_;  // realpath, or "?soname" when not found
};

// pax-utils lddtree's indented text, each library once, where first reached;
// the first line names the file `shown_as` (default: the tree's path).
std::string format_lddtree(const DependencyTree& tree, const std::string& shown_as = "");
// The object pypa auditwheel's `lddtree` prints for the file given as
// `given` (its path and realpath: the argument, normalised as a Python Path):
// libraries in its walk's order (depth first, each where first reached), each
// file's "platform" as its _get_platform reads the header.
Json lddtree_json(const DependencyTree& tree, const std::string& given);

}  // namespace aw
