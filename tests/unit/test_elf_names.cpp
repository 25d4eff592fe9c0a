#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "elf/elf_bytes.hpp"
#include "elf/elf_names.hpp"

#include <elf.h>

#include <array>

BOOST_AUTO_TEST_SUITE(elf_names)

BOOST_AUTO_TEST_CASE(isa_level_is_the_highest_bit) {
    BOOST_TEST(aw::x86_isa_level_name(1) == "x86-64");
    BOOST_TEST(aw::x86_isa_level_name(3) == "x86-64-v2");
    BOOST_TEST(aw::x86_isa_level_name(7) == "x86-64-v3");
    BOOST_TEST(aw::x86_isa_level_name(15) == "x86-64-v4");
    BOOST_TEST(aw::x86_isa_level_name(8) == "x86-64-v4");
    BOOST_TEST(aw::x86_isa_level(1 | 16) == nullptr);
    BOOST_TEST(aw::x86_isa_level(7)->architecture == std::string("x86_64_v3"));
    BOOST_TEST((aw::x86_isa_architectures() == std::vector<std::string>{"x86_64_v2", "x86_64_v3", "x86_64_v4"}));
}

BOOST_AUTO_TEST_CASE(os_abis_have_patchelfs_and_pyelftools_names) {
    BOOST_TEST(aw::os_abi_name(ELFOSABI_LINUX) == "Linux");
    BOOST_TEST(aw::os_abi_name(ELFOSABI_ARM) == "0x61");  // patchelf knows no name for it
    BOOST_TEST(aw::os_abi_constant(ELFOSABI_ARM).value_or("none") == "ELFOSABI_ARM");
    BOOST_TEST(aw::os_abi_constant(ELFOSABI_AIX).value_or("none") == "ELFOSABI_AIX");
    BOOST_TEST(!aw::os_abi_constant(200));
    BOOST_TEST(aw::parse_os_abi("  GNU ").value_or(0xff) == ELFOSABI_LINUX);
    BOOST_TEST(aw::parse_os_abi("System V").value_or(0xff) == ELFOSABI_SYSV);
    BOOST_TEST(!aw::parse_os_abi("arm"));
    // Every name patchelf prints, it reads back.
    for (unsigned value = 0; value < 256; ++value) {
        std::string name = aw::os_abi_name(static_cast<std::uint8_t>(value));
        if (!name.starts_with("0x")) BOOST_TEST(aw::parse_os_abi(name).value_or(0xff) == value, name);
    }
}

BOOST_AUTO_TEST_CASE(machines_are_named_by_their_constants) {
    BOOST_TEST(aw::machine_constant(EM_X86_64).value_or("none") == "EM_X86_64");
    BOOST_TEST(aw::machine_constant(aw::kEmLoongArch).value_or("none") == "EM_LOONGARCH");
    BOOST_TEST(!aw::machine_constant(EM_68K));
}

BOOST_AUTO_TEST_CASE(fields_are_read_and_written_in_the_files_byte_order) {
    for (aw::ByteOrder order : {aw::ByteOrder::little, aw::ByteOrder::big})
        for (std::size_t size : {1, 2, 4, 8}) {
            std::uint64_t value = 0x0102030405060708ull >> (64 - 8 * size);
            std::vector<unsigned char> bytes = aw::encode_unsigned(value, size, order);
            BOOST_TEST(aw::load_unsigned(bytes.data(), size, order) == value);
            BOOST_TEST(bytes.front() == (order == aw::ByteOrder::little ? size : 1));  // 0x01 is the high byte
        }
    BOOST_TEST((aw::byte_order_of_ei_data(ELFDATA2MSB) == aw::ByteOrder::big));
    BOOST_TEST(!aw::byte_order_of_ei_data(ELFDATANONE));
    BOOST_TEST(aw::ei_data_of(aw::ByteOrder::little) == ELFDATA2LSB);
    BOOST_TEST((aw::byte_order_named(aw::byte_order_name(aw::ByteOrder::big)) == aw::ByteOrder::big));
    BOOST_TEST(!aw::byte_order_named("LITTLE"));
}

BOOST_AUTO_TEST_CASE(a_read_past_the_end_names_the_file_region_and_offset) {
    const std::array<unsigned char, 6> data{0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc};
    aw::ElfBytes view(data, aw::ByteOrder::big, "lib.so", ".gnu.hash");
    BOOST_TEST(view.word(0, "nbuckets") == 0x12345678u);
    BOOST_TEST(view.half(4, "x") == 0x9abcu);
    try {
        view.word(4, "the bloom word");
        BOOST_FAIL("a read past the end was not refused");
    } catch (const aw::ElfError& error) {
        BOOST_TEST(std::string(error.what()) ==
                   "lib.so: the bloom word (4 bytes at offset 0x4) runs past the end of .gnu.hash (6 bytes)");
    }
    BOOST_CHECK_THROW(view.range(~0ull, 2, "a wrapping range"), aw::ElfError);
    aw::ElfBuffer buffer({0, 0, 0, 0}, aw::ByteOrder::little, "lib.so", ".hash");
    buffer.store(0, 2, 0x0102, "nbucket");
    BOOST_TEST(buffer.bytes() == (std::vector<unsigned char>{2, 1, 0, 0}));
    BOOST_TEST(buffer.load(0, 4, "nbucket") == 0x0102u);
    BOOST_CHECK_THROW(buffer.store(2, 4, 1, "nchain"), aw::ElfError);
    BOOST_TEST(buffer.bytes() == (std::vector<unsigned char>{2, 1, 0, 0}));  // a refused store writes nothing
}

BOOST_AUTO_TEST_SUITE_END()
