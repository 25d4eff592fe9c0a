// Path pieces as the loader and the wheel tools need them: plain string
// operations, no file system access.
#pragma once

#include <string>

namespace aw {

// "a/b/c" -> "a/b"; "/c" -> "/"; "c" -> ".".
inline std::string directory_of(const std::string& path) {
    std::size_t slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

// "a/b/c" -> "c".
inline std::string file_name_of(const std::string& path) { return path.substr(path.rfind('/') + 1); }

}  // namespace aw
