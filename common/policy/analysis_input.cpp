#include "policy/analysis_input.hpp"

#include "base/diagnostics.hpp"
#include "protocol/stage_stream.hpp"

namespace aw {
namespace {
VersionRequirements read_versions(const Json& record) {
    VersionRequirements versions;
    const Json all = record.value("versions", Json::object());
    for (const auto& [file, by_version] : all.items())
        for (const auto& [version, symbols] : by_version.items())
            versions[file][version] = symbols.get<std::vector<std::string>>();
    return versions;
}

std::optional<std::uint32_t> read_isa(const Json& record) {
    const Json& isa = record.value("x86_isa", Json(nullptr));
    if (!isa.is_object()) return std::nullopt;
    return static_cast<std::uint32_t>(required_unsigned(isa, "needed", UINT32_MAX));
}
}  // namespace

AnalysisInput read_analysis_input(const std::vector<Record>& records) {
    AnalysisInput input;
    std::map<std::string, std::size_t> elf_by_path;
    for (const Record& record : records) {
        at_record(record, [&] {
            const Json& value = record.value;
            std::string kind = record.kind();
            if (kind == "wheel") {
                WheelRecord wheel = read_wheel_record(record);
                input.wheel = wheel.filename;
                input.python_tags = wheel.python_tags;
                input.abi_tags = wheel.abi_tags;
                input.platform_tags = wheel.platform_tags;
            } else if (kind == "member" && value.contains("elf_error")) {
                input.unreadable.push_back(required_string(value, "path") + ": " + required_string(value, "elf_error"));
            } else if (kind == "elf" && value.contains("error")) {
                input.unreadable.push_back(required_string(value, "path") + ": " + required_string(value, "error"));
            } else if (kind == "elf") {
                ElfMember elf;
                elf.path = required_string(value, "path");
                elf.elf_class = static_cast<int>(required_unsigned(value, "class", 64));
                elf.byte_order = required_string(value, "byte_order");
                elf.e_machine = static_cast<std::uint16_t>(required_unsigned(value, "e_machine", UINT16_MAX));
                if (value.contains("e_flags")) elf.e_flags = static_cast<std::uint32_t>(required_unsigned(value, "e_flags", UINT32_MAX));
                if (value.value("libc", Json(nullptr)).is_string()) elf.libc = value["libc"].get<std::string>();
                elf.python_extension = value.value("python_extension", false);
                elf.executable_stack = value.value("executable_stack", false);
                elf.needed = required_field(value, "needed").get<std::vector<std::string>>();
                elf.included = value.value("included", std::vector<std::string>{});
                elf.needed.insert(elf.needed.end(), elf.included.begin(), elf.included.end());
                for (const Json& library : required_field(value, "libraries")) {
                    TreeLibrary tree;
                    if (library.value("realpath", Json(nullptr)).is_string()) tree.realpath = library["realpath"].get<std::string>();
                    tree.needed = library.value("needed", std::vector<std::string>{});
                    tree.in_wheel = library.value("in_wheel", false);
                    elf.libraries.emplace(required_string(library, "soname"), std::move(tree));
                }
                elf_by_path[elf.path] = input.elfs.size();
                input.elfs.push_back(std::move(elf));
            } else if (kind == "symvers" && !value.contains("error")) {
                std::string origin = value.value("origin", "");
                std::string path = required_string(value, "path");
                if (origin == "member" && elf_by_path.count(path)) {
                    ElfMember& elf = input.elfs[elf_by_path[path]];
                    elf.versions = read_versions(value);
                    auto undefined = value.value("undefined", std::vector<std::string>{});
                    elf.undefined.insert(undefined.begin(), undefined.end());
                    elf.x86_isa_needed = read_isa(value);
                    elf.ucs2 = value.value("ucs2", false);
                    elf.pyfpe = value.value("pyfpe", false);
                } else if (origin == "library") {
                    input.libraries[path].versions = read_versions(value);
                    input.libraries[path].x86_isa_needed = read_isa(value);
                }
            } else if (kind == "library" && value.value("realpath", Json(nullptr)).is_string()) {
                input.libraries[value["realpath"].get<std::string>()].executable_stack = value.value("executable_stack", false);
            }
        });
    }
    if (input.wheel.empty()) fail("no \"wheel\" record on standard input");
    return input;
}

}  // namespace aw
