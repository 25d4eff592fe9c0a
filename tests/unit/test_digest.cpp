// Digest (libcrypto's SHA-2 functions) against libcrypto's EVP one-shot digests, an independent
// path through the default provider, at the sizes around SHA-2's block and padding boundaries.
#include "base/digest.hpp"

#include <openssl/evp.h>

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

namespace {
std::vector<unsigned char> evp_digest(const char* name, const std::vector<std::byte>& data) {
    std::vector<unsigned char> out(EVP_MAX_MD_SIZE);
    unsigned int length = 0;
    BOOST_REQUIRE(EVP_Digest(data.data(), data.size(), out.data(), &length, EVP_get_digestbyname(name), nullptr) == 1);
    out.resize(length);
    return out;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(digest)

BOOST_AUTO_TEST_CASE(each_algorithm_agrees_with_evp) {
    for (const char* name : {"sha224", "sha256", "sha384", "sha512"}) {
        for (std::size_t size : {0, 1, 55, 56, 63, 64, 111, 112, 128, 1000, 1 << 20}) {
            std::vector<std::byte> data(size);
            for (std::size_t i = 0; i < size; ++i) data[i] = static_cast<std::byte>(i * 7 + size);
            aw::Digest digest(name);
            // In two pieces, so that updates that straddle a block are covered too.
            std::span<const std::byte> all(data);
            digest.update(all.first(size / 3));
            digest.update(all.subspan(size / 3));
            BOOST_TEST(aw::to_hex(digest.finish()) == aw::to_hex(evp_digest(name, data)), name << " of " << size << " bytes");
        }
    }
}

BOOST_AUTO_TEST_CASE(a_moved_digest_goes_on) {
    aw::Digest first("sha256");
    first.update(std::as_bytes(std::span("ab", 2)));
    aw::Digest second = std::move(first);
    second.update(std::as_bytes(std::span("c", 1)));
    BOOST_TEST(aw::to_hex(second.finish()) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

BOOST_AUTO_TEST_CASE(unknown_algorithms_are_refused) {
    BOOST_TEST(!aw::Digest::is_supported("md5"));
    BOOST_TEST(!aw::Digest::is_supported("SHA256"));  // RECORD's names are lower case
    BOOST_CHECK_THROW(aw::Digest("sha3_256"), std::exception);
}

BOOST_AUTO_TEST_SUITE_END()
