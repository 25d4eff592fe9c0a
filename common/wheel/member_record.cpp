#include "wheel/member_record.hpp"

#include "base/diagnostics.hpp"
#include "protocol/record_kinds.hpp"

#include <fmt/format.h>

#include <cstdlib>

namespace aw {

Json record_json(const MemberRecord& member) {
    Json elf = nullptr;
    if (member.elf) {
        elf = Json::object();
        add_elf_ident(elf, *member.elf);
    }
    Json record{{"kind", "member"},
                {"path", member.path},
                {"size", member.size},
                {"mode", fmt::format("{:04o}", member.mode)},
                {"sha256", member.sha256 ? Json(*member.sha256) : Json(nullptr)},
                {"extracted", member.extracted},
                {"elf", elf}};
    if (member.record_hash) record["record_hash"] = *member.record_hash;
    if (member.elf_error) record["elf_error"] = *member.elf_error;
    return record;
}

MemberRecord read_member_record(const Record& record) {
    RecordFields fields(record);
    MemberRecord member;
    member.path = fields.text("path");
    member.size = fields.number("size");
    std::string mode = fields.text("mode");
    char* end = nullptr;
    unsigned long bits = std::strtoul(mode.c_str(), &end, 8);
    if (mode.empty() || *end != '\0' || bits > 07777)
        fail("{}: member record for {}: mode '{}' is not octal", record.place, member.path, mode);
    member.mode = static_cast<std::uint32_t>(bits);
    member.sha256 = fields.optional_text("sha256");
    member.record_hash = fields.optional_text("record_hash");
    member.extracted = fields.flag("extracted");
    if (const Json& elf = fields.json("elf"); elf.is_object()) member.elf = elf_ident_of(elf, record.place);
    member.elf_error = fields.optional_text("elf_error");
    return member;
}

}  // namespace aw
