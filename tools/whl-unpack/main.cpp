// whl-unpack: check a wheel, extract it into a work directory, and describe
// it as records (a "wheel" record, then one "member" record per file).
#include "base/diagnostics.hpp"
#include "base/interrupt.hpp"
#include "base/work_dir.hpp"
#include "base/worker_threads.hpp"
#include "protocol/options.hpp"
#include "protocol/records.hpp"
#include "wheel/unpack.hpp"

#include <iostream>

namespace {
const aw::OptionTable kOptions(
    "whl-unpack", "WHEEL", "Checks WHEEL, extracts it into a work directory and writes its records to stdout.",
    {{"dest", 0, 1, "DIR", "extract into DIR (new or empty) instead of a temporary directory"},
     {"elf-only", 0, 0, "", "extract only ELF members and the .dist-info; list the rest"},
     {"threads", 'j', 1, "N",
      "extract on N threads, at most 3 (default: $AUDITWHEEL_THREADS, else every core); the records are the same "
      "whatever N"}});

int unpack_main(int argc, char** argv) {
    aw::CommandLine line = kOptions.parse_stage_arguments(argc, argv);
    if (line.operands().size() != 1) aw::fail_usage("expected exactly one WHEEL argument; see whl-unpack --help");
    aw::UnpackOptions options;
    if (auto dest = line.last("dest")) options.dest = *dest;
    options.elf_only = line.has("elf-only");
    options.threads = aw::worker_threads(line.last("threads"));
    options.wheel_path = line.operands().front();

    aw::UnpackedWheel wheel = aw::unpack_wheel(options);
    aw::RecordWriter out(std::cout);
    try {
        out.emit(aw::record_json(aw::wheel_record(wheel)));
        for (const aw::MemberRecord& member : wheel.members) out.emit(aw::record_json(member));
        out.flush();
        // A signal while a write waited on a slow reader (the write is retried): the records are
        // out, but the stage stops as at any other moment, and the work directory goes.
        aw::throw_if_interrupted();
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
