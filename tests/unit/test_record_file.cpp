#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "base/diagnostics.hpp"
#include "base/digest.hpp"
#include "wheel/record_file.hpp"

#include <cstring>

BOOST_AUTO_TEST_SUITE(record_file)

BOOST_AUTO_TEST_CASE(parses_quoted_fields_and_line_ends) {
    auto rows = aw::parse_record_file("a.py,sha256=x,3\r\n\"b,c.py\",sha256=y,4\n\"q\"\"uote\",,\n", "RECORD");
    BOOST_REQUIRE_EQUAL(rows.size(), 3u);
    BOOST_TEST(rows[1].path == "b,c.py");
    BOOST_TEST(rows[2].path == "q\"uote");
    BOOST_TEST(rows[2].hash.empty());
}

BOOST_AUTO_TEST_CASE(names_the_bad_line) {
    try {
        aw::parse_record_file("a,b,1\nonly,two\n", "w.whl: RECORD");
        BOOST_FAIL("expected an error");
    } catch (const aw::Error& error) {
        BOOST_TEST(std::string(error.what()) == "w.whl: RECORD: line 2: expected 3 fields (path,hash,size), found 2");
    }
    BOOST_CHECK_THROW(aw::parse_record_file("\"open,a,1\n", "RECORD"), aw::Error);
}

BOOST_AUTO_TEST_CASE(formats_like_python_csv) {
    std::vector<aw::RecordRow> rows{{"a.py", "sha256=x", "1"}, {"b,c", "", ""}, {"d\"e", "", ""}};
    std::string text = aw::format_record_file(rows);
    BOOST_TEST(text == "a.py,sha256=x,1\r\n\"b,c\",,\r\n\"d\"\"e\",,\r\n");
    auto again = aw::parse_record_file(text, "RECORD");
    BOOST_TEST(again[1].path == "b,c");
    BOOST_TEST(again[2].path == "d\"e");
}

BOOST_AUTO_TEST_CASE(digest_encodings) {
    aw::Digest digest;
    digest.update(std::as_bytes(std::span("abc", 3)));
    auto bytes = digest.finish();
    BOOST_TEST(aw::to_hex(bytes) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    std::string b64 = aw::to_record_base64(bytes);
    BOOST_TEST(b64 == "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0");
    BOOST_TEST(aw::from_record_base64(b64) == bytes);
    BOOST_TEST(aw::from_hex(aw::to_hex(bytes)) == bytes);
    BOOST_TEST(aw::from_record_base64("a+b").empty());
    BOOST_TEST(aw::from_hex("abc").empty());
    BOOST_TEST(aw::Digest::is_supported("sha512"));
    BOOST_TEST(!aw::Digest::is_supported("md5"));
    auto split = aw::split_record_hash("sha256=abc=");
    BOOST_TEST(split.algorithm == "sha256");
    BOOST_TEST(split.digest == "abc=");
}

BOOST_AUTO_TEST_SUITE_END()
