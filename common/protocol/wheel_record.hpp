// The wheel record of whl-unpack (auditwheel-records(7)): the first record of a stream, the wheel
// it describes and where it was unpacked.
#pragma once

#include "base/diagnostics.hpp"
#include "protocol/records.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace aw {

struct WheelRecord {
    std::string path;      // the wheel file as named to whl-unpack
    std::string filename;  // its file name, what messages name
    std::string name;      // the distribution name
    std::string dist_version;
    std::optional<std::string> build;  // the build tag
    std::vector<std::string> python_tags, abi_tags, platform_tags;
    std::uint64_t file_size = 0;
    std::int64_t file_mtime_ns = 0;
    std::string dist_info;  // its .dist-info folder
    Json metadata = Json::object();  // the WHEEL file's headers
    std::string workdir;    // where it was unpacked
    bool elf_only = false;

    // A member (a path inside the wheel) as it is on disk, and as messages name it.
    std::string file_of(const std::string& member) const { return workdir + "/" + member; }
    // file_of a member whose record says it was extracted; an error when the work directory does
    // not hold it (removed, or the stream is another run's): a broken pipeline, not a bad member.
    std::string extracted_file(const std::string& member) const;
    Where member(const std::string& path) const { return Where{filename, "member", path}; }
};

Json record_json(const WheelRecord& wheel);
// Throws Error naming the record's line and the field at fault.
WheelRecord read_wheel_record(const Record& record);

}  // namespace aw
