#include "base/file_io.hpp"

#include "base/diagnostics.hpp"
#include "base/interrupt.hpp"

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <vector>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace aw {

void write_all(int fd, std::span<const std::byte> bytes, const std::string& path) {
    while (!bytes.empty()) {
        ssize_t written = ::write(fd, bytes.data(), bytes.size());
        if (written < 0 && errno == EINTR) {
            throw_if_interrupted();
            continue;
        }
        if (written < 0) fail_in_file(path, "write error: {}", std::strerror(errno));
        bytes = bytes.subspan(static_cast<std::size_t>(written));
    }
}

std::string read_all_at(int fd, std::span<std::byte> bytes, std::uint64_t offset) {
    while (!bytes.empty()) {
        ssize_t got = ::pread(fd, bytes.data(), bytes.size(), static_cast<off_t>(offset));
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) return std::strerror(errno);
        if (got == 0) return "end of file";
        bytes = bytes.subspan(static_cast<std::size_t>(got));
        offset += static_cast<std::uint64_t>(got);
    }
    return {};
}

int write_all_at(int fd, std::span<const std::byte> bytes, std::uint64_t offset) {
    while (!bytes.empty()) {
        ssize_t written = ::pwrite(fd, bytes.data(), bytes.size(), static_cast<off_t>(offset));
        if (written < 0 && errno == EINTR) continue;
        if (written < 0) return errno;
        if (written == 0) return ENOSPC;  // a regular file that takes nothing more is full
        bytes = bytes.subspan(static_cast<std::size_t>(written));
        offset += static_cast<std::uint64_t>(written);
    }
    return 0;
}

std::optional<std::string_view> read_whole_file(int dir_fd, const char* name, std::vector<char>& buffer) {
    UniqueFd fd(::openat(dir_fd, name, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
    struct stat status {};
    if (!fd || ::fstat(fd.get(), &status) != 0) return std::nullopt;
    // Room for the size it has now and one byte more, to see its end; cleared first, so that a
    // larger file does not copy the last one's bytes when the buffer grows.
    const std::size_t room = static_cast<std::size_t>(std::max<off_t>(status.st_size, 0)) + 1;
    if (room > buffer.size()) {
        buffer.clear();
        buffer.resize(room);
    }
    std::size_t used = 0;
    for (;;) {
        if (used == buffer.size()) buffer.resize(2 * buffer.size());  // it grew meanwhile
        ssize_t got = ::read(fd.get(), buffer.data() + used, buffer.size() - used);
        if (got > 0) used += static_cast<std::size_t>(got);
        else if (got == 0 || errno == EAGAIN) return std::string_view(buffer.data(), used);
        else if (errno != EINTR) return std::nullopt;
    }
}

std::string file_type_name(unsigned mode) {
    switch (mode & S_IFMT) {
        case S_IFREG: return "a regular file";
        case S_IFDIR: return "a directory";
        case S_IFIFO: return "a FIFO";
        case S_IFCHR: return "a character device";
        case S_IFBLK: return "a block device";
        case S_IFSOCK: return "a socket";
        case S_IFLNK: return "a symbolic link";
        default: return "not a regular file";
    }
}

UniqueFd open_regular_file(const std::string& path, std::string* error) {
    auto refuse = [&](std::string message) {
        if (error == nullptr) throw FileError(path, message);
        *error = std::move(message);
        return UniqueFd();
    };
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
    struct stat info {};
    if (!fd || ::fstat(fd.get(), &info) != 0) return refuse(std::string("cannot open: ") + std::strerror(errno));
    if (!S_ISREG(info.st_mode)) return refuse("is " + file_type_name(info.st_mode) + ", not a regular file");
    // Regular files never block; clear the flag so reads behave as usual.
    ::fcntl(fd.get(), F_SETFL, ::fcntl(fd.get(), F_GETFL) & ~O_NONBLOCK);
    return fd;
}

OutputFile::OutputFile(const std::string& path, const std::string& tag) : path_(path), target_(path) {
    struct stat info {};
    if (::lstat(path.c_str(), &info) == 0 && S_ISLNK(info.st_mode)) {
        std::error_code error;
        target_ = std::filesystem::canonical(path, error).string();
        if (error) fail("{}: is a symbolic link to nothing that can be written ({})", path, error.message());
    }
    bool exists = ::stat(target_.c_str(), &info) == 0;
    if (exists && (S_ISFIFO(info.st_mode) || S_ISCHR(info.st_mode))) {
        // O_NONBLOCK: opening a FIFO with no reader fails (ENXIO) instead of waiting for one.
        fd_ = UniqueFd(::open(target_.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
        if (!fd_ && errno == ENXIO) fail("{}: is a FIFO that no process reads", path);
        if (!fd_) fail("{}: cannot open for writing: {}", path, std::strerror(errno));
        ::fcntl(fd_.get(), F_SETFL, ::fcntl(fd_.get(), F_GETFL) & ~O_NONBLOCK);
        return;
    }
    if (exists && !S_ISREG(info.st_mode))
        fail("{}: is {}; only a regular file, a FIFO or a character device can be written", path,
             file_type_name(info.st_mode));
    std::filesystem::path target(target_);
    std::filesystem::path folder = target.parent_path().empty() ? std::filesystem::path(".") : target.parent_path();
    std::string pattern = folder / ("." + target.filename().string() + "." + tag + "-XXXXXX");
    std::vector<char> name(pattern.begin(), pattern.end());
    name.push_back('\0');
    fd_ = UniqueFd(::mkstemp(name.data()));
    if (!fd_) fail("{}: cannot create a temporary file beside it: {}", path, std::strerror(errno));
    temporary_ = name.data();
}

OutputFile::~OutputFile() {
    if (!temporary_.empty()) ::unlink(temporary_.c_str());
}

void OutputFile::commit(unsigned mode) {
    auto failed = [&](const char* what) {
        int saved = errno;
        fail("{}: {}: {}", path_, what, std::strerror(saved));
    };
    if (!temporary_.empty() && ::fchmod(fd_.get(), mode & 07777) != 0) failed("cannot set the mode");
    if (fd_.close() != 0) failed("write error");
    if (temporary_.empty()) return;
    if (::rename(temporary_.c_str(), target_.c_str()) != 0) failed("cannot rename the new file into place");
    temporary_.clear();
}

MappedFile::MappedFile(const std::string& path) {
    UniqueFd fd = open_regular_file(path);
    if (::fstat(fd.get(), &info_) != 0) fail_in_file(path, "cannot open: {}", std::strerror(errno));
    size_ = static_cast<std::size_t>(info_.st_size);
    if (size_ == 0) return;  // mmap takes no empty range
    data_ = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd.get(), 0);
    if (data_ == MAP_FAILED) fail_in_file(path, "cannot map: {}", std::strerror(errno));
}

MappedFile::~MappedFile() {
    if (data_ != nullptr) ::munmap(data_, size_);
}

}  // namespace aw
