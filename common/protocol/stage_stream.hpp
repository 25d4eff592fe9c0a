// What every stage of the record protocol does with its input: each record is
// passed through to the output, in order and byte for byte, before the stage
// looks at it; the wheel record is read once, by one reader; a record that
// needs the wheel before the wheel record came is an error naming its line.
#pragma once

#include "base/diagnostics.hpp"
#include "protocol/records.hpp"

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace aw {

// The "wheel" record whl-unpack writes (auditwheel-records(7)).
struct WheelRecord {
    std::string path;      // the wheel file as named to whl-unpack
    std::string filename;  // its file name, what messages name
    std::string name;      // the distribution name
    std::string dist_info; // its .dist-info folder
    std::string workdir;   // where it was unpacked
    std::vector<std::string> python_tags, abi_tags, platform_tags;
    std::uint64_t file_size = 0;
    std::int64_t file_mtime_ns = 0;

    // A member (a path inside the wheel) as it is on disk, and as messages name it.
    std::string file_of(const std::string& member) const { return workdir + "/" + member; }
    // file_of a member whose record says it was extracted; an error when the work directory does
    // not hold it (removed, or the stream is another run's): a broken pipeline, not a bad member.
    std::string extracted_file(const std::string& member) const;
    Where member(const std::string& path) const { return Where{filename, "member", path}; }
};

// Throws Error naming the record's line when a field is missing or malformed.
WheelRecord read_wheel_record(const Record& record);

class StageStream {
public:
    StageStream(std::istream& in, std::ostream& out);

    // The next record, already passed through; none at the end of the input.
    // A second wheel record is an error: a stream describes one wheel.
    std::optional<Record> next();
    // The stream's wheel, for `record` (which needs it): an error naming the
    // record's kind and line when the wheel record has not come yet.
    const WheelRecord& wheel_for(const Record& record) const;
    const std::optional<WheelRecord>& wheel() const { return wheel_; }

    void emit(Json record) { out_.emit(std::move(record)); }
    // Flushes the output; a closed pipe or a full disk is an error.
    void finish() { out_.flush(); }

private:
    RecordReader in_;
    RecordWriter out_;
    std::optional<WheelRecord> wheel_;
};

}  // namespace aw
