// read_whole_file: one buffer for many files, and never a wait on a FIFO.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "base/file_io.hpp"

#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

BOOST_AUTO_TEST_SUITE(file_io)

BOOST_AUTO_TEST_CASE(whole_files_are_read_into_one_growing_buffer) {
    namespace fs = std::filesystem;
    fs::path dir = fs::temp_directory_path() / ("aw-file-io-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    std::string large(200 * 1024 + 7, 'x');  // more than the first 64 KiB block, and not a multiple of it
    large.back() = 'y';
    std::ofstream(dir / "large") << large;
    std::ofstream(dir / "small") << "/usr\n";
    std::ofstream(dir / "empty");
    BOOST_REQUIRE(::mkfifo((dir / "fifo").c_str(), 0600) == 0);
    int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
    std::vector<char> buffer;
    auto read = [&](const char* name) { return aw::read_whole_file(dir_fd, name, buffer); };
    BOOST_TEST(read("large").value() == large);
    std::size_t grown = buffer.size();
    BOOST_TEST(read("small").value() == "/usr\n");
    BOOST_TEST(buffer.size() == grown);  // kept for the next file
    BOOST_TEST(read("empty").value().empty());
    BOOST_TEST(read("fifo").value().empty());  // no writer: what it holds, at once
    BOOST_TEST(!read("missing").has_value());
    BOOST_TEST(aw::read_whole_file(AT_FDCWD, (dir / "small").c_str(), buffer).value() == "/usr\n");
    ::close(dir_fd);
    fs::remove_all(dir);
}

BOOST_AUTO_TEST_SUITE_END()
