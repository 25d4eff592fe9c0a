#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "elf/elf_ident.hpp"

#include <elf.h>

#include <fstream>
#include <vector>

namespace {
// A header as a file of that class and byte order would hold it.
std::vector<std::byte> header(unsigned char elf_class, unsigned char data, std::uint16_t machine) {
    std::vector<std::byte> bytes(64);
    const unsigned char ident[] = {0x7f, 'E', 'L', 'F', elf_class, data, EV_CURRENT};
    for (std::size_t i = 0; i < sizeof ident; ++i) bytes[i] = std::byte(ident[i]);
    bool big = data == ELFDATA2MSB;
    bytes[18] = std::byte(big ? machine >> 8 : machine & 0xff);
    bytes[19] = std::byte(big ? machine & 0xff : machine >> 8);
    return bytes;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(elf_ident)

BOOST_AUTO_TEST_CASE(reads_class_order_and_machine_of_any_target) {
    struct Case {
        unsigned char elf_class, data;
        std::uint16_t machine;
        const char* name;
    } cases[] = {{ELFCLASS64, ELFDATA2LSB, EM_X86_64, "x86_64"},  {ELFCLASS32, ELFDATA2LSB, EM_386, "i686"},
                 {ELFCLASS64, ELFDATA2MSB, EM_S390, "s390x"},     {ELFCLASS64, ELFDATA2MSB, EM_PPC64, "ppc64"},
                 {ELFCLASS64, ELFDATA2LSB, EM_PPC64, "ppc64le"},  {ELFCLASS32, ELFDATA2LSB, EM_ARM, "arm"},
                 {ELFCLASS64, ELFDATA2MSB, EM_MIPS, "mips64"},    {ELFCLASS64, ELFDATA2LSB, 0x1234, "EM_4660"}};
    for (const Case& c : cases) {
        auto ident = aw::read_elf_ident(header(c.elf_class, c.data, c.machine));
        BOOST_REQUIRE(ident.has_value());
        BOOST_TEST(ident->machine == c.name);
        BOOST_TEST(ident->e_machine == c.machine);
        BOOST_TEST(ident->elf_class == (c.elf_class == ELFCLASS64 ? 64 : 32));
        BOOST_TEST(aw::byte_order_name(ident->byte_order) == (c.data == ELFDATA2MSB ? "big" : "little"));
    }
}

BOOST_AUTO_TEST_CASE(reads_this_test_binary) {
    std::ifstream self("/proc/self/exe", std::ios::binary);
    std::vector<char> head(64);
    self.read(head.data(), 64);
    auto ident = aw::read_elf_ident(std::as_bytes(std::span(head.data(), head.size())));
    BOOST_REQUIRE(ident.has_value());
    BOOST_TEST(ident->elf_class == 64);
}

BOOST_AUTO_TEST_CASE(refuses_what_is_not_elf) {
    BOOST_TEST(!aw::read_elf_ident({}).has_value());
    auto bad_class = header(7, ELFDATA2LSB, EM_X86_64);
    BOOST_TEST(!aw::read_elf_ident(bad_class).has_value());
    auto bad_order = header(ELFCLASS64, 9, EM_X86_64);
    BOOST_TEST(!aw::read_elf_ident(bad_order).has_value());
    auto truncated = header(ELFCLASS64, ELFDATA2LSB, EM_X86_64);
    truncated.resize(40);
    BOOST_TEST(!aw::read_elf_ident(truncated).has_value());
    std::string text = "#!/bin/sh\necho not elf\n";
    BOOST_TEST(!aw::read_elf_ident(std::as_bytes(std::span(text.data(), text.size()))).has_value());
}

BOOST_AUTO_TEST_SUITE_END()

namespace {
// A little-endian ELF64 header whose fields are all plausible: one program header after it.
std::vector<std::byte> full_header64() {
    std::vector<std::byte> bytes = header(ELFCLASS64, ELFDATA2LSB, EM_X86_64);
    auto put16 = [&](std::size_t at, std::uint16_t value) {
        bytes[at] = std::byte(value & 0xff);
        bytes[at + 1] = std::byte(value >> 8);
    };
    bytes[20] = std::byte(EV_CURRENT);  // e_version
    bytes[32] = std::byte(64);          // e_phoff
    put16(52, 64);                      // e_ehsize
    put16(54, 56);                      // e_phentsize
    put16(56, 1);                       // e_phnum
    put16(58, 64);                      // e_shentsize
    return bytes;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(elf_header_problem)

BOOST_AUTO_TEST_CASE(accepts_a_plausible_header) {
    BOOST_TEST(!aw::elf_header_problem(full_header64(), 64 + 56).has_value());
}

BOOST_AUTO_TEST_CASE(names_each_field_against_the_class) {
    for (std::uint16_t size : {0, 1, 8, 32}) {
        std::vector<std::byte> bytes = full_header64();
        bytes[54] = std::byte(size);
        auto problem = aw::elf_header_problem(bytes, 4096);
        BOOST_REQUIRE(problem.has_value());
        BOOST_TEST(*problem == "e_phentsize is " + std::to_string(size) + ", not the 56 bytes of a 64-bit program header");
    }
    std::vector<std::byte> bytes = full_header64();
    bytes[20] = std::byte(2);
    BOOST_TEST(aw::elf_header_problem(bytes, 4096).value_or("").find("e_version") != std::string::npos);
    bytes = full_header64();
    bytes[52] = std::byte(52);
    BOOST_TEST(aw::elf_header_problem(bytes, 4096).value_or("").find("e_ehsize") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(tables_must_lie_inside_the_file) {
    BOOST_TEST(aw::elf_header_problem(full_header64(), 64 + 55).has_value());
    std::vector<std::byte> bytes = full_header64();
    bytes.resize(20);
    BOOST_TEST(aw::elf_header_problem(bytes, 4096).has_value());  // a header cut short is no header
}

BOOST_AUTO_TEST_SUITE_END()
