// Writing to file descriptors the way every stage must: all of it, or an error.
#pragma once

#include <cstddef>
#include <span>
#include <string>

namespace aw {

// Writes all of `bytes` to `fd`, retrying short writes and EINTR (but
// stopping for a pending Ctrl-C); throws Error naming `path` on failure.
void write_all(int fd, std::span<const std::byte> bytes, const std::string& path);

}  // namespace aw
