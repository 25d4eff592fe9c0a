// whl-unpack: check a wheel, extract it into a work directory, and describe
// it as records (a "wheel" record, then one "member" record per file).
#include "diagnostics.hpp"
#include "records.hpp"
#include "unpack.hpp"
#include "work_dir.hpp"

#include <getopt.h>

#include <iostream>

namespace {
constexpr const char* kUsage =
    "usage: whl-unpack [--dest DIR] [--elf-only] WHEEL\n"
    "Checks WHEEL, extracts it into a work directory and writes its records to stdout.\n"
    "  --dest DIR   extract into DIR (new or empty) instead of a temporary directory\n"
    "  --elf-only   extract only ELF members and the .dist-info; list the rest\n"
    "See whl-unpack(1) and auditwheel-records(7).\n";

int unpack_main(int argc, char** argv) {
    aw::UnpackOptions options;
    static const option kOptions[] = {{"dest", required_argument, nullptr, 'd'},
                                      {"elf-only", no_argument, nullptr, 'e'},
                                      {"help", no_argument, nullptr, 'h'},
                                      {nullptr, 0, nullptr, 0}};
    opterr = 0;
    for (int option; (option = getopt_long(argc, argv, "+h", kOptions, nullptr)) != -1;) {
        switch (option) {
            case 'd': options.dest = optarg; break;
            case 'e': options.elf_only = true; break;
            case 'h': std::cout << kUsage; return aw::kExitOk;
            default: aw::fail_usage("unknown or incomplete option '{}'; see whl-unpack --help", argv[optind - 1]);
        }
    }
    if (argc - optind != 1) aw::fail_usage("expected exactly one WHEEL argument; see whl-unpack --help");
    options.wheel_path = argv[optind];

    aw::UnpackedWheel wheel = aw::unpack_wheel(options);
    aw::RecordWriter out(std::cout);
    try {
        out.emit(aw::wheel_record(wheel));
        for (const aw::UnpackedMember& member : wheel.members) out.emit(aw::member_record(member));
        out.flush();
    } catch (...) {
        aw::remove_tree(wheel.workdir);  // nobody downstream will ever see it
        throw;
    }
    return aw::kExitOk;
}
}  // namespace

int main(int argc, char** argv) {
    return aw::run_stage("whl-unpack", [&] { return unpack_main(argc, argv); });
}
