#include "edit/elf_encode.hpp"

#include "base/diagnostics.hpp"

#include <libelf.h>

#include <cstddef>

namespace aw {
namespace {
// Host structures of the file's class, written in the file's byte order
// (libelf's translation, never a host-order copy).
template <typename Native>
std::vector<unsigned char> in_file_order(const Layout& layout, Elf_Type type, std::vector<Native> memory, const char* what) {
    std::vector<unsigned char> out(memory.size() * sizeof(Native));
    Elf_Data source{}, target{};
    source.d_type = target.d_type = type;
    source.d_version = target.d_version = EV_CURRENT;
    source.d_buf = memory.data();
    source.d_size = target.d_size = out.size();
    target.d_buf = out.data();
    const unsigned encoding = ei_data_of(layout.byte_order());
    auto translated = layout.is64() ? elf64_xlatetof(&target, &source, encoding) : elf32_xlatetof(&target, &source, encoding);
    if (translated == nullptr) fail("cannot encode {}: {}", what, elf_errmsg(-1));
    return out;
}


template <typename Ehdr>
FieldPosition field_of(HeaderField field) {
    switch (field) {
        case HeaderField::phoff: return {offsetof(Ehdr, e_phoff), sizeof(Ehdr::e_phoff)};
        case HeaderField::phnum: return {offsetof(Ehdr, e_phnum), sizeof(Ehdr::e_phnum)};
        case HeaderField::shoff: return {offsetof(Ehdr, e_shoff), sizeof(Ehdr::e_shoff)};
        case HeaderField::shnum: return {offsetof(Ehdr, e_shnum), sizeof(Ehdr::e_shnum)};
        case HeaderField::shstrndx: return {offsetof(Ehdr, e_shstrndx), sizeof(Ehdr::e_shstrndx)};
    }
    return {};
}
}  // namespace

std::vector<unsigned char> encode_dynamic(const Layout& layout, const std::vector<GElf_Dyn>& entries) {
    if (layout.is64()) {
        std::vector<Elf64_Dyn> memory(entries.size());
        for (std::size_t i = 0; i < entries.size(); ++i) {
            memory[i].d_tag = entries[i].d_tag;
            memory[i].d_un.d_val = entries[i].d_un.d_val;
        }
        return in_file_order(layout, ELF_T_DYN, std::move(memory), "the dynamic table");
    }
    std::vector<Elf32_Dyn> memory(entries.size());
    for (std::size_t i = 0; i < entries.size(); ++i) {
        memory[i].d_tag = static_cast<Elf32_Sword>(entries[i].d_tag);
        memory[i].d_un.d_val = static_cast<Elf32_Word>(entries[i].d_un.d_val);
    }
    return in_file_order(layout, ELF_T_DYN, std::move(memory), "the dynamic table");
}

std::vector<unsigned char> encode_program_headers(const Layout& layout, const std::vector<GElf_Phdr>& headers) {
    if (layout.is64()) {
        std::vector<Elf64_Phdr> memory;
        for (const GElf_Phdr& h : headers)
            memory.push_back({h.p_type, h.p_flags, h.p_offset, h.p_vaddr, h.p_paddr, h.p_filesz, h.p_memsz, h.p_align});
        return in_file_order(layout, ELF_T_PHDR, std::move(memory), "the program headers");
    }
    std::vector<Elf32_Phdr> memory;
    for (const GElf_Phdr& h : headers)
        memory.push_back({h.p_type, static_cast<Elf32_Off>(h.p_offset), static_cast<Elf32_Addr>(h.p_vaddr),
                          static_cast<Elf32_Addr>(h.p_paddr), static_cast<Elf32_Word>(h.p_filesz),
                          static_cast<Elf32_Word>(h.p_memsz), h.p_flags, static_cast<Elf32_Word>(h.p_align)});
    return in_file_order(layout, ELF_T_PHDR, std::move(memory), "the program headers");
}

std::vector<unsigned char> encode_section_headers(const Layout& layout, const std::vector<GElf_Shdr>& headers) {
    if (layout.is64()) {
        std::vector<Elf64_Shdr> memory;
        for (const GElf_Shdr& h : headers)
            memory.push_back({h.sh_name, h.sh_type, h.sh_flags, h.sh_addr, h.sh_offset, h.sh_size, h.sh_link, h.sh_info,
                              h.sh_addralign, h.sh_entsize});
        return in_file_order(layout, ELF_T_SHDR, std::move(memory), "the section headers");
    }
    std::vector<Elf32_Shdr> memory;
    for (const GElf_Shdr& h : headers)
        memory.push_back({h.sh_name, h.sh_type, static_cast<Elf32_Word>(h.sh_flags), static_cast<Elf32_Addr>(h.sh_addr),
                          static_cast<Elf32_Off>(h.sh_offset), static_cast<Elf32_Word>(h.sh_size), h.sh_link, h.sh_info,
                          static_cast<Elf32_Word>(h.sh_addralign), static_cast<Elf32_Word>(h.sh_entsize)});
    return in_file_order(layout, ELF_T_SHDR, std::move(memory), "the section headers");
}

FieldPosition header_field(const Layout& layout, HeaderField field) {
    return layout.is64() ? field_of<Elf64_Ehdr>(field) : field_of<Elf32_Ehdr>(field);
}

}  // namespace aw
