#include "parallel_deflate.hpp"

#include "diagnostics.hpp"

#include <sched.h>
#include <zlib.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace aw {

std::size_t deflate_chunk_count(std::uint64_t size) {
    return std::max<std::size_t>(1, static_cast<std::size_t>((size + kDeflateChunk - 1) / kDeflateChunk));
}

DeflatedChunk deflate_chunk(std::span<const unsigned char> all, std::size_t index, int level) {
    constexpr std::size_t kWindow = 32768;
    const std::size_t start = std::min(all.size(), index * kDeflateChunk);
    const std::size_t end = std::min(all.size(), start + kDeflateChunk);
    const bool last = end == all.size();
    z_stream stream{};
    if (deflateInit2(&stream, level < 0 ? Z_DEFAULT_COMPRESSION : level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        fail("deflate: cannot start zlib (out of memory)");
    DeflatedChunk chunk;
    chunk.size = end - start;
    chunk.crc = static_cast<std::uint32_t>(::crc32(0L, all.data() + start, static_cast<uInt>(chunk.size)));
    if (start > 0) {
        const std::size_t from = start > kWindow ? start - kWindow : 0;
        deflateSetDictionary(&stream, all.data() + from, static_cast<uInt>(start - from));
    }
    // deflateBound is for a finished stream; a sync flush adds at most an empty stored block.
    chunk.bytes.resize(deflateBound(&stream, static_cast<uLong>(chunk.size)) + 16);
    stream.next_in = const_cast<Bytef*>(all.data() + start);
    stream.avail_in = static_cast<uInt>(chunk.size);
    stream.next_out = chunk.bytes.data();
    stream.avail_out = static_cast<uInt>(chunk.bytes.size());
    int status = deflate(&stream, last ? Z_FINISH : Z_SYNC_FLUSH);
    bool complete = last ? status == Z_STREAM_END : status == Z_OK && stream.avail_in == 0 && stream.avail_out > 0;
    chunk.bytes.resize(chunk.bytes.size() - stream.avail_out);
    deflateEnd(&stream);
    if (!complete) fail("deflate: zlib stopped at chunk {} ({})", index, status);
    return chunk;
}

ChunkedDeflate::ChunkedDeflate(std::span<const unsigned char> all, int level, unsigned threads)
    : all_(all), level_(level), threads_(std::max(1u, threads)), count_(deflate_chunk_count(all.size())) {
    launch();
}

void ChunkedDeflate::launch() {
    while (launched_ < count_ && pending_.size() < 2 * threads_) {
        std::size_t index = launched_++;
        auto job = [all = all_, index, level = level_] { return deflate_chunk(all, index, level); };
        pending_.push_back(std::async(threads_ > 1 ? std::launch::async : std::launch::deferred, job));
    }
}

std::optional<DeflatedChunk> ChunkedDeflate::next() {
    if (pending_.empty()) return std::nullopt;
    DeflatedChunk chunk = pending_.front().get();
    pending_.pop_front();
    launch();
    return chunk;
}

unsigned deflate_threads(const std::optional<std::string>& setting, std::string_view named) {
    if (setting) {
        unsigned value = 0;
        auto [end, error] = std::from_chars(setting->data(), setting->data() + setting->size(), value);
        if (error != std::errc() || end != setting->data() + setting->size() || value == 0 || value > 1024)
            fail_usage("{} must be a whole number from 1 to 1024, not '{}'", named, *setting);
        return value;
    }
    cpu_set_t cpus;
    CPU_ZERO(&cpus);
    if (sched_getaffinity(0, sizeof cpus, &cpus) == 0 && CPU_COUNT(&cpus) > 0) return static_cast<unsigned>(CPU_COUNT(&cpus));
    return 1;
}

}  // namespace aw
