// Zips for the unit tests, written by libzip, and their members read back whole.
#pragma once

#include "wheel/zip_reader.hpp"

#include <boost/test/unit_test.hpp>
#include <zip.h>

#include <string>
#include <vector>

namespace aw::test {

// Text that deflates well and differs throughout, so that a damaged byte anywhere shows.
inline std::string numbered_lines(std::size_t bytes) {
    std::string text;
    for (std::size_t line = 0; text.size() < bytes; ++line) text += "line " + std::to_string(line) + " of the member\n";
    text.resize(bytes);
    return text;
}

struct ZipMember {
    std::string name;
    std::string bytes;
    std::int32_t method = ZIP_CM_DEFLATE;
};

// A zip of `members`, written by libzip, at `path`.
inline void write_zip(const std::string& path, const std::vector<ZipMember>& members) {
    int error = 0;
    zip_t* archive = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
    BOOST_REQUIRE(archive != nullptr);
    for (const ZipMember& member : members) {
        zip_source_t* source = zip_source_buffer(archive, member.bytes.data(), member.bytes.size(), 0);
        zip_int64_t index = zip_file_add(archive, member.name.c_str(), source, 0);
        BOOST_REQUIRE(index >= 0);
        BOOST_REQUIRE(zip_set_file_compression(archive, zip_uint64_t(index), member.method, 0) == 0);
    }
    BOOST_REQUIRE(zip_close(archive) == 0);
}

inline std::string read_whole_member(const aw::ZipReader& reader, const std::string& name) {
    const aw::ZipEntry* entry = reader.find(name);
    BOOST_REQUIRE_MESSAGE(entry != nullptr, name << " is missing");
    std::string bytes;
    reader.read_member(*entry, [&](std::span<const std::byte> block) {
        bytes.append(reinterpret_cast<const char*>(block.data()), block.size());
    });
    return bytes;
}

}  // namespace aw::test
