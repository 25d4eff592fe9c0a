#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "base/diagnostics.hpp"
#include "policy/policy.hpp"
#include "protocol/records.hpp"

#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace fs = std::filesystem;
using Strings = std::vector<std::string>;

namespace {
// Tests run from the project root; the reference data sits beside it when present.
const std::string kReference = "../shared/reference";

boost::test_tools::assertion_result reference_present(boost::unit_test::test_unit_id) {
    boost::test_tools::assertion_result present = fs::is_directory(kReference);
    if (!present) present.message() << "skipped: " << kReference << " is absent";
    return present;
}

std::set<std::string> full_version_names(const std::map<std::string, std::set<std::string>>& namespaces) {
    std::set<std::string> names;
    for (const auto& [space, versions] : namespaces)
        for (const std::string& version : versions) names.insert(version.empty() ? space : space + "_" + version);
    return names;
}

std::string write_temp(const std::string& text) {
    std::string path = (fs::temp_directory_path() / "aw-policy-test.yaml").string();
    std::ofstream(path) << text;
    return path;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(policy)

BOOST_AUTO_TEST_CASE(yaml_holds_exactly_the_reference_facts, *boost::unit_test::precondition(&reference_present)) {
    for (const aw::PolicyFamily& family : aw::load_policies("policies")) {
        std::ifstream in(kReference + "/" + family.family + "-policy.json");
        aw::Json reference = aw::Json::parse(in);
        BOOST_REQUIRE_EQUAL(reference.size(), family.policies.size());
        for (std::size_t i = 0; i < reference.size(); ++i) {
            const aw::Json& theirs = reference[i];
            const aw::Policy& ours = family.policies[i];
            BOOST_TEST_CONTEXT(family.family << " " << ours.name) {
                BOOST_TEST(ours.name == theirs["name"].get<std::string>());
                BOOST_TEST(ours.aliases == theirs["aliases"].get<Strings>());
                BOOST_TEST(ours.priority == theirs["priority"].get<int>());
                BOOST_TEST(ours.whitelist == theirs["lib_whitelist"].get<Strings>());
                BOOST_TEST(ours.architectures.size() == theirs["symbol_versions"].size());
                for (const auto& [arch, prefixes] : theirs["symbol_versions"].items()) {
                    std::set<std::string> expected;
                    for (const auto& [prefix, versions] : prefixes.items())
                        for (const auto& version : versions) expected.insert(prefix + "_" + version.get<std::string>());
                    BOOST_REQUIRE(ours.architectures.count(arch));
                    BOOST_TEST(full_version_names(ours.architectures.at(arch)) == expected, arch);
                    // An empty list allows no version of its namespace (an absent one is not checked).
                    std::set<std::string> empty_theirs, empty_ours;
                    for (const auto& [prefix, versions] : prefixes.items())
                        if (versions.empty()) empty_theirs.insert(prefix);
                    for (const auto& [space, versions] : ours.architectures.at(arch))
                        if (versions.empty()) empty_ours.insert(space);
                    BOOST_TEST(empty_ours == empty_theirs, arch << ": namespaces with no version allowed");
                }
                BOOST_TEST(ours.blacklist.size() == theirs["blacklist"].size());
                for (const auto& [lib, symbols] : theirs["blacklist"].items()) {
                    auto list = symbols.get<Strings>();
                    BOOST_TEST(ours.blacklist.at(lib) == std::set<std::string>(list.begin(), list.end()), lib);
                }
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(platform_policies_are_named_and_ordered) {
    auto families = aw::load_policies("policies");
    auto manylinux = aw::policies_for(families[0], "aarch64");
    BOOST_TEST(manylinux.front().name == "manylinux_2_17_aarch64");
    BOOST_TEST(manylinux.front().aliases == Strings{"manylinux2014_aarch64"});
    BOOST_TEST(manylinux.back().name == "linux_aarch64");
    for (std::size_t i = 1; i < manylinux.size(); ++i) BOOST_TEST(manylinux[i - 1].priority > manylinux[i].priority);
    auto musl = aw::policies_for(families[1], "armv7l");
    BOOST_TEST(musl.front().whitelist.count("libc.musl-armv7.so.1") == 1u);
    BOOST_TEST(musl.front().whitelist.count("libc.so") == 0u);
    BOOST_TEST(aw::policies_for(families[2], "aarch64").front().name == "android_21_arm64_v8a");
    BOOST_TEST(aw::policies_for(families[0], "mips64").size() == 1u);  // only linux
}

BOOST_AUTO_TEST_CASE(musl_wheels_are_judged_by_the_host_musl_policy_or_the_newest) {
    auto families = aw::load_policies("policies");
    auto all = aw::policies_for(families[1], "x86_64");
    BOOST_REQUIRE(all.size() >= 3u);  // musllinux_1_1, musllinux_1_2, linux
    auto names = [](const std::vector<aw::PlatformPolicy>& policies) {
        Strings list;
        for (const auto& policy : policies) list.push_back(policy.name);
        return list;
    };
    std::vector<std::string> warnings;
    BOOST_TEST(names(aw::musl_policies_for_host(all, std::string("1.1.24"), warnings)) ==
               (Strings{"musllinux_1_1_x86_64", "linux_x86_64"}));
    BOOST_TEST(warnings.empty());
    BOOST_TEST(names(aw::musl_policies_for_host(all, std::nullopt, warnings)) == (Strings{all[all.size() - 2].name, "linux_x86_64"}));
    BOOST_TEST(warnings == Strings{"can't determine musl libc version, latest known version will be used."});
    warnings.clear();
    aw::musl_policies_for_host(all, std::string("9.9.9"), warnings);
    BOOST_TEST(warnings.size() == 1u);
}

BOOST_AUTO_TEST_CASE(android_wheels_are_judged_by_their_tag_level) {
    auto families = aw::load_policies("policies");
    auto all = aw::policies_for(families[2], "aarch64");
    auto picked = aw::android_policies_for_tag(all, {"android_25_arm64_v8a"}, "w.whl");
    BOOST_REQUIRE(picked.size() == 2u);
    BOOST_TEST(picked[0].name == "android_25_arm64_v8a");  // android_24's rules, the wheel's name
    BOOST_TEST(picked[0].priority == 76);
    BOOST_TEST(picked[1].name == "linux_aarch64");  // pypa auditwheel's fallback name
    BOOST_CHECK_THROW(aw::android_policies_for_tag(all, {"android_19_arm64_v8a"}, "w.whl"), aw::Error);
    BOOST_CHECK_THROW(aw::android_policies_for_tag(all, {"android_24_arm64_v8a", "android_26_arm64_v8a"}, "w.whl"),
                      aw::Error);
}

BOOST_AUTO_TEST_CASE(musl_reports_its_version_when_run) {
    const char* loader = "/lib/ld-musl-x86_64.so.1";  // Debian's musl package (make deps installs it)
    if (::access(loader, X_OK) != 0) {
        BOOST_TEST_MESSAGE("skipped: no " << loader);
        return;
    }
    std::optional<std::string> version = aw::musl_version_of(loader);
    BOOST_REQUIRE(version.has_value());
    BOOST_TEST(version->starts_with("1."));
    BOOST_TEST(!aw::musl_version_of("/bin/true").has_value());
    BOOST_TEST(!aw::musl_version_of("/nonexistent").has_value());
}

BOOST_AUTO_TEST_CASE(refuses_policies_that_break_pep_600) {
    std::string path = write_temp(
        "family: manylinux\nlibc: glibc\npolicies:\n"
        "  - {name: old, aliases: [], priority: 90, architectures: {x86_64: {GLIBC: ['2.5']}}, whitelist: [a.so], blacklist: {}}\n"
        "  - {name: new, aliases: [], priority: 80, architectures: {x86_64: {GLIBC: ['2.17']}}, whitelist: [a.so], blacklist: {}}\n");
    BOOST_CHECK_EXCEPTION(aw::load_policy_file(path), aw::Error, [&](const aw::Error& e) {
        return std::string(e.what()) == path + ": policy new (x86_64) does not allow GLIBC_2.5, which the older old does";
    });
    path = write_temp("family: manylinux\nlibc: glibc\npolicies:\n  - {name: x, priority: 1}\n");
    BOOST_CHECK_EXCEPTION(aw::load_policy_file(path), aw::Error, [&](const aw::Error& e) {
        return std::string(e.what()) == path + ": policy x: missing \"aliases\"";
    });
    path = write_temp("family: [unclosed\n");
    BOOST_CHECK_THROW(aw::load_policy_file(path), aw::Error);
    fs::remove(path);
}

// The split a build writes for each architecture judges exactly as the full file does, and a
// split the full file no longer matches is not used.
BOOST_AUTO_TEST_CASE(architecture_splits_hold_the_full_files_policies_and_stale_ones_are_ignored) {
    const fs::path directory = fs::temp_directory_path() / ("aw-policy-split-" + std::to_string(::getpid()));
    fs::remove_all(directory);
    fs::create_directories(directory / "by-architecture");
    for (const char* stem : aw::kPolicyFamilyFiles) fs::copy_file(fmt::format("policies/{}.yaml", stem), directory / (std::string(stem) + ".yaml"));
    const std::vector<aw::PolicyFamily> full = aw::load_policies(directory.string());
    for (const aw::PolicyFamily& family : full) {
        const std::string stem = family.family;
        for (const std::string& architecture : aw::policy_architectures(family))
            std::ofstream(aw::architecture_split_path(directory.string(), stem, architecture))
                << aw::architecture_split(family, (directory / (stem + ".yaml")).string(), architecture);
    }
    for (std::size_t f = 0; f < full.size(); ++f)
        for (const std::string& architecture : aw::policy_architectures(full[f])) {
            std::vector<aw::PolicyFamily> split = aw::load_policies(directory.string(), architecture);
            BOOST_TEST((aw::policies_for(split[f], architecture) == aw::policies_for(full[f], architecture)),
                       full[f].family << " " << architecture);
            BOOST_TEST(aw::policy_architectures(split[f]).size() <= 1u);
        }
    // An edited full file: its old split is not used.
    std::ofstream(directory / "manylinux.yaml", std::ios::app) << "# edited\n";
    BOOST_TEST(aw::policy_architectures(aw::load_policies(directory.string(), "x86_64")[0]).size() > 1u);
    fs::remove_all(directory);
}

// What policy-check loads ahead is what it would have loaded when the wheel came, and a failure
// to load waits for the caller that needs the policies.
BOOST_AUTO_TEST_CASE(preloaded_policies_are_the_loaded_ones_and_keep_their_failure) {
    const fs::path directory = fs::temp_directory_path() / ("aw-policy-preload-" + std::to_string(::getpid()));
    fs::remove_all(directory);
    fs::create_directories(directory);
    for (const char* stem : aw::kPolicyFamilyFiles) fs::copy_file(fmt::format("policies/{}.yaml", stem), directory / (std::string(stem) + ".yaml"));
    aw::PreloadedPolicies preloaded(directory.string(), "x86_64");
    for (const char* architecture : {"x86_64", "aarch64", "x86_64"}) {  // the second x86_64 is loaded afresh
        std::vector<aw::PolicyFamily> taken = preloaded.take(architecture), loaded = aw::load_policies(directory.string(), architecture);
        BOOST_REQUIRE_EQUAL(taken.size(), loaded.size());
        for (std::size_t f = 0; f < taken.size(); ++f)
            BOOST_TEST((aw::policies_for(taken[f], architecture) == aw::policies_for(loaded[f], architecture)), architecture);
    }
    std::ofstream(directory / "manylinux.yaml", std::ios::app) << "policies: [unclosed\n";
    aw::PreloadedPolicies broken(directory.string(), "x86_64");  // does not throw yet
    BOOST_CHECK_THROW(broken.take("x86_64"), aw::Error);
    BOOST_CHECK_THROW(broken.take("aarch64"), aw::Error);
    fs::remove_all(directory);
}

BOOST_AUTO_TEST_SUITE_END()
