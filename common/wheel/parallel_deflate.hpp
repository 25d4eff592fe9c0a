// Deflate on every core, as pigz does: a member is cut into chunks of kDeflateChunk bytes, each
// compressed on its own by libdeflate (2-3 times zlib's speed, and smaller output, at the same
// level) and continued past its end by a sync flush, so that the next starts on a byte boundary;
// the last ends the stream. The pieces in order are one raw deflate stream whose CRC-32 is
// combined from theirs. Chunk boundaries and the level do not depend on the number of threads,
// so neither does the output.
#pragma once

#include <span>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

struct libdeflate_compressor;

namespace aw {

inline constexpr std::size_t kDeflateChunk = std::size_t{1} << 20;
inline constexpr int kDefaultDeflateLevel = 6;  // zlib's default, which pypa auditwheel uses

// The libdeflate level for zlib's `zlib_level` (1 to 9, -1: kDefaultDeflateLevel): the lowest whose
// output is no larger than zlib's at that level on the libraries grafted into each of make bench's
// nine Debian wheels (libdeflate compresses better than zlib at the same level, so a lower one
// keeps pypa auditwheel's sizes at less cost: level 5 for zlib's 6 is 15 % faster than 6).
int libdeflate_level(int zlib_level);

struct DeflatedChunk {
    std::vector<unsigned char> bytes;  // raw deflate
    std::uint32_t crc = 0;             // of the chunk's input
    std::size_t size = 0;              // of the chunk's input
};

// How many chunks `size` bytes make (one for an empty file: the stream still needs its end).
std::size_t deflate_chunk_count(std::uint64_t size);

// What deflating chunks at one level takes, made once per thread: a compressor and an output
// buffer for the largest chunk (made afresh for each chunk they cost more page faults than the
// compression of a small member).
class DeflateWorkspace {
public:
    explicit DeflateWorkspace(int level);  // zlib's: 1 to 9, -1: kDefaultDeflateLevel
    ~DeflateWorkspace();
    DeflateWorkspace(const DeflateWorkspace&) = delete;
    DeflateWorkspace& operator=(const DeflateWorkspace&) = delete;
    // Chunk `index` of `all`; throws Error when libdeflate or zlib fails, or the chunk does not
    // inflate back to its size.
    DeflatedChunk deflate(std::span<const unsigned char> all, std::size_t index);

private:
    struct CompressorFree {
        void operator()(libdeflate_compressor* compressor) const;
    };
    std::unique_ptr<libdeflate_compressor, CompressorFree> compressor_;
    std::unique_ptr<unsigned char[]> out_;
    std::size_t room_ = 0;
};

// Chunk `index` of `all` at `level`, with a workspace of its own.
DeflatedChunk deflate_chunk(std::span<const unsigned char> all, std::size_t index, int level);

// The files of one archive, deflated chunk by chunk on up to `threads` worker threads (started as
// chunks wait for them; no more than fit in kThreadsMemory, a dozen), ahead of the reader and
// across files (so many small members use every core too): `next` hands out each file's chunks
// in order, and the files must be read in the order they were added. At most twice that many
// chunks are in memory, and only the files they come from are mapped.
class DeflatePipeline {
public:
    DeflatePipeline(int level, unsigned threads);
    DeflatePipeline(const DeflatePipeline&) = delete;
    DeflatePipeline& operator=(const DeflatePipeline&) = delete;
    ~DeflatePipeline();
    std::size_t add(std::string path, std::uint64_t size);  // returns the file's number
    // The file's next chunk, nullopt after its last; throws Error when the file cannot be read,
    // changed size since it was added, or is read out of turn.
    std::optional<DeflatedChunk> next(std::size_t file);

private:
    struct File;
    struct Job;
    using Task = std::packaged_task<DeflatedChunk(std::optional<DeflateWorkspace>&)>;
    void launch();
    void work();
    int level_;
    unsigned threads_;
    std::vector<File> files_;
    std::size_t launch_file_ = 0, launch_chunk_ = 0;
    std::deque<Job> pending_;
    std::mutex mutex_;  // guards queue_ and stopping_
    std::condition_variable wake_;
    std::deque<Task> queue_;
    bool stopping_ = false;
    std::vector<std::thread> workers_;
};

}  // namespace aw
