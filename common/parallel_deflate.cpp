#include "parallel_deflate.hpp"

#include "diagnostics.hpp"
#include "elf_rewrite.hpp"

#include <sched.h>
#include <zlib.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
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

DeflatePipeline::DeflatePipeline(int level, unsigned threads) : level_(level), threads_(std::max(1u, threads)) {}

DeflatePipeline::~DeflatePipeline() {
    for (Job& job : pending_)
        if (job.result.valid()) job.result.wait();
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
        auto job = [mapped = file.mapped, chunk, level = level_] {
            return deflate_chunk(mapped ? mapped->bytes() : std::span<const unsigned char>(), chunk, level);
        };
        pending_.push_back(Job{launch_file_, last, std::async(threads_ > 1 ? std::launch::async : std::launch::deferred, job)});
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

unsigned deflate_threads(const std::optional<std::string>& option) {
    const char* variable = std::getenv("AUDITWHEEL_THREADS");
    std::optional<std::string> setting = option;
    if (!setting && variable != nullptr && *variable != '\0') setting = variable;
    if (setting) {
        unsigned value = 0;
        auto [end, error] = std::from_chars(setting->data(), setting->data() + setting->size(), value);
        if (error != std::errc() || end != setting->data() + setting->size() || value == 0 || value > 1024)
            fail_usage("{} must be a whole number from 1 to 1024, not '{}'", option ? "--threads" : "AUDITWHEEL_THREADS",
                       *setting);
        return value;
    }
    cpu_set_t cpus;
    CPU_ZERO(&cpus);
    if (sched_getaffinity(0, sizeof cpus, &cpus) == 0 && CPU_COUNT(&cpus) > 0) return static_cast<unsigned>(CPU_COUNT(&cpus));
    return 1;
}

}  // namespace aw
