// whl-pack: write the wheel a record stream describes, from its work
// directory, and append an "output" record.
#include "base/diagnostics.hpp"
#include "base/work_dir.hpp"
#include "base/worker_threads.hpp"
#include "protocol/options.hpp"
#include "protocol/records.hpp"
#include "wheel/pack.hpp"

#include <cstdlib>
#include <iostream>

namespace {
const aw::OptionTable kOptions(
    "whl-pack", "< RECORDS",
    "Writes the wheel described by the records on stdin into DIR; passes the records on and appends an \"output\" "
    "record.",
    {{"wheel-dir", 'w', 1, "DIR", "where to write the wheel (default: wheelhouse)"},
     {"zip-compression-level", 'z', 1, "LEVEL", "deflate level 0-9 for new members (default and -1: 6; 0 stores)"},
     {"threads", 'j', 1, "N",
      "hash and deflate new members on N threads (default: $AUDITWHEEL_THREADS, else every core); the wheel is the "
      "same whatever N"},
     {"keep-work", 0, 0, "", "keep the work directory after packing"},
     {"log", 0, 0, "", "print pypa auditwheel's log of the retag and where the wheel went on stderr"}});

int parse_level(const std::string& text) {
    char* end = nullptr;
    long level = std::strtol(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || level < -1 || level > 9)
        aw::fail_usage("compression level '{}' is not a whole number from -1 to 9", text);
    return level == -1 ? 6 : static_cast<int>(level);  // -1: zlib's default, as in pypa auditwheel
}

int pack_main(int argc, char** argv) {
    aw::CommandLine line = kOptions.parse_stage_arguments(argc, argv);
    aw::PackOptions options;
    if (auto dir = line.last("wheel-dir")) options.wheel_dir = *dir;
    if (auto level = line.last("zip-compression-level")) options.compression_level = parse_level(*level);
    options.threads = aw::worker_threads(line.last("threads"));
    bool keep_work = line.has("keep-work");
    if (const char* epoch = std::getenv("SOURCE_DATE_EPOCH")) options.source_date_epoch = epoch;

    std::vector<aw::Record> records = aw::RecordReader(std::cin).read_all();
    aw::PackInput input = aw::read_pack_input(records);
    aw::PackedWheel wheel = aw::pack_wheel(input, options);
    if (!keep_work) aw::remove_tree(input.wheel.workdir);

    aw::RecordWriter out(std::cout);
    for (const aw::Record& record : records) out.pass_through(record);
    out.emit(aw::record_json(wheel));
    out.flush();
    if (line.has("log")) {
        for (const std::string& entry : wheel.retag_log) aw::print_log(entry);
        aw::print_log("Fixed-up wheel written to " + wheel.path);
    }
    return aw::kExitOk;
}
}  // namespace

int main(int argc, char** argv) {
    return aw::run_stage("whl-pack", [&] { return pack_main(argc, argv); });
}
