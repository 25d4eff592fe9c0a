#include "protocol/record_kinds.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace aw {
namespace {
using F = FieldType;
using P = Presence;

const std::vector<FieldSpec> kElfIdent = {
    {"class", F::number, P::always}, {"byte_order", F::string, P::always}, {"machine", F::string, P::always},
    {"e_machine", F::number, P::always}, {"os_abi", F::number, P::always}};
const std::vector<FieldSpec> kTreeLibrary = {
    {"soname", F::string, P::always},  {"path", F::nullable_string, P::always},
    {"realpath", F::nullable_string, P::always}, {"needed", F::strings, P::always},
    {"in_wheel", F::boolean, P::always}, {"member", F::string, P::optional}, {"skipped", F::string, P::optional}};

std::vector<KindSpec> make_kinds() {
    std::vector<FieldSpec> elf_fields = {{"path", F::string, P::always}, {"file", F::string, P::always},
                                         {"error", F::string, P::optional}};
    for (const FieldSpec& ident : kElfIdent) elf_fields.push_back({ident.name, ident.type, P::unless_error});
    elf_fields.insert(elf_fields.end(), {
        {"e_flags", F::number, P::unless_error}, {"type", F::string, P::unless_error},
        {"interpreter", F::nullable_string, P::unless_error}, {"soname", F::nullable_string, P::unless_error},
        {"needed", F::strings, P::unless_error}, {"included", F::strings, P::optional},
        {"rpath", F::strings, P::unless_error}, {"runpath", F::strings, P::unless_error},
        {"python_extension", F::boolean, P::unless_error}, {"gnu_stack", F::nullable_string, P::unless_error},
        {"executable_stack", F::boolean, P::unless_error}, {"libc", F::nullable_string, P::unless_error},
        {"libraries", F::objects, P::unless_error, kTreeLibrary}});
    return {
        {"wheel", "whl-unpack",
         {{"version", F::number, P::always}, {"path", F::string, P::always}, {"filename", F::string, P::always}, {"name", F::string, P::always},
          {"dist_version", F::string, P::always}, {"build", F::nullable_string, P::always},
          {"tags", F::object, P::always,
           {{"python", F::strings, P::always}, {"abi", F::strings, P::always}, {"platform", F::strings, P::always}}},
          {"file", F::object, P::always, {{"size", F::number, P::always}, {"mtime_ns", F::signed_number, P::always}}},
          {"dist_info", F::string, P::always}, {"metadata", F::object, P::always}, {"workdir", F::string, P::always},
          {"elf_only", F::boolean, P::always}}},
        {"member", "whl-unpack",
         {{"path", F::string, P::always}, {"size", F::number, P::always}, {"mode", F::string, P::always},
          {"sha256", F::nullable_string, P::always}, {"record_hash", F::string, P::optional},
          {"extracted", F::boolean, P::always}, {"elf_error", F::string, P::optional},
          {"elf", F::nullable_object, P::always, kElfIdent}}},
        {"elf", "elf-deps", elf_fields},
        {"library", "elf-deps",
         {{"soname", F::string, P::always}, {"path", F::nullable_string, P::always},
          {"realpath", F::nullable_string, P::always}, {"found", F::boolean, P::always},
          {"in_wheel", F::boolean, P::always}, {"member", F::nullable_string, P::always},
          {"needed", F::strings, P::always}, {"executable_stack", F::boolean, P::always},
          {"needed_by", F::strings, P::always}, {"skipped", F::string, P::optional}}},
        {"symvers", "elf-symvers",
         {{"path", F::string, P::always}, {"origin", F::string, P::always}, {"file", F::string, P::always},
          {"error", F::string, P::optional}, {"versions", F::object, P::unless_error},
          {"namespaces", F::object, P::unless_error}, {"undefined", F::strings, P::unless_error},
          {"x86_isa", F::nullable_object, P::unless_error,
           {{"needed", F::number, P::always}, {"level", F::string, P::always}}},
          {"ucs2", F::boolean, P::unless_error}, {"pyfpe", F::boolean, P::unless_error}}},
        {"verdict", "policy-check",
         {{"wheel", F::string, P::always}, {"pure", F::boolean, P::always}, {"error", F::string, P::optional},
          {"architecture", F::string, P::unless_error}, {"libc", F::string, P::unless_error},
          {"overall_tag", F::string, P::unless_error}, {"sym_tag", F::string, P::unless_error},
          {"ref_tag", F::string, P::unless_error}, {"blacklist_tag", F::string, P::unless_error},
          {"machine_tag", F::string, P::unless_error}, {"graft_tag", F::string, P::unless_error},
          {"no_libc_tag", F::string, P::optional}, {"pyfpe", F::boolean, P::unless_error},
          {"ucs2", F::boolean, P::unless_error}, {"unsupported_isa", F::boolean, P::unless_error},
          {"versioned_symbols", F::object, P::unless_error},
          {"executable_stack", F::object, P::unless_error,
           {{"members", F::strings, P::always}, {"libraries", F::object, P::always}}},
          {"abi3", F::object, P::optional,
           {{"tag", F::string, P::always}, {"minimum", F::string, P::always},
            {"abi3t_since", F::nullable_string, P::always}, {"violates", F::boolean, P::always},
            {"extensions", F::objects, P::always,
             {{"path", F::string, P::always}, {"outside", F::strings, P::always}, {"newer", F::object, P::always},
              {"needs", F::string, P::always}, {"misnamed", F::boolean, P::always}}}}},
          {"policies", F::objects, P::unless_error,
           {{"name", F::string, P::always}, {"aliases", F::strings, P::always}, {"priority", F::number, P::always},
            {"external_libs", F::object, P::always}, {"blacklisted_symbols", F::object, P::always},
            {"symbols_ok", F::boolean, P::always}, {"too_new", F::strings, P::always}}}}},
        {"graft_plan", "policy-check",
         {{"wheel", F::string, P::always}, {"policy", F::string, P::always}, {"tags", F::strings, P::always},
          {"libraries", F::objects, P::always, {{"soname", F::string, P::always}, {"realpath", F::string, P::always}}},
          {"members", F::objects, P::always, {{"path", F::string, P::always}, {"graft", F::strings, P::always}}},
          {"remove_needed", F::objects, P::always,
           {{"path", F::string, P::always}, {"remove_needed", F::strings, P::always}}},
          {"included", F::strings, P::optional}}},
        {"grafted", "lib-graft",
         {{"soname", F::string, P::always}, {"source", F::string, P::always}, {"path", F::string, P::always},
          {"sha256", F::string, P::always}}},
        {"script_moved", "lib-graft", {{"from", F::string, P::always}, {"to", F::string, P::always}}},
        {"sbom", "lib-graft", {{"path", F::string, P::always}}},
        {"elf_edit", "lib-graft",
         {{"path", F::string, P::always}, {"set_soname", F::string, P::optional},
          {"replace_needed", F::string_pairs, P::optional}, {"remove_needed", F::strings, P::optional},
          {"add_needed", F::strings, P::optional}, {"set_rpath", F::string, P::optional},
          {"set_interpreter", F::string, P::optional}, {"force_rpath", F::boolean, P::optional},
          {"remove_rpath", F::boolean, P::optional}, {"strip", F::boolean, P::optional},
          {"set_execstack", F::boolean, P::optional}, {"clear_execstack", F::boolean, P::optional}}},
        {"elf_edited", "rpath-set", {{"path", F::string, P::always}, {"changed", F::boolean, P::always}}},
        {"retag", "policy-check", {{"add", F::strings, P::optional}, {"remove", F::strings, P::optional}}},
        {"output", "whl-pack",
         {{"path", F::string, P::always}, {"filename", F::string, P::always}, {"platform", F::strings, P::always},
          {"copied", F::number, P::always}, {"compressed", F::number, P::always}}},
    };
}

std::string_view type_text(FieldType type) {
    switch (type) {
        case F::string: return "a string";
        case F::nullable_string: return "a string or null";
        case F::boolean: return "true or false";
        case F::number: return "a whole number of 0 or more";
        case F::signed_number: return "a whole number";
        case F::strings: return "a list of strings";
        case F::string_pairs: return "a list of [string, string] pairs";
        case F::object: return "an object";
        case F::nullable_object: return "an object or null";
        case F::objects: return "a list of objects";
    }
    return "?";
}

bool is_strings(const Json& value) {
    return value.is_array() && std::all_of(value.begin(), value.end(), [](const Json& v) { return v.is_string(); });
}

bool has_type(const Json& value, FieldType type) {
    switch (type) {
        case F::string: return value.is_string();
        case F::nullable_string: return value.is_string() || value.is_null();
        case F::boolean: return value.is_boolean();
        case F::number: return value.is_number_unsigned() || (value.is_number_integer() && value.get<std::int64_t>() >= 0);
        case F::signed_number:
            return value.is_number_integer() &&
                   (!value.is_number_unsigned() || value.get<std::uint64_t>() <= static_cast<std::uint64_t>(INT64_MAX));
        case F::strings: return is_strings(value);
        case F::string_pairs:
            return value.is_array() && std::all_of(value.begin(), value.end(), [](const Json& pair) {
                       return is_strings(pair) && pair.size() == 2;
                   });
        case F::object: return value.is_object();
        case F::nullable_object: return value.is_object() || value.is_null();
        case F::objects:
            return value.is_array() && std::all_of(value.begin(), value.end(), [](const Json& v) { return v.is_object(); });
    }
    return false;
}

// Checks `value`'s fields against `fields`; `where` names the kind and the path to them.
void check_fields(const Json& value, const std::vector<FieldSpec>& fields, const std::string& where) {
    const bool error_form = value.contains("error");
    for (const FieldSpec& spec : fields) {
        auto found = value.find(std::string(spec.name));
        if (found == value.end()) {
            if (spec.presence == P::always || (spec.presence == P::unless_error && !error_form))
                throw RecordError(fmt::format("{} has no \"{}\" field", where, spec.name));
            continue;
        }
        if (!has_type(*found, spec.type))
            throw RecordError(fmt::format("{}: \"{}\" must be {}", where, spec.name, type_text(spec.type)));
        if (spec.fields.empty()) continue;
        if (found->is_object()) check_fields(*found, spec.fields, fmt::format("{}: \"{}\"", where, spec.name));
        if (found->is_array())
            for (const Json& item : *found) check_fields(item, spec.fields, fmt::format("{}: \"{}\"", where, spec.name));
    }
}
}  // namespace

const std::vector<KindSpec>& record_kinds() {
    static const std::vector<KindSpec> kinds = make_kinds();
    return kinds;
}

const KindSpec* find_kind(std::string_view kind) {
    const std::vector<KindSpec>& kinds = record_kinds();
    auto found = std::find_if(kinds.begin(), kinds.end(), [&](const KindSpec& spec) { return spec.kind == kind; });
    return found == kinds.end() ? nullptr : &*found;
}

void check_record_fields(const Json& value, const KindSpec& spec) {
    check_fields(value, spec.fields, fmt::format("record of kind \"{}\"", spec.kind));
}

namespace {
const KindSpec& spec_of(const Record& record) {
    const KindSpec* spec = find_kind(record.kind());
    if (spec == nullptr) throw std::logic_error("no record kind \"" + record.kind() + "\" in the protocol's table");
    at_record(record, [&] { check_record_fields(record.value, *spec); });
    return *spec;
}
}  // namespace

RecordFields::RecordFields(const Record& record) : record_(record), spec_(spec_of(record)) {}

const Json& RecordFields::field(std::string_view name, FieldType type) const {
    auto spec = std::find_if(spec_.fields.begin(), spec_.fields.end(), [&](const FieldSpec& f) { return f.name == name; });
    if (spec == spec_.fields.end())
        throw std::logic_error(fmt::format("a stage reads \"{}\" of a {} record, which the protocol's table lacks", name,
                                           spec_.kind));
    bool compatible = spec->type == type || (type == F::string && spec->type == F::nullable_string) ||
                      (type == F::object && (spec->type == F::nullable_object || spec->type == F::objects ||
                                             spec->type == F::string_pairs));
    if (!compatible)
        throw std::logic_error(fmt::format("a stage reads \"{}\" of a {} record as {}, not {}", name, spec_.kind,
                                           type_text(type), type_text(spec->type)));
    static const Json kNull;
    auto found = record_.value.find(std::string(name));
    return found == record_.value.end() ? kNull : *found;
}

std::string RecordFields::text(std::string_view name) const {
    const Json& value = field(name, F::string);
    return value.is_string() ? value.get<std::string>() : std::string();
}

std::optional<std::string> RecordFields::optional_text(std::string_view name) const {
    const Json& value = field(name, F::string);
    return value.is_string() ? std::optional(value.get<std::string>()) : std::nullopt;
}

bool RecordFields::flag(std::string_view name) const {
    const Json& value = field(name, F::boolean);
    return value.is_boolean() && value.get<bool>();
}

std::uint64_t RecordFields::number(std::string_view name, std::uint64_t max) const {
    const Json& value = field(name, F::number);
    std::uint64_t number = value.is_number() ? value.get<std::uint64_t>() : 0;
    if (number > max)
        throw Error(fmt::format("{}: record of kind \"{}\": \"{}\" must be at most {}", record_.place, spec_.kind, name, max));
    return number;
}

std::int64_t RecordFields::signed_number(std::string_view name) const {
    const Json& value = field(name, F::signed_number);
    return value.is_number() ? value.get<std::int64_t>() : 0;
}

std::vector<std::string> RecordFields::texts(std::string_view name) const {
    const Json& value = field(name, F::strings);
    return value.is_array() ? value.get<std::vector<std::string>>() : std::vector<std::string>{};
}

const Json& RecordFields::json(std::string_view name) const { return field(name, F::object); }

bool RecordFields::has(std::string_view name) const {
    auto spec = std::find_if(spec_.fields.begin(), spec_.fields.end(), [&](const FieldSpec& f) { return f.name == name; });
    if (spec == spec_.fields.end())
        throw std::logic_error(fmt::format("a stage asks for \"{}\" of a {} record, which the protocol's table lacks",
                                           name, spec_.kind));
    return record_.value.contains(std::string(name));
}

}  // namespace aw
