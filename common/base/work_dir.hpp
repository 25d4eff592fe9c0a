// Directories a stage creates and must not leave behind on failure.
#pragma once

#include "base/unique_fd.hpp"

#include <string>

namespace aw {

// Owns a directory tree: removed by the destructor unless keep() was called,
// so an error or Ctrl-C that unwinds the stack leaves nothing on disk.
class WorkDir {
public:
    // A fresh directory <prefix>XXXXXX in the first of $TMPDIR, $TEMP, $TMP,
    // /tmp, /var/tmp, /usr/tmp and the current directory that takes one.
    static WorkDir create_temporary(const std::string& prefix);
    // A directory ".<prefix>-XXXXXX" in `folder` to write a file in before it
    // is renamed beside it: a leading dot, so globbing and pip ignore it even
    // when a kill -9 leaves it behind. It stays locked (flock) while this
    // process lives; those left by a killed process (lock free, unchanged for
    // a minute) are removed first.
    static WorkDir create_staging(const std::string& folder, const std::string& prefix);
    // `path` must not exist, or be an empty directory (then only what this
    // process adds is removed).
    static WorkDir create_at(const std::string& path);

    WorkDir(WorkDir&&) noexcept;
    WorkDir& operator=(WorkDir&&) = delete;
    ~WorkDir();

    const std::string& path() const { return path_; }
    void keep() { kept_ = true; }

private:
    WorkDir(std::string path, bool created);
    std::string path_;
    bool created_ = false;  // false: it existed empty, so only its contents go
    bool kept_ = false;
    UniqueFd lock_;  // held by staging directories
};

// True when names differing only in case refer to one file in `directory`.
bool is_case_insensitive_directory(const std::string& directory);

// Removes a directory tree; errors are ignored (used on clean-up paths).
void remove_tree(const std::string& path) noexcept;

}  // namespace aw
