#include "elf_ident.hpp"

#include <gelf.h>
#include <libelf.h>

#include <cstring>
#include <fmt/format.h>

namespace aw {
namespace {
// Translates the file-order header into host order with libelf, never by
// casting raw bytes.
template <typename Ehdr>
std::optional<std::uint16_t> machine_from_header(std::span<const std::byte> head, unsigned char encoding,
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
    return header.e_machine;
}
}  // namespace

std::string machine_name(std::uint16_t e_machine, int elf_class, const std::string& byte_order) {
    bool is64 = elf_class == 64, little = byte_order == "little";
    switch (e_machine) {
        case EM_386: return "i686";
        case EM_X86_64: return "x86_64";
        case EM_AARCH64: return "aarch64";
        case EM_ARM: return "arm";
        case EM_PPC: return "ppc";
        case EM_PPC64: return little ? "ppc64le" : "ppc64";
        case EM_S390: return is64 ? "s390x" : "s390";
        case EM_RISCV: return is64 ? "riscv64" : "riscv32";
        case 258: return "loongarch64";  // EM_LOONGARCH
        case EM_MIPS: return std::string(is64 ? "mips64" : "mips") + (little ? "el" : "");
        case EM_SPARCV9: return "sparc64";
        case EM_IA_64: return "ia64";
        default: return fmt::format("EM_{}", e_machine);
    }
}

std::optional<ElfIdent> read_elf_ident(std::span<const std::byte> head) {
    if (head.size() < EI_NIDENT || std::memcmp(head.data(), ELFMAG, SELFMAG) != 0) return std::nullopt;
    elf_version(EV_CURRENT);
    auto ident = reinterpret_cast<const unsigned char*>(head.data());
    ElfIdent result;
    switch (ident[EI_DATA]) {
        case ELFDATA2LSB: result.byte_order = "little"; break;
        case ELFDATA2MSB: result.byte_order = "big"; break;
        default: return std::nullopt;
    }
    std::optional<std::uint16_t> machine;
    switch (ident[EI_CLASS]) {
        case ELFCLASS32:
            result.elf_class = 32;
            machine = machine_from_header<Elf32_Ehdr>(head, ident[EI_DATA], elf32_xlatetom);
            break;
        case ELFCLASS64:
            result.elf_class = 64;
            machine = machine_from_header<Elf64_Ehdr>(head, ident[EI_DATA], elf64_xlatetom);
            break;
        default: return std::nullopt;
    }
    if (!machine) return std::nullopt;
    result.e_machine = *machine;
    result.machine = machine_name(result.e_machine, result.elf_class, result.byte_order);
    result.os_abi = ident[EI_OSABI];
    return result;
}

}  // namespace aw
