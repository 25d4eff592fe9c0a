// whl-pack's work: turn a work directory and its records back into a wheel,
// copying unchanged members' compressed bytes from the original archive.
#pragma once

#include "wheel/member_record.hpp"
#include "protocol/records.hpp"
#include "protocol/stage_stream.hpp"
#include "wheel/wheel_metadata.hpp"
#include "wheel/wheel_name.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace aw {

// What whl-unpack said of one member of the original archive.
// The facts a stream gives whl-pack: its wheel record, members and retags.
struct PackInput {
    WheelRecord wheel;  // the original wheel and where it was unpacked
    WheelName name;
    std::map<std::string, MemberRecord> members;  // by path
    std::vector<Retag> retags;
};

PackInput read_pack_input(const std::vector<Record>& records);

struct PackOptions {
    std::string wheel_dir = "wheelhouse";
    int compression_level = 6;  // 0 stores new members
    unsigned threads = 1;       // deflating new members (DeflatePipeline); the output does not depend on it
    std::optional<std::string> source_date_epoch;  // the variable's text, when set
};

struct PackedWheel {
    std::string path;
    std::string filename;
    std::vector<std::string> platforms;
    std::vector<std::string> retag_log;  // RetagResult::log
    std::size_t copied = 0;      // members copied as compressed bytes
    std::size_t compressed = 0;  // members compressed anew
};

// Writes the wheel atomically: in a staging directory in the wheel directory
// (WorkDir::create_staging), renamed beside it once complete. An existing
// output that is not a regular file is refused, never replaced; the input
// wheel itself may be the output (a repair in place, as pypa auditwheel's).
PackedWheel pack_wheel(const PackInput& input, const PackOptions& options);

// The order pypa auditwheel 6.8.1 writes entries in (tools.py walk/dir2zip):
// depth first, a directory's "name/" entry before its sorted files and then
// its sorted subdirectories; top-level *.dist-info directories last; RECORD
// last in the dist-info. `directories` holds every directory, without '/'.
std::vector<std::string> wheel_entry_order(const std::set<std::string>& files, const std::set<std::string>& directories);

// 1980-01-01 when unset, and earlier times are clipped to it (zip's DOS time
// starts there); throws Error when the text is not a whole number.
std::int64_t zip_timestamp(const std::optional<std::string>& source_date_epoch);

Json record_json(const PackedWheel& wheel);

}  // namespace aw
