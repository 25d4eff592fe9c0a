// ELF structures as bytes of a given file's class and byte order, through
// libelf's translation (never a host-order copy of a host struct), and the
// positions of the ELF-header fields a rewrite changes, from the structs.
#pragma once

#include "edit/elf_layout.hpp"

#include <gelf.h>

#include <cstdint>
#include <vector>

namespace aw {

std::vector<unsigned char> encode_dynamic(const Layout& layout, const std::vector<GElf_Dyn>& entries);
std::vector<unsigned char> encode_program_headers(const Layout& layout, const std::vector<GElf_Phdr>& headers);
std::vector<unsigned char> encode_section_headers(const Layout& layout, const std::vector<GElf_Shdr>& headers);

// A field of a file: where it is and how many bytes it takes.
struct FieldPosition {
    std::uint64_t offset = 0;
    std::size_t size = 0;
};

enum class HeaderField { phoff, phnum, shoff, shnum, shstrndx };
// The ELF header's field in a file of `layout`'s class (offsetof Elf64_Ehdr or Elf32_Ehdr).
FieldPosition header_field(const Layout& layout, HeaderField field);

// An address-sized field (st_value, a pointer) at `offset`.
inline FieldPosition word_field(const Layout& layout, std::uint64_t offset) { return {offset, layout.word()}; }

}  // namespace aw
