#include "elf/elf_names.hpp"

#include "base/text.hpp"

#include <elf.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <initializer_list>

namespace aw {
namespace {
// A number and the name of its constant, spelled once: NAMED(EM_386) is {3, "EM_386"}.
#define NAMED(constant) constant, #constant

struct MachineConstant {
    std::uint16_t value;
    const char* constant;
};

constexpr MachineConstant kMachines[] = {
    {NAMED(EM_386)},   {NAMED(EM_MIPS)},   {NAMED(EM_PPC)},    {NAMED(EM_PPC64)},   {NAMED(EM_S390)},
    {NAMED(EM_ARM)},   {NAMED(EM_SPARCV9)}, {NAMED(EM_X86_64)}, {NAMED(EM_AARCH64)}, {NAMED(EM_RISCV)},
    {kEmLoongArch, "EM_LOONGARCH"},
};

// pyelftools' constants; patchelf's printed name and the names it accepts (lower case, as typed
// after trimming) where patchelf knows the value.
struct OsAbi {
    std::uint8_t value;
    const char* constant;
    const char* patchelf_name;
    std::initializer_list<const char*> accepted;
};

constexpr OsAbi kOsAbis[] = {
    {0, "ELFOSABI_SYSV", "System V", {"system v", "system-v", "sysv"}},
    {1, "ELFOSABI_HPUX", "HP-UX", {"hp-ux"}},
    {2, "ELFOSABI_NETBSD", "NetBSD", {"netbsd"}},
    {3, "ELFOSABI_LINUX", "Linux", {"linux", "gnu"}},
    {4, "ELFOSABI_HURD", "GNU Hurd", {"gnu hurd", "gnu-hurd", "hurd"}},
    {6, "ELFOSABI_SOLARIS", "Solaris", {"solaris"}},
    {7, "ELFOSABI_AIX", "AIX", {"aix"}},
    {8, "ELFOSABI_IRIX", "IRIX", {"irix"}},
    {9, "ELFOSABI_FREEBSD", "FreeBSD", {"freebsd"}},
    {10, "ELFOSABI_TRU64", "Tru64", {"tru64"}},
    {11, "ELFOSABI_MODESTO", nullptr, {}},
    {12, "ELFOSABI_OPENBSD", "OpenBSD", {"openbsd"}},
    {13, "ELFOSABI_OPENVMS", "OpenVMS", {"openvms"}},
    {14, "ELFOSABI_NSK", nullptr, {}},
    {15, "ELFOSABI_AROS", nullptr, {}},
    {16, "ELFOSABI_FENIXOS", nullptr, {}},
    {17, "ELFOSABI_CLOUD", nullptr, {}},
    {53, "ELFOSABI_SORTIX", nullptr, {}},
    {64, "ELFOSABI_ARM_AEABI", nullptr, {}},
    {97, "ELFOSABI_ARM", nullptr, {}},
    {102, "ELFOSABI_CELL_LV2", nullptr, {}},
    {255, "ELFOSABI_STANDALONE", nullptr, {}},
};

// Highest first: a file needing v3 also sets v2's bit.
constexpr X86IsaLevel kX86IsaLevels[] = {
    {1u << 3, "x86-64-v4", "x86_64_v4"},
    {1u << 2, "x86-64-v3", "x86_64_v3"},
    {1u << 1, "x86-64-v2", "x86_64_v2"},
};
#undef NAMED

const OsAbi* find_os_abi(std::uint8_t value) {
    for (const OsAbi& abi : kOsAbis)
        if (abi.value == value) return &abi;
    return nullptr;
}
}  // namespace

std::optional<std::string> machine_constant(std::uint16_t e_machine) {
    for (const MachineConstant& machine : kMachines)
        if (machine.value == e_machine) return machine.constant;
    return std::nullopt;
}

std::optional<std::string> os_abi_constant(std::uint8_t value) {
    const OsAbi* abi = find_os_abi(value);
    if (abi == nullptr) return std::nullopt;
    return abi->constant;
}

std::string os_abi_name(std::uint8_t value) {
    const OsAbi* abi = find_os_abi(value);
    if (abi != nullptr && abi->patchelf_name != nullptr) return abi->patchelf_name;
    return fmt::format("0x{:02X}", value);
}

std::optional<std::uint8_t> parse_os_abi(const std::string& name) {
    std::string key(trim_blanks(name));
    std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::tolower(c); });
    for (const OsAbi& abi : kOsAbis)
        for (const char* accepted : abi.accepted)
            if (key == accepted) return abi.value;
    return std::nullopt;
}

const X86IsaLevel* x86_isa_level(std::uint32_t needed) {
    for (const X86IsaLevel& level : kX86IsaLevels)
        if (needed & level.bit) return &level;
    return nullptr;
}

std::string x86_isa_level_name(std::uint32_t needed) {
    const X86IsaLevel* level = x86_isa_level(needed);
    return level ? level->gnu_name : "x86-64";
}

std::vector<std::string> x86_isa_architectures() {
    std::vector<std::string> names;
    for (const X86IsaLevel& level : kX86IsaLevels) names.insert(names.begin(), level.architecture);
    return names;
}

}  // namespace aw
