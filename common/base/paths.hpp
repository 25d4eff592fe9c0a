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

// An absolute `path` of a system whose root is the sysroot `root` ("" or "/": this one), as a
// path of this system; a relative path (as $ORIGIN makes) is left as it is.
inline std::string inside_root(const std::string& root, const std::string& path) {
    return root.empty() || root == "/" || !path.starts_with('/') ? path : root + path;
}

// "a/b/c" -> "c".
inline std::string file_name_of(const std::string& path) { return path.substr(path.rfind('/') + 1); }

}  // namespace aw
