// rpath-set: set SONAME, rename or remove DT_NEEDED entries and set or remove
// RPATH/RUNPATH, with patchelf's flags, all edits of a file in one rewrite.
#include "base/diagnostics.hpp"
#include "base/interrupt.hpp"
#include "edit/dynamic_edit.hpp"
#include "edit/elf_edit_record.hpp"
#include "edit/patchelf_queries.hpp"
#include "edit/symbol_rename.hpp"
#include "elf/elf_deps.hpp"
#include "elf/elf_file.hpp"
#include "elf/elf_names.hpp"
#include "protocol/options.hpp"
#include "protocol/records.hpp"
#include "protocol/stage_stream.hpp"
#include "wheel/member_path.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>

namespace {
const aw::OptionTable kOptions(
    "rpath-set", "FILE... | < RECORDS",
    "Edits each FILE as patchelf 0.19's options of the same names do (patchelf's whole command line), all edits of a "
    "file in one rewrite (a temporary file beside it, renamed into place; an --output that is not a regular file is "
    "written into). Options may come before or after the files; a value @FILE is read from FILE. Without FILE, "
    "applies the \"elf_edit\" records on stdin (a pipe or a file) to the files of the wheel's work directory.",
    {{"set-interpreter", 0, 1, "INTERPRETER", "set PT_INTERP's path"},
     {"interpreter", 0, 1, "INTERPRETER", "the same as --set-interpreter"},
     {"print-interpreter", 0, 0, "", "print PT_INTERP's path"},
     {"page-size", 0, 1, "SIZE", "align a new segment to SIZE instead of the file's own alignment"},
     {"print-os-abi", 0, 0, "", "print EI_OSABI (System V, Linux, FreeBSD, ...)"},
     {"set-os-abi", 0, 1, "ABI", "set EI_OSABI (sysv, linux or gnu, freebsd, netbsd, openbsd, solaris, ...)"},
     {"print-soname", 0, 0, "", "print DT_SONAME"},
     {"set-soname", 0, 1, "SONAME", "set DT_SONAME"},
     {"set-rpath", 0, 1, "RPATH", "set DT_RUNPATH (DT_RPATH with --force-rpath)"},
     {"add-rpath", 0, 1, "RPATH", "append RPATH's entries to DT_RUNPATH (or DT_RPATH)"},
     {"remove-rpath", 0, 0, "", "remove DT_RPATH and DT_RUNPATH"},
     {"shrink-rpath", 0, 0, "", "keep only the RPATH directories that hold a needed library"},
     {"allowed-rpath-prefixes", 0, 1, "PREFIXES",
      "with --shrink-rpath: also drop absolute directories not under these ':'-separated prefixes"},
     {"print-rpath", 0, 0, "", "print DT_RUNPATH, or DT_RPATH when there is none"},
     {"force-rpath", 0, 0, "", "write DT_RPATH rather than DT_RUNPATH"},
     {"add-needed", 0, 1, "LIBRARY", "add a DT_NEEDED entry at the top (repeatable)"},
     {"remove-needed", 0, 1, "LIBRARY", "remove the DT_NEEDED entry LIBRARY (repeatable)"},
     {"replace-needed", 0, 2, "OLD NEW", "rename the DT_NEEDED entry OLD to NEW (repeatable)"},
     {"print-needed", 0, 0, "", "print the DT_NEEDED entries, one per line"},
     {"no-default-lib", 0, 0, "", "set DF_1_NODEFLIB: the loader searches no default directory"},
     {"rename-dynamic-symbols", 0, 1, "MAP_FILE", "rename .dynsym symbols as MAP_FILE's lines 'OLD NEW' say"},
     {"build-resolution-cache", 0, 0, "", "record where the run path resolves each DT_NEEDED (NixOS's loader cache note)"},
     {"add-debug-tag", 0, 0, "", "add a DT_DEBUG entry when there is none"},
     {"print-execstack", 0, 0, "", "print 'execstack: X' (executable), '-' or '?' (no PT_GNU_STACK)"},
     {"clear-execstack", 0, 0, "", "clear PT_GNU_STACK's PF_X (adding PT_GNU_STACK when missing)"},
     {"set-execstack", 0, 0, "", "set PT_GNU_STACK's PF_X (adding PT_GNU_STACK when missing)"},
     {"strip", 0, 0, "", "drop the symbol tables and debug sections, as strip -s"},
     {"output", 0, 1, "FILE", "write the result to FILE; the input is only read"},
     {"no-sort", 0, 0, "", "accepted for patchelf's sake: the program headers are never sorted"},
     {"debug", 0, 0, "", "print each file's edits as an rpath-set command line, and whether it changed"},
     {"log", 0, 0, "", "with records: print each file's edits as an rpath-set command line on stderr"},
     {"version", 0, 0, "", "print the version and exit"}});

// rpath-set alone, typed as one types patchelf: no FILE, and no records (a terminal, /dev/null or an
// empty stream on standard input).
constexpr const char* kNothingToDo = "no FILE and no records on standard input; patchelf's options: see rpath-set --help";

// Applies each "elf_edit" record to its file in the work directory, passing every record on and
// adding an "elf_edited" record after each edit.
int apply_records(bool log) {
    aw::StageStream stream(std::cin, std::cout);
    bool any = false;
    while (auto record = stream.next()) {
        any = true;
        if (record->kind() != "elf_edit") continue;
        aw::throw_if_interrupted();
        const aw::WheelRecord& wheel = stream.wheel_for(*record);
        auto [path, edits] = aw::read_elf_edit_record(*record);
        if (log) aw::print_log(aw::edit_command_line(path, edits));
        bool changed = false;
        try {
            changed = aw::apply_dynamic_edits(wheel.file_of(path), edits, wheel.file_of(path));
        } catch (const aw::FileError& error) {
            aw::fail_at(wheel.member(path), error);
        }
        stream.emit(aw::record_json(aw::ElfEditedRecord{path, changed}));
    }
    if (!any) aw::fail_usage("{}", kNothingToDo);
    stream.finish();
    return aw::kExitOk;
}

// patchelf's @FILE: an option's value read from a file, as it is.
std::string text_of(const std::string& file, const char* what) {
    std::ifstream in(file, std::ios::binary);
    if (!in) aw::fail("{}: getting info about {}: {}", file, what, std::strerror(errno));  // patchelf's words
    return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string resolved(const std::string& value) {
    return value.starts_with('@') ? text_of(value.substr(1), "the value's file") : value;
}

std::optional<std::string> resolved(const std::optional<std::string>& value) {
    return value ? std::optional(resolved(*value)) : std::nullopt;
}

std::vector<std::string> resolved(std::vector<std::string> values) {
    for (std::string& value : values) value = resolved(value);
    return values;
}

aw::DynamicEdits edits_of(const aw::CommandLine& line) {
    aw::DynamicEdits edits;
    edits.set_soname = resolved(line.last("set-soname"));
    std::vector<std::string> renames = line.all("replace-needed");
    for (std::size_t i = 0; i + 1 < renames.size(); i += 2) edits.replace_needed.emplace_back(renames[i], renames[i + 1]);
    edits.remove_needed = resolved(line.all("remove-needed"));
    edits.add_needed = resolved(line.all("add-needed"));
    edits.set_rpath = resolved(line.last("set-rpath"));
    edits.add_rpath = resolved(line.last("add-rpath"));
    edits.shrink_rpath = line.has("shrink-rpath");
    if (auto prefixes = line.last("allowed-rpath-prefixes")) edits.allowed_rpath_prefixes = aw::search_path_entries(prefixes->c_str());
    edits.force_rpath = line.has("force-rpath");
    edits.remove_rpath = line.has("remove-rpath");
    edits.strip = line.has("strip");
    edits.set_interpreter = resolved(line.last("set-interpreter"));
    if (auto interpreter = line.last("interpreter")) edits.set_interpreter = resolved(*interpreter);
    if (line.has("clear-execstack") && line.has("set-execstack"))
        aw::fail_usage("--clear-execstack and --set-execstack contradict each other");
    if (line.has("clear-execstack")) edits.executable_stack = false;
    if (line.has("set-execstack")) edits.executable_stack = true;
    if (auto abi = resolved(line.last("set-os-abi"))) {
        edits.os_abi = aw::parse_os_abi(*abi);
        if (!edits.os_abi) aw::fail_usage("--set-os-abi: unrecognized OS ABI '{}'", *abi);
    }
    edits.add_debug_tag = line.has("add-debug-tag");
    edits.no_default_lib = line.has("no-default-lib");
    edits.build_resolution_cache = line.has("build-resolution-cache");
    if (auto map = line.last("rename-dynamic-symbols")) {
        edits.rename_symbols = aw::parse_symbol_renames(text_of(*map, "the map file"), *map);
        edits.rename_symbols_from = *map;
    }
    if (auto size = line.last("page-size")) {
        char* end = nullptr;
        unsigned long long value = std::strtoull(size->c_str(), &end, 0);
        if (size->empty() || *end != '\0' || value == 0) aw::fail_usage("invalid argument to --page-size: '{}'", *size);
        edits.page_size = value;
    }
    if (auto reason = edits.contradiction()) aw::fail_usage("{}", *reason);
    return edits;
}

aw::FileQueries queries_of(const aw::CommandLine& line) {
    aw::FileQueries queries;
    queries.interpreter = line.has("print-interpreter");
    queries.os_abi = line.has("print-os-abi");
    queries.soname = line.has("print-soname");
    queries.execstack = line.has("print-execstack");
    queries.rpath = line.has("print-rpath");
    queries.needed = line.has("print-needed");
    return queries;
}

int rpath_main(int argc, char** argv) {
    aw::CommandLine line = kOptions.parse_stage_arguments(argc, argv);
    if (line.has("version")) {
        std::cout << "rpath-set " AW_VERSION " (C++ auditwheel; the command line of patchelf 0.19.0)\n";
        return aw::kExitOk;
    }
    aw::DynamicEdits edits = edits_of(line);
    aw::FileQueries queries = queries_of(line);
    std::optional<std::string> output = resolved(line.last("output"));
    const std::vector<std::string>& files = line.operands();
    if (files.empty()) {
        if (!edits.empty() || output || queries.any()) aw::fail_usage("expected a FILE; see rpath-set --help");
        // Records come through a pipe or from a file; a terminal (or /dev/null) is someone who typed
        // the command alone, as one would type patchelf.
        struct stat input {};
        if (::fstat(STDIN_FILENO, &input) != 0 || !(S_ISFIFO(input.st_mode) || S_ISREG(input.st_mode) || S_ISSOCK(input.st_mode)))
            aw::fail_usage("{}", kNothingToDo);
        return apply_records(line.has("log"));
    }
    if (output && files.size() != 1) aw::fail_usage("--output goes with exactly one FILE");

    for (const std::string& file : files) {
        const std::string& written = output.value_or(file);
        aw::QueryAnswers answers = aw::answer_before_edits(queries, file);
        bool changed = !edits.empty() || output ? aw::apply_dynamic_edits(file, edits, written) : false;
        aw::answer_after_edits(queries, written, answers);
        if (line.has("debug"))
            aw::print_log(fmt::format("{}: {}", aw::edit_command_line(file, edits), changed ? "changed" : "unchanged"));
        std::cout << answers.text();
    }
    return aw::kExitOk;
}
}  // namespace

int main(int argc, char** argv) {
    return aw::run_stage("rpath-set", [&] { return rpath_main(argc, argv); });
}
