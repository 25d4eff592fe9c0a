// The stream every stage reads: pass-through, the one wheel-record reader, and
// errors that name the input line.
#define BOOST_TEST_DYN_LINK
#include "protocol/stage_stream.hpp"

#include <boost/test/unit_test.hpp>

#include <sstream>
#include <string>

namespace {
const std::string kWheel =
    R"({"kind":"wheel","version":1,"path":"/in/a-1.0-cp311-cp311-linux_x86_64.whl",)"
    R"("filename":"a-1.0-cp311-cp311-linux_x86_64.whl","name":"a","dist_version":"1.0","build":null,)"
    R"("dist_info":"a-1.0.dist-info","workdir":"/w","metadata":{},"elf_only":false,)"
    R"("tags":{"python":["cp311"],"abi":["cp311"],"platform":["linux_x86_64"]},"file":{"size":7,"mtime_ns":9}})";

// What `stream` says when read to its end, or the error it throws.
std::string error_of(const std::string& input) {
    std::istringstream in(input);
    std::ostringstream out;
    aw::StageStream stream(in, out);
    try {
        while (auto record = stream.next())
            if (record->kind() == "member") stream.wheel_for(*record);
    } catch (const aw::Error& error) {
        return error.what();
    }
    return "";
}
}  // namespace

BOOST_AUTO_TEST_SUITE(stage_stream)

BOOST_AUTO_TEST_CASE(records_pass_through_byte_for_byte_and_the_wheel_is_read_once) {
    std::string input = kWheel + "\n" + R"({"kind":"member",  "path":"a/x.so"})" + "\n\n" + R"({"kind":"other"})" + "\n";
    std::istringstream in(input);
    std::ostringstream out;
    aw::StageStream stream(in, out);
    int records = 0;
    while (auto record = stream.next()) {
        ++records;
        if (record->kind() == "member") {
            const aw::WheelRecord& wheel = stream.wheel_for(*record);
            BOOST_TEST(wheel.file_of("a/x.so") == "/w/a/x.so");
            BOOST_TEST(wheel.member("a/x.so").text() == "a-1.0-cp311-cp311-linux_x86_64.whl: member a/x.so");
            BOOST_TEST(wheel.platform_tags == std::vector<std::string>{"linux_x86_64"});
            BOOST_TEST(wheel.file_size == 7u);
        }
    }
    stream.finish();
    BOOST_TEST(records == 3);
    BOOST_TEST(out.str() == kWheel + "\n" + R"({"kind":"member",  "path":"a/x.so"})" + "\n" + R"({"kind":"other"})" + "\n");
}

BOOST_AUTO_TEST_CASE(errors_name_the_line) {
    std::string first = R"({"kind":"note","version":1})";
    BOOST_TEST(error_of(first + "\n" + R"({"kind":"member","path":"x"})" + "\n") ==
               "standard input: line 2: member record before the wheel record");
    BOOST_TEST(error_of(kWheel + "\n" + kWheel + "\n") ==
               "standard input: line 2: a second wheel record: a stream describes one wheel");
    aw::Json no_workdir = aw::Json::parse(kWheel);
    no_workdir.erase("workdir");
    BOOST_TEST(error_of(no_workdir.dump() + "\n") ==
               "standard input: line 1: record of kind \"wheel\" has no \"workdir\" field");
}

BOOST_AUTO_TEST_CASE(at_record_adds_the_place_only_to_record_errors) {
    aw::Record record{aw::Json{{"kind", "member"}}, "", "standard input: line 4"};
    try {
        aw::at_record(record, [&] { throw aw::RecordError("record of kind \"member\" has no \"path\" field"); });
        BOOST_FAIL("a missing field was read");
    } catch (const aw::Error& error) {
        BOOST_TEST(std::string(error.what()) == "standard input: line 4: record of kind \"member\" has no \"path\" field");
    }
    try {
        aw::at_record(record, [&]() -> int { aw::fail("pkg.whl: member x: not an ELF file"); });
    } catch (const aw::Error& error) {
        BOOST_TEST(std::string(error.what()) == "pkg.whl: member x: not an ELF file");
    }
}

BOOST_AUTO_TEST_SUITE_END()
