// The dist-info RECORD file: CSV rows of path, hash ("algo=urlsafe-b64"), size.
#pragma once

#include "base/digest.hpp"

#include <cstddef>
#include <optional>
#include <span>
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

// A member's digests while it streams, whether it is extracted (whl-unpack)
// or copied raw (whl-pack): sha256, which the records carry, and RECORD's own
// algorithm when RECORD claims another.
class MemberDigest {
public:
    // `claimed` is RECORD's hash of the member; empty when RECORD has none.
    explicit MemberDigest(RecordHash claimed);
    void update(std::span<const std::byte> bytes);
    // The sha256 (hex); throws Error naming `wheel` and `member` when RECORD
    // claims a digest the member does not have.
    std::string finish(std::string_view wheel, std::string_view member);

private:
    RecordHash claimed_;
    Digest sha256_;
    std::optional<Digest> record_digest_;  // RECORD's algorithm, when not sha256
};

}  // namespace aw
