#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "base/diagnostics.hpp"
#include "protocol/options.hpp"

#include <stdexcept>

BOOST_AUTO_TEST_SUITE(options)

namespace {
const aw::OptionTable& table() {
    static const aw::OptionTable options("stage", "FILE...", "Does a thing.",
                                         {{"wheel-dir", 'w', 1, "DIR", "where"},
                                          {"with-debug", 0, 0, "", "a flag"},
                                          {"replace-needed", 0, 2, "OLD NEW", "rename"}});
    return options;
}

std::string usage_error(const std::vector<std::string>& arguments) {
    try {
        table().parse(arguments);
    } catch (const aw::Error& error) {
        BOOST_TEST(error.exit_code() == 2);
        return error.what();
    }
    return "";
}
}  // namespace

BOOST_AUTO_TEST_CASE(values_come_glued_or_next_and_options_anywhere) {
    aw::CommandLine line = table().parse({"a", "--wheel-d=one", "b", "-wtwo", "-w", "three", "--replace-needed", "x", "y"});
    BOOST_TEST(line.operands() == (std::vector<std::string>{"a", "b"}));
    BOOST_TEST(line.all("wheel-dir") == (std::vector<std::string>{"one", "two", "three"}));
    BOOST_TEST(*line.last("wheel-dir") == "three");
    BOOST_TEST(line.all("replace-needed") == (std::vector<std::string>{"x", "y"}));
    BOOST_TEST(!line.has("with-debug"));
}

BOOST_AUTO_TEST_CASE(asking_for_an_option_the_table_lacks_is_a_bug_not_an_absent_option) {
    aw::CommandLine line = table().parse({"--with-debug"});
    BOOST_TEST(line.has("with-debug"));
    BOOST_CHECK_THROW(static_cast<void>(line.has("with-debgu")), std::logic_error);
    BOOST_CHECK_THROW(static_cast<void>(line.last("wheel")), std::logic_error);
    BOOST_CHECK_THROW(static_cast<void>(line.all("replace")), std::logic_error);
}

BOOST_AUTO_TEST_CASE(a_double_dash_ends_the_options) {
    aw::CommandLine line = table().parse({"--", "--with-debug", "-w"});
    BOOST_TEST(line.operands() == (std::vector<std::string>{"--with-debug", "-w"}));
    BOOST_TEST(line.given().empty());
}

BOOST_AUTO_TEST_CASE(mistakes_are_usage_errors_naming_the_argument) {
    BOOST_TEST(usage_error({"--w=x"}) == "ambiguous option '--w' could be --wheel-dir, --with-debug");
    BOOST_TEST(usage_error({"--nope"}) == "unknown option '--nope'; see stage --help");
    BOOST_TEST(usage_error({"-q"}) == "unknown option '-q'; see stage --help");
    BOOST_TEST(usage_error({"--with-debug=1"}) == "option --with-debug takes no value (in '--with-debug=1')");
    BOOST_TEST(usage_error({"--replace-needed", "x"}) == "option --replace-needed needs OLD NEW");
    BOOST_TEST(usage_error({"-w"}) == "option -w needs a value DIR");
}

BOOST_AUTO_TEST_CASE(help_is_always_known_and_the_usage_lists_every_option) {
    BOOST_TEST(table().parse({"--he"}).help());
    std::string usage = table().usage();
    for (const char* text : {"usage: stage", "-w, --wheel-dir DIR", "--replace-needed OLD NEW", "FILE...", "Does a thing."})
        BOOST_TEST(usage.find(text) != std::string::npos, text);
}

BOOST_AUTO_TEST_SUITE_END()
