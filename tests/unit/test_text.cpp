#include "base/text.hpp"

#include <boost/test/unit_test.hpp>

BOOST_AUTO_TEST_SUITE(text)

BOOST_AUTO_TEST_CASE(blanks_around_text_go_and_those_inside_stay) {
    BOOST_TEST(aw::trim_blanks(" \tTag: cp311 x\r\n") == "Tag: cp311 x");
    BOOST_TEST(aw::trim_blanks("plain") == "plain");
    BOOST_TEST(aw::trim_blanks(" \t\r\n").empty());
    BOOST_TEST(aw::trim_blanks("").empty());
}

BOOST_AUTO_TEST_CASE(byte_counts_are_given_in_binary_units) {
    BOOST_TEST(aw::binary_size(0) == "0 B");
    BOOST_TEST(aw::binary_size(1023) == "1023 B");
    BOOST_TEST(aw::binary_size(1024) == "1.0 KiB");
    BOOST_TEST(aw::binary_size(31949) == "31.2 KiB");
    BOOST_TEST(aw::binary_size(933400000) == "890.2 MiB");
    BOOST_TEST(aw::binary_size(std::uint64_t{3} << 40) == "3.0 TiB");
}

BOOST_AUTO_TEST_SUITE_END()
