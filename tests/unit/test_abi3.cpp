#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "policy/abi3.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>

using Strings = std::vector<std::string>;

BOOST_AUTO_TEST_SUITE(abi3)

BOOST_AUTO_TEST_CASE(the_promise_is_the_abi_tags_and_the_lowest_cpython_tag) {
    auto promise = [](const Strings& python, const Strings& abi) {
        std::optional<aw::StableAbiPromise> found = aw::stable_abi_promise(python, abi);
        return found ? found->tag + " " + found->minimum : std::string("none");
    };
    BOOST_TEST(promise({"cp38"}, {"abi3"}) == "abi3 3.8");
    BOOST_TEST(promise({"cp310", "cp39"}, {"abi3"}) == "abi3 3.9");
    BOOST_TEST(promise({"cp315"}, {"abi3", "abi3t"}) == "abi3.abi3t 3.15");
    BOOST_TEST(promise({"cp315"}, {"abi3t"}) == "abi3t 3.15");
    BOOST_TEST(promise({"cp311"}, {"cp311"}) == "none");
    BOOST_TEST(promise({"py3"}, {"abi3"}) == "none");
    BOOST_TEST(promise({"cp3x"}, {"abi3"}) == "none");
    BOOST_TEST(!aw::stable_abi_promise({"cp315"}, {"abi3"})->abi3t());
}

BOOST_AUTO_TEST_CASE(free_threaded_cpython_imports_only_abi3t_names) {
    for (const char* name : {"pkg/_x.abi3t.so", "_x.abi3t-x86_64-linux-gnu.so", "_x.abi3t-aarch64-linux-musl.so"})
        BOOST_TEST(aw::has_abi3t_suffix(name), name);
    for (const char* name : {"pkg/_x.abi3.so", "_x.cpython-315t-x86_64-linux-gnu.so", "_x.so", ".abi3t.so",
                             "_x.abi3tx.so", "_x.abi3t.so.1", "pkg.abi3t/_x.so"})
        BOOST_TEST(!aw::has_abi3t_suffix(name), name);
}

// The shipped data, loaded as policy-check loads it (tests run from the project root).
BOOST_AUTO_TEST_CASE(python_symbols_outside_or_newer_than_the_tag_are_named) {
    const aw::StableAbi stable = aw::load_stable_abi("policies/stable-abi.yaml");
    BOOST_TEST(stable.symbols.at("PyLong_FromLong") == "3.2");
    BOOST_TEST(stable.symbols.at("PyType_GetName") == "3.11");
    BOOST_TEST(stable.symbols.at("PyIter_NextItem") == "3.14");
    BOOST_TEST(stable.symbols.at("Py_SIZE") == "3.15");
    BOOST_TEST(stable.abi3t_since == "3.15");
    BOOST_TEST(!stable.symbols.count("PyErr_SetFromWindowsErr"), "Windows-only items are left out");
    BOOST_TEST(!stable.symbols.count("_Py_RefTotal"), "debug-build items are left out");
    aw::ElfMember extension;
    extension.path = "pkg/_ext.abi3.so";
    extension.python_extension = true;
    extension.undefined = {"PyLong_FromLong", "PyType_GetName", "_PyObject_GetDictPtr", "malloc"};
    aw::ElfMember library = extension;
    library.python_extension = false;
    aw::Abi3Report report = aw::check_abi3({extension, library}, stable, {"abi3", "3.8"});
    BOOST_REQUIRE_EQUAL(report.extensions.size(), 1u);
    const aw::Abi3Extension& found = report.extensions.front();
    BOOST_TEST(found.outside == Strings{"_PyObject_GetDictPtr"});
    BOOST_TEST((found.newer == std::map<std::string, std::string>{{"PyType_GetName", "3.11"}}));
    BOOST_TEST(found.needs == "3.11");
    BOOST_TEST(!found.misnamed);
    BOOST_TEST(report.violates());
    BOOST_TEST(!aw::check_abi3({extension}, stable, {"abi3", "3.12"}).extensions.front().newer.size());
}

BOOST_AUTO_TEST_CASE(an_abi3t_wheel_needs_abi3t_names_and_cpython_3_15) {
    const aw::StableAbi stable = aw::load_stable_abi("policies/stable-abi.yaml");
    aw::ElfMember named, misnamed;
    named.path = "pkg/_a.abi3t.so";
    misnamed.path = "pkg/_b.abi3.so";
    for (aw::ElfMember* member : {&named, &misnamed}) {
        member->python_extension = true;
        member->undefined = {"Py_SIZE", "PyLong_FromLong"};
    }
    aw::Abi3Report both = aw::check_abi3({named, misnamed}, stable, {"abi3.abi3t", "3.15"});
    BOOST_TEST(!both.extensions[0].violates());
    BOOST_TEST(both.extensions[1].misnamed);
    BOOST_TEST(!both.abi3t_since);
    aw::Abi3Report early = aw::check_abi3({named}, stable, {"abi3t", "3.14"});
    BOOST_TEST(early.abi3t_since.value_or("") == "3.15");
    BOOST_TEST(early.violates());
    BOOST_TEST((early.extensions[0].newer == std::map<std::string, std::string>{{"Py_SIZE", "3.15"}}));
}

// The compiled form (what policy-split writes) holds the same symbols; an edited YAML is read as it is.
BOOST_AUTO_TEST_CASE(the_compiled_stable_abi_matches_the_yaml_until_the_yaml_changes) {
    namespace fs = std::filesystem;
    const fs::path directory = fs::temp_directory_path() / ("aw-abi3-" + std::to_string(::getpid()));
    fs::remove_all(directory);
    fs::create_directories(directory);
    const std::string yaml = (directory / "stable-abi.yaml").string();
    fs::copy_file("policies/stable-abi.yaml", yaml);
    const aw::StableAbi parsed = aw::load_stable_abi(yaml);
    std::ofstream(aw::compiled_stable_abi_path(yaml)) << aw::compiled_stable_abi(yaml);
    BOOST_TEST((aw::load_stable_abi(yaml) == parsed));
    std::ofstream(aw::compiled_stable_abi_path(yaml)) << "{\"symbols\": {}, \"source\": {}}";
    BOOST_TEST((aw::load_stable_abi(yaml) == parsed), "a compiled file of another YAML is not used");
    fs::remove_all(directory);
}

BOOST_AUTO_TEST_SUITE_END()
