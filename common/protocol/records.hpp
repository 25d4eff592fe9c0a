// The record protocol (auditwheel-records(7)): one JSON object per line, each
// with a "kind"; the first record of a stream carries the protocol "version".
#pragma once

#include "base/diagnostics.hpp"

#include <nlohmann/json.hpp>

#include <iosfwd>
#include <optional>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace aw {

using Json = nlohmann::ordered_json;

inline constexpr int kProtocolVersion = 1;

struct Record {
    Json value;
    std::string line;   // the text as read, so pass-through is byte-exact
    std::string place;  // "standard input: line 3", for errors about its fields

    std::string kind() const { return value.at("kind").get<std::string>(); }
};

// A record that lacks a field or has one of the wrong shape (the helpers below
// throw it); at_record() says which input line it was.
class RecordError : public Error {
public:
    using Error::Error;
};

// Runs `body`, which reads `record`; a RecordError it throws becomes an Error
// naming the record's place ("standard input: line 3: record of kind ...").
template <typename Body>
decltype(auto) at_record(const Record& record, Body&& body) {
    try {
        return body();
    } catch (const RecordError& error) {
        throw Error(record.place.empty() ? error.what() : record.place + ": " + error.what(), error.exit_code());
    }
}

// Reads and checks records; every malformed line is an error naming its number.
class RecordReader {
public:
    explicit RecordReader(std::istream& in, std::string source = "standard input");
    std::optional<Record> next();
    std::vector<Record> read_all();

private:
    std::istream& in_;
    std::string source_;
    std::size_t line_number_ = 0;
    bool seen_first_ = false;
};

// Writes records; stamps the protocol version on the first one when its
// producer did not, so every stream starts with it.
class RecordWriter {
public:
    explicit RecordWriter(std::ostream& out);
    void pass_through(const Record& record);
    void emit(Json record);
    // Throws when the reader went away (closed pipe) or the write failed.
    void flush();

private:
    void write_line(const std::string& line);
    std::ostream& out_;
    bool wrote_first_ = false;
};

// A value that must be a list of non-empty strings; the error names `where`
// ("<where> must be a list of non-empty strings").
std::vector<std::string> string_list(const Json& value, std::string_view where);

}  // namespace aw
