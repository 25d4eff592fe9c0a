#include "wheel/wheel_writer.hpp"

#include "base/diagnostics.hpp"
#include "base/file_io.hpp"
#include "base/interrupt.hpp"
#include "base/unique_fd.hpp"

#include <zlib.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <optional>

namespace aw {

namespace {

// The block our sources read and write in. libzip moves 8 KiB at a time, and its file sources go
// through stdio's 4 KiB buffer: a system call per 4 KiB and a seek per read, which on the 300 MB
// bench wheel took a third of whl-pack's time.
constexpr std::size_t kIoBlock = std::size_t{1} << 20;

// libzip asks between blocks whether to stop writing: at a signal, or once `state` (a flag, when
// given) says the wheel cannot be finished.
extern "C" int cancel_writing(zip_t*, void* state) {
    const auto* give_up = static_cast<const std::atomic<bool>*>(state);
    return pending_signal() != 0 || (give_up != nullptr && give_up->load()) ? 1 : 0;
}

// What our sources share: libzip's error slot, and where an exception thrown while libzip used a
// source is kept for WheelWriter::commit to throw (libzip itself would only say "Read error").
struct SourceState {
    zip_error_t error{};
    std::exception_ptr* failure = nullptr;

    zip_int64_t fail_with(int zip_code, int system_code) {
        zip_error_set(&error, zip_code, system_code);
        return -1;
    }
    // STAT's answer, giving the method the bytes are in and their size uncompressed; nullptr when
    // libzip's buffer is wrong.
    zip_stat_t* stat_args(void* data, zip_uint64_t length, zip_uint16_t method, zip_uint64_t size) {
        zip_stat_t* stat = ZIP_SOURCE_GET_ARGS(zip_stat_t, data, length, &error);
        if (stat == nullptr) return nullptr;
        zip_stat_init(stat);
        stat->valid = ZIP_STAT_COMP_METHOD | ZIP_STAT_SIZE;
        stat->comp_method = method;
        stat->size = size;
        return stat;
    }
};

constexpr zip_int64_t kReadCommands = ZIP_SOURCE_SUPPORTS_READABLE;  // open, read, close, stat, error, free

// libzip's callback for a source of type `Source`, which answers command(); the callback frees it
// and turns what it throws into a libzip error.
template <class Source>
zip_int64_t source_callback(void* state, void* data, zip_uint64_t length, zip_source_cmd_t command) {
    auto* source = static_cast<Source*>(state);
    switch (command) {
        case ZIP_SOURCE_ERROR: return zip_error_to_data(&source->error, data, length);
        case ZIP_SOURCE_FREE: delete source; return 0;
        default: break;
    }
    try {
        return source->command(data, length, command);
    } catch (...) {
        if (source->failure != nullptr && !*source->failure) *source->failure = std::current_exception();
        return source->fail_with(ZIP_ER_READ, EIO);
    }
}

template <class Source>
zip_source_t* make_source(zip_t* archive, std::unique_ptr<Source> state) {
    zip_source_t* source = zip_source_function(archive, source_callback<Source>, state.get());
    if (source != nullptr) static_cast<void>(state.release());
    return source;
}

// Where libzip writes the new archive: `path`, created at BEGIN_WRITE (it must not exist), the
// writes gathered into blocks put with pwrite. libzip seeks back to finish each member's local
// header once the member is written; a header still in the block is finished there.
// zip_open_from_source demands the reading commands of an archive's source, but of a new archive
// it only asks STAT, answered "no such file"; the others are refused.
struct ArchiveFileSink : SourceState {
    std::string path;
    UniqueFd fd;
    std::unique_ptr<std::byte[]> block;
    std::uint64_t block_offset = 0;  // in the file, of block[0]
    std::size_t filled = 0;          // bytes of the block to write
    std::uint64_t position = 0;      // where the next write goes
    std::uint64_t end = 0;           // of everything written

    bool flush() {
        if (filled == 0) return true;
        if (int code = write_all_at(fd.get(), std::span(block.get(), filled), block_offset)) return fail_with(ZIP_ER_WRITE, code), false;
        filled = 0;
        return true;
    }

    bool write(const std::byte* data, std::size_t length) {
        while (length > 0) {
            // A write before the block, past its end, or once it is full starts a block where it goes.
            if (position < block_offset || position > block_offset + filled || position - block_offset == kIoBlock) {
                if (!flush()) return false;
                block_offset = position;
            }
            std::size_t at = static_cast<std::size_t>(position - block_offset);
            std::size_t take = std::min(length, kIoBlock - at);
            std::memcpy(block.get() + at, data, take);
            filled = std::max(filled, at + take);
            position += take, data += take, length -= take;
            end = std::max(end, position);
        }
        return true;
    }

    zip_int64_t command(void* data, zip_uint64_t length, zip_source_cmd_t command) {
        switch (command) {
            case ZIP_SOURCE_STAT: return fail_with(ZIP_ER_READ, ENOENT);
            case ZIP_SOURCE_BEGIN_WRITE:
                fd = UniqueFd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666));
                if (!fd) return fail_with(ZIP_ER_OPEN, errno);
                block = std::make_unique_for_overwrite<std::byte[]>(kIoBlock);
                return 0;
            case ZIP_SOURCE_WRITE:
                return write(static_cast<const std::byte*>(data), length) ? static_cast<zip_int64_t>(length) : -1;
            case ZIP_SOURCE_TELL_WRITE: return static_cast<zip_int64_t>(position);
            case ZIP_SOURCE_SEEK_WRITE: {
                zip_int64_t to = zip_source_seek_compute_offset(position, end, data, length, &error);
                if (to < 0) return -1;
                position = static_cast<std::uint64_t>(to);
                return 0;
            }
            case ZIP_SOURCE_COMMIT_WRITE:
                if (!flush()) return -1;
                if (fd.close() != 0) return fail_with(ZIP_ER_WRITE, errno);
                return 0;
            case ZIP_SOURCE_ROLLBACK_WRITE:
            case ZIP_SOURCE_REMOVE:
                fd = UniqueFd();
                if (::unlink(path.c_str()) != 0 && errno != ENOENT) return fail_with(ZIP_ER_REMOVE, errno);
                return 0;
            case ZIP_SOURCE_SUPPORTS: return ZIP_SOURCE_SUPPORTS_WRITABLE;
            default: return fail_with(ZIP_ER_OPNOTSUPP, 0);
        }
    }
};

// An unchanged member copied compressed, read from the original with pread a block at a time.
// Its stat gives the original's method, sizes and CRC, so libzip neither inflates nor compresses
// it (a stored one it runs through its own CRC, as any stored data). Unlike zip_source_zip it
// carries none of the original's informational header bits (deflate option, text file): neither
// does pypa auditwheel, which writes every member anew.
struct RawCopySource : SourceState {
    const ZipReader* original = nullptr;
    const ZipEntry* entry = nullptr;
    std::unique_ptr<std::byte[]> block;  // while open
    std::size_t block_size = 0, block_at = 0;
    std::uint64_t offset = 0;  // in the member's compressed bytes, of the block's end

    zip_int64_t read(std::byte* out, std::size_t length) {
        if (block_at == block_size) {
            std::uint64_t left = entry->compressed_size - offset;
            if (left == 0) return 0;
            block_size = static_cast<std::size_t>(std::min<std::uint64_t>(left, kIoBlock)), block_at = 0;
            original->read_compressed(*entry, offset, std::span(block.get(), block_size));
            offset += block_size;
        }
        std::size_t take = std::min(length, block_size - block_at);
        std::memcpy(out, block.get() + block_at, take);
        block_at += take;
        return static_cast<zip_int64_t>(take);
    }

    zip_int64_t command(void* data, zip_uint64_t length, zip_source_cmd_t command) {
        switch (command) {
            case ZIP_SOURCE_OPEN:
                block = std::make_unique_for_overwrite<std::byte[]>(
                    static_cast<std::size_t>(std::min<std::uint64_t>(entry->compressed_size, kIoBlock)));
                block_size = block_at = 0, offset = 0;
                return 0;
            case ZIP_SOURCE_READ: return read(static_cast<std::byte*>(data), static_cast<std::size_t>(length));
            case ZIP_SOURCE_CLOSE: block.reset(); return 0;
            case ZIP_SOURCE_STAT: {
                zip_stat_t* stat = stat_args(data, length, entry->method, entry->size);
                if (stat == nullptr) return -1;
                stat->valid |= ZIP_STAT_COMP_SIZE | ZIP_STAT_CRC;
                stat->comp_size = entry->compressed_size;
                stat->crc = entry->crc;
                return sizeof(zip_stat_t);
            }
            case ZIP_SOURCE_SUPPORTS: return kReadCommands;
            default: return fail_with(ZIP_ER_OPNOTSUPP, 0);
        }
    }
};

// A file handed to libzip already deflated (DeflatePipeline, on every core and ahead of libzip):
// its stat says deflate, so libzip writes the bytes as they come and compresses nothing again;
// the CRC and compressed size it asks for after the last read are the ones the chunks add up to.
struct DeflatedFileSource : SourceState {
    DeflatePipeline* pipeline = nullptr;
    std::size_t file = 0;
    std::uint64_t size = 0;
    DeflatedChunk current;
    std::size_t offset = 0;
    std::uint32_t crc = 0;
    std::uint64_t compressed = 0;
    bool done = false;

    zip_int64_t fill(unsigned char* out, std::size_t length) {
        std::size_t given = 0;
        while (given < length && !done) {
            if (offset == current.bytes.size()) {
                std::optional<DeflatedChunk> next = pipeline->next(file);
                if (!next) {
                    done = true;
                    break;
                }
                crc = static_cast<std::uint32_t>(::crc32_combine(crc, next->crc, static_cast<z_off_t>(next->size)));
                compressed += next->bytes.size();
                current = std::move(*next);
                offset = 0;
            }
            std::size_t take = std::min(length - given, current.bytes.size() - offset);
            std::memcpy(out + given, current.bytes.data() + offset, take);
            offset += take;
            given += take;
        }
        return static_cast<zip_int64_t>(given);
    }

    zip_int64_t command(void* data, zip_uint64_t length, zip_source_cmd_t command) {
        switch (command) {
            case ZIP_SOURCE_OPEN: return 0;
            case ZIP_SOURCE_READ: return fill(static_cast<unsigned char*>(data), static_cast<std::size_t>(length));
            case ZIP_SOURCE_CLOSE: return 0;
            case ZIP_SOURCE_STAT: {
                zip_stat_t* stat = stat_args(data, length, ZIP_CM_DEFLATE, size);
                if (stat == nullptr) return -1;
                if (done) {
                    stat->valid |= ZIP_STAT_CRC | ZIP_STAT_COMP_SIZE;
                    stat->crc = crc;
                    stat->comp_size = compressed;
                }
                return sizeof(zip_stat_t);
            }
            case ZIP_SOURCE_SUPPORTS: return kReadCommands;
            default: return fail_with(ZIP_ER_OPNOTSUPP, 0);
        }
    }
};

// A member whose bytes are known only once the members before it are written: libzip asks for
// its size when it comes to write it, and `make` runs then.
struct DeferredBytesSource : SourceState {
    std::function<std::string()> make;
    std::optional<std::string> bytes;
    std::size_t offset = 0;

    const std::string& made() {
        if (!bytes) bytes = make();
        return *bytes;
    }

    zip_int64_t command(void* data, zip_uint64_t length, zip_source_cmd_t command) {
        switch (command) {
            case ZIP_SOURCE_OPEN: made(), offset = 0; return 0;
            case ZIP_SOURCE_READ: {
                std::size_t take = std::min<std::size_t>(length, made().size() - offset);
                std::memcpy(data, made().data() + offset, take);
                offset += take;
                return static_cast<zip_int64_t>(take);
            }
            case ZIP_SOURCE_CLOSE: return 0;
            case ZIP_SOURCE_STAT: {
                return stat_args(data, length, ZIP_CM_STORE, made().size()) != nullptr ? sizeof(zip_stat_t) : -1;
            }
            case ZIP_SOURCE_SUPPORTS: return kReadCommands;
            default: return fail_with(ZIP_ER_OPNOTSUPP, 0);
        }
    }
};

}  // namespace

WheelWriter::WheelWriter(const std::string& file, const std::string& shown_as, std::int64_t mtime, int level,
                         unsigned threads, const std::atomic<bool>& give_up)
    : path_(shown_as), mtime_(mtime), level_(level), pipeline_(level, threads) {
    auto sink = std::make_unique<ArchiveFileSink>();
    sink->path = file;
    zip_error_t error;
    zip_error_init(&error);
    zip_source_t* source = zip_source_function_create(source_callback<ArchiveFileSink>, sink.get(), &error);
    if (source != nullptr) {
        static_cast<void>(sink.release());
        archive_.reset(zip_open_from_source(source, ZIP_CREATE | ZIP_TRUNCATE, &error));
        if (!archive_) zip_source_free(source);
    }
    if (!archive_) {
        std::string why = zip_error_strerror(&error);
        zip_error_fini(&error);
        fail("{}: cannot create: {}", path_, why);
    }
    zip_error_fini(&error);
    zip_register_cancel_callback_with_state(archive_.get(), cancel_writing, nullptr,
                                            const_cast<std::atomic<bool>*>(&give_up));
}

void WheelWriter::add_directory(const std::string& name) {
    zip_int64_t index = zip_dir_add(archive_.get(), name.c_str(), ZIP_FL_ENC_UTF_8);
    check(index, name);
    finish_entry(static_cast<zip_uint64_t>(index), name, S_IFDIR | 0755, 0x10);
}

void WheelWriter::add_raw_copy(const std::string& name, const ZipReader& original, const ZipEntry& entry,
                               std::uint32_t mode) {
    auto state = std::make_unique<RawCopySource>();
    state->original = &original, state->entry = &entry, state->failure = &source_failure_;
    zip_uint64_t index = add(name, make_source(archive_.get(), std::move(state)), mode);
    // The entry's method must equal the source's, or libzip inflates and deflates again (its
    // default method is deflate, so stored members would be compressed).
    check(zip_set_file_compression(archive_.get(), index, entry.method, 0), name);
}

void WheelWriter::add_file(const std::string& name, const std::string& path, std::uint32_t mode, std::uint64_t size) {
    if (level_ == 0) {
        set_new_member_compression(add(name, zip_source_file(archive_.get(), path.c_str(), 0, -1), mode), name);
        return;
    }
    auto state = std::make_unique<DeflatedFileSource>();
    state->pipeline = &pipeline_, state->file = pipeline_.add(path, size), state->size = size;
    state->failure = &source_failure_;
    set_new_member_compression(add(name, make_source(archive_.get(), std::move(state)), mode), name);
}

void WheelWriter::add_bytes(const std::string& name, std::string bytes, std::uint32_t mode) {
    const std::string& kept = buffers_.emplace_back(std::move(bytes));
    set_new_member_compression(add(name, zip_source_buffer(archive_.get(), kept.data(), kept.size(), 0), mode), name);
}

void WheelWriter::add_deferred(const std::string& name, std::function<std::string()> make, std::uint32_t mode) {
    auto state = std::make_unique<DeferredBytesSource>();
    state->make = std::move(make), state->failure = &source_failure_;
    set_new_member_compression(add(name, make_source(archive_.get(), std::move(state)), mode), name);
}

void WheelWriter::commit() {
    if (zip_close(archive_.get()) != 0) {
        throw_if_interrupted();
        if (source_failure_) std::rethrow_exception(source_failure_);
        fail("{}: cannot write: {}", path_, zip_strerror(archive_.get()));
    }
    static_cast<void>(archive_.release());
}

void WheelWriter::check(zip_int64_t result, const std::string& name) {
    if (result < 0) fail("{}: cannot add {}: {}", path_, name, zip_strerror(archive_.get()));
}

zip_uint64_t WheelWriter::add(const std::string& name, zip_source_t* source, std::uint32_t mode) {
    if (source == nullptr) fail("{}: cannot read data for {}: {}", path_, name, zip_strerror(archive_.get()));
    zip_int64_t index = zip_file_add(archive_.get(), name.c_str(), source, ZIP_FL_ENC_UTF_8);
    if (index < 0) zip_source_free(source);
    check(index, name);
    auto entry = static_cast<zip_uint64_t>(index);
    finish_entry(entry, name, S_IFREG | mode, 0);
    return entry;
}

void WheelWriter::set_new_member_compression(zip_uint64_t index, const std::string& name) {
    // Level 0 stores: libzip reads a deflate level of 0 as "default".
    bool store = level_ == 0;
    check(zip_set_file_compression(archive_.get(), index, store ? ZIP_CM_STORE : ZIP_CM_DEFLATE,
                                   store ? 0 : static_cast<zip_uint32_t>(level_)),
          name);
}

void WheelWriter::finish_entry(zip_uint64_t index, const std::string& name, std::uint32_t st_mode,
                               std::uint32_t dos_attributes) {
    check(zip_file_set_external_attributes(archive_.get(), index, 0, ZIP_OPSYS_UNIX, st_mode << 16 | dos_attributes),
          name);
    check(zip_file_set_mtime(archive_.get(), index, static_cast<time_t>(mtime_), 0), name);
}

}  // namespace aw
