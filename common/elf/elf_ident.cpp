#include "elf/elf_ident.hpp"

#include "base/diagnostics.hpp"
#include "base/file_io.hpp"
#include "elf/architectures.hpp"

#include <gelf.h>
#include <libelf.h>

#include <algorithm>
#include <cstring>
#include <fmt/format.h>

namespace aw {
namespace {
// Translates the file-order header into host order with libelf, never by
// casting raw bytes.
template <typename Ehdr>
std::optional<Ehdr> header_from(std::span<const std::byte> head, unsigned char encoding,
                                Elf_Data* (*xlate)(Elf_Data*, const Elf_Data*, unsigned int)) {
    if (head.size() < sizeof(Ehdr)) return std::nullopt;
    Ehdr header;
    Elf_Data source{};
    source.d_buf = const_cast<std::byte*>(head.data());
    source.d_type = ELF_T_EHDR;
    source.d_size = sizeof(Ehdr);
    source.d_version = EV_CURRENT;
    Elf_Data target = source;
    target.d_buf = &header;
    if (xlate(&target, &source, encoding) == nullptr) return std::nullopt;
    return header;
}

template <typename Ehdr, typename Phdr, typename Shdr>
std::optional<std::string> problem_of(const Ehdr& header, std::uint64_t file_size) {
    if (header.e_version != EV_CURRENT) return fmt::format("e_version is {}, not 1", header.e_version);
    const unsigned bits = sizeof(Ehdr) == sizeof(Elf64_Ehdr) ? 64 : 32;
    if (header.e_ehsize != sizeof(Ehdr))
        return fmt::format("e_ehsize is {}, not the {} bytes of a {}-bit ELF header", header.e_ehsize, sizeof(Ehdr), bits);
    if (header.e_phnum != 0 && header.e_phentsize != sizeof(Phdr))
        return fmt::format("e_phentsize is {}, not the {} bytes of a {}-bit program header", header.e_phentsize,
                           sizeof(Phdr), bits);
    if (header.e_phnum != 0 && header.e_phnum != PN_XNUM && !table_inside(header.e_phoff, header.e_phnum, sizeof(Phdr), file_size))
        return fmt::format("its {} program headers at {:#x} lie past the end of its {} bytes", header.e_phnum,
                           header.e_phoff, file_size);
    if (header.e_shoff != 0 && header.e_shentsize != sizeof(Shdr))
        return fmt::format("e_shentsize is {}, not the {} bytes of a {}-bit section header", header.e_shentsize,
                           sizeof(Shdr), bits);
    if (header.e_shoff != 0 && !table_inside(header.e_shoff, std::max<std::uint64_t>(header.e_shnum, 1), sizeof(Shdr), file_size))
        return fmt::format("its section headers at {:#x} lie past the end of its {} bytes", header.e_shoff, file_size);
    return std::nullopt;
}
}  // namespace

void add_elf_ident(Json& record, const ElfIdent& ident) {
    record["class"] = ident.elf_class;
    record["byte_order"] = byte_order_name(ident.byte_order);
    record["machine"] = ident.machine;
    record["e_machine"] = ident.e_machine;
    record["os_abi"] = ident.os_abi;
}

ElfIdent elf_ident_of(const Json& object, const std::string& place) {
    auto number = [&](const char* field, std::uint64_t max) {
        std::uint64_t value = object.at(field).get<std::uint64_t>();
        if (value > max) fail("{}: \"{}\" must be at most {}", place, field, max);
        return value;
    };
    ElfIdent ident;
    ident.elf_class = static_cast<int>(number("class", 64));
    std::string byte_order = object.at("byte_order").get<std::string>();
    std::optional<ByteOrder> order = byte_order_named(byte_order);
    if (!order) fail("{}: \"byte_order\" must be \"little\" or \"big\", not \"{}\"", place, byte_order);
    ident.byte_order = *order;
    ident.machine = object.at("machine").get<std::string>();
    ident.e_machine = static_cast<std::uint16_t>(number("e_machine", UINT16_MAX));
    ident.os_abi = static_cast<std::uint8_t>(number("os_abi", UINT8_MAX));
    return ident;
}

std::optional<ElfIdent> read_elf_ident(std::span<const std::byte> head) {
    if (head.size() < EI_NIDENT || std::memcmp(head.data(), ELFMAG, SELFMAG) != 0) return std::nullopt;
    elf_version(EV_CURRENT);
    auto ident = reinterpret_cast<const unsigned char*>(head.data());
    ElfIdent result;
    std::optional<ByteOrder> order = byte_order_of_ei_data(ident[EI_DATA]);
    if (!order) return std::nullopt;
    result.byte_order = *order;
    std::optional<std::uint16_t> machine;
    switch (ident[EI_CLASS]) {
        case ELFCLASS32:
            result.elf_class = 32;
            if (auto header = header_from<Elf32_Ehdr>(head, ident[EI_DATA], elf32_xlatetom)) machine = header->e_machine;
            break;
        case ELFCLASS64:
            result.elf_class = 64;
            if (auto header = header_from<Elf64_Ehdr>(head, ident[EI_DATA], elf64_xlatetom)) machine = header->e_machine;
            break;
        default: return std::nullopt;
    }
    if (!machine) return std::nullopt;
    result.e_machine = *machine;
    result.machine = machine_name(result.e_machine, result.elf_class, result.byte_order);
    result.os_abi = ident[EI_OSABI];
    return result;
}

std::optional<std::string> elf_header_problem(std::span<const std::byte> head, std::uint64_t file_size) {
    elf_version(EV_CURRENT);
    std::optional<ElfIdent> ident = read_elf_ident(head);
    if (!ident) return "not an ELF identification";
    // read_elf_ident has read the whole header of its class (e_machine is in it).
    unsigned char encoding = static_cast<unsigned char>(head[EI_DATA]);
    if (ident->elf_class == 64)
        return problem_of<Elf64_Ehdr, Elf64_Phdr, Elf64_Shdr>(*header_from<Elf64_Ehdr>(head, encoding, elf64_xlatetom), file_size);
    return problem_of<Elf32_Ehdr, Elf32_Phdr, Elf32_Shdr>(*header_from<Elf32_Ehdr>(head, encoding, elf32_xlatetom), file_size);
}

}  // namespace aw
