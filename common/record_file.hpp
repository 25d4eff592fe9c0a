// The dist-info RECORD file: CSV rows of path, hash ("algo=urlsafe-b64"), size.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace aw {

struct RecordRow {
    std::string path;
    std::string hash;  // "sha256=..." or empty (RECORD itself, signatures)
    std::string size;  // decimal, or empty
};

// Throws Error prefixed with `where` and the line number on malformed CSV.
std::vector<RecordRow> parse_record_file(std::string_view text, std::string_view where);

// CSV as Python's csv.writer writes it (as pypa auditwheel does): CRLF line
// ends, fields quoted only when they hold a comma, quote, CR or LF.
std::string format_record_file(const std::vector<RecordRow>& rows);

struct RecordHash {
    std::string algorithm;  // e.g. "sha256"
    std::string digest;     // urlsafe base64, no padding
};
// Splits "algo=digest"; empty fields when `hash` has no '='.
RecordHash split_record_hash(std::string_view hash);

// Throws Error naming the wheel and member when `actual` (the member's digest
// in RECORD's encoding, with the claimed algorithm) is not what RECORD claims.
void check_record_digest(std::string_view wheel, std::string_view member, const RecordHash& claimed,
                         std::string_view actual);

}  // namespace aw
