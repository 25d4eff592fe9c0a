// What every fuzz target needs: the input as a file (the readers open files by name, as the
// stages do) under $TMPDIR, removed after each run.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

namespace fuzz {

class InputFile {
public:
    InputFile(const std::uint8_t* data, std::size_t size, const std::string& name) {
        const char* tmp = std::getenv("TMPDIR");
        path_ = std::string(tmp != nullptr ? tmp : "/tmp") + "/aw-fuzz-" + std::to_string(::getpid()) + "-" + name;
        std::ofstream(path_, std::ios::binary).write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    }
    ~InputFile() { std::remove(path_.c_str()); }
    InputFile(const InputFile&) = delete;
    InputFile& operator=(const InputFile&) = delete;
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

}  // namespace fuzz
