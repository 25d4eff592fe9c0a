#include "file_io.hpp"

#include "diagnostics.hpp"
#include "interrupt.hpp"

#include <cerrno>
#include <cstring>
#include <unistd.h>

namespace aw {

void write_all(int fd, std::span<const std::byte> bytes, const std::string& path) {
    while (!bytes.empty()) {
        ssize_t written = ::write(fd, bytes.data(), bytes.size());
        if (written < 0 && errno == EINTR) {
            throw_if_interrupted();
            continue;
        }
        if (written < 0) fail("{}: write error: {}", path, std::strerror(errno));
        bytes = bytes.subspan(static_cast<std::size_t>(written));
    }
}

}  // namespace aw
