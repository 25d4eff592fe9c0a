// Owns a file descriptor; closes it once.
#pragma once

#include <unistd.h>

#include <utility>

namespace aw {

class UniqueFd {
public:
    explicit UniqueFd(int fd = -1) : fd_(fd) {}
    ~UniqueFd() { reset(); }
    UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    UniqueFd& operator=(UniqueFd&& other) noexcept {
        if (this != &other) {
            reset();
            fd_ = std::exchange(other.fd_, -1);
        }
        return *this;
    }
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;

    int get() const { return fd_; }
    explicit operator bool() const { return fd_ >= 0; }
    // Gives the descriptor away (to a library that closes it).
    [[nodiscard]] int release() { return std::exchange(fd_, -1); }
    // Closes now and reports close's result (a delayed write error shows here).
    int close() { return ::close(std::exchange(fd_, -1)); }

private:
    void reset() {
        if (fd_ >= 0) ::close(std::exchange(fd_, -1));
    }
    int fd_;
};

}  // namespace aw
