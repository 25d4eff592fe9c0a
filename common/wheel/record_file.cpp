#include "wheel/record_file.hpp"

#include "base/diagnostics.hpp"

namespace aw {

std::vector<RecordRow> parse_record_file(std::string_view text, std::string_view where) {
    std::vector<RecordRow> rows;
    std::vector<std::string> fields;
    std::string field;
    std::size_t line = 1, row_line = 1;
    bool in_quotes = false, field_was_quoted = false;

    auto end_row = [&] {
        fields.push_back(std::move(field));
        field.clear();
        bool blank = fields.size() == 1 && fields[0].empty() && !field_was_quoted;
        if (!blank) {
            if (fields.size() != 3)
                fail("{}: line {}: expected 3 fields (path,hash,size), found {}", where, row_line, fields.size());
            if (fields[0].empty()) fail("{}: line {}: empty path", where, row_line);
            rows.push_back(RecordRow{std::move(fields[0]), std::move(fields[1]), std::move(fields[2])});
        }
        fields.clear();
        field_was_quoted = false;
    };

    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (in_quotes) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                field += '"';
                ++i;
            } else if (c == '"') {
                in_quotes = false;
            } else {
                if (c == '\n') ++line;
                field += c;
            }
            continue;
        }
        if (c == '"' && field.empty()) {
            in_quotes = field_was_quoted = true;
        } else if (c == ',') {
            fields.push_back(std::move(field));
            field.clear();
        } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
            continue;
        } else if (c == '\n') {
            end_row();
            row_line = ++line;
        } else {
            field += c;
        }
    }
    if (in_quotes) fail("{}: line {}: unterminated quoted field", where, row_line);
    if (!field.empty() || !fields.empty()) end_row();
    return rows;
}

std::string format_record_file(const std::vector<RecordRow>& rows) {
    auto quoted = [](const std::string& field) {
        if (field.find_first_of(",\"\r\n") == std::string::npos) return field;
        std::string out = "\"";
        for (char c : field) out += c == '"' ? std::string("\"\"") : std::string(1, c);
        return out + '"';
    };
    std::string text;
    for (const RecordRow& row : rows) text += quoted(row.path) + ',' + quoted(row.hash) + ',' + quoted(row.size) + "\r\n";
    return text;
}

RecordHash split_record_hash(std::string_view hash) {
    std::size_t equals = hash.find('=');
    if (equals == std::string_view::npos) return {};
    return RecordHash{std::string(hash.substr(0, equals)), std::string(hash.substr(equals + 1))};
}

MemberDigest::MemberDigest(RecordHash claimed) : claimed_(std::move(claimed)) {
    if (!claimed_.algorithm.empty() && claimed_.algorithm != "sha256") record_digest_.emplace(claimed_.algorithm);
}

void MemberDigest::update(std::span<const std::byte> bytes) {
    sha256_.update(bytes);
    if (record_digest_) record_digest_->update(bytes);
}

std::string MemberDigest::finish(std::string_view wheel, std::string_view member) {
    std::vector<unsigned char> sha256 = sha256_.finish();
    if (!claimed_.algorithm.empty()) {
        std::string actual = to_record_base64(record_digest_ ? record_digest_->finish() : sha256);
        if (actual != claimed_.digest)
            fail("{}: member {}: {} does not match RECORD (RECORD says {}, the member hashes to {})", wheel, member,
                 claimed_.algorithm, claimed_.digest, actual);
    }
    return to_hex(sha256);
}

}  // namespace aw
