#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "base/diagnostics.hpp"
#include "wheel/zip_reader.hpp"
#include "zip_fixtures.hpp"

#include <zip.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

BOOST_AUTO_TEST_SUITE(zip_reader)

using aw::test::numbered_lines, aw::test::read_whole_member, aw::test::write_zip;

namespace {
aw::ZipEntry deflated(std::uint64_t size, std::uint64_t compressed_size) {
    aw::ZipEntry entry;
    entry.name = "m";
    entry.size = size;
    entry.compressed_size = compressed_size;
    entry.method = ZIP_CM_DEFLATE;
    return entry;
}
}  // namespace

BOOST_AUTO_TEST_CASE(the_total_is_bounded_by_the_archive_as_well_as_each_member) {
    // Each entry is within deflate's ratio of its own bytes; together they are not within the archive's.
    std::vector<aw::ZipEntry> entries(100, deflated(1000 * 1000, 1000));
    for (const aw::ZipEntry& entry : entries) BOOST_TEST(!aw::implausible_size_reason(entry, 100 * 1000).has_value());
    auto reason = aw::implausible_total_size_reason(entries, 1000);
    BOOST_REQUIRE(reason.has_value());
    BOOST_TEST(reason->find("100000000 bytes in all") != std::string::npos);
    BOOST_TEST(!aw::implausible_total_size_reason(entries, 100 * 1000).has_value());
}

BOOST_AUTO_TEST_CASE(a_total_that_overflows_is_implausible) {
    std::vector<aw::ZipEntry> entries(3, deflated(UINT64_MAX / 2, 1));
    BOOST_TEST(aw::implausible_total_size_reason(entries, 1 << 20).has_value());
}

// A small member is inflated whole by libdeflate, one past 8 MiB streamed through zlib: both give
// back the bytes, and both refuse deflate data damaged in its middle.
BOOST_AUTO_TEST_CASE(members_inflate_whole_or_streamed_and_damage_is_refused) {
    const std::string path = (std::filesystem::temp_directory_path() / ("aw-zip-" + std::to_string(::getpid()) + ".zip")).string();
    const std::string small = numbered_lines(100 * 1000), large = numbered_lines(9 << 20);
    write_zip(path, {{"small.txt", small}, {"large.txt", large}});
    {
        aw::ZipReader reader(path);
        BOOST_TEST((read_whole_member(reader, "small.txt") == small));
        BOOST_TEST((read_whole_member(reader, "large.txt") == large));
    }
    for (const std::string name : {"small.txt", "large.txt"}) {
        write_zip(path, {{"small.txt", small}, {"large.txt", large}});
        std::uint64_t middle = 0;
        {
            aw::ZipReader reader(path);
            const aw::ZipEntry& entry = *reader.find(name);
            middle = entry.data_offset + entry.compressed_size / 2;
        }
        {
            std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
            file.seekp(static_cast<std::streamoff>(middle));
            file.write("\xff\x00\xff\x00\xff\x00\xff\x00", 8);
        }
        aw::ZipReader reader(path);
        BOOST_CHECK_THROW(read_whole_member(reader, name), aw::Error);
    }
    std::filesystem::remove(path);
}

BOOST_AUTO_TEST_SUITE_END()
