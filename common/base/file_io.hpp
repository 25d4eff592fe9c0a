// Reading and writing file descriptors the way every stage must: all of it, or an error.
#pragma once

#include "base/unique_fd.hpp"

#include <sys/stat.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace aw {

// Writes all of `bytes` to `fd`, retrying short writes and EINTR (but
// stopping for a pending Ctrl-C); throws Error naming `path` on failure.
void write_all(int fd, std::span<const std::byte> bytes, const std::string& path);

// Fills `bytes` from `offset` of `fd` with pread, retrying short reads and EINTR; returns why it
// could not (errno's text, or "end of file"), or an empty string when it did.
std::string read_all_at(int fd, std::span<std::byte> bytes, std::uint64_t offset);

// Writes all of `bytes` at `offset` of `fd` with pwrite, retrying short writes and EINTR; returns
// the errno that stopped it, or 0 when it did (for callers that report through libzip).
int write_all_at(int fd, std::span<const std::byte> bytes, std::uint64_t offset);

// Reads all of the file `name` (relative to the directory `dir_fd`, or AT_FDCWD) into `buffer`,
// which only grows, so that one buffer serves a directory of small files with an open, a stat,
// a read or two and a close each; returns a view of the contents in `buffer`, or nothing when the
// file cannot be opened or read. Never blocks: a FIFO reads as what it holds.
std::optional<std::string_view> read_whole_file(int dir_fd, const char* name, std::vector<char>& buffer);

// `value` rounded up to a multiple of `alignment` (0 and 1: unchanged).
constexpr std::uint64_t align_up(std::uint64_t value, std::uint64_t alignment) {
    return alignment <= 1 ? value : (value + alignment - 1) / alignment * alignment;
}

// A regular file mapped read-only for as long as this lives (an empty one has no bytes).
class MappedFile {
public:
    explicit MappedFile(const std::string& path);
    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;
    std::span<const unsigned char> bytes() const { return {static_cast<const unsigned char*>(data_), size_}; }
    mode_t mode() const { return info_.st_mode; }

private:
    struct stat info_ {};
    std::size_t size_ = 0;
    void* data_ = nullptr;
};

// True when `length` bytes from `offset` lie inside `size` bytes, with no sum
// that can wrap around (three of the fuzzer's findings were such sums).
constexpr bool range_inside(std::uint64_t offset, std::uint64_t length, std::uint64_t size) {
    return offset <= size && length <= size - offset;
}
// The same for a table of `count` entries of `entry_size` bytes, with no
// product that can wrap either (an entry size of 0 counts as 1).
constexpr bool table_inside(std::uint64_t offset, std::uint64_t count, std::uint64_t entry_size, std::uint64_t size) {
    return offset <= size && count <= (size - offset) / (entry_size == 0 ? 1 : entry_size);
}

// Opens `path` for reading and refuses what is not a regular file, without
// ever blocking (open and read of a FIFO would wait forever for a writer).
// The error reads "<path>: cannot open: <why>" or "<path>: is a FIFO, not a
// regular file", thrown as Error; when `error` is given, the reason (without
// the path) is stored there instead and an invalid descriptor returned.
UniqueFd open_regular_file(const std::string& path, std::string* error = nullptr);

// A file a stage produces, written so that nothing is lost. A new name or a
// regular file gets a temporary file beside it (".<name>.<tag>-XXXXXX", which
// globbing and pip ignore) that replaces it only on commit(), and is removed
// if the stage fails first. A symbolic link is followed: the file it names is
// replaced, the link kept. A FIFO or character device is written into, as
// patchelf does, and never replaced (a FIFO nobody reads is an error, not a
// hang). Anything else (a directory, block device, socket) is refused.
class OutputFile {
public:
    OutputFile(const std::string& path, const std::string& tag);
    ~OutputFile();
    OutputFile(const OutputFile&) = delete;
    OutputFile& operator=(const OutputFile&) = delete;

    int fd() const { return fd_.get(); }
    // Gives the new contents `mode` (regular files only) and puts them in place.
    void commit(unsigned mode);

private:
    std::string path_;       // as the caller named it, for messages
    std::string target_;     // the file replaced on commit (links followed)
    std::string temporary_;  // empty when writing into a FIFO or device
    UniqueFd fd_;
};

// "a FIFO", "a directory", "a character device", ... for a non-regular st_mode.
std::string file_type_name(unsigned mode);

}  // namespace aw
