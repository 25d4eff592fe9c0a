// lib-graft: copy the external libraries a graft_plan names into the wheel's
// work directory, and write the elf_edit records that make the wheel load them.
#include "base/diagnostics.hpp"
#include "edit/elf_edit_record.hpp"
#include "graft/graft.hpp"
#include "protocol/options.hpp"
#include "protocol/records.hpp"

#include <fmt/ranges.h>

#include <iostream>

namespace {
const aw::OptionTable kOptions(
    "lib-graft", "< RECORDS",
    "Executes the \"graft_plan\" record on stdin (from policy-check --plat): copies each library into "
    "<name><LIB_SDIR>/ of the work directory under a name holding its hash, moves script executables that need "
    "them, and writes \"grafted\", \"script_moved\" and \"elf_edit\" records for rpath-set. Every record is passed on.",
    {{"lib-sdir", 'L', 1, "LIB_SDIR", "suffix of the library directory (default: .libs)"},
     {"strip", 0, 0, "", "also strip the grafted libraries and every dynamic ELF member"},
     {"clear-execstack", 0, 0, "",
      "clear the executable-stack request of the grafted libraries and dynamic ELF members that make one "
      "(without it, a warning names each)"},
     {"patcher", 0, 1, "PATCHER",
      "patchelf or lief-patchelf (default; both mean rpath-set), or none: fail when the repair would change an "
      "ELF file, as pypa auditwheel's none patcher"},
     {"log", 0, 0, "",
      "print pypa auditwheel's log of the grafts on stderr (Grafting, Setting RPATH, Stripping symbols); its "
      "warnings are always printed"}});

int graft_main(int argc, char** argv) {
    aw::CommandLine line = kOptions.parse_stage_arguments(argc, argv);
    aw::GraftOptions options;
    if (auto sdir = line.last("lib-sdir")) options.lib_sdir = *sdir;
    options.strip = line.has("strip");
    options.clear_execstack = line.has("clear-execstack");
    bool log = line.has("log");
    if (options.lib_sdir.empty()) aw::fail_usage("--lib-sdir must not be empty");
    std::string patcher = line.last("patcher").value_or("patchelf");
    if (patcher != "patchelf" && patcher != "lief-patchelf" && patcher != "none")
        aw::fail_usage("--patcher must be patchelf, lief-patchelf or none, not '{}'", patcher);

    aw::StageStream stream(std::cin, std::cout);
    std::optional<aw::GraftTarget> target;
    std::vector<aw::Retag> retags;
    bool grafted = false;
    while (auto record = stream.next()) {
        std::string kind = record->kind();
        if (kind == "wheel") target = aw::graft_target_of(*stream.wheel());
        if (target) aw::take_record(*target, *record);
        if (kind == "retag") retags.push_back(aw::read_retag(*record));
        if (kind != "graft_plan") continue;
        stream.wheel_for(*record);
        if (grafted) aw::fail("{}: a second graft_plan record: a stream describes one wheel", record->place);
        grafted = true;
        aw::GraftPlan plan = aw::read_graft_plan(*record);
        target->android = plan.policy.starts_with("android");
        auto owners = aw::ask_package_owners(aw::graft_sources(plan));  // answered while the libraries are copied
        aw::GraftResult result = aw::graft_libraries(*target, plan, options);
        for (const aw::LogLine& entry : result.log) {
            if (entry.warning) aw::print_warning(entry.text);
            else if (log) aw::print_log(entry.text);
        }
        if (patcher == "none" && !result.edits.empty()) {
            std::vector<std::string> files;
            for (const auto& [path, edits] : result.edits) files.push_back(path);
            aw::fail("{}: the 'none' patcher can't patch the files this repair changes: {}", target->filename,
                     fmt::join(files, ", "));
        }
        for (const aw::GraftedLibrary& library : result.libraries) stream.emit(aw::record_json(library));
        for (const aw::MovedScript& script : result.scripts) stream.emit(aw::record_json(script));
        for (const auto& [path, edits] : result.edits) stream.emit(aw::record_json(aw::ElfEditRecord{path, edits}));
        if (!result.libraries.empty()) {
            std::string filename = aw::repaired_wheel_filename(*target, retags);
            if (auto sbom = aw::write_graft_sbom(*target, result.libraries, owners.get(), filename, AW_VERSION))
                stream.emit(aw::record_json(aw::SbomRecord{*sbom}));
        }
    }
    stream.finish();
    return aw::kExitOk;
}
}  // namespace

int main(int argc, char** argv) {
    return aw::run_stage("lib-graft", [&] { return graft_main(argc, argv); });
}
