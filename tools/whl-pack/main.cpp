// whl-pack: write the wheel a record stream describes, from its work
// directory, and append an "output" record.
#include "diagnostics.hpp"
#include "pack.hpp"
#include "records.hpp"
#include "work_dir.hpp"

#include <getopt.h>

#include <cstdlib>
#include <iostream>

namespace {
constexpr const char* kUsage =
    "usage: whl-pack [-w DIR] [-z LEVEL] [--keep-work] < RECORDS\n"
    "Writes the wheel described by the records on stdin into DIR; passes the records on\n"
    "and appends an \"output\" record.\n"
    "  -w, --wheel-dir DIR               where to write the wheel (default: wheelhouse)\n"
    "  -z, --zip-compression-level LEVEL deflate level 0-9 for new members (default and -1: 6;\n"
    "                                    0 stores)\n"
    "  --keep-work                       keep the work directory after packing\n"
    "See whl-pack(1) and auditwheel-records(7).\n";

int parse_level(const char* text) {
    char* end = nullptr;
    long level = std::strtol(text, &end, 10);
    if (*text == '\0' || *end != '\0' || level < -1 || level > 9)
        aw::fail_usage("compression level '{}' is not a whole number from -1 to 9", text);
    return level == -1 ? 6 : static_cast<int>(level);  // -1: zlib's default, as in pypa auditwheel
}

int pack_main(int argc, char** argv) {
    aw::PackOptions options;
    bool keep_work = false;
    static const option kOptions[] = {{"wheel-dir", required_argument, nullptr, 'w'},
                                      {"zip-compression-level", required_argument, nullptr, 'z'},
                                      {"keep-work", no_argument, nullptr, 'k'},
                                      {"help", no_argument, nullptr, 'h'},
                                      {nullptr, 0, nullptr, 0}};
    opterr = 0;
    for (int option; (option = getopt_long(argc, argv, "+w:z:h", kOptions, nullptr)) != -1;) {
        switch (option) {
            case 'w': options.wheel_dir = optarg; break;
            case 'z': options.compression_level = parse_level(optarg); break;
            case 'k': keep_work = true; break;
            case 'h': std::cout << kUsage; return aw::kExitOk;
            default: aw::fail_usage("unknown or incomplete option '{}'; see whl-pack --help", argv[optind - 1]);
        }
    }
    if (optind != argc) aw::fail_usage("unexpected argument '{}'; whl-pack reads records from stdin", argv[optind]);
    if (const char* epoch = std::getenv("SOURCE_DATE_EPOCH")) options.source_date_epoch = epoch;

    std::vector<aw::Record> records = aw::RecordReader(std::cin).read_all();
    aw::PackInput input = aw::read_pack_input(records);
    aw::PackedWheel wheel = aw::pack_wheel(input, options);
    if (!keep_work) aw::remove_tree(input.workdir);

    aw::RecordWriter out(std::cout);
    for (const aw::Record& record : records) out.pass_through(record);
    out.emit(aw::output_record(wheel));
    out.flush();
    return aw::kExitOk;
}
}  // namespace

int main(int argc, char** argv) {
    return aw::run_stage("whl-pack", [&] { return pack_main(argc, argv); });
}
