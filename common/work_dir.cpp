#include "work_dir.hpp"

#include "diagnostics.hpp"
#include "unique_fd.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace aw {

WorkDir::WorkDir(std::string path, bool created) : path_(std::move(path)), created_(created) {}

WorkDir::WorkDir(WorkDir&& other) noexcept
    : path_(std::move(other.path_)), created_(other.created_), kept_(std::exchange(other.kept_, true)) {}

WorkDir::~WorkDir() {
    if (kept_ || path_.empty()) return;
    if (created_) {
        remove_tree(path_);
        return;
    }
    std::error_code ignored;
    for (const auto& entry : std::filesystem::directory_iterator(path_, ignored)) remove_tree(entry.path());
}

WorkDir WorkDir::create_temporary(const std::string& prefix) {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/" + prefix + "XXXXXX";
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    if (::mkdtemp(buffer.data()) == nullptr) fail("cannot create a temporary directory {}: {}", pattern, std::strerror(errno));
    return WorkDir(buffer.data(), true);
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
