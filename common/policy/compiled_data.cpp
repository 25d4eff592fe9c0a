#include "policy/compiled_data.hpp"

#include "base/diagnostics.hpp"

#include <zlib.h>

#include <fstream>
#include <sstream>

namespace aw {

namespace {
// The whole of `in`, read in blocks (a character-by-character iterator costs a show a millisecond
// on the 126 KB manylinux.yaml).
std::string read_whole(std::ifstream& in) {
    std::ostringstream text;
    text << in.rdbuf();
    return std::move(text).str();
}
}  // namespace

// zlib's CRC-32: a SHA-256 would cost a show more than compiling saves, and edits are what
// this detects, not tampering.
Json source_fingerprint(const std::string& yaml_path) {
    std::ifstream in(yaml_path, std::ios::binary);
    if (!in) fail("{}: cannot read", yaml_path);
    std::string bytes = read_whole(in);
    if (in.bad()) fail("{}: cannot read", yaml_path);
    uLong crc = ::crc32(0L, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size()));
    return {{"size", bytes.size()}, {"crc32", crc}};
}

std::optional<Json> current_compiled(const std::string& compiled_path, const std::string& yaml_path) {
    std::ifstream in(compiled_path, std::ios::binary);
    if (!in) return std::nullopt;
    try {
        Json root = Json::parse(read_whole(in));
        if (root.at("source") != source_fingerprint(yaml_path)) return std::nullopt;
        return root;
    } catch (const Json::exception&) {
        return std::nullopt;
    }
}

std::string compiled_text(Json data, const std::string& yaml_path) {
    data["source"] = source_fingerprint(yaml_path);
    return data.dump() + "\n";
}

}  // namespace aw
