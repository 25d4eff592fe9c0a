#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "wheel/parallel_deflate.hpp"

#include <zlib.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace {

// Text, runs, and noise, in stretches of varying length: blocks of every kind, and chunks that
// end at every bit of their last byte.
std::vector<unsigned char> mixed_bytes(std::size_t size, std::uint32_t seed) {
    std::vector<unsigned char> bytes;
    bytes.reserve(size);
    std::uint32_t state = seed;
    auto next = [&state] { return state = state * 1664525u + 1013904223u; };
    while (bytes.size() < size) {
        std::size_t stretch = 1 + next() % 70000;
        switch (next() % 3) {
            case 0:
                for (std::size_t i = 0; i < stretch; ++i) bytes.push_back(static_cast<unsigned char>("lorem ipsum dolor "[i % 18]));
                break;
            case 1: bytes.insert(bytes.end(), stretch, static_cast<unsigned char>(next())); break;
            default:
                for (std::size_t i = 0; i < stretch; ++i) bytes.push_back(static_cast<unsigned char>(next() >> 24));
        }
    }
    bytes.resize(size);
    return bytes;
}

std::vector<unsigned char> inflate_raw(const std::vector<unsigned char>& stream, std::size_t size) {
    std::vector<unsigned char> out(size + 1);
    z_stream inflater{};
    BOOST_REQUIRE(inflateInit2(&inflater, -15) == Z_OK);
    inflater.next_in = const_cast<Bytef*>(stream.data());
    inflater.avail_in = static_cast<uInt>(stream.size());
    inflater.next_out = out.data();
    inflater.avail_out = static_cast<uInt>(out.size());
    int status = inflate(&inflater, Z_FINISH);
    BOOST_TEST(status == Z_STREAM_END);
    BOOST_TEST(inflater.avail_in == 0u);
    out.erase(out.begin() + static_cast<std::ptrdiff_t>(inflater.total_out), out.end());  // resize() here trips GCC 12's -Wstringop-overflow at -O1
    inflateEnd(&inflater);
    return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(parallel_deflate)

BOOST_AUTO_TEST_CASE(chunks_in_order_are_one_stream_of_the_input) {
    for (int level : {1, 6, 9, -1})
        for (std::size_t size : {std::size_t{0}, std::size_t{1}, aw::kDeflateChunk, aw::kDeflateChunk + 1,
                                 5 * aw::kDeflateChunk + 12345}) {
            BOOST_TEST_CONTEXT("level " << level << ", " << size << " bytes") {
                std::vector<unsigned char> input = mixed_bytes(size, static_cast<std::uint32_t>(size) + 7);
                std::vector<unsigned char> stream;
                std::uint32_t crc = 0;
                const std::size_t chunks = aw::deflate_chunk_count(size);
                for (std::size_t index = 0; index < chunks; ++index) {
                    aw::DeflatedChunk chunk = aw::deflate_chunk(input, index, level);
                    stream.insert(stream.end(), chunk.bytes.begin(), chunk.bytes.end());
                    crc = static_cast<std::uint32_t>(crc32_combine(crc, chunk.crc, static_cast<z_off_t>(chunk.size)));
                }
                BOOST_TEST(inflate_raw(stream, size) == input, boost::test_tools::per_element());
                BOOST_TEST(crc == static_cast<std::uint32_t>(crc32(0L, input.data(), static_cast<uInt>(input.size()))));
            }
        }
}

// A real shared library, the C++ runtime this test runs on (found in /proc/self/maps).
std::vector<unsigned char> loaded_libstdcxx() {
    std::ifstream maps("/proc/self/maps");
    for (std::string line; std::getline(maps, line);)
        if (std::size_t at = line.find('/'); at != std::string::npos && line.find("/libstdc++.so", at) != std::string::npos) {
            std::ifstream library(line.substr(at), std::ios::binary);
            return {std::istreambuf_iterator<char>(library), {}};
        }
    return {};
}

// Each level's lower libdeflate level still deflates a library no larger than zlib's own level
// (pypa auditwheel's zipfile) does, within the 1 % issue 15 allows.
BOOST_AUTO_TEST_CASE(each_level_is_as_small_as_zlibs) {
    std::vector<unsigned char> library = loaded_libstdcxx();
    BOOST_REQUIRE_MESSAGE(library.size() > aw::kDeflateChunk, "libstdc++ not found in /proc/self/maps");
    for (int level = 1; level <= 9; ++level) {
        std::size_t ours = 0;
        for (std::size_t index = 0; index < aw::deflate_chunk_count(library.size()); ++index)
            ours += aw::deflate_chunk(library, index, level).bytes.size();
        uLongf zlibs = compressBound(static_cast<uLong>(library.size()));
        std::vector<unsigned char> out(zlibs);
        BOOST_REQUIRE(compress2(out.data(), &zlibs, library.data(), static_cast<uLong>(library.size()), level) == Z_OK);
        BOOST_TEST_CONTEXT("level " << level << ": " << ours << " bytes, zlib " << zlibs) {
            BOOST_TEST(ours <= zlibs + zlibs / 100);
        }
    }
}

BOOST_AUTO_TEST_CASE(many_chunk_ends_continue_the_stream) {
    // 64 chunks of different content end with every count of unused bits in their last byte.
    std::vector<unsigned char> input = mixed_bytes(64 * aw::kDeflateChunk + 3, 99);
    std::vector<unsigned char> stream;
    for (std::size_t index = 0; index < aw::deflate_chunk_count(input.size()); ++index) {
        aw::DeflatedChunk chunk = aw::deflate_chunk(input, index, 1);
        stream.insert(stream.end(), chunk.bytes.begin(), chunk.bytes.end());
    }
    BOOST_TEST(inflate_raw(stream, input.size()) == input);
}

BOOST_AUTO_TEST_SUITE_END()
