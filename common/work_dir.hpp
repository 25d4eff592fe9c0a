// Directories a stage creates and must not leave behind on failure.
#pragma once

#include <string>

namespace aw {

// Owns a directory tree: removed by the destructor unless keep() was called,
// so an error or Ctrl-C that unwinds the stack leaves nothing on disk.
class WorkDir {
public:
    // A fresh directory under $TMPDIR (or /tmp) named <prefix>XXXXXX.
    static WorkDir create_temporary(const std::string& prefix);
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
};

// True when names differing only in case refer to one file in `directory`.
bool is_case_insensitive_directory(const std::string& directory);

// Removes a directory tree; errors are ignored (used on clean-up paths).
void remove_tree(const std::string& path) noexcept;

}  // namespace aw
