#include "wheel/pack.hpp"

#include "base/diagnostics.hpp"
#include "base/digest.hpp"
#include "base/file_io.hpp"
#include "base/interrupt.hpp"
#include "base/work_dir.hpp"
#include "base/worker_threads.hpp"
#include "wheel/record_file.hpp"
#include "wheel/unpack.hpp"
#include "wheel/wheel_writer.hpp"
#include "wheel/zip_reader.hpp"

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
#include <mutex>
#include <thread>
#include <sys/stat.h>

namespace aw {
namespace fs = std::filesystem;

namespace {
constexpr std::int64_t kZipEpoch = 315532800;  // 1980-01-01T00:00:00Z

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
// `digests`: digest_work_files's, of the files on disk.
PackedFile add_file(WheelWriter& writer, PackedWheel& packed, CopyVerifier& verifier, const PackInput& input,
                    const ZipReader& original, const std::string& name,
                    const std::optional<WheelMetadata>& new_wheel_metadata,
                    const std::map<std::string, FileDigest>& digests) {
    auto member = input.members.find(name);
    const MemberRecord* before = member == input.members.end() ? nullptr : &member->second;
    std::string disk_path = (fs::path(input.wheel.workdir) / name).string();

    if (new_wheel_metadata && name == input.wheel.dist_info + "/WHEEL") {
        std::string text = new_wheel_metadata->serialize();
        RecordRow row{name, record_row_hash(sha256_hex_of(text)), std::to_string(text.size())};
        writer.add_bytes(name, std::move(text), before != nullptr ? before->mode : 0644);
        ++packed.compressed;
        return {row, std::nullopt};
    }
    auto digest = digests.find(name);
    if (before != nullptr && !before->extracted && digest == digests.end()) {
        const ZipEntry& entry = original_entry(original, name);
        std::size_t pending = verifier.add(entry, before->record_hash);
        writer.add_raw_copy(name, original, entry, before->mode);
        ++packed.copied;
        return {RecordRow{name, "", std::to_string(entry.size)}, pending};
    }
    FileDigest now = digest != digests.end() ? digest->second : digest_file(disk_path);
    const std::uint32_t mode = now.mode;
    if (before != nullptr && before->sha256 == now.sha256_hex) {
        writer.add_raw_copy(name, original, original_entry(original, name), mode);
        ++packed.copied;
    } else {
        writer.add_file(name, disk_path, mode, now.size);
        ++packed.compressed;
    }
    return {RecordRow{name, record_row_hash(now.sha256_hex), std::to_string(now.size)}, std::nullopt};
}

// Each of `names` that is on disk in `workdir`, hashed on `threads` threads (SHA-256 is most of
// what whl-pack does before deflating: scipy's 81 MB of extensions and libraries, 45 -> 28 ms):
// name -> digest. A name that is not there is left out.
std::map<std::string, FileDigest> digest_work_files(const std::string& workdir, const std::vector<std::string>& names,
                                                    unsigned threads) {
    std::vector<std::optional<FileDigest>> digests(names.size());
    parallel_for(names.size(), threads_within_memory(threads, kDigestBlock), [&](std::size_t index) {
        std::string path = (fs::path(workdir) / names[index]).string();
        struct stat info {};
        if (::lstat(path.c_str(), &info) == 0 || errno != ENOENT) digests[index] = digest_file(path);
    });
    std::map<std::string, FileDigest> found;
    for (std::size_t index = 0; index < names.size(); ++index)
        if (digests[index]) found.emplace(names[index], std::move(*digests[index]));
    return found;
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
            MemberRecord member = read_member_record(record);
            input.members[member.path] = std::move(member);
        } else if (kind == "retag") {
            input.retags.push_back(read_retag(record));
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
    const std::vector<std::string> order = wheel_entry_order(tree.files, tree.directories);
    std::vector<std::string> files;
    for (const std::string& name : order)
        if (name.back() != '/' && name != record_path) files.push_back(name);
    const std::map<std::string, FileDigest> digests = digest_work_files(input.wheel.workdir, files, options.threads);
    for (const std::string& name : order) {
        throw_if_interrupted();
        if (name.back() == '/') {
            writer.add_directory(name.substr(0, name.size() - 1));
            continue;
        }
        if (name == record_path) continue;  // written last, once every hash is known
        PackedFile file = add_file(writer, packed, verifier, input, original, name, retag.metadata, digests);
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

Json record_json(const PackedWheel& wheel) {
    return Json{{"kind", "output"},
                {"path", wheel.path},
                {"filename", wheel.filename},
                {"platform", wheel.platforms},
                {"copied", wheel.copied},
                {"compressed", wheel.compressed}};
}

}  // namespace aw
