#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "zip_reader.hpp"

#include <zip.h>

BOOST_AUTO_TEST_SUITE(zip_reader)

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

BOOST_AUTO_TEST_SUITE_END()
