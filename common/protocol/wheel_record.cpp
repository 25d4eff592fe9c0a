#include "protocol/wheel_record.hpp"

#include "protocol/record_kinds.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

namespace aw {

std::string WheelRecord::extracted_file(const std::string& member) const {
    std::string file = file_of(member);
    struct stat info {};
    if (::lstat(file.c_str(), &info) != 0)
        fail("{}: member {}: its record says it was extracted, but the work directory does not hold it ({}): was the "
             "directory removed, or is the stream another run's?", filename, member, std::strerror(errno));
    return file;
}

Json record_json(const WheelRecord& wheel) {
    return Json{{"kind", "wheel"},
                {"version", kProtocolVersion},
                {"path", wheel.path},
                {"filename", wheel.filename},
                {"name", wheel.name},
                {"dist_version", wheel.dist_version},
                {"build", wheel.build ? Json(*wheel.build) : Json(nullptr)},
                {"tags", {{"python", wheel.python_tags}, {"abi", wheel.abi_tags}, {"platform", wheel.platform_tags}}},
                {"file", {{"size", wheel.file_size}, {"mtime_ns", wheel.file_mtime_ns}}},
                {"dist_info", wheel.dist_info},
                {"metadata", wheel.metadata},
                {"workdir", wheel.workdir},
                {"elf_only", wheel.elf_only}};
}

WheelRecord read_wheel_record(const Record& record) {
    RecordFields fields(record);
    WheelRecord wheel;
    wheel.path = fields.text("path");
    wheel.filename = fields.text("filename");
    wheel.name = fields.text("name");
    wheel.dist_version = fields.text("dist_version");
    wheel.build = fields.optional_text("build");
    const Json& tags = fields.json("tags");  // its lists' types are checked
    wheel.python_tags = tags["python"].get<std::vector<std::string>>();
    wheel.abi_tags = tags["abi"].get<std::vector<std::string>>();
    wheel.platform_tags = tags["platform"].get<std::vector<std::string>>();
    const Json& file = fields.json("file");
    wheel.file_size = file["size"].get<std::uint64_t>();
    wheel.file_mtime_ns = file["mtime_ns"].get<std::int64_t>();
    wheel.dist_info = fields.text("dist_info");
    wheel.metadata = fields.json("metadata");
    wheel.workdir = fields.text("workdir");
    wheel.elf_only = fields.flag("elf_only");
    return wheel;
}

}  // namespace aw
