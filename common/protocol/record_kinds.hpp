// The record kinds of the protocol (auditwheel-records(7)) and their fields, in one table: what
// each stage writes is checked against it as it is written, what a stage reads is read through it
// (RecordFields), and a test compares it with the man page's tables.
#pragma once

#include "protocol/records.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aw {

enum class FieldType {
    string,            // a string
    nullable_string,   // a string or null
    boolean,
    number,            // a whole number >= 0
    signed_number,     // a whole number
    strings,           // a list of strings
    string_pairs,      // a list of [string, string]
    object,            // an object (its fields listed, or free when none are)
    nullable_object,   // an object or null
    objects,           // a list of objects (each with the fields listed)
};

enum class Presence {
    always,        // in every record of the kind
    unless_error,  // in every record of the kind but those with an "error" field
    optional,
};

struct FieldSpec {
    std::string_view name;
    FieldType type;
    Presence presence;
    std::vector<FieldSpec> fields = {};  // of an object, or of each object of a list
};

struct KindSpec {
    std::string_view kind;
    std::string_view owner;  // the stage that writes it
    std::vector<FieldSpec> fields;
};

// Every kind, in the order of auditwheel-records(7).
const std::vector<KindSpec>& record_kinds();
// The kind's table; nullptr for a kind the protocol does not define (a user's own).
const KindSpec* find_kind(std::string_view kind);

// Throws RecordError naming the kind and the field when `value`, a record of `spec`'s kind, lacks
// a field it must have or has one of another type; fields the table does not list are let by
// (the pass-through rule: a user may add their own).
void check_record_fields(const Json& value, const KindSpec& spec);

// One record read through its kind's table: a field is read by a name the table lists (another
// name is a bug: std::logic_error), after the whole record was checked (check_record_fields), so
// a missing or mistyped field is one error naming the record's line, kind and field.
class RecordFields {
public:
    // Throws Error naming `record`'s place when it breaks its kind's table.
    explicit RecordFields(const Record& record);
    // A field's value, or an empty one (""/false/0/none) when it is absent or null.
    std::string text(std::string_view name) const;
    std::optional<std::string> optional_text(std::string_view name) const;
    bool flag(std::string_view name) const;
    // A number above `max` is an error naming the record's line and the field.
    std::uint64_t number(std::string_view name, std::uint64_t max = UINT64_MAX) const;
    std::int64_t signed_number(std::string_view name) const;
    std::vector<std::string> texts(std::string_view name) const;
    // An object or list field as it is (null when absent).
    const Json& json(std::string_view name) const;
    bool has(std::string_view name) const;
    const Record& record() const { return record_; }

private:
    const Json& field(std::string_view name, FieldType type) const;
    const Record& record_;
    const KindSpec& spec_;
};

}  // namespace aw
