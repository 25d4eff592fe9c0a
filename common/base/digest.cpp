#include "base/digest.hpp"

#include "base/diagnostics.hpp"
#include "base/file_io.hpp"
#include "base/interrupt.hpp"
#include "base/unique_fd.hpp"

// SHA256_Init and its kin are deprecated in OpenSSL 3 in favour of EVP; see DigestState.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <optional>
#include <sys/stat.h>
#include <unistd.h>
#include <variant>

namespace aw {

// libcrypto's SHA-2 functions themselves, not EVP: in OpenSSL 3 the first EVP digest of a process
// loads the default provider and builds its name tables, 0.55 ms, a tenth of what whl-unpack
// takes in a show; these run the same assembly, need no provider and read no openssl.cnf (whose
// providers a static program could not load).
struct DigestState {
    enum class Algorithm { sha224, sha256, sha384, sha512 } algorithm;
    std::variant<SHA256_CTX, SHA512_CTX> context;  // SHA-224 is SHA-256's, SHA-384 SHA-512's
};

namespace {
std::optional<DigestState> start_digest(std::string_view algorithm) {
    using Algorithm = DigestState::Algorithm;
    DigestState state{Algorithm::sha256, SHA256_CTX{}};
    bool started = false;
    if (algorithm == "sha256") {
        started = SHA256_Init(&std::get<SHA256_CTX>(state.context)) == 1;
    } else if (algorithm == "sha224") {
        state.algorithm = Algorithm::sha224;
        started = SHA224_Init(&std::get<SHA256_CTX>(state.context)) == 1;
    } else if (algorithm == "sha384" || algorithm == "sha512") {
        state.algorithm = algorithm == "sha384" ? Algorithm::sha384 : Algorithm::sha512;
        SHA512_CTX& context = state.context.emplace<SHA512_CTX>();
        started = (algorithm == "sha384" ? SHA384_Init(&context) : SHA512_Init(&context)) == 1;
    }
    return started ? std::optional(state) : std::nullopt;
}
}  // namespace

bool Digest::is_supported(std::string_view algorithm) { return start_digest(algorithm).has_value(); }

Digest::Digest(std::string_view algorithm) {
    std::optional<DigestState> state = start_digest(algorithm);
    if (!state) fail("cannot start a {} digest", algorithm);
    state_ = std::make_unique<DigestState>(*state);
}

Digest::~Digest() = default;
Digest::Digest(Digest&&) noexcept = default;
Digest& Digest::operator=(Digest&&) noexcept = default;

void Digest::update(std::span<const std::byte> bytes) {
    const bool updated = std::holds_alternative<SHA256_CTX>(state_->context)
                             ? SHA256_Update(&std::get<SHA256_CTX>(state_->context), bytes.data(), bytes.size()) == 1
                             : SHA512_Update(&std::get<SHA512_CTX>(state_->context), bytes.data(), bytes.size()) == 1;
    if (!updated) fail("digest update failed");
}

namespace {
template <class Context>
std::vector<unsigned char> final_digest(int (*final)(unsigned char*, Context*), std::size_t length, Context& context) {
    std::vector<unsigned char> out(length);
    if (final(out.data(), &context) != 1) fail("digest finish failed");
    return out;
}
}  // namespace

std::vector<unsigned char> Digest::finish() {
    auto& context = state_->context;
    switch (state_->algorithm) {
        case DigestState::Algorithm::sha224: return final_digest(SHA224_Final, SHA224_DIGEST_LENGTH, std::get<SHA256_CTX>(context));
        case DigestState::Algorithm::sha256: return final_digest(SHA256_Final, SHA256_DIGEST_LENGTH, std::get<SHA256_CTX>(context));
        case DigestState::Algorithm::sha384: return final_digest(SHA384_Final, SHA384_DIGEST_LENGTH, std::get<SHA512_CTX>(context));
        case DigestState::Algorithm::sha512: return final_digest(SHA512_Final, SHA512_DIGEST_LENGTH, std::get<SHA512_CTX>(context));
    }
    fail("digest finish failed");
}

std::string to_hex(std::span<const unsigned char> bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(bytes.size() * 2);
    for (unsigned char byte : bytes) {
        hex.push_back(kDigits[byte >> 4]);
        hex.push_back(kDigits[byte & 0xf]);
    }
    return hex;
}

std::vector<unsigned char> from_hex(std::string_view hex) {
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    std::vector<unsigned char> bytes;
    if (hex.size() % 2 != 0) return {};
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        int high = nibble(hex[i]), low = nibble(hex[i + 1]);
        if (high < 0 || low < 0) return {};
        bytes.push_back(static_cast<unsigned char>(high << 4 | low));
    }
    return bytes;
}

std::string to_record_base64(std::span<const unsigned char> bytes) {
    std::string encoded(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()), bytes.data(),
                                 static_cast<int>(bytes.size()));
    encoded.resize(static_cast<std::size_t>(length));
    while (!encoded.empty() && encoded.back() == '=') encoded.pop_back();
    for (char& c : encoded) {
        if (c == '+') c = '-';
        if (c == '/') c = '_';
    }
    return encoded;
}

std::vector<unsigned char> from_record_base64(std::string_view text) {
    std::string padded(text);
    for (char& c : padded) {
        if (c == '-') c = '+';
        else if (c == '_') c = '/';
        else if (c == '+' || c == '/' || c == '=') return {};
    }
    std::size_t padding = (4 - padded.size() % 4) % 4;
    if (padding == 3) return {};
    padded.append(padding, '=');
    std::vector<unsigned char> bytes(padded.size() / 4 * 3 + 1);
    int length = EVP_DecodeBlock(bytes.data(), reinterpret_cast<const unsigned char*>(padded.data()),
                                 static_cast<int>(padded.size()));
    if (length < 0) return {};
    bytes.resize(static_cast<std::size_t>(length) - padding);
    return bytes;
}

namespace {
// Reads `fd` (`path`, for messages) to its end in blocks of up to 1 MiB, hashing each and handing
// it to `sink`. Reads fill as much of the buffer as the file needs (one byte more, to see its end
// in the second read); the buffer is the thread's, never zeroed and kept: each page a buffer
// touches costs a fault, and lib-graft copies tens of libraries one after the other.
template <class Sink>
FileDigest digest_blocks(int fd, const std::string& path, Sink&& sink) {
    thread_local const std::unique_ptr<std::byte[]> buffer = std::make_unique_for_overwrite<std::byte[]>(kDigestBlock);
    Digest digest("sha256");
    FileDigest result;
    struct stat status {};
    if (::fstat(fd, &status) != 0) fail("{}: cannot stat: {}", path, std::strerror(errno));
    result.mode = status.st_mode & 0777;
    const std::uint64_t wanted = status.st_size >= 0 ? std::uint64_t(status.st_size) + 1 : 1;
    const std::size_t size = static_cast<std::size_t>(std::min<std::uint64_t>(wanted, kDigestBlock));
    for (;;) {
        ssize_t got = ::read(fd, buffer.get(), size);
        if (got < 0 && errno == EINTR) {
            throw_if_interrupted();
            continue;
        }
        if (got < 0) fail("{}: read error: {}", path, std::strerror(errno));
        if (got == 0) break;
        std::span<const std::byte> block(buffer.get(), static_cast<std::size_t>(got));
        digest.update(block);
        sink(block);
        result.size += static_cast<std::uint64_t>(got);
    }
    result.sha256_hex = to_hex(digest.finish());
    return result;
}
}  // namespace

FileDigest digest_file(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd) fail("{}: cannot open: {}", path, std::strerror(errno));
    return digest_blocks(fd.get(), path, [](std::span<const std::byte>) {});
}

FileDigest copy_digested(const std::string& source, const std::string& copy, unsigned mode) {
    UniqueFd from(::open(source.c_str(), O_RDONLY | O_CLOEXEC));
    if (!from) fail("{}: cannot open: {}", source, std::strerror(errno));
    UniqueFd to(::open(copy.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode));
    if (!to) fail("{}: cannot create: {}", copy, std::strerror(errno));
    if (::fchmod(to.get(), mode) != 0) fail("{}: cannot set its mode: {}", copy, std::strerror(errno));
    FileDigest digest = digest_blocks(from.get(), source, [&](std::span<const std::byte> block) { write_all(to.get(), block, copy); });
    if (::close(to.release()) != 0) fail("{}: write error: {}", copy, std::strerror(errno));
    return digest;
}

}  // namespace aw
