// policy-check: decide which platform policies the analysed wheel in the
// stream satisfies, and why not the others; a "verdict" record, or the
// report `auditwheel show` prints.
#include "diagnostics.hpp"
#include "policy.hpp"
#include "records.hpp"
#include "wheel_abi.hpp"

#include <getopt.h>
#include <unistd.h>

#include <climits>
#include <filesystem>
#include <iostream>

namespace {
constexpr const char* kUsage =
    "usage: policy-check [--policies DIR] [--disable-isa-ext-check] [--format FORMAT]\n"
    "                    [--allow-pure-python-wheel] [-v] [--plat PLAT [--only-plat]\n"
    "                    [--exclude PATTERN]... [--no-update-tags] [--log]] < RECORDS\n"
    "Decides which platform policies the wheel described on stdin (after elf-deps and\n"
    "elf-symvers) satisfies; passes the records on and appends a \"verdict\" record.\n"
    "  --policies DIR             policy YAML files (default: ../share/auditwheel/policies\n"
    "                             beside this program)\n"
    "  --disable-isa-ext-check    do not check the x86-64 ISA level\n"
    "  --format FORMAT            records (default), show (text) or show-json\n"
    "  --allow-pure-python-wheel  with show formats or --plat: a pure wheel is not an error\n"
    "  -v                         with --format show: print past the early stops\n"
    "  --plat PLAT                plan a repair to PLAT (auto, a policy name or an alias):\n"
    "                             also write \"retag\" and \"graft_plan\" records\n"
    "  --only-plat                do not add a wider tag the wheel is eligible for\n"
    "  --exclude PATTERN          never graft libraries whose soname or path matches\n"
    "  --no-update-tags           write no \"retag\" record\n"
    "  --log                      print pypa auditwheel's log of the plan on stderr (Excluding,\n"
    "                             Skip ... resolution, Wheel is eligible for a higher priority tag)\n"
    "See policy-check(1) and auditwheel-records(7).\n";

std::string default_policies() {
    char self[PATH_MAX];
    ssize_t length = ::readlink("/proc/self/exe", self, sizeof self - 1);
    if (length <= 0) return "policies";
    std::filesystem::path bin = std::filesystem::path(std::string(self, static_cast<std::size_t>(length))).parent_path();
    return (bin.parent_path() / "share/auditwheel/policies").string();
}

int check_main(int argc, char** argv) {
    std::string policies_dir = default_policies(), format = "records";
    aw::AnalysisOptions options;
    bool allow_pure = false, verbose = false, only_plat = false, update_tags = true, log = false;
    std::optional<std::string> plat;
    static const option kOptions[] = {{"policies", required_argument, nullptr, 'p'},
                                      {"disable-isa-ext-check", no_argument, nullptr, 'i'},
                                      {"format", required_argument, nullptr, 'f'},
                                      {"allow-pure-python-wheel", no_argument, nullptr, 'a'},
                                      {"plat", required_argument, nullptr, 'P'},
                                      {"only-plat", no_argument, nullptr, 'o'},
                                      {"exclude", required_argument, nullptr, 'e'},
                                      {"no-update-tags", no_argument, nullptr, 'n'},
                                      {"log", no_argument, nullptr, 'l'},
                                      {"help", no_argument, nullptr, 'h'},
                                      {nullptr, 0, nullptr, 0}};
    opterr = 0;
    for (int option; (option = getopt_long(argc, argv, "+hv", kOptions, nullptr)) != -1;) {
        switch (option) {
            case 'p': policies_dir = optarg; break;
            case 'i': options.disable_isa_ext_check = true; break;
            case 'f': format = optarg; break;
            case 'a': allow_pure = true; break;
            case 'v': verbose = true; break;
            case 'P': plat = optarg; break;
            case 'o': only_plat = true; break;
            case 'e': options.exclude.push_back(optarg); break;
            case 'n': update_tags = false; break;
            case 'l': log = true; break;
            case 'h': std::cout << kUsage; return aw::kExitOk;
            default: aw::fail_usage("unknown or incomplete option '{}'; see policy-check --help", argv[optind - 1]);
        }
    }
    if (format != "records" && format != "show" && format != "show-json")
        aw::fail_usage("--format must be records, show or show-json, not '{}'", format);
    if (optind != argc) aw::fail_usage("unexpected argument '{}'; policy-check reads records from stdin", argv[optind]);

    if (plat && format != "records") aw::fail_usage("--plat plans a repair: it goes with --format records");
    if (log && !plat) aw::fail_usage("--log prints the log of a repair plan: it goes with --plat");
    if (plat) options.requested_base = aw::strip_architecture_suffix(*plat);
    options.host_musl_version = aw::host_musl_version();
    std::vector<aw::PolicyFamily> families = aw::load_policies(policies_dir);
    std::vector<aw::Record> records = aw::RecordReader(std::cin).read_all();
    aw::AnalysisInput input = aw::read_analysis_input(records);
    aw::Verdict verdict = aw::analyze_wheel(input, families, options);
    if (log)
        for (const std::string& line : aw::dependency_walk_log(input, options.exclude)) aw::print_log(line);
    for (const std::string& warning : verdict.warnings) aw::warn("{}: {}", verdict.wheel, warning);

    if (format == "records") {
        // A repair of a wheel that is not a platform wheel fails, as in pypa auditwheel
        // (a pure wheel passes with --allow-pure-python-wheel, and gets no plan).
        if (plat && verdict.error && !(verdict.pure && allow_pure)) aw::fail("{}: {}", verdict.wheel, *verdict.error);
        aw::RecordWriter out(std::cout);
        for (const aw::Record& record : records) out.pass_through(record);
        out.emit(aw::verdict_record(verdict));
        if (plat && !verdict.error) {
            aw::RepairPlan plan = aw::plan_repair(input, verdict, *plat, only_plat, options);
            if (log && plan.eligible)
                aw::print_log(fmt::format("Wheel is eligible for a higher priority tag. You requested {} but I have found "
                                          "this wheel is eligible for {}.", *plat, *plan.eligible));
            if (update_tags) out.emit(aw::retag_record(plan));
            out.emit(aw::graft_plan_record(plan, verdict));
        }
        out.flush();
        return aw::kExitOk;
    }
    if (format == "show-json") std::cout << aw::show_json(verdict, allow_pure).dump(4) << '\n';
    if (verdict.error) {
        if (verdict.pure && allow_pure) return aw::kExitOk;
        aw::fail("{}: {}", verdict.wheel, *verdict.error);
    }
    if (format == "show") std::cout << aw::escape_controls(aw::show_text(verdict, verbose), true);
    return aw::kExitOk;
}
}  // namespace

int main(int argc, char** argv) {
    return aw::run_stage("policy-check", [&] { return check_main(argc, argv); });
}
