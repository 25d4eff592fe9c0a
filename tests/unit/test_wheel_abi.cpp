#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "base/diagnostics.hpp"
#include "graft/repair_plan.hpp"
#include "policy/policy.hpp"
#include "policy/wheel_abi.hpp"

#include <elf.h>
#include <fmt/ranges.h>

#include <map>
#include <set>
#include <string>
#include <vector>

using Strings = std::vector<std::string>;

namespace {
std::vector<aw::PolicyFamily> families(const std::string& = {}) {
    static const std::vector<aw::PolicyFamily> loaded = aw::load_policies("policies");  // tests run from the project root
    return loaded;
}

// An x86_64 glibc Python extension needing `needed`, each found outside the wheel.
aw::ElfMember extension(const std::string& path, const Strings& needed) {
    aw::ElfMember elf;
    elf.path = path;
    elf.elf_class = 64;
    elf.byte_order = aw::ByteOrder::little;
    elf.e_machine = EM_X86_64;
    elf.libc = "glibc";
    elf.python_extension = true;
    elf.needed = needed;
    for (const std::string& name : needed) elf.libraries[name].realpath = "/usr/lib/x86_64-linux-gnu/" + name;
    return elf;
}

// An x86_64 program linked statically: it needs no library, so it tells no libc.
aw::ElfMember static_program(const std::string& path) {
    aw::ElfMember elf = extension(path, {});
    elf.libc.reset();
    elf.python_extension = false;
    return elf;
}

aw::AnalysisInput wheel_of(std::vector<aw::ElfMember> elfs, const Strings& platform_tags = {"linux_x86_64"}) {
    aw::AnalysisInput input;
    input.wheel = fmt::format("spam-1.0-cp311-cp311-{}.whl", fmt::join(platform_tags, "."));
    input.platform_tags = platform_tags;
    input.elfs = std::move(elfs);
    return input;
}

aw::Verdict analyze(const aw::AnalysisInput& input, const aw::AnalysisOptions& options = {}) {
    return aw::analyze_wheel(input, families, options);
}

// The log as pypa auditwheel prints it: "WARNING: ..." or "INFO: ...", in its order.
Strings printed(const std::vector<aw::LogLine>& log) {
    Strings lines;
    for (const aw::LogLine& line : log) lines.push_back((line.warning ? "WARNING: " : "INFO: ") + line.text);
    return lines;
}

const aw::PolicyFinding& finding_for(const aw::Verdict& verdict, const std::string& policy) {
    std::size_t p = aw::policy_index(verdict, policy);
    BOOST_REQUIRE_MESSAGE(verdict.policies[p].name == policy, "no policy " << policy << " in the verdict");
    return verdict.findings[p];
}

// The analysis and the repair plan of `input` for `plat`, as policy-check --plat runs them.
aw::RepairPlan plan(const aw::AnalysisInput& input, const std::string& plat) {
    aw::AnalysisOptions options;
    options.requested_base = aw::strip_architecture_suffix(plat);
    return aw::plan_repair(input, aw::analyze_wheel(input, families, options), plat, false, options);
}

// A predicate for BOOST_CHECK_EXCEPTION: the error's exit status, and text its message must hold.
auto refusal(int exit_code, const std::string& text) {
    return [=](const aw::Error& error) {
        BOOST_TEST(error.exit_code() == exit_code, error.what());
        BOOST_TEST(std::string(error.what()).find(text) != std::string::npos, error.what());
        return true;  // the checks above say what differs
    };
}
}  // namespace

BOOST_AUTO_TEST_SUITE(wheel_abi)

BOOST_AUTO_TEST_CASE(tags_tell_architecture_and_libc) {
    std::vector<aw::LogLine> log;
    aw::DetectedFromTags detected = aw::detect_from_tags({"manylinux_2_17_x86_64", "manylinux2014_x86_64"}, "w.whl", log);
    BOOST_TEST(detected.architecture.value_or("none") == "x86_64");
    BOOST_TEST(detected.libc.value_or("none") == "glibc");
    BOOST_TEST(!detected.pure);
    BOOST_TEST(log.empty());

    detected = aw::detect_from_tags({"android_24_arm64_v8a"}, "w.whl", log);
    BOOST_TEST(detected.architecture.value_or("none") == "aarch64");
    BOOST_TEST(detected.libc.value_or("none") == "android");

    detected = aw::detect_from_tags({"any"}, "w.whl", log);
    BOOST_TEST(detected.pure);
    BOOST_TEST(!detected.architecture.has_value());
    BOOST_TEST(printed(log) == Strings{"WARNING: The architecture could not be deduced from the wheel filename"});

    log.clear();
    detected = aw::detect_from_tags({"weird"}, "w.whl", log);
    BOOST_TEST(!detected.pure);
    BOOST_TEST(printed(log) == (Strings{"WARNING: couldn't guess architecture for platform tag 'weird'",
                                        "WARNING: The architecture could not be deduced from the wheel filename"}));

    BOOST_CHECK_EXCEPTION(aw::detect_from_tags({"linux_x86_64", "linux_aarch64"}, "w.whl", log), aw::Error,
                          refusal(aw::kExitError, "w.whl: wheels with multiple architectures are not supported"));
}

BOOST_AUTO_TEST_CASE(tags_of_two_libcs_tell_none) {
    std::vector<aw::LogLine> log;
    aw::DetectedFromTags detected =
        aw::detect_from_tags({"manylinux_2_5_x86_64", "manylinux1_x86_64", "musllinux_1_1_x86_64"}, "w.whl", log);
    BOOST_TEST(detected.architecture.value_or("none") == "x86_64");
    BOOST_TEST(!detected.libc.has_value());
    BOOST_TEST(log.empty());
}

BOOST_AUTO_TEST_CASE(whitelisted_libraries_only_get_the_oldest_tag) {
    aw::ElfMember elf = extension("spam/_core.so", {"libc.so.6", "libm.so.6"});
    elf.versions["libc.so.6"]["GLIBC_2.2.5"] = {"malloc"};
    aw::Verdict verdict = analyze(wheel_of({elf}));
    BOOST_TEST(!verdict.error.has_value());
    BOOST_TEST(verdict.architecture == "x86_64");
    BOOST_TEST(verdict.libc == "glibc");
    BOOST_TEST(verdict.policies.front().name == "manylinux_2_5_x86_64");
    BOOST_TEST(verdict.policies.back().name == "linux_x86_64");
    BOOST_TEST(verdict.overall_tag == "manylinux_2_5_x86_64");
    BOOST_TEST(verdict.sym_tag == "manylinux_2_5_x86_64");
    BOOST_TEST(verdict.ref_tag == "manylinux_2_5_x86_64");
    BOOST_TEST(verdict.graft_tag == "manylinux_2_5_x86_64");
    BOOST_TEST(verdict.findings.front().external.empty());
    BOOST_TEST(verdict.versioned_symbols.at("libc.so.6") == std::set<std::string>{"GLIBC_2.2.5"});
    BOOST_TEST(verdict.accepted == Strings{"spam/_core.so"});
    BOOST_TEST(printed(verdict.log) == Strings{"INFO: setting libc to glibc"});
    BOOST_TEST(!verdict.no_libc_tag.has_value());
}

BOOST_AUTO_TEST_CASE(too_new_glibc_lowers_sym_tag_and_names_the_symbol) {
    aw::ElfMember elf = extension("spam/_core.so", {"libc.so.6"});
    elf.versions["libc.so.6"]["GLIBC_2.2.5"] = {"malloc"};
    elf.versions["libc.so.6"]["GLIBC_2.17"] = {"clock_gettime"};
    aw::Verdict verdict = analyze(wheel_of({elf}));
    BOOST_TEST(verdict.sym_tag == "manylinux_2_17_x86_64");
    BOOST_TEST(verdict.overall_tag == "manylinux_2_17_x86_64");
    const aw::PolicyFinding& older = finding_for(verdict, "manylinux_2_12_x86_64");
    BOOST_TEST(!older.symbols_ok);
    BOOST_TEST(older.too_new ==
               Strings{"spam/_core.so needs clock_gettime@GLIBC_2.17 (manylinux_2_12_x86_64 allows GLIBC up to 2.12)"});
    BOOST_TEST(finding_for(verdict, "manylinux_2_17_x86_64").symbols_ok);
    BOOST_TEST(finding_for(verdict, "manylinux_2_17_x86_64").too_new.empty());
    BOOST_TEST(verdict.versioned_symbols.at("libc.so.6") == (std::set<std::string>{"GLIBC_2.17", "GLIBC_2.2.5"}));
}

BOOST_AUTO_TEST_CASE(an_external_library_keeps_the_overall_tag_at_linux) {
    aw::ElfMember elf = extension("spam/_core.so", {"libc.so.6", "libfoo.so.1"});
    elf.libraries["libfoo.so.1"].needed = {"libbar.so.2"};  // libbar: not found
    aw::Verdict verdict = analyze(wheel_of({elf}));
    BOOST_TEST(verdict.overall_tag == "linux_x86_64");
    BOOST_TEST(verdict.ref_tag == "linux_x86_64");
    BOOST_TEST(verdict.sym_tag == "manylinux_2_5_x86_64");
    BOOST_TEST(verdict.graft_tag == "manylinux_2_5_x86_64");  // a repair grafts it
    const auto& external = verdict.findings.front().external;
    BOOST_TEST(external.size() == 2u);
    BOOST_TEST(external.at("libfoo.so.1").value_or("none") == "/usr/lib/x86_64-linux-gnu/libfoo.so.1");
    BOOST_TEST(!external.at("libbar.so.2").has_value());
    BOOST_TEST(verdict.findings.back().external.empty());  // linux asks nothing
}

BOOST_AUTO_TEST_CASE(what_a_policy_would_graft_counts_for_its_symbols_and_isa) {
    aw::ElfMember elf = extension("spam/_core.so", {"libc.so.6", "libexpat.so.1"});
    elf.versions["libc.so.6"]["GLIBC_2.2.5"] = {"malloc"};
    aw::AnalysisInput input = wheel_of({elf});
    aw::LibraryFacts& expat = input.libraries["/usr/lib/x86_64-linux-gnu/libexpat.so.1"];
    expat.versions["libc.so.6"]["GLIBC_2.14"] = {"memcpy"};
    expat.x86_isa_needed = 1u << 1;  // x86-64-v2
    aw::Verdict verdict = analyze(input);
    // manylinux_2_5 would graft libexpat and its glibc 2.14; manylinux_2_12 whitelists it.
    BOOST_TEST(verdict.sym_tag == "manylinux_2_12_x86_64");
    BOOST_TEST(finding_for(verdict, "manylinux_2_5_x86_64").too_new ==
               Strings{"libexpat.so.1 (grafted) needs memcpy@GLIBC_2.14 (manylinux_2_5_x86_64 allows GLIBC up to 2.5)"});
    BOOST_TEST(verdict.versioned_symbols.at("libc.so.6") == std::set<std::string>{"GLIBC_2.2.5"});
    BOOST_TEST(verdict.machine_tag == "manylinux_2_12_x86_64");  // a whitelisted library's ISA caps, not fails
    BOOST_TEST(!verdict.unsupported_isa);
    BOOST_TEST(verdict.overall_tag == "manylinux_2_12_x86_64");
    BOOST_TEST(verdict.graft_tag == "manylinux_2_12_x86_64");
}

BOOST_AUTO_TEST_CASE(a_library_in_the_wheel_is_not_external_nor_top_level) {
    aw::ElfMember elf = extension("spam/_core.so", {"libc.so.6", "libfoo.so.1"});
    elf.libraries["libfoo.so.1"] = aw::TreeLibrary{"/tmp/wheel/spam/libfoo.so.1", {"libc.so.6"}, true};
    aw::ElfMember library = extension("spam/libfoo.so.1", {"libc.so.6"});
    library.python_extension = false;
    library.x86_isa_needed = 1u << 2;  // x86-64-v3, which only a top-level file would be judged by
    aw::Verdict verdict = analyze(wheel_of({elf, library}));
    BOOST_TEST(verdict.overall_tag == "manylinux_2_5_x86_64");
    BOOST_TEST(verdict.machine_tag == "manylinux_2_5_x86_64");
    BOOST_TEST(verdict.accepted == (Strings{"spam/_core.so", "spam/libfoo.so.1"}));
}

BOOST_AUTO_TEST_CASE(a_member_of_another_architecture_is_ignored_with_pypas_warning) {
    aw::ElfMember arm = extension("spam/_arm.so", {"libc.so.6"});
    arm.e_machine = EM_AARCH64;
    aw::Verdict verdict = analyze(wheel_of({extension("spam/_core.so", {"libc.so.6"}), arm}));
    BOOST_TEST(!verdict.error.has_value());
    BOOST_TEST(verdict.accepted == Strings{"spam/_core.so"});
    BOOST_TEST(printed(verdict.log) ==
               (Strings{"INFO: setting libc to glibc", "WARNING: ignoring: spam/_arm.so with aarch64 architecture"}));

    verdict = analyze(wheel_of({arm}));
    BOOST_TEST(verdict.error.value_or("") ==
               "Invalid binary wheel: no ELF executable or shared library file (including compiled Python C extension) "
               "with a 'x86_64' architecture found. The following ELF files were found: spam/_arm.so");
    BOOST_TEST(!verdict.pure);
}

BOOST_AUTO_TEST_CASE(the_first_member_sets_the_architecture_the_name_does_not_tell) {
    aw::ElfMember arm = extension("spam/_arm.so", {"libc.so.6"});
    arm.e_machine = EM_AARCH64;
    aw::Verdict verdict = analyze(wheel_of({arm, extension("spam/_core.so", {"libc.so.6"})}, {"weird"}));
    BOOST_TEST(verdict.architecture == "aarch64");
    BOOST_TEST(verdict.overall_tag == "manylinux_2_17_aarch64");
    BOOST_TEST(printed(verdict.log) == (Strings{"WARNING: couldn't guess architecture for platform tag 'weird'",
                                                "WARNING: The architecture could not be deduced from the wheel filename",
                                                "INFO: setting architecture to aarch64", "INFO: setting libc to glibc",
                                                "WARNING: ignoring: spam/_core.so with x86_64 architecture"}));
}

BOOST_AUTO_TEST_CASE(the_libc_of_the_tags_wins_over_the_members) {
    aw::ElfMember musl = extension("spam/_musl.so", {"libc.musl-x86_64.so.1"});
    musl.libc = "musl";
    aw::Verdict verdict = analyze(wheel_of({extension("spam/_core.so", {"libc.so.6"}), musl}, {"manylinux_2_17_x86_64"}));
    BOOST_TEST(verdict.libc == "glibc");
    BOOST_TEST(verdict.family == "manylinux");
    BOOST_TEST(verdict.accepted == Strings{"spam/_core.so"});
    BOOST_TEST(printed(verdict.log) == Strings{"WARNING: ignoring: spam/_musl.so with musl libc"});
}

BOOST_AUTO_TEST_CASE(without_a_libc_tag_the_first_member_tells_it) {
    aw::ElfMember musl = extension("spam/_musl.so", {"libc.musl-x86_64.so.1"});
    musl.libc = "musl";
    aw::AnalysisOptions options;
    options.host_musl_version = [] { return std::optional<std::string>("1.2.4"); };  // judged by musllinux_1_2, as on a musl 1.2 host
    aw::Verdict verdict = analyze(wheel_of({musl, extension("spam/_core.so", {"libc.so.6"})}), options);
    BOOST_TEST(verdict.libc == "musl");
    BOOST_TEST(verdict.family == "musllinux");
    BOOST_TEST(verdict.policies.size() == 2u);
    BOOST_TEST(verdict.overall_tag == "musllinux_1_2_x86_64");
    BOOST_TEST(verdict.accepted == Strings{"spam/_musl.so"});
    BOOST_TEST(printed(verdict.log) ==
               (Strings{"INFO: setting libc to musl", "WARNING: ignoring: spam/_core.so with glibc libc"}));

    options.requested_base = "musllinux_1_2";  // a --plat of a family sets the libc before: no INFO line
    verdict = analyze(wheel_of({musl}), options);
    BOOST_TEST(printed(verdict.log).empty());
}

// Finding the host's musl runs its libc: only the wheels whose analysis needs it ask.
BOOST_AUTO_TEST_CASE(only_musl_wheels_and_wheels_of_no_known_libc_ask_for_the_host_musl) {
    int asked = 0;
    aw::AnalysisOptions options;
    options.host_musl_version = [&] {
        ++asked;
        return std::optional<std::string>("1.2.4");
    };
    analyze(wheel_of({extension("spam/_core.so", {"libc.so.6"})}), options);
    BOOST_TEST(asked == 0);
    aw::ElfMember musl = extension("spam/_musl.so", {"libc.musl-x86_64.so.1"});
    musl.libc = "musl";
    BOOST_TEST(analyze(wheel_of({musl}), options).overall_tag == "musllinux_1_2_x86_64");
    BOOST_TEST(asked > 0);
    asked = 0;
    BOOST_TEST(analyze(wheel_of({static_program("spam/bin/tool")}), options).libc == "musl");
    BOOST_TEST(asked > 0);
}

BOOST_AUTO_TEST_CASE(an_unknown_host_musl_is_warned_where_the_libc_became_known) {
    aw::ElfMember musl = extension("spam/_musl.so", {"libc.musl-x86_64.so.1"});
    musl.libc = "musl";
    aw::ElfMember arm = musl;
    arm.path = "spam/_arm.so";
    arm.e_machine = EM_AARCH64;
    aw::Verdict verdict = analyze(wheel_of({musl, arm}));  // host_musl_version unknown: a glibc host
    BOOST_TEST(verdict.overall_tag == verdict.policies.front().name);
    BOOST_TEST(printed(verdict.log) ==
               (Strings{"INFO: setting libc to musl",
                        "WARNING: can't determine musl libc version, latest known version will be used.",
                        "WARNING: ignoring: spam/_arm.so with aarch64 architecture"}));
}

BOOST_AUTO_TEST_CASE(static_members_under_two_libc_tags_fit_the_other_family_too) {
    const Strings tags{"manylinux_2_5_x86_64", "manylinux1_x86_64", "musllinux_1_1_x86_64"};
    aw::Verdict verdict = analyze(wheel_of({static_program("spam/bin/tool")}, tags));
    BOOST_TEST(verdict.libc == "glibc");
    BOOST_TEST(verdict.overall_tag == "manylinux_2_5_x86_64");
    BOOST_TEST(verdict.no_libc_tag.value_or("none") == "musllinux_1_1_x86_64");
    BOOST_TEST(printed(verdict.log) == Strings{"WARNING: couldn't detect wheel libc, defaulting to glibc"});

    aw::AnalysisOptions on_musl;
    on_musl.host_musl_version = [] { return std::optional<std::string>("1.1.24"); };
    verdict = analyze(wheel_of({static_program("spam/bin/tool")}, tags), on_musl);
    BOOST_TEST(verdict.libc == "musl");
    BOOST_TEST(verdict.overall_tag == "musllinux_1_1_x86_64");
    BOOST_TEST(verdict.no_libc_tag.value_or("none") == "manylinux_2_5_x86_64");

    aw::ElfMember linked = static_program("spam/bin/linked");
    linked.needed = {"libz.so.1"};  // a DT_NEEDED entry: not static, no other family
    verdict = analyze(wheel_of({static_program("spam/bin/tool"), linked}, tags));
    BOOST_TEST(verdict.libc == "glibc");
    BOOST_TEST(!verdict.no_libc_tag.has_value());
}

BOOST_AUTO_TEST_CASE(refusals_of_the_analysis) {
    aw::ElfMember unknown_libc = extension("spam/_core.so", {"libc.so.6"});
    unknown_libc.libc.reset();
    BOOST_CHECK_EXCEPTION(analyze(wheel_of({unknown_libc})), aw::Error,
                          refusal(aw::kExitError, "couldn't detect libc for python extension spam/_core.so"));
    BOOST_CHECK_EXCEPTION(analyze(wheel_of({extension("spam-1.0.data/purelib/spam/_core.so", {"libc.so.6"})})), aw::Error,
                          refusal(aw::kExitError, "ELF files in the purelib folder: spam-1.0.data/purelib/spam/_core.so;"));
}

BOOST_AUTO_TEST_CASE(no_member_left_is_not_a_platform_wheel) {
    aw::AnalysisInput input = wheel_of({}, {"any"});
    aw::Verdict verdict = analyze(input);
    BOOST_TEST(verdict.pure);
    BOOST_TEST(verdict.error.value_or("").starts_with("This does not look like a platform wheel"));

    input.unreadable = {"spam/_bad.so: truncated ELF header"};
    verdict = analyze(input);
    BOOST_TEST(verdict.error.value_or("").ends_with(
        "; these members look like ELF files but could not be read: spam/_bad.so: truncated ELF header"));
}

BOOST_AUTO_TEST_CASE(isa_and_old_python_abis_give_linux) {
    aw::ElfMember elf = extension("spam/_core.so", {"libc.so.6"});
    elf.x86_isa_needed = 1u << 2;
    aw::Verdict verdict = analyze(wheel_of({elf}));
    BOOST_TEST(verdict.unsupported_isa);
    BOOST_TEST(verdict.machine_tag == "linux_x86_64");
    BOOST_TEST(verdict.overall_tag == "linux_x86_64");
    BOOST_TEST(printed(verdict.log).back() ==
               "WARNING: ELF file spam/_core.so requires 'x86_64_v3' instruction set, not in 'x86_64'");

    aw::AnalysisOptions unchecked;
    unchecked.disable_isa_ext_check = true;
    BOOST_TEST(analyze(wheel_of({elf}), unchecked).overall_tag == "manylinux_2_5_x86_64");

    aw::ElfMember ucs2 = extension("spam/_core.so", {"libc.so.6"});
    ucs2.ucs2 = true;
    verdict = analyze(wheel_of({ucs2}));
    BOOST_TEST(verdict.ucs2);
    BOOST_TEST(verdict.overall_tag == "linux_x86_64");
    BOOST_TEST(verdict.sym_tag == "manylinux_2_5_x86_64");
}

BOOST_AUTO_TEST_CASE(repair_refuses_too_new_symbols_naming_them) {
    aw::ElfMember elf = extension("spam/_core.so", {"libc.so.6"});
    elf.versions["libc.so.6"]["GLIBC_2.17"] = {"clock_gettime"};
    BOOST_CHECK_EXCEPTION(plan(wheel_of({elf}), "manylinux_2_5_x86_64"), aw::Error,
                          refusal(aw::kExitRefused, "to \"manylinux_2_5_x86_64\" ABI because of the presence of too-recent "
                                                  "versioned symbols: spam/_core.so needs clock_gettime@GLIBC_2.17"));
    BOOST_TEST(plan(wheel_of({elf}), "auto").abis.front() == "manylinux_2_17_x86_64");
}

BOOST_AUTO_TEST_CASE(repair_refuses_blacklisted_symbols_isa_and_other_platforms) {
    aw::ElfMember elf = extension("spam/_core.so", {"libc.so.6"});
    elf.undefined = {"__cxa_thread_atexit_impl", "malloc"};
    aw::AnalysisInput input = wheel_of({elf});
    BOOST_TEST(analyze(input).blacklist_tag == "manylinux_2_24_x86_64");
    BOOST_CHECK_EXCEPTION(plan(input, "manylinux_2_17_x86_64"), aw::Error,
                          refusal(aw::kExitRefused, "it depends on black-listed symbols (libc.so.6: __cxa_thread_atexit_impl)."));
    BOOST_TEST(plan(input, "manylinux_2_24_x86_64").abis == Strings{"manylinux_2_24_x86_64"});

    aw::ElfMember v3 = extension("spam/_core.so", {"libc.so.6"});
    v3.x86_isa_needed = 1u << 2;
    BOOST_CHECK_EXCEPTION(plan(wheel_of({v3}), "manylinux_2_28_x86_64"), aw::Error,
                          refusal(aw::kExitRefused, "it depends on unsupported ISA extensions."));

    BOOST_CHECK_EXCEPTION(plan(input, "manylinux_1_99_x86_64"), aw::Error,
                          refusal(aw::kExitUsage, "invalid --plat \"manylinux_1_99_x86_64\" for a glibc x86_64 wheel"));
    BOOST_CHECK_EXCEPTION(plan(input, "manylinux_2_17_aarch64"), aw::Error,
                          refusal(aw::kExitUsage, "with x86_64 architecture to a wheel targeting aarch64"));
}

BOOST_AUTO_TEST_CASE(graft_plan_names_the_libraries_of_each_member) {
    aw::ElfMember core = extension("spam/_core.so", {"libc.so.6", "libfoo.so.1", "libpython3.11.so.1.0"});
    core.libraries["libfoo.so.1"].needed = {"libbar.so.2"};
    core.libraries["libbar.so.2"].realpath = "/opt/lib/libbar.so.2.0";
    aw::ElfMember other = extension("spam/_other.so", {"libbar.so.2"});
    other.libraries["libbar.so.2"].realpath = "/opt/lib/libbar.so.2.0";
    aw::AnalysisInput input = wheel_of({core, other});

    aw::RepairPlan repair = plan(input, "auto");
    BOOST_TEST(repair.abis == (Strings{"manylinux_2_5_x86_64", "manylinux1_x86_64"}));
    BOOST_TEST(repair.replace_platforms == Strings{"linux_x86_64"});
    BOOST_TEST((repair.libraries == std::map<std::string, std::string>{{"libbar.so.2", "/opt/lib/libbar.so.2.0"},
                                                                       {"libfoo.so.1", "/usr/lib/x86_64-linux-gnu/libfoo.so.1"}}));
    BOOST_REQUIRE(repair.members.size() == 2u);
    BOOST_TEST(repair.members[0].first == "spam/_core.so");
    BOOST_TEST(repair.members[0].second == (Strings{"libbar.so.2", "libfoo.so.1"}));
    BOOST_TEST(repair.members[1].first == "spam/_other.so");
    BOOST_TEST(repair.members[1].second == Strings{"libbar.so.2"});
    BOOST_REQUIRE(repair.remove_needed.size() == 1u);
    BOOST_TEST(repair.remove_needed[0].second == Strings{"libpython3.11.so.1.0"});

    aw::Json record = aw::record_json(aw::graft_plan_of(repair, analyze(input)));
    BOOST_TEST(record["kind"].get<std::string>() == "graft_plan");
    BOOST_TEST(record["policy"].get<std::string>() == "manylinux_2_5_x86_64");
    BOOST_TEST(record["libraries"].size() == 2u);
    BOOST_TEST(aw::retag_of(repair).remove == Strings{"linux_x86_64"});
}

BOOST_AUTO_TEST_CASE(graft_plan_for_a_requested_newer_tag_adds_the_eligible_one) {
    aw::AnalysisInput input = wheel_of({extension("spam/_core.so", {"libc.so.6"})});
    aw::RepairPlan repair = plan(input, "manylinux_2_17_x86_64");
    BOOST_TEST(repair.eligible.value_or("none") == "manylinux_2_5_x86_64");
    BOOST_TEST(repair.abis ==
               (Strings{"manylinux_2_5_x86_64", "manylinux1_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64"}));
}

BOOST_AUTO_TEST_CASE(a_library_to_graft_that_was_not_found_fails_the_repair) {
    aw::ElfMember elf = extension("spam/_core.so", {"libc.so.6", "libgone.so.1"});
    elf.libraries.erase("libgone.so.1");
    BOOST_CHECK_EXCEPTION(plan(wheel_of({elf}), "auto"), aw::Error,
                          refusal(aw::kExitError, "because required library \"libgone.so.1\" could not be located"));
}

BOOST_AUTO_TEST_SUITE_END()
