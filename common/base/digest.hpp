// Streaming message digests (OpenSSL libcrypto) and the encodings wheels use.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace aw {

class Digest {
public:
    // `algorithm` is a RECORD hash name: sha256, sha224, sha384 or sha512.
    explicit Digest(std::string_view algorithm = "sha256");
    ~Digest();
    Digest(Digest&&) noexcept;
    Digest& operator=(Digest&&) noexcept;

    void update(std::span<const std::byte> bytes);
    std::vector<unsigned char> finish();

    static bool is_supported(std::string_view algorithm);

private:
    std::unique_ptr<struct DigestState> state_;
};

std::string to_hex(std::span<const unsigned char> bytes);
// RECORD's digest encoding: urlsafe base64 without '=' padding.
std::string to_record_base64(std::span<const unsigned char> bytes);
std::vector<unsigned char> from_hex(std::string_view hex);  // empty on malformed input
// The inverse of to_record_base64; empty on malformed input.
std::vector<unsigned char> from_record_base64(std::string_view text);

// Hashes a whole file; hex of its sha256, its size and its permission bits.
struct FileDigest {
    std::string sha256_hex;
    std::uint64_t size = 0;
    unsigned mode = 0;
};
FileDigest digest_file(const std::string& path);
// The buffer each thread that hashes files keeps: files are read in blocks of this size.
inline constexpr std::size_t kDigestBlock = std::size_t{1} << 20;
// Copies `source` to `copy` (created or truncated, with `mode`), hashing the bytes as they pass:
// one read of the source, none of the copy.
FileDigest copy_digested(const std::string& source, const std::string& copy, unsigned mode);

}  // namespace aw
