// rpath-set: set SONAME, rename or remove DT_NEEDED entries and set or remove
// RPATH/RUNPATH, with patchelf's flags, all edits of a file in one rewrite.
#include "diagnostics.hpp"
#include "dynamic_edit.hpp"
#include "elf_file.hpp"
#include "interrupt.hpp"
#include "member_path.hpp"
#include "records.hpp"

#include <getopt.h>

#include <iostream>

namespace {
constexpr const char* kUsage =
    "usage: rpath-set [--set-soname SONAME] [--replace-needed OLD NEW]... [--remove-needed NAME]...\n"
    "                 [--set-rpath RPATH] [--force-rpath] [--remove-rpath] [--strip] [--output FILE]\n"
    "                 [--print-rpath] [--print-soname] [--print-needed] FILE...\n"
    "       rpath-set < RECORDS\n"
    "Edits the dynamic section of each FILE as patchelf's options of the same names do, all edits\n"
    "of a file in one rewrite (a temporary file beside it, renamed into place). Without FILE, applies\n"
    "the \"elf_edit\" records on stdin to the files of the wheel's work directory.\n"
    "See rpath-set(1).\n";

std::string joined(const std::vector<std::string>& parts) {
    std::string text;
    for (const std::string& part : parts) text += (text.empty() ? "" : ":") + part;
    return text;
}

// Applies each "elf_edit" record to its file in the work directory, passing every record on and
// adding an "elf_edited" record after each edit.
int apply_records() {
    aw::RecordReader in(std::cin);
    aw::RecordWriter out(std::cout);
    std::string workdir;
    while (auto record = in.next()) {
        out.pass_through(*record);
        std::string kind = record->kind();
        if (kind == "wheel") workdir = aw::required_string(record->value, "workdir");
        if (kind != "elf_edit") continue;
        aw::throw_if_interrupted();
        std::string path = aw::required_string(record->value, "path");
        if (auto reason = aw::unsafe_member_path_reason(path))
            aw::fail("elf_edit record: path \"{}\" must lie inside the work directory ({})", path, *reason);
        if (workdir.empty()) aw::fail("elf_edit record for {} before the wheel record", path);
        std::string file = workdir + "/" + path;
        bool changed = aw::apply_dynamic_edits(file, aw::dynamic_edits_from_record(record->value), file);
        out.emit(aw::Json{{"kind", "elf_edited"}, {"path", path}, {"changed", changed}});
    }
    out.flush();
    return aw::kExitOk;
}

int rpath_main(int argc, char** argv) {
    aw::DynamicEdits edits;
    std::optional<std::string> output;
    bool print_rpath = false, print_soname = false, print_needed = false;
    static const option kOptions[] = {{"set-soname", required_argument, nullptr, 's'},
                                      {"replace-needed", required_argument, nullptr, 'r'},
                                      {"remove-needed", required_argument, nullptr, 'd'},
                                      {"set-rpath", required_argument, nullptr, 'p'},
                                      {"force-rpath", no_argument, nullptr, 'f'},
                                      {"remove-rpath", no_argument, nullptr, 'x'},
                                      {"strip", no_argument, nullptr, 't'},
                                      {"output", required_argument, nullptr, 'o'},
                                      {"print-rpath", no_argument, nullptr, 'P'},
                                      {"print-soname", no_argument, nullptr, 'S'},
                                      {"print-needed", no_argument, nullptr, 'N'},
                                      {"help", no_argument, nullptr, 'h'},
                                      {nullptr, 0, nullptr, 0}};
    opterr = 0;
    for (int option; (option = getopt_long(argc, argv, "+h", kOptions, nullptr)) != -1;) {
        switch (option) {
            case 's': edits.set_soname = optarg; break;
            case 'r':
                if (optind >= argc) aw::fail_usage("--replace-needed takes two names: OLD NEW");
                edits.replace_needed.emplace_back(optarg, argv[optind++]);
                break;
            case 'd': edits.remove_needed.push_back(optarg); break;
            case 'p': edits.set_rpath = optarg; break;
            case 'f': edits.force_rpath = true; break;
            case 'x': edits.remove_rpath = true; break;
            case 't': edits.strip = true; break;
            case 'o': output = optarg; break;
            case 'P': print_rpath = true; break;
            case 'S': print_soname = true; break;
            case 'N': print_needed = true; break;
            case 'h': std::cout << kUsage; return aw::kExitOk;
            default: aw::fail_usage("unknown or incomplete option '{}'; see rpath-set --help", argv[optind - 1]);
        }
    }
    std::vector<std::string> files(argv + optind, argv + argc);
    if (files.empty()) {
        if (!edits.empty() || output || print_rpath || print_soname || print_needed)
            aw::fail_usage("expected a FILE; see rpath-set --help");
        return apply_records();
    }
    if (output && files.size() != 1) aw::fail_usage("--output goes with exactly one FILE");
    if (auto reason = edits.contradiction()) aw::fail_usage("{}", *reason);

    for (const std::string& file : files) {
        if (!edits.empty() || output) aw::apply_dynamic_edits(file, edits, output.value_or(file));
        if (!print_rpath && !print_soname && !print_needed) continue;
        aw::ElfFacts facts = aw::read_elf_facts(output.value_or(file));
        if (print_soname && facts.soname) std::cout << *facts.soname << '\n';
        if (print_rpath) std::cout << joined(facts.runpath.empty() ? facts.rpath : facts.runpath) << '\n';
        if (print_needed)
            for (const std::string& name : facts.needed) std::cout << name << '\n';
    }
    return aw::kExitOk;
}
}  // namespace

int main(int argc, char** argv) {
    return aw::run_stage("rpath-set", [&] { return rpath_main(argc, argv); });
}
