#include "elf/symvers_record.hpp"

#include "base/diagnostics.hpp"
#include "elf/elf_names.hpp"
#include "protocol/record_kinds.hpp"

#include <algorithm>

namespace aw {

Json record_json(const SymversRecord& record) {
    if (record.error)
        return Json{{"kind", "symvers"}, {"path", record.path}, {"origin", record.origin}, {"file", record.file},
                    {"error", *record.error}};
    const SymbolVersions& versions = record.versions;
    Json required = Json::object();
    std::map<std::string, std::vector<std::string>> namespaces;
    for (const auto& [needed_file, by_version] : versions.required) {
        Json entry = Json::object();
        for (const auto& [version, symbols] : by_version) {
            entry[version] = symbols;
            auto [name, number] = split_symbol_version(version);
            auto& list = namespaces[name];
            if (std::find(list.begin(), list.end(), number) == list.end()) list.push_back(number);
        }
        required[needed_file] = std::move(entry);
    }
    Json grouped = Json::object();
    for (auto& [name, list] : namespaces) {
        std::sort(list.begin(), list.end(), version_less);
        grouped[name] = list;
    }
    Json isa = nullptr;
    if (versions.x86_isa_needed)
        isa = Json{{"needed", *versions.x86_isa_needed}, {"level", x86_isa_level_name(*versions.x86_isa_needed)}};
    return Json{{"kind", "symvers"},  {"path", record.path},     {"origin", record.origin},
                {"file", record.file}, {"versions", required},   {"namespaces", grouped},
                {"undefined", versions.undefined}, {"x86_isa", isa}, {"ucs2", versions.ucs2},
                {"pyfpe", versions.pyfpe}};
}

SymversRecord read_symvers_record(const Record& record) {
    RecordFields fields(record);
    SymversRecord symvers{fields.text("path"), fields.text("origin"), fields.text("file"), fields.optional_text("error"), {}};
    if (symvers.error) return symvers;
    SymbolVersions& versions = symvers.versions;
    for (const auto& [file, by_version] : fields.json("versions").items()) {
        if (!by_version.is_object()) fail("{}: symvers record: \"versions\" of {} must be an object", record.place, file);
        for (const auto& [version, symbols] : by_version.items())
            versions.required[file][version] =
                string_list(symbols, fmt::format("{}: symvers record: \"versions\" of {} {}", record.place, file, version));
    }
    versions.undefined = fields.texts("undefined");
    if (const Json& isa = fields.json("x86_isa"); isa.is_object())
        versions.x86_isa_needed = static_cast<std::uint32_t>(std::min<std::uint64_t>(isa["needed"].get<std::uint64_t>(), UINT32_MAX));
    versions.ucs2 = fields.flag("ucs2");
    versions.pyfpe = fields.flag("pyfpe");
    return symvers;
}

}  // namespace aw
