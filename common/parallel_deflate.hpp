// Deflate on every core, as pigz does: a member is cut into chunks of kDeflateChunk bytes,
// each compressed on its own (primed with the 32 KiB before it as a dictionary, and ended by
// a sync flush so that the next starts on a byte boundary; the last ends the stream), and the
// pieces in order are one raw deflate stream whose CRC-32 is combined from theirs. Chunk
// boundaries and the level do not depend on the number of threads, so neither does the output.
#pragma once

#include <span>

#include <cstdint>
#include <deque>
#include <future>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aw {

inline constexpr std::size_t kDeflateChunk = std::size_t{1} << 20;

struct DeflatedChunk {
    std::vector<unsigned char> bytes;  // raw deflate
    std::uint32_t crc = 0;             // of the chunk's input
    std::size_t size = 0;              // of the chunk's input
};

// How many chunks `size` bytes make (one for an empty file: the stream still needs its end).
std::size_t deflate_chunk_count(std::uint64_t size);

// Chunk `index` of `all` at zlib `level` (-1: zlib's default); throws Error when zlib fails.
DeflatedChunk deflate_chunk(std::span<const unsigned char> all, std::size_t index, int level);

// The chunks of `all`, deflated ahead on up to `threads` threads and handed out in order;
// at most twice `threads` chunks are in memory at a time.
class ChunkedDeflate {
public:
    ChunkedDeflate(std::span<const unsigned char> all, int level, unsigned threads);
    ChunkedDeflate(const ChunkedDeflate&) = delete;
    ChunkedDeflate& operator=(const ChunkedDeflate&) = delete;
    std::optional<DeflatedChunk> next();  // nullopt after the last

private:
    void launch();
    std::span<const unsigned char> all_;
    int level_;
    unsigned threads_;
    std::size_t count_, launched_ = 0;
    std::deque<std::future<DeflatedChunk>> pending_;
};

// The threads to use: `setting` when given (a whole number from 1 to 1024, from the option or
// variable `named`), else the cores this process may run on. A malformed value is a usage error.
unsigned deflate_threads(const std::optional<std::string>& setting, std::string_view named);

}  // namespace aw
