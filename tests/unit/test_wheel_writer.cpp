#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "base/diagnostics.hpp"
#include "wheel/wheel_writer.hpp"
#include "wheel/zip_reader.hpp"
#include "zip_fixtures.hpp"

#include <zip.h>

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>

BOOST_AUTO_TEST_SUITE(wheel_writer)

using aw::test::numbered_lines, aw::test::read_whole_member, aw::test::write_zip;
namespace fs = std::filesystem;

namespace {
struct Scratch {
    fs::path dir = fs::temp_directory_path() / ("aw-writer-" + std::to_string(::getpid()));
    Scratch() { fs::create_directories(dir); }
    ~Scratch() { fs::remove_all(dir); }
    std::string file(const std::string& name) const { return (dir / name).string(); }
};

bool says(const aw::Error& error, const std::string& text) {
    BOOST_TEST_MESSAGE(error.what());
    return std::string(error.what()).find(text) != std::string::npos;
}
}  // namespace

// Every kind of member, with copies larger than the 1 MiB blocks the writer reads and writes in:
// each reads back whole, and a copy keeps the original's compressed bytes, method and CRC.
BOOST_AUTO_TEST_CASE(writes_every_kind_of_member_and_copies_verbatim) {
    Scratch scratch;
    const std::string stored = numbered_lines((5 << 19) + 17), deflated = numbered_lines(3 << 20);
    const std::string fresh = numbered_lines((2 << 20) + 5);
    write_zip(scratch.file("original.zip"), {{"pkg/stored.bin", stored, ZIP_CM_STORE}, {"pkg/deflated.txt", deflated}});
    std::ofstream(scratch.file("fresh.txt"), std::ios::binary) << fresh;
    aw::ZipReader original(scratch.file("original.zip"));
    std::atomic<bool> give_up = false;
    bool made_late = false;
    {
        aw::WheelWriter writer(scratch.file("new.whl"), "new.whl", 315532800, 6, 2, give_up);
        writer.add_directory("pkg/");
        writer.add_raw_copy("pkg/stored.bin", original, *original.find("pkg/stored.bin"), 0644);
        writer.add_raw_copy("pkg/deflated.txt", original, *original.find("pkg/deflated.txt"), 0755);
        writer.add_file("pkg/fresh.txt", scratch.file("fresh.txt"), 0644, fresh.size());
        writer.add_bytes("pkg/bytes.txt", "some bytes\n", 0644);
        writer.add_deferred("pkg/RECORD", [&] { return made_late = true, std::string("made when written\n"); }, 0644);
        BOOST_TEST(!made_late);
        writer.commit();
    }
    BOOST_TEST(made_late);
    aw::ZipReader written(scratch.file("new.whl"));
    BOOST_TEST(written.entries().size() == 6u);
    BOOST_TEST((read_whole_member(written, "pkg/stored.bin") == stored));
    BOOST_TEST((read_whole_member(written, "pkg/deflated.txt") == deflated));
    BOOST_TEST((read_whole_member(written, "pkg/fresh.txt") == fresh));
    BOOST_TEST(read_whole_member(written, "pkg/bytes.txt") == "some bytes\n");
    BOOST_TEST(read_whole_member(written, "pkg/RECORD") == "made when written\n");
    for (const std::string name : {"pkg/stored.bin", "pkg/deflated.txt"}) {
        const aw::ZipEntry& before = *original.find(name);
        const aw::ZipEntry& after = *written.find(name);
        BOOST_TEST(after.method == before.method);
        BOOST_TEST(after.crc == before.crc);
        BOOST_TEST(after.compressed_size == before.compressed_size);
        std::string raw_before(before.compressed_size, '\0'), raw_after(after.compressed_size, '\0');
        original.read_compressed(before, 0, std::as_writable_bytes(std::span(raw_before)));
        written.read_compressed(after, 0, std::as_writable_bytes(std::span(raw_after)));
        BOOST_TEST((raw_before == raw_after));
    }
    BOOST_TEST(*written.find("pkg/deflated.txt")->unix_mode == (S_IFREG | 0755));
}

// What a deferred member's maker throws is what commit throws, not libzip's "Read error".
BOOST_AUTO_TEST_CASE(a_deferred_members_failure_is_the_error) {
    Scratch scratch;
    std::atomic<bool> give_up = false;
    aw::WheelWriter writer(scratch.file("new.whl"), "new.whl", 315532800, 6, 1, give_up);
    writer.add_bytes("a.txt", "a", 0644);
    writer.add_deferred("RECORD", []() -> std::string { aw::fail("member b.txt: CRC error"); }, 0644);
    BOOST_CHECK_EXCEPTION(writer.commit(), aw::Error, [](const aw::Error& e) { return says(e, "member b.txt: CRC error"); });
}

// Once the flag says so, writing stops with an error.
BOOST_AUTO_TEST_CASE(writing_stops_when_told_to_give_up) {
    Scratch scratch;
    std::atomic<bool> give_up = true;
    aw::WheelWriter writer(scratch.file("new.whl"), "new.whl", 315532800, 6, 1, give_up);
    writer.add_bytes("a.bin", numbered_lines(1 << 20), 0644);
    BOOST_CHECK_EXCEPTION(writer.commit(), aw::Error, [](const aw::Error& e) { return says(e, "new.whl: cannot write"); });
}

// The file written must be new: one already there is neither written into nor replaced.
BOOST_AUTO_TEST_CASE(an_existing_file_is_never_written_over) {
    Scratch scratch;
    std::ofstream(scratch.file("new.whl")) << "keep me";
    std::atomic<bool> give_up = false;
    aw::WheelWriter writer(scratch.file("new.whl"), "new.whl", 315532800, 6, 1, give_up);
    writer.add_bytes("a.txt", "a", 0644);
    BOOST_CHECK_EXCEPTION(writer.commit(), aw::Error, [](const aw::Error& e) { return says(e, "File exists"); });
    std::ifstream kept(scratch.file("new.whl"));
    std::string text((std::istreambuf_iterator<char>(kept)), std::istreambuf_iterator<char>());
    BOOST_TEST(text == "keep me");
}

BOOST_AUTO_TEST_SUITE_END()
