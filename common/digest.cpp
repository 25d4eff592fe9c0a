#include "digest.hpp"

#include "diagnostics.hpp"
#include "file_io.hpp"
#include "interrupt.hpp"
#include "unique_fd.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <sys/stat.h>
#include <unistd.h>

namespace aw {
namespace {
// The host's openssl.cnf must not decide how RECORD is hashed: a static program reads the path
// compiled into its libcrypto (Debian's), and another system's file there may ask for providers
// that a static program cannot load.
bool skip_openssl_config() { return OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, nullptr) == 1; }

const EVP_MD* digest_by_record_name(std::string_view algorithm) {
    static const bool initialised = skip_openssl_config();
    if (!initialised) return nullptr;
    if (algorithm == "sha256") return EVP_sha256();
    if (algorithm == "sha224") return EVP_sha224();
    if (algorithm == "sha384") return EVP_sha384();
    if (algorithm == "sha512") return EVP_sha512();
    return nullptr;
}
}  // namespace

bool Digest::is_supported(std::string_view algorithm) { return digest_by_record_name(algorithm) != nullptr; }

Digest::Digest(std::string_view algorithm) : context_(EVP_MD_CTX_new()) {
    const EVP_MD* md = digest_by_record_name(algorithm);
    if (context_ == nullptr || md == nullptr || EVP_DigestInit_ex(context_, md, nullptr) != 1)
        fail("cannot start a {} digest", algorithm);
}

Digest::~Digest() { EVP_MD_CTX_free(context_); }

Digest::Digest(Digest&& other) noexcept : context_(std::exchange(other.context_, nullptr)) {}

Digest& Digest::operator=(Digest&& other) noexcept {
    std::swap(context_, other.context_);
    return *this;
}

void Digest::update(std::span<const std::byte> bytes) {
    if (EVP_DigestUpdate(context_, bytes.data(), bytes.size()) != 1) fail("digest update failed");
}

std::vector<unsigned char> Digest::finish() {
    std::vector<unsigned char> out(EVP_MAX_MD_SIZE);
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(context_, out.data(), &length) != 1) fail("digest finish failed");
    out.resize(length);
    return out;
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
    const std::uint64_t wanted = ::fstat(fd, &status) == 0 && status.st_size >= 0 ? std::uint64_t(status.st_size) + 1 : 1;
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
