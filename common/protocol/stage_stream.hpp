// What every stage of the record protocol does with its input: each record is
// passed through to the output, in order and byte for byte, before the stage
// looks at it; the wheel record is read once, by one reader; a record that
// needs the wheel before the wheel record came is an error naming its line.
#pragma once

#include "base/diagnostics.hpp"
#include "protocol/records.hpp"
#include "protocol/wheel_record.hpp"

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace aw {

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
