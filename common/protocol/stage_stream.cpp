#include "protocol/stage_stream.hpp"

#include <cerrno>
#include <cstring>
#include <sys/stat.h>

namespace aw {

std::string WheelRecord::extracted_file(const std::string& member) const {
    std::string file = file_of(member);
    struct stat info {};
    if (::lstat(file.c_str(), &info) != 0)
        fail("{}: member {}: its record says it was extracted, but the work directory does not hold it ({}): was the "
             "directory removed, or is the stream another run's?", filename, member, std::strerror(errno));
    return file;
}

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
