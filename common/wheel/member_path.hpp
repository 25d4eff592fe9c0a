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

// Pairs of different names that are one name once case-folded and NFC-normalized (Unicode's
// full folding, by utf8proc): "pkg/A.py" and "pkg/a.py", or "é" composed and decomposed. They
// clash where pip installs on macOS (APFS folds both) and Windows, and on a case-insensitive
// file system here. A name that is not UTF-8 is compared as it is.
std::vector<std::pair<std::string, std::string>> folded_name_clashes(const std::vector<std::string>& names);

// The first pair (file, member below it) where a file's name is also used as a directory by
// another member, a file ("pkg" and "pkg/x.py") or a directory entry ("pkg/x/" as "pkg/x").
std::optional<std::pair<std::string, std::string>> file_directory_clash(const std::vector<std::string>& file_names,
                                                                        const std::vector<std::string>& directory_names);

}  // namespace aw
