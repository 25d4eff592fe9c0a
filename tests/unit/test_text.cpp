#include "text.hpp"

#include <boost/test/unit_test.hpp>

BOOST_AUTO_TEST_SUITE(text)

BOOST_AUTO_TEST_CASE(blanks_around_text_go_and_those_inside_stay) {
    BOOST_TEST(aw::trim_blanks(" \tTag: cp311 x\r\n") == "Tag: cp311 x");
    BOOST_TEST(aw::trim_blanks("plain") == "plain");
    BOOST_TEST(aw::trim_blanks(" \t\r\n").empty());
    BOOST_TEST(aw::trim_blanks("").empty());
}

BOOST_AUTO_TEST_SUITE_END()
