// The names ELF's numbers go by, one table for each kind of number: machines (EM_*), OS ABIs
// (EI_OSABI) and the x86-64 ISA levels of GNU_PROPERTY_X86_ISA_1_NEEDED. Each table gives every
// name a number has (the gABI's constant as pyelftools spells it, which pypa auditwheel's JSON
// shows; patchelf's; GNU's and pypa's level names), so no other file spells one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace aw {

inline constexpr std::uint16_t kEmLoongArch = 258;  // EM_LOONGARCH, which older <elf.h> lack

// "EM_X86_64" for the machines the project knows (elf/architectures); nullopt for others.
std::optional<std::string> machine_constant(std::uint16_t e_machine);

// "ELFOSABI_LINUX", as pyelftools names EI_OSABI values; nullopt for a value it does not know.
std::optional<std::string> os_abi_constant(std::uint8_t value);
// "System V", "Linux", ... or "0xNN", as patchelf --print-os-abi.
std::string os_abi_name(std::uint8_t value);
// EI_OSABI from patchelf's names ("System V", "sysv", "linux", "gnu", "FreeBSD", ... any case);
// nullopt for a name it does not know.
std::optional<std::uint8_t> parse_os_abi(const std::string& name);

// An x86-64 ISA level above the baseline: its bit in GNU_PROPERTY_X86_ISA_1_NEEDED, GNU's name
// ("x86-64-v3", gcc's -march) and pypa auditwheel's (its Architecture, a platform-tag suffix).
struct X86IsaLevel {
    std::uint32_t bit;
    const char* gnu_name;
    const char* architecture;
};
// The highest level whose bit `needed` sets, or nullptr when it sets none (the baseline, or
// only bits no level has).
const X86IsaLevel* x86_isa_level(std::uint32_t needed);
// GNU's name of what `needed` asks for: a level's, or "x86-64" for the baseline.
std::string x86_isa_level_name(std::uint32_t needed);
// "x86_64_v2", "x86_64_v3", "x86_64_v4": the levels' architectures, lowest first.
std::vector<std::string> x86_isa_architectures();

}  // namespace aw
