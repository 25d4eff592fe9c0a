// Which archive member names may be extracted: wheels are untrusted input.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aw {

// Why `name` may not be written under the work directory, or nullopt when it
// is a plain relative path (directory entries end in '/').
std::optional<std::string> unsafe_member_path_reason(std::string_view name);

// Pairs of names equal but for ASCII case: they clash on a case-insensitive
// file system.
std::vector<std::pair<std::string, std::string>> case_clashes(const std::vector<std::string>& names);

// The first pair (file, member below it) where a file's name is also used as
// a directory by another member, e.g. "pkg" and "pkg/x.py".
std::optional<std::pair<std::string, std::string>> file_directory_clash(const std::vector<std::string>& file_names);

}  // namespace aw
