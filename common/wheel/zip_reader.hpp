// Reading wheels with libzip: entries, their declared sizes and modes, and member data with the
// size and CRC checks libzip does, read raw from where the entries' headers place it and inflated
// whole or streamed.
#pragma once

#include "base/unique_fd.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

typedef struct zip zip_t;

namespace aw {

// libzip's text for the error code zip_open() returned.
std::string libzip_error_text(int code);

struct ZipEntry {
    std::uint64_t index = 0;
    std::string name;
    std::uint64_t size = 0;             // declared uncompressed size
    std::uint64_t compressed_size = 0;
    std::uint32_t crc = 0;              // declared CRC-32 of the uncompressed bytes
    std::uint16_t method = 0;           // ZIP_CM_*
    std::uint16_t encryption = 0;       // ZIP_EM_*; 0 when not encrypted
    std::optional<std::uint32_t> unix_mode;  // st_mode bits when made on Unix
    std::uint64_t local_header_offset = 0;
    std::uint64_t data_offset = 0;      // of the compressed bytes, after the local header
    bool is_directory() const { return !name.empty() && name.back() == '/'; }
};

using ByteSink = std::function<void(std::span<const std::byte>)>;

class ZipReader {
public:
    // Opens with libzip's consistency checks; refuses what is not a zip, a
    // file that is not regular, and entries whose data overlap.
    explicit ZipReader(const std::string& path);
    ZipReader(const ZipReader&) = delete;
    ZipReader& operator=(const ZipReader&) = delete;

    zip_t* handle() const { return archive_.get(); }
    const std::string& path() const { return path_; }
    // Size and modification time when opened: whl-pack compares them to
    // tell that the wheel was not replaced since whl-unpack read it.
    std::uint64_t file_size() const { return file_size_; }
    std::int64_t file_mtime_ns() const { return file_mtime_ns_; }
    const std::vector<ZipEntry>& entries() const { return entries_; }
    // The entry named `name`, or nullptr.
    const ZipEntry* find(const std::string& name) const;

    // Members up to this size (most of any wheel's) are inflated whole by libdeflate, twice zlib's
    // speed; larger ones stream through zlib in bounded memory.
    static constexpr std::uint64_t kWholeInflateLimit = std::uint64_t{8} << 20;
    // The most memory one read_member holds: a member inflated whole, its input and its output.
    static constexpr std::uint64_t kReadMemory = 2 * kWholeInflateLimit;

    // Streams the whole member to `sink`; fails if it inflates past its
    // declared size or its CRC does not match.
    void read_member(const ZipEntry& entry, const ByteSink& sink) const;
    // True when read_member reads the member with pread alone, without libzip's handle (stored or
    // deflated, not encrypted): such reads may run on another thread than libzip's.
    static bool reads_without_libzip(const ZipEntry& entry);
    // Fills `into` with the member's bytes as they lie in the archive (compressed), from `offset`
    // into them, where the constructor found and checked them; pread, so any thread may.
    void read_compressed(const ZipEntry& entry, std::uint64_t offset, std::span<std::byte> into) const;
    // At most `count` bytes from the start of the member.
    std::vector<std::byte> read_head(const ZipEntry& entry, std::size_t count) const;

private:
    void locate_member_data();
    // Fills the start of `into` with a member's next bytes (raw, or as libzip decodes them);
    // returns how many, 0 at its end.
    using MemberBytes = std::function<std::size_t(std::span<std::byte> into)>;
    // read_member's two ways from those bytes to `take`: the whole member inflated in memory by
    // libdeflate, or block by block (inflated by zlib when `deflated`).
    void inflate_whole(const MemberBytes& read, const ZipEntry& entry, const ByteSink& take) const;
    void stream_member(const MemberBytes& read, const ZipEntry& entry, bool deflated, const ByteSink& take) const;

    std::string path_;
    UniqueFd fd_;  // for reading members raw; libzip has a descriptor of its own
    struct Discard {
        void operator()(zip_t* archive) const;  // zip_discard
    };
    // Owned from the open on, so a refusal in the constructor closes it too.
    std::unique_ptr<zip_t, Discard> archive_;
    std::uint64_t file_size_ = 0;
    std::int64_t file_mtime_ns_ = 0;
    std::vector<ZipEntry> entries_;
    std::unordered_map<std::string, std::size_t> index_by_name_;
};

// Why a member's declared sizes cannot be true (a zip bomb, a lie), or nullopt.
std::optional<std::string> implausible_size_reason(const ZipEntry& entry, std::uint64_t archive_size);
// The same for the archive as a whole: entries that do not overlap, each
// within deflate's ratio, still add up to a bounded total.
std::optional<std::string> implausible_total_size_reason(const std::vector<ZipEntry>& entries, std::uint64_t archive_size);

}  // namespace aw
