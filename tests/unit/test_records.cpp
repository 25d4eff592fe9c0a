#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "base/diagnostics.hpp"
#include "protocol/records.hpp"

#include <sstream>

namespace {
std::string error_of(const std::string& text) {
    std::istringstream in(text);
    aw::RecordReader reader(in);
    try {
        reader.read_all();
    } catch (const aw::Error& error) {
        return error.what();
    }
    return "";
}
}  // namespace

BOOST_AUTO_TEST_SUITE(records)

BOOST_AUTO_TEST_CASE(keeps_lines_byte_exact_and_skips_blank_ones) {
    std::istringstream in("{\"kind\":\"a\",  \"version\":1}\n\n{\"kind\":\"b\",\"x\":[1, 2]}\n");
    auto records = aw::RecordReader(in).read_all();
    BOOST_REQUIRE_EQUAL(records.size(), 2u);
    BOOST_TEST(records[1].kind() == "b");
    BOOST_TEST(records[1].line == "{\"kind\":\"b\",\"x\":[1, 2]}");
}

BOOST_AUTO_TEST_CASE(errors_name_the_line) {
    BOOST_TEST(error_of("{\"kind\":\"a\",\"version\":1}\n{oops\n").starts_with("standard input: line 2: not a JSON record"));
    BOOST_TEST(error_of("{\"kind\":\"a\",\"version\":1}\n[1]\n") == "standard input: line 2: a record must be a JSON object");
    BOOST_TEST(error_of("{\"kind\":\"a\",\"version\":1}\n{\"x\":1}\n") == "standard input: line 2: record has no \"kind\" string");
    BOOST_TEST(error_of("{\"kind\":\"a\"}\n").starts_with("standard input: line 1: the first record must carry"));
    BOOST_TEST(error_of("{\"kind\":\"a\",\"version\":2}\n").starts_with("standard input: line 1: protocol version 2 is not supported"));
}

BOOST_AUTO_TEST_CASE(writer_stamps_the_version_once) {
    std::ostringstream out;
    aw::RecordWriter writer(out);
    writer.emit({{"kind", "a"}});
    writer.emit({{"kind", "b"}});
    writer.flush();
    BOOST_TEST(out.str() == "{\"kind\":\"a\",\"version\":1}\n{\"kind\":\"b\"}\n");
}

BOOST_AUTO_TEST_CASE(string_lists_hold_only_non_empty_strings) {
    BOOST_TEST(aw::string_list(aw::Json::array({"a", "b"}), "x") == (std::vector<std::string>{"a", "b"}));
    BOOST_TEST(aw::string_list(aw::Json::array(), "x").empty());
    for (const aw::Json& bad : {aw::Json("a"), aw::Json::array({"a", 1}), aw::Json::array({""}), aw::Json(nullptr)})
        BOOST_CHECK_EXCEPTION(aw::string_list(bad, "retag record: \"add\""), aw::Error, [](const aw::Error& e) {
            return std::string(e.what()) == "retag record: \"add\" must be a list of non-empty strings";
        });
}

BOOST_AUTO_TEST_SUITE_END()
