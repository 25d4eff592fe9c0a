#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "base/diagnostics.hpp"
#include "protocol/records.hpp"
#include "wheel/pack.hpp"
#include "wheel/unpack.hpp"

#include <sstream>

using Strings = std::vector<std::string>;

BOOST_AUTO_TEST_SUITE(pack)

BOOST_AUTO_TEST_CASE(orders_entries_as_pypa_auditwheel) {
    std::set<std::string> files{"z.py", "a.py", "pkg/b.so", "pkg/a.py", "pkg/sub/c.py", "pkg.libs/l.so",
                                "x-1.dist-info/RECORD", "x-1.dist-info/WHEEL", "x-1.dist-info/licenses/L",
                                "x-1.data/scripts/run"};
    std::set<std::string> directories{"pkg", "pkg/sub", "pkg.libs", "x-1.dist-info", "x-1.dist-info/licenses",
                                      "x-1.data", "x-1.data/scripts", "empty"};
    Strings expected{"a.py", "z.py", "empty/", "pkg/", "pkg/a.py", "pkg/b.so", "pkg/sub/", "pkg/sub/c.py",
                     "pkg.libs/", "pkg.libs/l.so", "x-1.data/", "x-1.data/scripts/", "x-1.data/scripts/run",
                     "x-1.dist-info/", "x-1.dist-info/WHEEL", "x-1.dist-info/RECORD", "x-1.dist-info/licenses/",
                     "x-1.dist-info/licenses/L"};
    BOOST_TEST(aw::wheel_entry_order(files, directories) == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(timestamps_default_clip_and_refuse) {
    BOOST_TEST(aw::zip_timestamp(std::nullopt) == 315532800);
    BOOST_TEST(aw::zip_timestamp(std::string("1700000000")) == 1700000000);
    BOOST_TEST(aw::zip_timestamp(std::string("0")) == 315532800);
    BOOST_CHECK_THROW(aw::zip_timestamp(std::string("soon")), aw::Error);
    BOOST_CHECK_THROW(aw::zip_timestamp(std::string("")), aw::Error);
}

BOOST_AUTO_TEST_CASE(extracted_modes_follow_zip2dir) {
    BOOST_TEST(aw::extracted_mode(std::nullopt) == 0644u);
    BOOST_TEST(aw::extracted_mode(0100755u) == 0755u);
    BOOST_TEST(aw::extracted_mode(0100444u) == 0644u);
    BOOST_TEST(aw::extracted_mode(0104755u) == 0755u);  // no setuid
}

BOOST_AUTO_TEST_CASE(reads_pack_input_and_refuses_incomplete_streams) {
    std::istringstream stream(
        R"({"kind":"wheel","version":1,"path":"/w/a-1-py3-none-any.whl","filename":"a-1-py3-none-any.whl","name":"a",)"
        R"("dist_version":"1","build":null,"metadata":{},"elf_only":false,)"
        R"("tags":{"python":["py3"],"abi":["none"],"platform":["any"]},)"
        R"("workdir":"/tmp/w","dist_info":"a-1.dist-info","file":{"size":10,"mtime_ns":5}})"
        "\n"
        R"({"kind":"member","path":"a.py","size":0,"mode":"0644","extracted":false,"sha256":null,"elf":null})"
        "\n"
        R"({"kind":"retag","add":["manylinux_2_5_x86_64"],"remove":["linux_x86_64"]})"
        "\n"
        R"({"kind":"note","anything":true})"
        "\n");
    auto input = aw::read_pack_input(aw::RecordReader(stream).read_all());
    BOOST_TEST(input.members.at("a.py").mode == 0644u);
    BOOST_TEST(!input.members.at("a.py").sha256.has_value());
    BOOST_TEST(input.retags.at(0).add == Strings{"manylinux_2_5_x86_64"});
    BOOST_TEST(input.wheel.file_size == 10u);

    std::istringstream no_wheel(R"({"kind":"member","version":1,"path":"a.py","mode":"0644","extracted":true})");
    BOOST_CHECK_THROW(aw::read_pack_input(aw::RecordReader(no_wheel).read_all()), aw::Error);
    std::istringstream bad_mode(
        R"({"kind":"member","version":1,"path":"a.py","mode":"rw-r--r--","extracted":true})");
    BOOST_CHECK_THROW(aw::read_pack_input(aw::RecordReader(bad_mode).read_all()), aw::Error);
}

BOOST_AUTO_TEST_SUITE_END()
