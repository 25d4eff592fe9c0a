// policy-check: decide which platform policies the analysed wheel in the
// stream satisfies, and why not the others; a "verdict" record, or the
// report `auditwheel show` prints.
#include "base/diagnostics.hpp"
#include "graft/repair_plan.hpp"
#include "policy/policy.hpp"
#include "policy/show_report.hpp"
#include "policy/wheel_abi.hpp"
#include "protocol/options.hpp"
#include "protocol/records.hpp"

#include <unistd.h>

#include <climits>
#include <filesystem>
#include <iostream>

namespace {
const aw::OptionTable kOptions(
    "policy-check", "< RECORDS",
    "Decides which platform policies the wheel described on stdin (after elf-deps and elf-symvers) satisfies; "
    "passes the records on and appends a \"verdict\" record.",
    {{"policies", 0, 1, "DIR", "policy YAML files (default: ../share/auditwheel/policies beside this program)"},
     {"disable-isa-ext-check", 0, 0, "", "do not check the x86-64 ISA level"},
     {"format", 0, 1, "FORMAT", "records (default), show (text) or show-json"},
     {"allow-pure-python-wheel", 0, 0, "", "with show formats or --plat: a pure wheel is not an error"},
     {"verbose", 'v', 0, "", "with --format show: print past the early stops"},
     {"plat", 0, 1, "PLAT",
      "plan a repair to PLAT (auto, a policy name or an alias): also write \"retag\" and \"graft_plan\" records"},
     {"only-plat", 0, 0, "", "with --plat: do not add a wider tag the wheel is eligible for"},
     {"exclude", 0, 1, "PATTERN", "with --plat: never graft libraries whose soname or path matches (repeatable)"},
     {"no-update-tags", 0, 0, "", "with --plat: write no \"retag\" record"},
     {"strict-abi3", 0, 0, "",
      "with --plat: refuse an abi3 or abi3t wheel whose extensions use Python symbols outside the stable ABI or "
      "newer than its tag, or (abi3t) are not named *.abi3t.so (default: a warning)"},
     {"log", 0, 0, "",
      "print pypa auditwheel's INFO lines of the analysis on stderr (Excluding, Skip ... resolution, setting "
      "architecture to, setting libc to; with --plat: Wheel is eligible for a higher priority tag); its warnings "
      "are always printed"},
     {"list-platforms", 0, 0, "",
      "print the platforms of this machine's libc and architecture, one per line as pypa auditwheel's repair "
      "--help lists them (linux, then newest first), and exit"}});

std::string default_policies() {
    char self[PATH_MAX];
    ssize_t length = ::readlink("/proc/self/exe", self, sizeof self - 1);
    if (length <= 0) return "policies";
    std::filesystem::path bin = std::filesystem::path(std::string(self, static_cast<std::size_t>(length))).parent_path();
    return (bin.parent_path() / "share/auditwheel/policies").string();
}

int check_main(int argc, char** argv) {
    aw::CommandLine line = kOptions.parse_stage_arguments(argc, argv);
    std::string policies_dir = line.last("policies").value_or(default_policies());
    std::string format = line.last("format").value_or("records");
    aw::AnalysisOptions options;
    options.disable_isa_ext_check = line.has("disable-isa-ext-check");
    options.exclude = line.all("exclude");
    bool allow_pure = line.has("allow-pure-python-wheel"), verbose = line.has("verbose"),
         only_plat = line.has("only-plat"), update_tags = !line.has("no-update-tags"), log = line.has("log"),
         strict_abi3 = line.has("strict-abi3");
    std::optional<std::string> plat = line.last("plat");
    if (line.has("list-platforms")) {
        std::vector<aw::PlatformPolicy> platforms =
            aw::host_platforms(aw::load_policies(policies_dir, aw::host_architecture()));
        for (auto policy = platforms.rbegin(); policy != platforms.rend(); ++policy) {  // linux, newest, ..., oldest
            std::cout << policy->name;
            for (std::size_t i = 0; i < policy->aliases.size(); ++i)
                std::cout << (i == 0 ? " (aliased by " : ", ") << policy->aliases[i];
            std::cout << (policy->aliases.empty() ? "\n" : ")\n");
        }
        return aw::kExitOk;
    }
    if (format != "records" && format != "show" && format != "show-json")
        aw::fail_usage("--format must be records, show or show-json, not '{}'", format);

    if (plat && format != "records") aw::fail_usage("--plat plans a repair: it goes with --format records");
    if (plat) options.requested_base = aw::strip_architecture_suffix(*plat);
    options.host_musl_version = [found = std::optional<std::optional<std::string>>()]() mutable {
        if (!found) found = aw::host_musl_version();
        return *found;
    };
    aw::PreloadedPolicies policies(policies_dir, aw::host_architecture());
    std::vector<aw::Record> records = aw::RecordReader(std::cin).read_all();
    aw::AnalysisInput input = aw::read_analysis_input(records);
    aw::Verdict verdict = aw::analyze_wheel(
        input, [&](const std::string& architecture) { return policies.take(architecture); }, options);
    if (!verdict.error) verdict.abi3 = aw::abi3_report(input, policies_dir + "/stable-abi.yaml");
    for (const aw::LogLine& entry : verdict.log) {
        if (entry.warning) aw::warn("{}: {}", verdict.wheel, entry.text);
        else if (log) aw::print_log(entry.text);
    }

    if (format == "records") {
        // A repair of a wheel that is not a platform wheel fails, as in pypa auditwheel
        // (a pure wheel passes with --allow-pure-python-wheel, and gets no plan).
        if (plat && verdict.error && !(verdict.pure && allow_pure)) aw::fail("{}: {}", verdict.wheel, *verdict.error);
        if (plat && verdict.abi3 && verdict.abi3->violates()) {
            if (strict_abi3) aw::fail("{}: --strict-abi3: {}", verdict.wheel, aw::abi3_text(*verdict.abi3));
            aw::warn("{}: {}", verdict.wheel, aw::abi3_text(*verdict.abi3));
        }
        aw::RecordWriter out(std::cout);
        for (const aw::Record& record : records) out.pass_through(record);
        out.emit(aw::record_json(verdict));
        if (plat && !verdict.error) {
            aw::RepairPlan plan = aw::plan_repair(input, verdict, *plat, only_plat, options);
            if (log && plan.eligible)
                aw::print_log(fmt::format("Wheel is eligible for a higher priority tag. You requested {} but I have found "
                                          "this wheel is eligible for {}.", *plat, *plan.eligible));
            if (update_tags) out.emit(aw::record_json(aw::retag_of(plan)));
            out.emit(aw::record_json(aw::graft_plan_of(plan, verdict)));
        }
        out.flush();
        return plat && verdict.error ? aw::kExitPure : aw::kExitOk;
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
