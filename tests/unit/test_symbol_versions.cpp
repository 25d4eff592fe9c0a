#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "elf/symbol_versions.hpp"
#include "elf/symvers_record.hpp"

using Split = std::pair<std::string, std::string>;

BOOST_AUTO_TEST_SUITE(symbol_versions)

BOOST_AUTO_TEST_CASE(namespaces_end_before_the_version_number) {
    BOOST_TEST((aw::split_symbol_version("GLIBC_2.17") == Split{"GLIBC", "2.17"}));
    BOOST_TEST((aw::split_symbol_version("GLIBCXX_3.4.21") == Split{"GLIBCXX", "3.4.21"}));
    BOOST_TEST((aw::split_symbol_version("ZLIB_NG_2.1.0") == Split{"ZLIB_NG", "2.1.0"}));  // pypa auditwheel #613
    BOOST_TEST((aw::split_symbol_version("CXXABI_LDBL_1.3") == Split{"CXXABI_LDBL", "1.3"}));
    BOOST_TEST((aw::split_symbol_version("CXXABI_TM_1") == Split{"CXXABI_TM", "1"}));
    BOOST_TEST((aw::split_symbol_version("GLIBCXX_IEEE128_3.4.29") == Split{"GLIBCXX_IEEE128", "3.4.29"}));
    BOOST_TEST((aw::split_symbol_version("GLIBC_PRIVATE") == Split{"GLIBC", "PRIVATE"}));
    BOOST_TEST((aw::split_symbol_version("GLIBC_ABI_DT_RELR") == Split{"GLIBC", "ABI_DT_RELR"}));
    BOOST_TEST((aw::split_symbol_version("CXXABI_FLOAT128") == Split{"CXXABI", "FLOAT128"}));
    BOOST_TEST((aw::split_symbol_version("VERS") == Split{"VERS", ""}));
}

BOOST_AUTO_TEST_CASE(versions_compare_part_by_part_as_numbers) {
    BOOST_TEST(aw::version_less("2.2.5", "2.14"));
    BOOST_TEST(aw::version_less("3.4.9", "3.4.10"));
    BOOST_TEST(!aw::version_less("2.17", "2.17"));
    BOOST_TEST(aw::version_less("2.17", "2.17.1"));
    BOOST_TEST(aw::version_less("ABI_DT_RELR", "2.0"));  // words sort before numbers
}

BOOST_AUTO_TEST_CASE(record_groups_namespaces_in_version_order) {
    aw::SymbolVersions versions;
    versions.required["libc.so.6"]["GLIBC_2.14"] = {"memcpy"};
    versions.required["libc.so.6"]["GLIBC_2.2.5"] = {"free", "malloc"};
    versions.required["libz.so.1"]["ZLIB_NG_2.1.0"] = {};
    versions.x86_isa_needed = 7;
    aw::Json record = aw::record_json(aw::SymversRecord{"pkg/_x.so", "member", "/w/pkg/_x.so", std::nullopt, versions});
    BOOST_TEST(record["namespaces"]["GLIBC"].dump() == R"(["2.2.5","2.14"])");
    BOOST_TEST(record["namespaces"]["ZLIB_NG"].dump() == R"(["2.1.0"])");
    BOOST_TEST(record["versions"]["libc.so.6"]["GLIBC_2.14"].dump() == R"(["memcpy"])");
    BOOST_TEST(record["x86_isa"]["level"] == "x86-64-v3");
}

BOOST_AUTO_TEST_SUITE_END()
