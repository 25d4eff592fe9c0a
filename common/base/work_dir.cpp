#include "base/work_dir.hpp"

#include "base/diagnostics.hpp"
#include "base/unique_fd.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <ctime>
#include <optional>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace aw {

WorkDir::WorkDir(std::string path, bool created) : path_(std::move(path)), created_(created) {}

WorkDir::WorkDir(WorkDir&& other) noexcept
    : path_(std::move(other.path_)),
      created_(other.created_),
      kept_(std::exchange(other.kept_, true)),
      lock_(std::move(other.lock_)) {}

WorkDir::~WorkDir() {
    if (kept_ || path_.empty()) return;
    if (created_) {
        remove_tree(path_);
        return;
    }
    std::error_code ignored;
    for (const auto& entry : std::filesystem::directory_iterator(path_, ignored)) remove_tree(entry.path());
}

namespace {
// mkdtemp on `pattern` (ending in XXXXXX): the new directory's path, or nullopt with errno set.
std::optional<std::string> make_directory_like(const std::string& pattern) {
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    if (::mkdtemp(buffer.data()) == nullptr) return std::nullopt;
    return std::string(buffer.data());
}
}  // namespace

WorkDir WorkDir::create_temporary(const std::string& prefix) {
    // The first folder that works, in the order of Python's tempfile (so pypa auditwheel's).
    std::vector<std::string> folders;
    for (const char* variable : {"TMPDIR", "TEMP", "TMP"})
        if (const char* value = std::getenv(variable); value != nullptr && *value != '\0') folders.emplace_back(value);
    folders.insert(folders.end(), {"/tmp", "/var/tmp", "/usr/tmp", "."});
    std::string first_error;
    for (const std::string& folder : folders) {
        if (auto made = make_directory_like(folder + "/" + prefix + "XXXXXX"))
            return WorkDir(std::filesystem::absolute(*made), true);
        if (first_error.empty()) first_error = folder + ": " + std::strerror(errno);
    }
    fail("cannot create a temporary directory in $TMPDIR, /tmp, /var/tmp, /usr/tmp or here ({})", first_error);
}

namespace {
UniqueFd open_directory(const std::string& path) {
    return UniqueFd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
}

void remove_stale_staging(const std::string& folder, const std::string& name_start) {
    constexpr std::time_t kQuietSeconds = 60;  // a live process locks its directory within this
    std::error_code ignored;
    for (const auto& entry : std::filesystem::directory_iterator(folder, ignored)) {
        std::string name = entry.path().filename().string();
        if (!name.starts_with(name_start)) continue;
        UniqueFd directory = open_directory(entry.path());
        struct stat info {};
        if (!directory || ::fstat(directory.get(), &info) != 0 || std::time(nullptr) - info.st_mtime < kQuietSeconds)
            continue;
        if (::flock(directory.get(), LOCK_EX | LOCK_NB) == 0) remove_tree(entry.path());
    }
}
}  // namespace

WorkDir WorkDir::create_staging(const std::string& folder, const std::string& prefix) {
    std::string name_start = "." + prefix + "-";
    remove_stale_staging(folder, name_start);
    std::optional<std::string> made = make_directory_like(folder + "/" + name_start + "XXXXXX");
    if (!made) fail("{}: cannot create a directory to write in: {}", folder, std::strerror(errno));
    WorkDir staging(*made, true);
    staging.lock_ = open_directory(staging.path_);
    if (!staging.lock_ || ::flock(staging.lock_.get(), LOCK_EX) != 0)
        fail("{}: cannot lock: {}", staging.path_, std::strerror(errno));
    return staging;
}

WorkDir WorkDir::create_at(const std::string& path) {
    if (::mkdir(path.c_str(), 0755) == 0) return WorkDir(std::filesystem::absolute(path), true);
    if (errno != EEXIST) fail("{}: cannot create directory: {}", path, std::strerror(errno));
    std::error_code error;
    if (!std::filesystem::is_directory(path, error)) fail("{}: exists and is not a directory", path);
    if (!std::filesystem::is_empty(path, error)) fail("{}: directory is not empty", path);
    return WorkDir(std::filesystem::absolute(path), false);
}

bool is_case_insensitive_directory(const std::string& directory) {
    std::string lower = directory + "/.case-probe", upper = directory + "/.CASE-PROBE";
    UniqueFd probe(::open(lower.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!probe) fail("{}: cannot write: {}", directory, std::strerror(errno));
    struct stat info {};
    bool insensitive = ::lstat(upper.c_str(), &info) == 0;
    ::unlink(lower.c_str());
    return insensitive;
}

void remove_tree(const std::string& path) noexcept {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
}

}  // namespace aw
