#include "stage_stream.hpp"

namespace aw {

WheelRecord read_wheel_record(const Record& record) {
    return at_record(record, [&] {
        const Json& value = record.value;
        WheelRecord wheel;
        wheel.path = required_string(value, "path");
        wheel.filename = required_string(value, "filename");
        wheel.name = required_string(value, "name");
        wheel.dist_info = required_string(value, "dist_info");
        wheel.workdir = required_string(value, "workdir");
        const Json& tags = required_field(value, "tags");
        wheel.platform_tags = string_list(required_field(tags, "platform"), "wheel record: tags.platform");
        if (tags.contains("python")) wheel.python_tags = string_list(tags["python"], "wheel record: tags.python");
        if (tags.contains("abi")) wheel.abi_tags = string_list(tags["abi"], "wheel record: tags.abi");
        const Json& file = required_field(value, "file");
        wheel.file_size = required_unsigned(file, "size");
        wheel.file_mtime_ns = required_signed(file, "mtime_ns");
        return wheel;
    });
}

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
