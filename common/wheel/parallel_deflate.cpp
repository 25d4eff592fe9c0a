#include "wheel/parallel_deflate.hpp"

#include "base/diagnostics.hpp"
#include "base/file_io.hpp"
#include "base/worker_threads.hpp"

#include <libdeflate.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>

namespace aw {

std::size_t deflate_chunk_count(std::uint64_t size) {
    return std::max<std::size_t>(1, static_cast<std::size_t>((size + kDeflateChunk - 1) / kDeflateChunk));
}

namespace {

// Where the header of a deflate block starts: the byte and the bit in it (BFINAL, its first bit).
struct BlockHeader {
    std::size_t byte = 0;
    unsigned char bit = 1;
};

// libdeflate ends every stream with a final block; to continue the stream after it, its
// BFINAL bit is cleared and an empty stored block (a sync flush: 3 header bits, padding to the
// byte, 00 00 FF FF) brings the stream to a byte boundary. zlib's inflate, stopping at each block
// boundary (Z_BLOCK), finds that header: libdeflate does not say where its blocks begin.
// `stream` holds `size` bytes and room for kSyncFlushBytes more; returns the new size.
constexpr std::size_t kSyncFlushBytes = 5;
std::size_t continue_after(unsigned char* stream, std::size_t size, std::size_t index, std::size_t expected_size) {
    z_stream inflater{};
    if (inflateInit2(&inflater, -15) != Z_OK) fail("deflate: cannot start zlib (out of memory)");
    std::array<unsigned char, 65536> scratch;
    BlockHeader last;  // the first block's header is the stream's first bit
    std::optional<unsigned> end_unused;  // bits after the last block's end code, in its last byte
    std::size_t produced = 0;
    inflater.next_in = stream;
    inflater.avail_in = static_cast<uInt>(size);
    int status = Z_OK;
    while (status == Z_OK) {
        inflater.next_out = scratch.data();
        inflater.avail_out = static_cast<uInt>(scratch.size());
        status = inflate(&inflater, Z_BLOCK);
        produced += scratch.size() - inflater.avail_out;
        if (status != Z_OK || (inflater.data_type & 128) == 0) continue;
        // At the end of a block: the next header (if any) starts after the bits inflate has taken.
        const unsigned unused = static_cast<unsigned>(inflater.data_type & 7);
        if ((inflater.data_type & 64) != 0) {
            end_unused = unused;
        } else {
            const std::size_t consumed = size - inflater.avail_in;
            last = unused == 0 ? BlockHeader{consumed, 1}
                               : BlockHeader{consumed - 1, static_cast<unsigned char>(0x100 >> unused)};
        }
    }
    const bool whole = status == Z_STREAM_END && inflater.avail_in == 0 && produced == expected_size && end_unused;
    inflateEnd(&inflater);
    if (!whole || last.byte >= size || (stream[last.byte] & last.bit) == 0)
        fail("deflate: chunk {} does not inflate to its {} bytes (zlib {})", index, expected_size, status);
    const unsigned unused = *end_unused;
    stream[last.byte] &= static_cast<unsigned char>(~last.bit);
    stream[size - 1] &= static_cast<unsigned char>((1u << (8 - unused)) - 1);  // padding bits are the next header's
    if (unused < 3) stream[size++] = 0;
    for (unsigned char byte : {0x00, 0x00, 0xff, 0xff}) stream[size++] = byte;
    return size;
}

}  // namespace

int libdeflate_level(int zlib_level) {
    // Measured on those 113 libraries (115 MB), zlib's level -> libdeflate's, in 1 MiB chunks:
    // 1, 2, 3 -> 2 (its 1 is 2 % larger than zlib's 1 on lxml's libicudata); 4 -> 4 (its 3 is
    // larger on PyYAML's libyaml); 5, 6 -> 5 (its 4 is 2 % larger than zlib's 5 on scipy's); 7, 8, 9 -> 6.
    static constexpr int kLevels[] = {0, 2, 2, 2, 4, 5, 5, 6, 6, 6};
    return kLevels[zlib_level < 1 || zlib_level > 9 ? kDefaultDeflateLevel : zlib_level];
}

DeflateWorkspace::DeflateWorkspace(int level) : compressor_(libdeflate_alloc_compressor(libdeflate_level(level))) {
    if (!compressor_) fail("deflate: cannot start libdeflate at level {} (out of memory)", level);
    room_ = libdeflate_deflate_compress_bound(compressor_.get(), kDeflateChunk) + kSyncFlushBytes;
    out_ = std::make_unique_for_overwrite<unsigned char[]>(room_);
}

DeflateWorkspace::~DeflateWorkspace() = default;

void DeflateWorkspace::CompressorFree::operator()(libdeflate_compressor* compressor) const {
    libdeflate_free_compressor(compressor);
}

DeflatedChunk DeflateWorkspace::deflate(std::span<const unsigned char> all, std::size_t index) {
    const std::size_t start = std::min(all.size(), index * kDeflateChunk);
    const std::size_t end = std::min(all.size(), start + kDeflateChunk);
    DeflatedChunk chunk;
    chunk.size = end - start;
    chunk.crc = libdeflate_crc32(0, all.data() + start, chunk.size);
    std::size_t written = libdeflate_deflate_compress(compressor_.get(), all.data() + start, chunk.size, out_.get(),
                                                      room_ - kSyncFlushBytes);
    if (written == 0) fail("deflate: libdeflate stopped at chunk {}", index);
    if (end != all.size()) written = continue_after(out_.get(), written, index, chunk.size);
    chunk.bytes.assign(out_.get(), out_.get() + written);
    return chunk;
}

DeflatedChunk deflate_chunk(std::span<const unsigned char> all, std::size_t index, int level) {
    return DeflateWorkspace(level).deflate(all, index);
}

struct DeflatePipeline::File {
    std::string path;
    std::uint64_t size = 0;
    std::shared_ptr<MappedFile> mapped;  // while chunks of it are pending
};

struct DeflatePipeline::Job {
    std::size_t file = 0;
    bool last = false;
    std::future<DeflatedChunk> result;
};

namespace {
// What a worker holds: its workspace (an output buffer of a chunk's bound and libdeflate's
// compressor, under 1 MiB at the levels to 6 that libdeflate_level gives) and the window's two
// chunks of output per thread, each up to a chunk's bound when the data does not compress.
constexpr std::size_t kWorkerMemory = 4 * kDeflateChunk;
}  // namespace

DeflatePipeline::DeflatePipeline(int level, unsigned threads)
    : level_(level), threads_(threads_within_memory(threads, kWorkerMemory)) {}

DeflatePipeline::~DeflatePipeline() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        queue_.clear();  // their futures, never read, hold broken promises
    }
    wake_.notify_all();
    for (std::thread& worker : workers_) worker.join();
}

// A worker deflates chunks in turn with one workspace, made at its first chunk (inside the task,
// so that a failure to make it reaches the reader as that chunk's error).
void DeflatePipeline::work() {
    std::optional<DeflateWorkspace> workspace;
    for (;;) {
        Task task;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            if (stopping_) return;
            task = std::move(queue_.front());
            queue_.pop_front();
        }
        task(workspace);
    }
}

std::size_t DeflatePipeline::add(std::string path, std::uint64_t size) {
    files_.push_back(File{std::move(path), size, nullptr});
    launch();
    return files_.size() - 1;
}

void DeflatePipeline::launch() {
    while (launch_file_ < files_.size() && pending_.size() < 2 * threads_) {
        File& file = files_[launch_file_];
        if (!file.mapped && file.size > 0) {  // an empty file is not mapped: its one chunk is the stream's end
            file.mapped = std::make_shared<MappedFile>(file.path);
            if (file.mapped->bytes().size() != file.size)
                fail("{}: changed while the wheel was written ({} bytes, then {})", file.path, file.size,
                     file.mapped->bytes().size());
        }
        const std::size_t chunk = launch_chunk_;
        const bool last = chunk + 1 == deflate_chunk_count(file.size);
        Task task([mapped = file.mapped, chunk, level = level_](std::optional<DeflateWorkspace>& workspace) {
            if (!workspace) workspace.emplace(level);
            return workspace->deflate(mapped ? mapped->bytes() : std::span<const unsigned char>(), chunk);
        });
        pending_.push_back(Job{launch_file_, last, task.get_future()});
        {
            std::lock_guard lock(mutex_);
            queue_.push_back(std::move(task));
        }
        wake_.notify_one();
        if (workers_.size() < std::min<std::size_t>(threads_, pending_.size())) workers_.emplace_back(&DeflatePipeline::work, this);
        if (last) {
            file.mapped.reset();  // the jobs keep it mapped until they are done
            ++launch_file_, launch_chunk_ = 0;
        } else {
            ++launch_chunk_;
        }
    }
}

std::optional<DeflatedChunk> DeflatePipeline::next(std::size_t file) {
    if (file >= files_.size()) fail("internal error: deflate: no file {}", file);
    launch();
    if (pending_.empty() || pending_.front().file != file) {
        if (pending_.empty() ? launch_file_ > file : pending_.front().file > file) return std::nullopt;
        fail("internal error: deflate: {} read out of turn", files_[file].path);
    }
    Job job = std::move(pending_.front());
    pending_.pop_front();
    DeflatedChunk chunk = job.result.get();
    launch();
    return chunk;
}

}  // namespace aw
