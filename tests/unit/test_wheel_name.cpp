#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "base/diagnostics.hpp"
#include "wheel/wheel_metadata.hpp"
#include "wheel/wheel_name.hpp"

using aw::parse_wheel_filename;
using Strings = std::vector<std::string>;

BOOST_AUTO_TEST_SUITE(wheel_name)

BOOST_AUTO_TEST_CASE(parses_five_parts) {
    auto wheel = parse_wheel_filename("foo_bar-1.0.2-cp311-cp311-linux_x86_64.whl");
    BOOST_TEST(wheel.name == "foo_bar");
    BOOST_TEST(wheel.version == "1.0.2");
    BOOST_TEST(!wheel.build.has_value());
    BOOST_TEST(wheel.python == Strings{"cp311"});
    BOOST_TEST(wheel.platform == Strings{"linux_x86_64"});
    BOOST_TEST(wheel.prefix == "foo_bar-1.0.2-cp311-cp311");
}

BOOST_AUTO_TEST_CASE(parses_build_tag_and_compressed_sets) {
    auto wheel = parse_wheel_filename("x-2.0-1b-py2.py3-none-manylinux1_x86_64.manylinux_2_5_x86_64.whl");
    BOOST_TEST(wheel.build.value() == "1b");
    BOOST_TEST((wheel.python == Strings{"py2", "py3"}));
    BOOST_TEST((wheel.platform == Strings{"manylinux1_x86_64", "manylinux_2_5_x86_64"}));
}

BOOST_AUTO_TEST_CASE(refuses_malformed_names) {
    for (const char* name : {"x-1.0-py3-none-any.zip", "x-1.0-py3-none.whl", "x-1.0-b-py3-none-any.whl",
                             "x-1.0-1-2-py3-none-any.whl", "x-1.0-py3--any.whl", "x~y-1.0-py3-none-any.whl",
                             "x-1.0-py3-none-an..y.whl", ".whl"})
        BOOST_CHECK_THROW(parse_wheel_filename(name), aw::Error);
}

BOOST_AUTO_TEST_CASE(takes_the_last_path_component_and_names_the_path) {
    BOOST_TEST(parse_wheel_filename("dist/sub/x-1.0-py3-none-any.whl").name == "x");
    BOOST_CHECK_EXCEPTION(parse_wheel_filename("dist/x.zip"), aw::Error, [](const aw::Error& e) {
        return std::string(e.what()) == "dist/x.zip: not a wheel file name: it must end in .whl";
    });
}

BOOST_AUTO_TEST_CASE(compresses_sorted_unique) {
    BOOST_TEST(aw::compress_tags({"manylinux_2_5_x86_64", "manylinux1_x86_64", "manylinux1_x86_64"}) ==
               "manylinux1_x86_64.manylinux_2_5_x86_64");
    auto wheel = parse_wheel_filename("a-1-1x-cp3-cp3-linux_i686.whl");
    BOOST_TEST(wheel.filename_with_platforms({"manylinux_2_17_i686", "manylinux2014_i686"}) ==
               "a-1-1x-cp3-cp3-manylinux2014_i686.manylinux_2_17_i686.whl");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(wheel_metadata)

constexpr const char* kWheel =
    "Wheel-Version: 1.0\nGenerator: bdist_wheel (0.40)\nRoot-Is-Purelib: false\n"
    "Tag: cp311-cp311-linux_x86_64\nBuild: 1\n\n";

BOOST_AUTO_TEST_CASE(parses_and_serializes) {
    auto metadata = aw::WheelMetadata::parse(kWheel, "WHEEL");
    BOOST_TEST(metadata.first("root-is-purelib").value() == "false");
    BOOST_TEST(metadata.all("Tag") == Strings{"cp311-cp311-linux_x86_64"});
    BOOST_TEST(metadata.serialize() == kWheel);
}

BOOST_AUTO_TEST_CASE(joins_continuation_lines_and_refuses_garbage) {
    auto metadata = aw::WheelMetadata::parse("Generator: a\n  b\r\n", "WHEEL");
    BOOST_TEST(metadata.first("Generator").value() == "a b");
    BOOST_CHECK_THROW(aw::WheelMetadata::parse("no colon here\n", "WHEEL"), aw::Error);
    BOOST_CHECK_THROW(aw::WheelMetadata::parse(" leading continuation\n", "WHEEL"), aw::Error);
}

BOOST_AUTO_TEST_CASE(retag_replaces_linux_and_moves_tags_last) {
    auto name = parse_wheel_filename("a-1-cp311-cp311-linux_x86_64.whl");
    auto metadata = aw::WheelMetadata::parse(kWheel, "WHEEL");
    auto result = aw::apply_retags(name, metadata, {{{"manylinux_2_17_x86_64", "manylinux2014_x86_64"}, {"linux_x86_64"}}});
    BOOST_TEST((result.platforms == Strings{"manylinux2014_x86_64", "manylinux_2_17_x86_64"}));
    BOOST_REQUIRE(result.metadata.has_value());
    BOOST_TEST(result.metadata->serialize() ==
               "Wheel-Version: 1.0\nGenerator: bdist_wheel (0.40)\nRoot-Is-Purelib: false\nBuild: 1\n"
               "Tag: cp311-cp311-manylinux_2_17_x86_64\nTag: cp311-cp311-manylinux2014_x86_64\n\n");
}

BOOST_AUTO_TEST_CASE(retag_of_pure_wheel_drops_any_and_purelib) {
    auto name = parse_wheel_filename("a-1-py3-none-any.whl");
    auto metadata = aw::WheelMetadata::parse("Root-Is-Purelib: true\nTag: py3-none-any\n", "WHEEL");
    auto result = aw::apply_retags(name, metadata, {{{"manylinux_2_5_x86_64"}, {}}});
    BOOST_TEST(result.platforms == Strings{"manylinux_2_5_x86_64"});
    BOOST_TEST(result.metadata->serialize() == "Tag: py3-none-manylinux_2_5_x86_64\nRoot-Is-Purelib: False\n\n");
}

BOOST_AUTO_TEST_CASE(retag_keeps_other_tags_and_reports_no_change) {
    auto name = parse_wheel_filename("a-1-cp3-cp3-manylinux2014_aarch64.whl");
    auto metadata = aw::WheelMetadata::parse("Tag: cp3-cp3-manylinux2014_aarch64\n", "WHEEL");
    auto same = aw::apply_retags(name, metadata, {{{"manylinux2014_aarch64"}, {"linux_aarch64"}}});
    BOOST_TEST(same.platforms == Strings{"manylinux2014_aarch64"});
    BOOST_TEST(!same.metadata.has_value());
    auto more = aw::apply_retags(name, metadata, {{{"manylinux_2_31_aarch64"}, {"linux_aarch64"}}});
    BOOST_TEST((more.platforms == Strings{"manylinux2014_aarch64", "manylinux_2_31_aarch64"}));
}

BOOST_AUTO_TEST_SUITE_END()
