#include "protocol/stage_stream.hpp"

namespace aw {

StageStream::StageStream(std::istream& in, std::ostream& out) : in_(in), out_(out) {}

std::optional<Record> StageStream::next() {
    std::optional<Record> record = in_.next();
    if (!record) return record;
    out_.pass_through(*record);
    if (record->kind() == "wheel") {
        if (wheel_) fail("{}: a second wheel record: a stream describes one wheel", record->place);
        wheel_ = read_wheel_record(*record);
    }
    return record;
}

const WheelRecord& StageStream::wheel_for(const Record& record) const {
    if (!wheel_) fail("{}: {} record before the wheel record", record.place, record.kind());
    return *wheel_;
}

}  // namespace aw
