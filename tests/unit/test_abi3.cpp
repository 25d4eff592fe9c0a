#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "abi3.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>

using Strings = std::vector<std::string>;

BOOST_AUTO_TEST_SUITE(abi3)

BOOST_AUTO_TEST_CASE(the_minimum_is_the_lowest_cpython_tag_of_an_abi3_wheel) {
    BOOST_TEST(aw::abi3_minimum({"cp38"}, {"abi3"}).value_or("") == "3.8");
    BOOST_TEST(aw::abi3_minimum({"cp310", "cp39"}, {"abi3"}).value_or("") == "3.9");
    BOOST_TEST(!aw::abi3_minimum({"cp311"}, {"cp311"}));
    BOOST_TEST(!aw::abi3_minimum({"py3"}, {"abi3"}));
    BOOST_TEST(!aw::abi3_minimum({"cp3x"}, {"abi3"}));
}

// The shipped data, loaded as policy-check loads it (tests run from the project root).
BOOST_AUTO_TEST_CASE(python_symbols_outside_or_newer_than_the_tag_are_named) {
    const aw::StableAbi stable = aw::load_stable_abi("policies/stable-abi.yaml");
    BOOST_TEST(stable.at("PyLong_FromLong") == "3.2");
    BOOST_TEST(stable.at("PyType_GetName") == "3.11");
    BOOST_TEST(!stable.count("PyErr_SetFromWindowsErr"), "Windows-only items are left out");
    aw::ElfMember extension;
    extension.path = "pkg/_ext.abi3.so";
    extension.python_extension = true;
    extension.undefined = {"PyLong_FromLong", "PyType_GetName", "_PyObject_GetDictPtr", "malloc"};
    aw::ElfMember library = extension;
    library.python_extension = false;
    aw::Abi3Report report = aw::check_abi3({extension, library}, stable, "3.8");
    BOOST_REQUIRE_EQUAL(report.extensions.size(), 1u);
    const aw::Abi3Extension& found = report.extensions.front();
    BOOST_TEST(found.outside == Strings{"_PyObject_GetDictPtr"});
    BOOST_TEST((found.newer == std::map<std::string, std::string>{{"PyType_GetName", "3.11"}}));
    BOOST_TEST(found.needs == "3.11");
    BOOST_TEST(report.violates());
    BOOST_TEST(!aw::check_abi3({extension}, stable, "3.12").extensions.front().newer.size());
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
