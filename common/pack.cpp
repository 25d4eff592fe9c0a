#include "pack.hpp"

#include "diagnostics.hpp"
#include "digest.hpp"
#include "file_io.hpp"
#include "interrupt.hpp"
#include "parallel_deflate.hpp"
#include "record_file.hpp"
#include "work_dir.hpp"
#include "zip_reader.hpp"

#include <zip.h>
#include <zlib.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <thread>
#include <sys/stat.h>

namespace aw {
namespace fs = std::filesystem;

namespace {
constexpr std::int64_t kZipEpoch = 315532800;  // 1980-01-01T00:00:00Z

std::uint32_t octal_mode(const Json& record, const std::string& path) {
    std::string text = required_string(record, "mode");
    char* end = nullptr;
    unsigned long mode = std::strtoul(text.c_str(), &end, 8);
    if (text.empty() || *end != '\0' || mode > 07777) fail("member record for {}: mode '{}' is not octal", path, text);
    return static_cast<std::uint32_t>(mode);
}

struct Tree {
    std::set<std::string> files;
    std::set<std::string> directories;
};

void add_with_parents(Tree& tree, const std::string& file) {
    tree.files.insert(file);
    for (std::size_t slash = file.find('/'); slash != std::string::npos; slash = file.find('/', slash + 1))
        tree.directories.insert(file.substr(0, slash));
}

// What is in the work directory now, plus the members never extracted.
Tree collect_tree(const PackInput& input, const std::string& record_path) {
    Tree tree;
    std::error_code error;
    fs::recursive_directory_iterator it(input.wheel.workdir, error), end;
    if (error) fail("{}: cannot read the work directory: {}", input.wheel.workdir, error.message());
    for (; it != end; it.increment(error)) {
        if (error) fail("{}: cannot read the work directory: {}", input.wheel.workdir, error.message());
        std::string relative = it->path().lexically_relative(input.wheel.workdir).generic_string();
        fs::file_status status = it->symlink_status();
        if (relative == kWorkdirMarker) continue;
        if (fs::is_directory(status)) {
            tree.directories.insert(relative);
        } else if (fs::is_regular_file(status)) {
            add_with_parents(tree, relative);
        } else {
            fail("{}: member {} is not a regular file or directory; a wheel can hold neither links nor devices",
                 input.wheel.filename, relative);
        }
    }
    for (const auto& [path, member] : input.members)
        if (!member.extracted) add_with_parents(tree, path);
    tree.files.erase(record_path + ".jws");  // the signature no longer matches: unsign, as pypa auditwheel does
    tree.files.insert(record_path);
    return tree;
}

struct ZipWriterCloser {
    void operator()(zip_t* archive) const { zip_discard(archive); }
};

// libzip asks between blocks whether to stop writing: at a signal, or once `state` (a flag, when
// given) says the wheel cannot be finished.
extern "C" int cancel_writing(zip_t*, void* state) {
    const auto* give_up = static_cast<const std::atomic<bool>*>(state);
    return pending_signal() != 0 || (give_up != nullptr && give_up->load()) ? 1 : 0;
}

// A file handed to libzip already deflated (DeflatePipeline, on every core and ahead of libzip):
// its stat says deflate, so libzip writes the bytes as they come and compresses nothing again;
// the CRC and compressed size it asks for after the last read are the ones the chunks add up to.
struct DeflatedFileSource {
    DeflatePipeline* pipeline = nullptr;
    std::size_t file = 0;
    std::uint64_t size = 0;
    DeflatedChunk current;
    std::size_t offset = 0;
    std::uint32_t crc = 0;
    std::uint64_t compressed = 0;
    bool done = false;
    zip_error_t error{};

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
};

extern "C" zip_int64_t deflated_file_callback(void* state, void* data, zip_uint64_t length, zip_source_cmd_t command) {
    auto* source = static_cast<DeflatedFileSource*>(state);
    try {
        switch (command) {
            case ZIP_SOURCE_OPEN: return 0;
            case ZIP_SOURCE_READ: return source->fill(static_cast<unsigned char*>(data), static_cast<std::size_t>(length));
            case ZIP_SOURCE_CLOSE: return 0;
            case ZIP_SOURCE_STAT: {
                auto* stat = ZIP_SOURCE_GET_ARGS(zip_stat_t, data, length, &source->error);
                if (stat == nullptr) return -1;
                zip_stat_init(stat);
                stat->valid = ZIP_STAT_COMP_METHOD | ZIP_STAT_SIZE;
                stat->comp_method = ZIP_CM_DEFLATE;
                stat->size = source->size;
                if (source->done) {
                    stat->valid |= ZIP_STAT_CRC | ZIP_STAT_COMP_SIZE;
                    stat->crc = source->crc;
                    stat->comp_size = source->compressed;
                }
                return sizeof(zip_stat_t);
            }
            case ZIP_SOURCE_ERROR: return zip_error_to_data(&source->error, data, length);
            case ZIP_SOURCE_FREE: delete source; return 0;
            case ZIP_SOURCE_SUPPORTS:
                return zip_source_make_command_bitmap(ZIP_SOURCE_OPEN, ZIP_SOURCE_READ, ZIP_SOURCE_CLOSE, ZIP_SOURCE_STAT,
                                                      ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE, -1);
            default: zip_error_set(&source->error, ZIP_ER_OPNOTSUPP, 0); return -1;
        }
    } catch (const std::exception&) {
        zip_error_set(&source->error, ZIP_ER_READ, 0);
        return -1;
    }
}

// A member whose bytes are known only once the members before it are written: RECORD, which
// needs every hash. libzip asks for its size when it comes to write it, and `make` runs then
// (waiting, if need be, for the hashes); a failure is kept for WheelWriter::commit to throw.
struct DeferredBytesSource {
    std::function<std::string()> make;
    std::exception_ptr* failure = nullptr;
    std::optional<std::string> bytes;
    std::size_t offset = 0;
    zip_error_t error{};

    bool made() {
        if (bytes) return true;
        try {
            bytes = make();
            return true;
        } catch (...) {
            *failure = std::current_exception();
            zip_error_set(&error, ZIP_ER_READ, 0);
            return false;
        }
    }
};

extern "C" zip_int64_t deferred_bytes_callback(void* state, void* data, zip_uint64_t length, zip_source_cmd_t command) {
    auto* source = static_cast<DeferredBytesSource*>(state);
    switch (command) {
        case ZIP_SOURCE_OPEN:
            source->offset = 0;
            return source->made() ? 0 : -1;
        case ZIP_SOURCE_READ: {
            if (!source->made()) return -1;
            std::size_t take = std::min<std::size_t>(length, source->bytes->size() - source->offset);
            std::memcpy(data, source->bytes->data() + source->offset, take);
            source->offset += take;
            return static_cast<zip_int64_t>(take);
        }
        case ZIP_SOURCE_CLOSE: return 0;
        case ZIP_SOURCE_STAT: {
            auto* stat = ZIP_SOURCE_GET_ARGS(zip_stat_t, data, length, &source->error);
            if (stat == nullptr || !source->made()) return -1;
            zip_stat_init(stat);
            stat->valid = ZIP_STAT_COMP_METHOD | ZIP_STAT_SIZE;
            stat->comp_method = ZIP_CM_STORE;
            stat->size = source->bytes->size();
            return sizeof(zip_stat_t);
        }
        case ZIP_SOURCE_ERROR: return zip_error_to_data(&source->error, data, length);
        case ZIP_SOURCE_FREE: delete source; return 0;
        case ZIP_SOURCE_SUPPORTS:
            return zip_source_make_command_bitmap(ZIP_SOURCE_OPEN, ZIP_SOURCE_READ, ZIP_SOURCE_CLOSE, ZIP_SOURCE_STAT,
                                                  ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE, -1);
        default: zip_error_set(&source->error, ZIP_ER_OPNOTSUPP, 0); return -1;
    }
}

class WheelWriter {
public:
    // Writes `file`; messages name it `shown_as`, where it goes once complete. Writing stops
    // early when `give_up` becomes true.
    WheelWriter(const std::string& file, const std::string& shown_as, std::int64_t mtime, int level, unsigned threads,
                const std::atomic<bool>& give_up)
        : path_(shown_as), mtime_(mtime), level_(level), pipeline_(level, threads) {
        int code = 0;
        archive_.reset(zip_open(file.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &code));
        if (!archive_) fail("{}: cannot create: {}", path_, libzip_error_text(code));
        zip_register_cancel_callback_with_state(archive_.get(), cancel_writing, nullptr,
                                                const_cast<std::atomic<bool>*>(&give_up));
    }

    void add_directory(const std::string& name) {
        zip_int64_t index = zip_dir_add(archive_.get(), name.c_str(), ZIP_FL_ENC_UTF_8);
        check(index, name);
        finish_entry(static_cast<zip_uint64_t>(index), name, S_IFDIR | 0755, 0x10);
    }

    void add_raw_copy(const std::string& name, const ZipReader& original, const ZipEntry& entry, std::uint32_t mode) {
        zip_uint64_t index = add(name, zip_source_zip(archive_.get(), original.handle(), entry.index, 0, 0, -1), mode);
        // The entry's method must equal the source's, or libzip inflates and
        // deflates again (its default method is deflate, so stored members
        // would be recompressed).
        check(zip_set_file_compression(archive_.get(), index, entry.method, 0), name);
    }

    void add_file(const std::string& name, const std::string& path, std::uint32_t mode, std::uint64_t size) {
        if (level_ == 0) {
            set_new_member_compression(add(name, zip_source_file(archive_.get(), path.c_str(), 0, -1), mode), name);
            return;
        }
        auto* state = new DeflatedFileSource;
        state->pipeline = &pipeline_, state->file = pipeline_.add(path, size), state->size = size;
        zip_source_t* source = zip_source_function(archive_.get(), deflated_file_callback, state);
        if (source == nullptr) delete state;
        set_new_member_compression(add(name, source, mode), name);
    }

    void add_bytes(const std::string& name, std::string bytes, std::uint32_t mode) {
        const std::string& kept = buffers_.emplace_back(std::move(bytes));
        set_new_member_compression(add(name, zip_source_buffer(archive_.get(), kept.data(), kept.size(), 0), mode), name);
    }

    // A member whose bytes `make` gives when libzip comes to write it (see DeferredBytesSource).
    void add_deferred(const std::string& name, std::function<std::string()> make, std::uint32_t mode) {
        auto* state = new DeferredBytesSource;
        state->make = std::move(make), state->failure = &deferred_failure_;
        zip_source_t* source = zip_source_function(archive_.get(), deferred_bytes_callback, state);
        if (source == nullptr) delete state;
        set_new_member_compression(add(name, source, mode), name);
    }

    // Writes the archive (libzip writes a temp file beside it and renames).
    void commit() {
        if (zip_close(archive_.get()) != 0) {
            throw_if_interrupted();
            if (deferred_failure_) std::rethrow_exception(deferred_failure_);
            fail("{}: cannot write: {}", path_, zip_strerror(archive_.get()));
        }
        archive_.release();
    }

private:
    void check(zip_int64_t result, const std::string& name) {
        if (result < 0) fail("{}: cannot add {}: {}", path_, name, zip_strerror(archive_.get()));
    }

    zip_uint64_t add(const std::string& name, zip_source_t* source, std::uint32_t mode) {
        if (source == nullptr) fail("{}: cannot read data for {}: {}", path_, name, zip_strerror(archive_.get()));
        zip_int64_t index = zip_file_add(archive_.get(), name.c_str(), source, ZIP_FL_ENC_UTF_8);
        if (index < 0) zip_source_free(source);
        check(index, name);
        auto entry = static_cast<zip_uint64_t>(index);
        finish_entry(entry, name, S_IFREG | mode, 0);
        return entry;
    }

    void set_new_member_compression(zip_uint64_t index, const std::string& name) {
        // Level 0 stores: libzip reads a deflate level of 0 as "default".
        bool store = level_ == 0;
        check(zip_set_file_compression(archive_.get(), index, store ? ZIP_CM_STORE : ZIP_CM_DEFLATE,
                                       store ? 0 : static_cast<zip_uint32_t>(level_)),
              name);
    }

    void finish_entry(zip_uint64_t index, const std::string& name, std::uint32_t st_mode, std::uint32_t dos_attributes) {
        check(zip_file_set_external_attributes(archive_.get(), index, 0, ZIP_OPSYS_UNIX, st_mode << 16 | dos_attributes),
              name);
        check(zip_file_set_mtime(archive_.get(), index, static_cast<time_t>(mtime_), 0), name);
    }

    std::string path_;
    std::int64_t mtime_;
    int level_;
    DeflatePipeline pipeline_;  // before archive_: libzip's sources use it until the archive is closed or discarded
    std::unique_ptr<zip_t, ZipWriterCloser> archive_;
    std::deque<std::string> buffers_;  // generated members, alive until commit
    std::exception_ptr deferred_failure_;
};

std::string record_row_hash(const std::string& sha256_hex) {
    return "sha256=" + to_record_base64(from_hex(sha256_hex));
}

void check_original_unchanged(const PackInput& input, const ZipReader& original) {
    if (original.file_size() != input.wheel.file_size || original.file_mtime_ns() != input.wheel.file_mtime_ns)
        fail("{}: the original wheel changed since whl-unpack read it; unpack it again", input.wheel.path);
}

const ZipEntry& original_entry(const ZipReader& original, const std::string& path) {
    if (const ZipEntry* entry = original.find(path)) return *entry;
    fail("{}: member {} is not in the original wheel", original.path(), path);
}

std::string sha256_hex_of(std::string_view bytes) {
    Digest digest;
    digest.update(std::as_bytes(std::span(bytes.data(), bytes.size())));
    return to_hex(digest.finish());
}

// Reads a member that is copied without having been extracted, so that a wrong CRC, size or
// RECORD hash is refused as whl-unpack refuses it when extracting; returns its sha256 (hex).
std::string verified_sha256(const ZipReader& original, const ZipEntry& entry, const std::optional<std::string>& record_hash) {
    MemberDigest digest(record_hash ? split_record_hash(*record_hash) : RecordHash{});
    original.read_member(entry, [&](std::span<const std::byte> bytes) { digest.update(bytes); });
    return digest.finish(original.path(), entry.name);
}

// Checks the members copied without having been extracted (verified_sha256) in turn on a thread
// of its own, while libzip copies and writes the wheel on the caller's: their hashes are needed
// only for RECORD, the last member. The thread reads members with pread alone, leaving the
// original's libzip handle to the caller; one libzip must decode is checked at once, on the caller's.
class CopyVerifier {
public:
    explicit CopyVerifier(const ZipReader& original) : original_(original) {}
    CopyVerifier(const CopyVerifier&) = delete;
    CopyVerifier& operator=(const CopyVerifier&) = delete;
    ~CopyVerifier() { stop(); }

    // Queues the member; returns its number for hashes().
    std::size_t add(const ZipEntry& entry, std::optional<std::string> record_hash) {
        std::optional<std::string> checked;
        if (!ZipReader::reads_without_libzip(entry)) checked = verified_sha256(original_, entry, record_hash);
        std::size_t number = 0;
        {
            std::lock_guard lock(mutex_);
            number = jobs_.size();
            jobs_.push_back(Job{&entry, std::move(record_hash), checked.value_or(""), checked.has_value()});
        }
        if (!worker_.joinable()) worker_ = std::thread(&CopyVerifier::work, this);
        wake_.notify_one();
        return number;
    }

    // True once a member failed: the wheel cannot be finished.
    const std::atomic<bool>& failed() const { return failed_; }

    // Waits for every queued member and gives their sha256 (hex) in the order added; throws the
    // first member's failure.
    std::vector<std::string> hashes() {
        stop();
        if (failure_) std::rethrow_exception(failure_);
        std::vector<std::string> found;
        for (Job& job : jobs_) found.push_back(std::move(job.sha256));
        return found;
    }

private:
    struct Job {
        const ZipEntry* entry;
        std::optional<std::string> record_hash;
        std::string sha256;
        bool checked;  // already, by add()
    };

    void work() {
        for (std::size_t next = 0;; ++next) {
            Job* job = nullptr;
            {
                std::unique_lock lock(mutex_);
                wake_.wait(lock, [&] { return next < jobs_.size() || added_all_; });
                if (next == jobs_.size() || failure_) return;
                job = &jobs_[next];  // a deque's elements stay put as it grows
            }
            if (job->checked) continue;
            try {
                job->sha256 = verified_sha256(original_, *job->entry, job->record_hash);
            } catch (...) {
                std::lock_guard lock(mutex_);
                failure_ = std::current_exception();
                failed_ = true;
                return;
            }
        }
    }

    void stop() {
        {
            std::lock_guard lock(mutex_);
            added_all_ = true;
        }
        wake_.notify_one();
        if (worker_.joinable()) worker_.join();
    }

    const ZipReader& original_;
    std::mutex mutex_;  // guards jobs_'s size, added_all_ and failure_ while the worker runs
    std::condition_variable wake_;
    std::deque<Job> jobs_;
    bool added_all_ = false;
    std::exception_ptr failure_;
    std::atomic<bool> failed_ = false;
    std::thread worker_;
};

// A RECORD row, and the CopyVerifier number of the member whose hash it still waits for.
struct PackedFile {
    RecordRow row;
    std::optional<std::size_t> pending_hash;
};

// Adds one file the cheapest way its content allows: the original's
// compressed bytes when unchanged, else compressed anew. Returns its RECORD row.
PackedFile add_file(WheelWriter& writer, PackedWheel& packed, CopyVerifier& verifier, const PackInput& input,
                    const ZipReader& original, const std::string& name,
                    const std::optional<WheelMetadata>& new_wheel_metadata) {
    auto member = input.members.find(name);
    const OriginalMember* before = member == input.members.end() ? nullptr : &member->second;
    std::string disk_path = (fs::path(input.wheel.workdir) / name).string();

    if (new_wheel_metadata && name == input.wheel.dist_info + "/WHEEL") {
        std::string text = new_wheel_metadata->serialize();
        RecordRow row{name, record_row_hash(sha256_hex_of(text)), std::to_string(text.size())};
        writer.add_bytes(name, std::move(text), before != nullptr ? before->mode : 0644);
        ++packed.compressed;
        return {row, std::nullopt};
    }
    if (before != nullptr && !before->extracted && !fs::exists(disk_path)) {
        const ZipEntry& entry = original_entry(original, name);
        std::size_t pending = verifier.add(entry, before->record_hash);
        writer.add_raw_copy(name, original, entry, before->mode);
        ++packed.copied;
        return {RecordRow{name, "", std::to_string(entry.size)}, pending};
    }
    FileDigest now = digest_file(disk_path);
    struct stat info {};
    if (::stat(disk_path.c_str(), &info) != 0) fail("{}: cannot stat: {}", disk_path, std::strerror(errno));
    std::uint32_t mode = info.st_mode & 0777;
    if (before != nullptr && before->sha256 == now.sha256_hex) {
        writer.add_raw_copy(name, original, original_entry(original, name), mode);
        ++packed.copied;
    } else {
        writer.add_file(name, disk_path, mode, now.size);
        ++packed.compressed;
    }
    return {RecordRow{name, record_row_hash(now.sha256_hex), std::to_string(now.size)}, std::nullopt};
}

void refuse_non_regular_output(const std::string& output) {
    struct stat info {};
    if (::lstat(output.c_str(), &info) == 0 && !S_ISREG(info.st_mode))
        fail("{}: is {}; whl-pack replaces only regular files", output, file_type_name(info.st_mode));
}

}  // namespace

PackInput read_pack_input(const std::vector<Record>& records) {
    PackInput input;
    bool have_wheel = false;
    for (const Record& record : records) {
        std::string kind = record.kind();
        if (kind == "wheel") {
            if (have_wheel) fail("{}: the stream describes more than one wheel; pack one wheel per stream", record.place);
            have_wheel = true;
            input.wheel = read_wheel_record(record);
            input.name = at_record(record, [&] { return parse_wheel_filename(input.wheel.filename); });
        } else if (kind == "member") {
            at_record(record, [&] {
                std::string path = required_string(record.value, "path");
                OriginalMember member;
                member.mode = octal_mode(record.value, path);
                member.extracted = required_bool(record.value, "extracted");
                const Json& sha256 = record.value.value("sha256", Json(nullptr));
                if (sha256.is_string()) member.sha256 = sha256.get<std::string>();
                if (record.value.contains("record_hash")) member.record_hash = required_string(record.value, "record_hash");
                input.members[path] = member;
            });
        } else if (kind == "retag") {
            input.retags.push_back(at_record(record, [&] { return read_retag(record.value); }));
        }
    }
    if (!have_wheel) fail("no \"wheel\" record on standard input (pipe whl-unpack's output in)");
    return input;
}

std::vector<std::string> wheel_entry_order(const std::set<std::string>& files, const std::set<std::string>& directories) {
    std::map<std::string, std::vector<std::string>> files_in, subdirectories_in;
    auto parent_of = [](const std::string& path) {
        std::size_t slash = path.rfind('/');
        return slash == std::string::npos ? std::string() : path.substr(0, slash);
    };
    for (const std::string& file : files) files_in[parent_of(file)].push_back(file);
    for (const std::string& directory : directories) subdirectories_in[parent_of(directory)].push_back(directory);

    std::vector<std::string> order;
    auto visit = [&](auto&& self, const std::string& directory) -> void {
        if (!directory.empty()) order.push_back(directory + "/");
        std::vector<std::string>& here = files_in[directory];  // sets give them sorted
        bool top_dist_info = directory.ends_with(".dist-info") && directory.find('/') == std::string::npos;
        if (top_dist_info) {
            auto record = std::find(here.begin(), here.end(), directory + "/RECORD");
            if (record != here.end()) std::rotate(record, record + 1, here.end());
        }
        order.insert(order.end(), here.begin(), here.end());
        std::vector<std::string> subdirectories = subdirectories_in[directory];
        if (directory.empty())
            std::stable_partition(subdirectories.begin(), subdirectories.end(),
                                  [](const std::string& name) { return !name.ends_with(".dist-info"); });
        for (const std::string& subdirectory : subdirectories) self(self, subdirectory);
    };
    visit(visit, "");
    return order;
}

std::int64_t zip_timestamp(const std::optional<std::string>& source_date_epoch) {
    if (!source_date_epoch) return kZipEpoch;
    char* end = nullptr;
    errno = 0;
    long long value = std::strtoll(source_date_epoch->c_str(), &end, 10);
    if (source_date_epoch->empty() || *end != '\0' || errno == ERANGE)
        fail("SOURCE_DATE_EPOCH='{}' is not a whole number of seconds", *source_date_epoch);
    if (value < kZipEpoch) {
        warn("SOURCE_DATE_EPOCH={} is before 1980; clipping the timestamps to 1980-01-01", value);
        return kZipEpoch;
    }
    return value;
}

PackedWheel pack_wheel(const PackInput& input, const PackOptions& options) {
    if (!fs::exists(fs::path(input.wheel.workdir) / kWorkdirMarker))
        fail("{}: not a work directory made by whl-unpack (no {})", input.wheel.workdir, kWorkdirMarker);
    ZipReader original(input.wheel.path);
    check_original_unchanged(input, original);
    std::int64_t mtime = zip_timestamp(options.source_date_epoch);
    // libzip turns times into DOS fields with localtime(); UTC makes them the same everywhere.
    ::setenv("TZ", "UTC", 1);
    ::tzset();

    const std::string wheel_file = input.wheel.dist_info + "/WHEEL";
    const std::string record_path = input.wheel.dist_info + "/RECORD";
    std::string wheel_text;
    {
        std::ifstream in(fs::path(input.wheel.workdir) / wheel_file, std::ios::binary);
        if (!in) fail("{}: member {} is missing from the work directory", input.wheel.filename, wheel_file);
        wheel_text.assign(std::istreambuf_iterator<char>(in), {});
    }
    RetagResult retag = apply_retags(input.name, WheelMetadata::parse(wheel_text, wheel_file), input.retags);

    PackedWheel packed;
    packed.platforms = retag.platforms;
    packed.retag_log = retag.log;
    packed.filename = input.name.filename_with_platforms(retag.platforms);
    std::error_code error;
    fs::create_directories(options.wheel_dir, error);
    if (error) fail("{}: cannot create the wheel directory: {}", options.wheel_dir, error.message());
    packed.path = (fs::absolute(options.wheel_dir) / packed.filename).lexically_normal();
    refuse_non_regular_output(packed.path);

    Tree tree = collect_tree(input, record_path);
    WorkDir staging = WorkDir::create_staging(fs::path(packed.path).parent_path(), "whl-pack");
    std::string staged = staging.path() + "/" + packed.filename;
    CopyVerifier verifier(original);  // before the writer: its thread reads while the writer writes
    WheelWriter writer(staged, packed.path, mtime, options.compression_level, options.threads, verifier.failed());
    std::vector<RecordRow> rows;
    std::vector<std::pair<std::size_t, std::size_t>> pending_rows;  // row, CopyVerifier number
    for (const std::string& name : wheel_entry_order(tree.files, tree.directories)) {
        throw_if_interrupted();
        if (name.back() == '/') {
            writer.add_directory(name.substr(0, name.size() - 1));
            continue;
        }
        if (name == record_path) continue;  // written last, once every hash is known
        PackedFile file = add_file(writer, packed, verifier, input, original, name, retag.metadata);
        if (file.pending_hash) pending_rows.emplace_back(rows.size(), *file.pending_hash);
        rows.push_back(std::move(file.row));
    }
    rows.push_back(RecordRow{record_path, "", ""});
    auto record_member = input.members.find(record_path);
    writer.add_deferred(record_path, [&] {
        std::vector<std::string> hashes = verifier.hashes();
        for (auto [row, pending] : pending_rows) rows[row].hash = record_row_hash(hashes[pending]);
        return format_record_file(rows);
    }, record_member != input.members.end() ? record_member->second.mode : 0644);
    ++packed.compressed;
    try {
        writer.commit();
    } catch (const Error&) {
        static_cast<void>(verifier.hashes());  // a member's failure stopped the writing: that is the error
        throw;
    }
    throw_if_interrupted();  // a signal during libzip's last writes must not let the wheel into place
    if (::rename(staged.c_str(), packed.path.c_str()) != 0)
        fail("{}: cannot rename the new wheel into place: {}", packed.path, std::strerror(errno));
    return packed;
}

Json output_record(const PackedWheel& wheel) {
    return Json{{"kind", "output"},
                {"path", wheel.path},
                {"filename", wheel.filename},
                {"platform", wheel.platforms},
                {"copied", wheel.copied},
                {"compressed", wheel.compressed}};
}

}  // namespace aw
