#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "wheel/member_path.hpp"
#include "wheel/zip_reader.hpp"

#include <zip.h>

BOOST_AUTO_TEST_SUITE(member_path)

BOOST_AUTO_TEST_CASE(accepts_plain_relative_paths) {
    for (const char* name : {"a.py", "pkg/sub/x.so", "pkg/", "pkg-1.0.data/scripts/run", "a..b/c..d"})
        BOOST_TEST(!aw::unsafe_member_path_reason(name).has_value(), name);
}

BOOST_AUTO_TEST_CASE(refuses_escapes) {
    for (const char* name : {"", "/etc/passwd", "../x", "a/../../x", "a/..", "./a", "a//b", "a\\..\\b", "C:/x", "a/./b"})
        BOOST_TEST(aw::unsafe_member_path_reason(name).has_value(), name);
}

BOOST_AUTO_TEST_CASE(finds_case_normalization_and_file_directory_clashes) {
    auto clashes = aw::folded_name_clashes({"pkg/A.py", "pkg/b.py", "pkg/a.py"});
    BOOST_REQUIRE_EQUAL(clashes.size(), 1u);
    BOOST_TEST(clashes[0].first == "pkg/A.py");
    BOOST_TEST(clashes[0].second == "pkg/a.py");
    BOOST_TEST(aw::folded_name_clashes({"a", "b"}).empty());
    // "café" composed (U+00E9) and decomposed (e + U+0301); Straße and STRASSE under full folding.
    BOOST_TEST(aw::folded_name_clashes({"pkg/caf\xc3\xa9.py", "pkg/cafe\xcc\x81.py"}).size() == 1u);
    BOOST_TEST(aw::folded_name_clashes({"Stra\xc3\x9f" "e", "STRASSE"}).size() == 1u);
    BOOST_TEST(aw::folded_name_clashes({"bad\xff", "BAD\xff"}).empty());  // not UTF-8: compared as it is
    auto clash = aw::file_directory_clash({"pkg", "pkg/x.py"}, {});
    BOOST_REQUIRE(clash.has_value());
    BOOST_TEST(clash->first == "pkg");
    BOOST_TEST(!aw::file_directory_clash({"pkg/x", "pkg/y"}, {"pkg"}).has_value());
    auto under_a_file = aw::file_directory_clash({"pkg/x"}, {"pkg", "pkg/x/y"});
    BOOST_REQUIRE(under_a_file.has_value());
    BOOST_TEST(under_a_file->first == "pkg/x");
    BOOST_TEST(under_a_file->second == "pkg/x/y");
}

BOOST_AUTO_TEST_CASE(declared_sizes_must_be_possible) {
    aw::ZipEntry entry;
    entry.method = ZIP_CM_DEFLATE;
    entry.compressed_size = 1000;
    entry.size = 1000 * 1000;
    BOOST_TEST(!aw::implausible_size_reason(entry, 5000).has_value());
    entry.size = 2000ull * 1000 * 1000;
    BOOST_TEST(aw::implausible_size_reason(entry, 5000).has_value());
    entry.size = 10;
    entry.compressed_size = 6000;
    BOOST_TEST(aw::implausible_size_reason(entry, 5000).has_value());
    entry.method = ZIP_CM_STORE;
    entry.compressed_size = 9;
    BOOST_TEST(aw::implausible_size_reason(entry, 5000).has_value());
}

BOOST_AUTO_TEST_SUITE_END()
