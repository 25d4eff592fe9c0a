// lib-graft's work: copy the external libraries a graft_plan names into the
// wheel's work directory under hashed names, and plan the ELF edits that make
// the wheel's files load those copies (pypa auditwheel 6.8.1's repair_wheel).
#pragma once

#include "base/diagnostics.hpp"
#include "edit/dynamic_edits.hpp"
#include "elf/elf_ident.hpp"
#include "elf/elf_record.hpp"
#include "graft/graft_plan.hpp"
#include "graft/sbom.hpp"
#include "protocol/records.hpp"
#include "protocol/stage_stream.hpp"
#include "wheel/wheel_metadata.hpp"

#include <map>
#include <set>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace aw {


// "libfoo.so.1.2" with hash "0123abcd" -> "libfoo-0123abcd.so.1.2": split at
// the first '.', as pypa auditwheel's copylib does; a name that already ends
// in "-<hash>" before it keeps its name, so grafting a graft changes nothing.
std::string grafted_file_name(const std::string& real_name, const std::string& short_hash);

// `$ORIGIN/<path from the file's directory to lib_dir>`; both wheel paths.
std::string origin_relative_rpath(const std::string& member, const std::string& lib_dir);

// The entries of an RPATH/RUNPATH worth keeping in a repaired wheel: those
// that name a directory inside the wheel once $ORIGIN, $LIB and $PLATFORM are
// expanded for the file at `member` (pypa auditwheel's _is_valid_rpath).
// pypa expands $LIB and $PLATFORM for the host; we expand them for the file.
std::vector<std::string> rpath_entries_inside_wheel(const std::vector<std::string>& entries, const std::string& member,
                                                    const ElfIdent& ident, const std::string& workdir);

// `<x>.data/scripts/<file>`: an executable pip installs into bin/.
bool is_wheel_script(const std::string& member);

// The Python program left in place of a script that moved to `target` (a
// path relative to the platlib directory): it runs the moved executable.
std::string script_shim(const std::string& target);

struct GraftOptions {
    std::string lib_sdir = ".libs";  // appended to the distribution name, as pypa's -L
    bool strip = false;              // strip -s the grafted libraries and every dynamic ELF member
    // Clear the executable-stack request (ElfFacts::executable_stack) of the grafted libraries and
    // dynamic ELF members that make one; without it each is a warning.
    bool clear_execstack = false;
};

// One library copied into the wheel.
struct GraftedLibrary {
    std::string soname;   // as the wheel's files needed it
    std::string source;   // the host file it was copied from
    std::string path;     // its wheel path
    std::string sha256;   // hex, of the copied bytes
    std::uint64_t size = 0;  // of the copied bytes
};

// One script executable moved out of <x>.data/scripts, a shim left behind.
struct MovedScript {
    std::string from;
    std::string to;
};

struct GraftResult {
    std::vector<GraftedLibrary> libraries;
    std::vector<MovedScript> scripts;
    std::vector<std::pair<std::string, DynamicEdits>> edits;  // wheel path -> edits, in the order to apply
    std::vector<LogLine> log;  // pypa auditwheel's repair log of the same work, in its order
};

// What lib-graft needs to know of the wheel besides the plan.
struct GraftTarget {
    std::string workdir;
    std::string filename;      // of the input wheel
    std::string dist_info;     // its name-version.dist-info directory
    std::string distribution;  // the file name's distribution name
    bool android = false;      // bionic reads only DT_RUNPATH
    std::vector<std::string> dynamic_members;  // ELF members with a dynamic section (what --strip strips)
    std::set<std::string> members;             // every member, extracted or not: a moved script replaces none
    std::map<std::string, ElfRecord> elfs;          // the ELF members' facts, from elf-deps' records
    std::map<std::string, LibraryRecord> libraries;  // the libraries' facts, from elf-deps' records, by realpath
};

// A target for `wheel`; what its member, elf and library records tell is added as they come
// (take_record), so lib-graft reads no ELF file itself.
GraftTarget graft_target_of(const WheelRecord& wheel);
// Takes the facts of a member, elf or library record; other kinds are let by.
void take_record(GraftTarget& target, const Record& record);

// Copies the plan's libraries and moves scripts in `target.workdir`, and
// returns what it did with the edits rpath-set must make. Throws Error naming
// the library or member at fault; what it copied stays in the work directory
// (which whl-pack or the caller removes).
GraftResult graft_libraries(const GraftTarget& target, const GraftPlan& plan, const GraftOptions& options);

// pypa auditwheel 6.8.1's log of a repair's grafting (repair_wheel), member by
// member in the wheel's order: WARNING "Removing <libpython> dependency from
// M...", "Grafting: SRC -> DEST" when a library is first copied (pypa logs it
// at DEBUG), "Setting RPATH: FILE to \"RPATH\"" (its older releases' line), then
// the copies' RPATHs, then grafted_summary, then "Stripping symbols from F" for each file stripped.
std::vector<LogLine> graft_log(const GraftTarget& target, const GraftPlan& plan, const GraftResult& result);
// "Grafted 3 libraries, 890.2 MiB": the copies (one per file, however many sonames share it) and
// their bytes as copied. pypa auditwheel 6.8.1 says neither.
std::string grafted_summary(const std::vector<GraftedLibrary>& libraries);

// The file name whl-pack will give the repaired wheel: the input's, retagged
// as the WHEEL file in the work directory and `retags` say.
std::string repaired_wheel_filename(const GraftTarget& target, const std::vector<Retag>& retags);

// The host files the plan grafts, to ask the package managers about (ask_package_owners).
std::vector<std::string> graft_sources(const GraftPlan& plan);

// Writes <dist-info>/sboms/auditwheel.cdx.json naming the host package of each
// grafted library that `owners` (package_owners) knows; returns its wheel
// path, or nullopt (and writes nothing) when it knows none.
std::optional<std::string> write_graft_sbom(const GraftTarget& target, const std::vector<GraftedLibrary>& libraries,
                                            const std::map<std::string, PackageOwner>& owners,
                                            const std::string& wheel_filename, const std::string& tool_version);

// The grafted, script_moved and sbom records (auditwheel-records(7)).
struct SbomRecord {
    std::string path;  // the SBOM's member path
};
Json record_json(const GraftedLibrary& library);
Json record_json(const MovedScript& script);
Json record_json(const SbomRecord& sbom);

}  // namespace aw
