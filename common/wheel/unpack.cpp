#include "wheel/unpack.hpp"

#include "base/diagnostics.hpp"
#include "base/digest.hpp"
#include "base/file_io.hpp"
#include "base/interrupt.hpp"
#include "base/unique_fd.hpp"
#include "base/work_dir.hpp"
#include "base/worker_threads.hpp"
#include "wheel/member_path.hpp"
#include "wheel/record_file.hpp"
#include "wheel/zip_reader.hpp"

#include <zip.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <map>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

namespace aw {
namespace {
// WHEEL and RECORD are read into memory; real ones are far smaller.
constexpr std::uint64_t kMaxMetadataBytes = 64u << 20;

bool is_signature_file(std::string_view path, std::string_view dist_info) {
    return path == std::string(dist_info) + "/RECORD.jws" || path == std::string(dist_info) + "/RECORD.p7s";
}

void check_entry(const std::string& wheel, const ZipEntry& entry, std::uint64_t archive_size) {
    if (auto reason = unsafe_member_path_reason(entry.name)) fail("{}: member {}: unsafe path: {}", wheel, entry.name, *reason);
    if (entry.name == kWorkdirMarker || entry.name == std::string(kWorkdirMarker) + "/")
        fail("{}: member {}: this name is reserved for the work directory's marker", wheel, entry.name);
    if (entry.encryption != ZIP_EM_NONE) fail("{}: member {}: encrypted members are not supported", wheel, entry.name);
    if (entry.unix_mode) {
        std::uint32_t type = *entry.unix_mode & S_IFMT;
        if (type == S_IFLNK) fail("{}: member {}: is a symbolic link; wheels may not contain links", wheel, entry.name);
        if (type != 0 && type != S_IFREG && type != S_IFDIR)
            fail("{}: member {}: is a device or special file (mode {:o})", wheel, entry.name, *entry.unix_mode);
        if (type == S_IFDIR && !entry.is_directory())
            fail("{}: member {}: marked as a directory but its name has no trailing '/'", wheel, entry.name);
    }
    if (entry.is_directory()) return;
    if (entry.method != ZIP_CM_STORE && entry.method != ZIP_CM_DEFLATE)
        fail("{}: member {}: compression method {} is not supported (wheels use stored or deflate)", wheel, entry.name,
             entry.method);
    if (auto reason = implausible_size_reason(entry, archive_size))
        fail("{}: member {}: {}", wheel, entry.name, *reason);
}

std::vector<const ZipEntry*> checked_file_entries(const ZipReader& reader) {
    std::map<std::string, bool> seen;  // name without a trailing '/' -> whether a directory entry gave it
    std::vector<const ZipEntry*> files;
    std::vector<std::string> file_names, directory_names;
    for (const ZipEntry& entry : reader.entries()) {
        check_entry(reader.path(), entry, reader.file_size());
        std::string name = entry.is_directory() ? entry.name.substr(0, entry.name.size() - 1) : entry.name;
        if (auto [it, inserted] = seen.emplace(name, entry.is_directory()); !inserted) {
            if (it->second != entry.is_directory())
                fail("{}: member {}: '{}' is both a file and a directory", reader.path(), entry.name, name);
            fail("{}: member {}: duplicate name in the archive", reader.path(), entry.name);
        }
        if (entry.is_directory()) {
            directory_names.push_back(name);
        } else {
            files.push_back(&entry);
            file_names.push_back(entry.name);
        }
    }
    if (auto reason = implausible_total_size_reason(reader.entries(), reader.file_size()))
        fail("{}: {}", reader.path(), *reason);
    if (auto clash = file_directory_clash(file_names, directory_names))
        fail("{}: member {}: '{}' is both a file and a directory", reader.path(), clash->second, clash->first);
    return files;
}

// PEP 503's normalised form of a distribution name: runs of '-', '_' and '.' are one '-', lower case.
std::string canonical_name(std::string_view name) {
    std::string out;
    for (char c : name) {
        bool separator = c == '-' || c == '_' || c == '.';
        if (separator && !out.empty() && out.back() == '-') continue;
        out += separator ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

std::string find_dist_info(const std::string& wheel, const WheelName& name, const std::vector<const ZipEntry*>& files) {
    std::set<std::string> dist_infos;
    std::set<std::string> names;
    for (const ZipEntry* entry : files) {
        names.insert(entry->name);
        std::size_t slash = entry->name.find('/');
        if (slash == std::string::npos) {
            // A tool that globs for *.dist-info (pip's, pypa auditwheel's) could take it for the directory.
            if (entry->name.ends_with(".dist-info"))
                fail("{}: member {} is a file named like a .dist-info directory", wheel, entry->name);
            continue;
        }
        std::string top = entry->name.substr(0, slash);
        if (top.size() > 10 && top.ends_with(".dist-info")) dist_infos.insert(top);
    }
    if (dist_infos.size() != 1)
        fail("{}: expected exactly one top-level .dist-info directory, found {}", wheel, dist_infos.size());
    const std::string& dist_info = *dist_infos.begin();
    // <name>-<version>.dist-info of this wheel's distribution (pip checks the name; pypa auditwheel neither).
    std::string stem = dist_info.substr(0, dist_info.size() - std::string_view(".dist-info").size());
    std::size_t dash = stem.rfind('-');
    auto lower = [](std::string text) {
        for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return text;
    };
    if (dash == std::string::npos || canonical_name(stem.substr(0, dash)) != canonical_name(name.name) ||
        lower(stem.substr(dash + 1)) != lower(name.version))
        fail("{}: {} does not belong to {} {}, the distribution and version the file name gives", wheel, dist_info,
             name.name, name.version);
    for (const char* required : {"WHEEL", "RECORD"})
        if (!names.count(dist_info + "/" + required)) fail("{}: {}/{} is missing", wheel, dist_info, required);
    return dist_info;
}

// The most a RECORD listing each member once can need: per member its name (doubled when every
// character is a quote), the longest hash (sha512, 93 characters), a size and the separators.
std::uint64_t record_size_bound(const ZipReader& reader) {
    std::uint64_t bound = 4096;
    for (const ZipEntry& entry : reader.entries()) bound += 2 * entry.name.size() + 128;
    return std::min(bound, kMaxMetadataBytes);
}

std::string read_small_member(const ZipReader& reader, const std::vector<const ZipEntry*>& files, const std::string& name,
                              std::uint64_t limit = kMaxMetadataBytes) {
    for (const ZipEntry* entry : files) {
        if (entry->name != name) continue;
        if (entry->size > limit)
            fail("{}: member {}: {} bytes is more than {} can need (at most {} bytes for these {} members)", reader.path(),
                 name, entry->size, limit == kMaxMetadataBytes ? "a metadata file" : "a RECORD of this archive", limit,
                 reader.entries().size());
        std::string text;
        reader.read_member(*entry, [&](std::span<const std::byte> bytes) {
            text.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
        });
        return text;
    }
    fail("{}: {} is missing", reader.path(), name);
}

// RECORD rows by path, with each claim checked against the archive where that
// costs nothing (sizes, hash algorithms).
std::map<std::string, RecordRow> index_record(const std::string& wheel, const std::string& dist_info,
                                              const std::vector<const ZipEntry*>& files, const std::string& text) {
    std::string where = wheel + ": " + dist_info + "/RECORD";
    std::map<std::string, RecordRow> rows;
    for (RecordRow& row : parse_record_file(text, where)) {
        if (!rows.emplace(row.path, row).second) fail("{}: {} is listed twice", where, row.path);
    }
    std::set<std::string> present;
    for (const ZipEntry* entry : files) {
        present.insert(entry->name);
        auto row = rows.find(entry->name);
        bool exempt = entry->name == dist_info + "/RECORD" || is_signature_file(entry->name, dist_info);
        if (row == rows.end()) {
            if (!exempt)
                print_repeated_warning("members not listed in RECORD",
                                       fmt::format("{}: member {} is not listed in RECORD", wheel, entry->name));
            continue;
        }
        if (row->second.hash.empty()) {
            if (!exempt)
                print_repeated_warning("RECORD rows without a hash",
                                       fmt::format("{}: RECORD lists {} without a hash", wheel, entry->name));
            continue;
        }
        RecordHash hash = split_record_hash(row->second.hash);
        if (!Digest::is_supported(hash.algorithm))
            fail("{}: {}: hash '{}' is not supported (use sha256, sha224, sha384 or sha512)", where, entry->name,
                 row->second.hash);
        if (!row->second.size.empty() && row->second.size != std::to_string(entry->size))
            fail("{}: {}: RECORD says {} bytes, the archive holds {}", where, entry->name, row->second.size, entry->size);
    }
    for (const auto& [path, row] : rows)
        if (!present.count(path))
            print_repeated_warning("RECORD rows naming files not in the archive",
                                   fmt::format("{}: RECORD lists {}, which is not in the archive", wheel, path));
    return rows;
}

[[noreturn]] void fail_to_create(const std::string& wheel, const std::string& member, int error) {
    if (error == ENAMETOOLONG)
        fail("{}: member {}: its name is too long for the file system here (a component over {} bytes, or the whole "
             "path over {})", wheel, member, NAME_MAX, PATH_MAX);
    fail("{}: member {}: cannot create it: {}", wheel, member, std::strerror(error));
}

void make_directories(const std::string& wheel, const std::string& member, const std::filesystem::path& directory) {
    std::error_code error;
    std::filesystem::create_directories(directory, error);
    if (error) fail_to_create(wheel, member, error.value());
}

struct ExtractedFacts {
    std::string sha256_hex;
    std::vector<std::byte> head;  // the first kElfIdentBytes
};

// Streams one member to disk (its directory must exist), hashing it with sha256 and with
// RECORD's algorithm, and checks RECORD's digest. Safe on several threads at once: the member's
// bytes are read with pread and inflated here, never through libzip.
ExtractedFacts extract_member(const ZipReader& reader, const ZipEntry& entry, const std::string& workdir,
                              std::uint32_t mode, const RecordRow* row) {
    std::filesystem::path target = std::filesystem::path(workdir) / entry.name;
    UniqueFd fd(::open(target.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd) {
        if (errno == EEXIST)
            fail("{}: member {}: clashes with another member on this file system (names differing only in case?)",
                 reader.path(), entry.name);
        fail_to_create(reader.path(), entry.name, errno);
    }
    MemberDigest digest(row != nullptr ? split_record_hash(row->hash) : RecordHash{});
    std::vector<std::byte> head;
    reader.read_member(entry, [&](std::span<const std::byte> bytes) {
        if (head.size() < kElfIdentBytes)
            head.insert(head.end(), bytes.begin(), bytes.begin() + std::min(bytes.size(), kElfIdentBytes - head.size()));
        digest.update(bytes);
        write_all(fd.get(), bytes, target);
    });
    if (::fchmod(fd.get(), mode) != 0 || fd.close() != 0)
        fail("{}: member {}: cannot finish writing it: {}", reader.path(), entry.name, std::strerror(errno));
    return ExtractedFacts{digest.finish(reader.path(), entry.name), std::move(head)};
}

// Sets member.elf when `head` starts a valid ELF header, and member.elf_error (with a warning)
// when it starts like ELF but its header cannot be real: such a member is not analysed.
void describe_elf(const std::string& wheel, MemberRecord& member, std::span<const std::byte> head,
                  std::uint64_t size) {
    std::optional<ElfIdent> ident = read_elf_ident(head);
    if (!ident) return;
    if (auto problem = elf_header_problem(head, size)) {
        member.elf_error = "not a valid ELF header: " + *problem;
        print_repeated_warning("members that start like ELF files but are not",
                               fmt::format("{}: member {}: {}; not analysed", wheel, member.path, *member.elf_error));
        return;
    }
    member.elf = ident;
}

// Members whose names differ only in case or Unicode normalization: both are extracted here, and
// pip on macOS and Windows installs one over the other (a warning); where this file system does
// not tell them apart either, an error.
void warn_of_folded_name_clashes(const std::string& wheel, const std::vector<const ZipEntry*>& files,
                                 bool case_insensitive_here) {
    std::vector<std::string> names;
    for (const ZipEntry* entry : files) names.push_back(entry->name);
    for (const auto& [first, second] : folded_name_clashes(names)) {
        if (case_insensitive_here)
            fail("{}: member {}: differs from {} only in case or Unicode normalization, and the file system of the "
                 "temporary folder does not tell them apart", wheel, second, first);
        print_repeated_warning("members whose names differ only in case or Unicode normalization",
                               fmt::format("{}: members {} and {} differ only in case or Unicode normalization: pip on "
                                           "macOS and Windows installs one over the other", wheel, first, second));
    }
}

void write_workdir_marker(const std::string& workdir) {
    std::string path = workdir + "/" + kWorkdirMarker;
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    if (!fd || fd.close() != 0) fail("{}: cannot write: {}", path, std::strerror(errno));
}

std::optional<std::string> sha256_claimed_by_record(const RecordRow* row) {
    if (row == nullptr) return std::nullopt;
    RecordHash hash = split_record_hash(row->hash);
    if (hash.algorithm != "sha256") return std::nullopt;
    std::vector<unsigned char> digest = from_record_base64(hash.digest);
    if (digest.size() != 32) return std::nullopt;
    return to_hex(digest);
}
}  // namespace

std::uint32_t extracted_mode(std::optional<std::uint32_t> unix_mode) {
    if (!unix_mode || (*unix_mode & 0777) == 0) return 0644;
    return (*unix_mode & 0777) | 0600;
}

UnpackedWheel unpack_wheel(const UnpackOptions& options) {
    UnpackedWheel wheel;
    wheel.path = std::filesystem::absolute(options.wheel_path).lexically_normal();
    wheel.name = parse_wheel_filename(wheel.path);
    wheel.elf_only = options.elf_only;

    ZipReader reader(wheel.path);
    wheel.file_size = reader.file_size();
    wheel.file_mtime_ns = reader.file_mtime_ns();
    std::vector<const ZipEntry*> files = checked_file_entries(reader);
    wheel.dist_info = find_dist_info(wheel.path, wheel.name, files);
    std::string wheel_file = wheel.dist_info + "/WHEEL";
    wheel.metadata = WheelMetadata::parse(read_small_member(reader, files, wheel_file), wheel.path + ": " + wheel_file);
    std::map<std::string, RecordRow> record =
        index_record(wheel.path, wheel.dist_info, files, read_small_member(reader, files, wheel.dist_info + "/RECORD", record_size_bound(reader)));

    WorkDir workdir = options.dest ? WorkDir::create_at(*options.dest) : WorkDir::create_temporary("whl-unpack-");
    wheel.workdir = workdir.path();
    write_workdir_marker(wheel.workdir);
    warn_of_folded_name_clashes(wheel.path, files, is_case_insensitive_directory(wheel.workdir));

    for (const ZipEntry& entry : reader.entries())
        if (entry.is_directory()) make_directories(wheel.path, entry.name, std::filesystem::path(wheel.workdir) / entry.name);
    // Which members to extract is decided in order, on this thread (read_head reads through
    // libzip, which one archive's readers must not share), and their directories made; then they
    // are extracted on every core (scipy's 119 extensions, 35 MB: 0.21 -> 0.15 s), and what that
    // tells is taken in order again, warnings and all.
    struct Extraction {
        std::size_t member;
        const ZipEntry* entry;
        const RecordRow* row;
        ExtractedFacts facts;
    };
    std::vector<Extraction> extractions;
    for (const ZipEntry* entry : files) {
        throw_if_interrupted();
        auto found = record.find(entry->name);
        const RecordRow* row = found == record.end() ? nullptr : &found->second;
        MemberRecord member;
        member.path = entry->name;
        member.size = entry->size;
        member.mode = extracted_mode(entry->unix_mode);
        // With --elf-only, a member is extracted when it is in the dist-info or its first bytes
        // hold a valid ELF header (decided before anything else of it is read).
        bool in_dist_info = entry->name.starts_with(wheel.dist_info + "/");
        if (options.elf_only && !in_dist_info)
            describe_elf(wheel.path, member, reader.read_head(*entry, kElfIdentBytes), entry->size);
        if (!options.elf_only || in_dist_info || member.elf) {
            make_directories(wheel.path, entry->name, (std::filesystem::path(wheel.workdir) / entry->name).parent_path());
            member.extracted = true;
            extractions.push_back({wheel.members.size(), entry, row, {}});
        } else {
            member.sha256 = sha256_claimed_by_record(row);
            if (row != nullptr && !row->hash.empty()) member.record_hash = row->hash;
        }
        wheel.members.push_back(std::move(member));
    }
    // Each extraction may hold ZipReader::kReadMemory (16 MiB): three at once.
    parallel_for(extractions.size(), threads_within_memory(options.threads, ZipReader::kReadMemory), [&](std::size_t index) {
        throw_if_interrupted();
        Extraction& extraction = extractions[index];
        extraction.facts = extract_member(reader, *extraction.entry, wheel.workdir,
                                          wheel.members[extraction.member].mode, extraction.row);
    });
    for (Extraction& extraction : extractions) {
        MemberRecord& member = wheel.members[extraction.member];
        member.sha256 = std::move(extraction.facts.sha256_hex);
        if (!options.elf_only) describe_elf(wheel.path, member, extraction.facts.head, member.size);
    }
    workdir.keep();
    return wheel;
}

WheelRecord wheel_record(const UnpackedWheel& wheel) {
    Json metadata = Json::object();
    for (const auto& [name, value] : wheel.metadata.headers()) {
        if (name == "Tag") {
            metadata["Tag"].push_back(value);
        } else if (!metadata.contains(name)) {
            metadata[name] = value;
        }
    }
    WheelRecord record;
    record.path = wheel.path;
    record.filename = std::filesystem::path(wheel.path).filename().string();
    record.name = wheel.name.name;
    record.dist_version = wheel.name.version;
    record.build = wheel.name.build;
    record.python_tags = wheel.name.python;
    record.abi_tags = wheel.name.abi;
    record.platform_tags = wheel.name.platform;
    record.file_size = wheel.file_size;
    record.file_mtime_ns = wheel.file_mtime_ns;
    record.dist_info = wheel.dist_info;
    record.metadata = std::move(metadata);
    record.workdir = wheel.workdir;
    record.elf_only = wheel.elf_only;
    return record;
}

}  // namespace aw
