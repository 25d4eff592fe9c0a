// whl-unpack's work: check that a file is a wheel that is safe to extract,
// extract it (or only what show and repair read), and describe it as records.
#pragma once

#include "elf/elf_ident.hpp"
#include "protocol/records.hpp"
#include "protocol/wheel_record.hpp"
#include "wheel/member_record.hpp"
#include "wheel/wheel_metadata.hpp"
#include "wheel/wheel_name.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace aw {

// The control file whl-unpack leaves at the top of a work directory: whl-pack
// removes only directories that have it, and never packs it.
inline constexpr const char* kWorkdirMarker = ".whl-unpack-workdir";

struct UnpackOptions {
    std::string wheel_path;
    std::optional<std::string> dest;  // default: a fresh temporary directory
    bool elf_only = false;            // extract only ELF members and the dist-info
    unsigned threads = 1;             // extracting members at once
};

struct UnpackedWheel {
    std::string path;  // absolute
    std::uint64_t file_size = 0;      // of the wheel, so whl-pack can tell it
    std::int64_t file_mtime_ns = 0;   // was not replaced in between
    WheelName name;
    std::string dist_info;  // e.g. "pkg-1.0.dist-info"
    WheelMetadata metadata;
    std::string workdir;    // absolute
    bool elf_only = false;
    std::vector<MemberRecord> members;  // archive order, no directory entries
};

// Throws Error naming the wheel and member on anything it refuses; then
// nothing it created is left on disk.
UnpackedWheel unpack_wheel(const UnpackOptions& options);

// Permission bits a member gets on extraction, as pypa auditwheel's zip2dir:
// the archived bits with owner read/write added; 0644 when none are stored.
std::uint32_t extracted_mode(std::optional<std::uint32_t> unix_mode);

WheelRecord wheel_record(const UnpackedWheel& wheel);

}  // namespace aw
