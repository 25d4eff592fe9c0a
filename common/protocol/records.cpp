#include "protocol/records.hpp"

#include "base/diagnostics.hpp"
#include "base/interrupt.hpp"
#include "protocol/record_kinds.hpp"

#include <istream>
#include <ostream>
#include <stdexcept>

namespace aw {

RecordReader::RecordReader(std::istream& in, std::string source) : in_(in), source_(std::move(source)) {}

std::optional<Record> RecordReader::next() {
    std::string line;
    while (std::getline(in_, line)) {
        ++line_number_;
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        Json value;
        try {
            value = Json::parse(line);
        } catch (const Json::parse_error& error) {
            fail("{}: line {}: not a JSON record: {}", source_, line_number_, error.what());
        }
        if (!value.is_object()) fail("{}: line {}: a record must be a JSON object", source_, line_number_);
        auto kind = value.find("kind");
        if (kind == value.end() || !kind->is_string() || kind->get<std::string>().empty())
            fail("{}: line {}: record has no \"kind\" string", source_, line_number_);
        if (!seen_first_) {
            auto version = value.find("version");
            if (version == value.end() || !version->is_number_integer())
                fail("{}: line {}: the first record must carry the protocol \"version\" (an integer)",
                     source_, line_number_);
            if (version->get<long long>() != kProtocolVersion)
                fail("{}: line {}: protocol version {} is not supported (this stage speaks version {})",
                     source_, line_number_, version->dump(), kProtocolVersion);
            seen_first_ = true;
        }
        return Record{std::move(value), std::move(line), fmt::format("{}: line {}", source_, line_number_)};
    }
    throw_if_interrupted();
    if (in_.bad()) fail("{}: read error after line {}", source_, line_number_);
    return std::nullopt;
}

std::vector<Record> RecordReader::read_all() {
    std::vector<Record> records;
    while (auto record = next()) records.push_back(std::move(*record));
    return records;
}

RecordWriter::RecordWriter(std::ostream& out) : out_(out) {}

void RecordWriter::write_line(const std::string& line) {
    out_ << line << '\n';
    wrote_first_ = true;
    if (!out_) {
        throw_if_interrupted();
        fail("cannot write records to standard output");
    }
}

void RecordWriter::pass_through(const Record& record) { write_line(record.line); }

void RecordWriter::emit(Json record) {
    // What a stage writes keeps to the protocol's table: a record that breaks it is a bug here.
    if (const KindSpec* spec = find_kind(record.value("kind", ""))) {
        try {
            check_record_fields(record, *spec);
        } catch (const RecordError& error) {
            throw std::logic_error(std::string("a stage wrote a record against the protocol's table: ") + error.what());
        }
    }
    if (!wrote_first_ && !record.contains("version")) record["version"] = kProtocolVersion;
    write_line(record.dump(-1, ' ', false, Json::error_handler_t::replace));
}

void RecordWriter::flush() {
    out_.flush();
    if (!out_) {
        throw_if_interrupted();
        fail("cannot write records to standard output");
    }
}

namespace {
template <typename... Args>
[[noreturn]] void fail_record(fmt::format_string<Args...> format, Args&&... args) {
    throw RecordError(fmt::format(format, std::forward<Args>(args)...));
}
}  // namespace

std::vector<std::string> string_list(const Json& value, std::string_view where) {
    std::vector<std::string> items;
    bool valid = value.is_array();
    for (const Json& item : valid ? value : Json::array()) {
        valid = item.is_string() && !item.get<std::string>().empty();
        if (!valid) break;
        items.push_back(item.get<std::string>());
    }
    if (!valid) fail_record("{} must be a list of non-empty strings", where);
    return items;
}

}  // namespace aw
