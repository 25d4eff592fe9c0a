#include "elf/architectures.hpp"

#include "elf/elf_names.hpp"

#include <elf.h>
#include <fmt/format.h>

#include <algorithm>

namespace aw {
namespace {
bool class_matches(ElfClass wanted, int elf_class) {
    return wanted == ElfClass::any || (wanted == ElfClass::bits64) == (elf_class == 64);
}

bool byte_order_matches(std::optional<ByteOrder> wanted, ByteOrder byte_order) {
    return !wanted || *wanted == byte_order;
}

const Architecture* find_by_file(std::uint16_t e_machine, int elf_class, ByteOrder byte_order) {
    for (const Architecture& row : architectures())
        if (row.e_machine == e_machine && class_matches(row.elf_class, elf_class) &&
            byte_order_matches(row.byte_order, byte_order))
            return &row;
    return nullptr;
}

const Architecture* find_by_machine(const std::string& machine) {
    for (const Architecture& row : architectures())
        if (row.machine == machine) return &row;
    return nullptr;
}

const PolicyArchitecture* find_policy(const std::string& architecture) {
    for (const Architecture& row : architectures())
        if (row.policy && row.policy->name == architecture) return &*row.policy;
    return nullptr;
}
}  // namespace

const std::vector<Architecture>& architectures() {
    constexpr ElfClass bits32 = ElfClass::bits32, bits64 = ElfClass::bits64;
    constexpr ByteOrder little = ByteOrder::little, big = ByteOrder::big;
    static const std::vector<Architecture> table{
        {.e_machine = EM_386, .machine = "i686", .multiarch_triplet = "i386-linux-gnu", .musl = "i386",
         .policy = PolicyArchitecture{.name = "i686", .elf_class = bits32, .byte_order = little, .musl_libc = "x86",
                                      .uname_machines = {"i386", "i486", "i586"}}},
        {.e_machine = EM_X86_64, .machine = "x86_64", .multiarch_triplet = "x86_64-linux-gnu",
         .policy = PolicyArchitecture{.name = "x86_64", .elf_class = bits64, .byte_order = little,
                                      .isa_tags = x86_isa_architectures()}},
        {.e_machine = EM_AARCH64, .machine = "aarch64", .multiarch_triplet = "aarch64-linux-gnu",
         .policy = PolicyArchitecture{.name = "aarch64", .elf_class = bits64, .byte_order = little,
                                      .android_tag = "arm64_v8a", .uname_machines = {"arm64"}}, .stack_non_executable_by_default = true},
        {.e_machine = EM_ARM, .machine = "arm", .multiarch_triplet = "arm-linux-gnueabihf", .musl = "armhf",
         .policy = PolicyArchitecture{.name = "armv7l", .elf_class = bits32, .byte_order = little,
                                      .needs_arm_eabi5_hard_float = true, .musl_libc = "armv7",
                                      .uname_machines = {"armv8l"}}},
        {.e_machine = EM_PPC, .machine = "ppc", .musl = "powerpc"},
        {.e_machine = EM_PPC64, .byte_order = little, .machine = "ppc64le", .multiarch_triplet = "powerpc64le-linux-gnu",
         .musl = "powerpc64le",
         .policy = PolicyArchitecture{.name = "ppc64le", .elf_class = bits64, .byte_order = little}, .stack_non_executable_by_default = true},
        {.e_machine = EM_PPC64, .byte_order = big, .machine = "ppc64", .multiarch_triplet = "powerpc64-linux-gnu",
         .musl = "powerpc64",
         .policy = PolicyArchitecture{.name = "ppc64", .elf_class = bits64, .byte_order = big}, .stack_non_executable_by_default = true},
        {.e_machine = EM_S390, .elf_class = bits32, .machine = "s390"},
        {.e_machine = EM_S390, .elf_class = bits64, .machine = "s390x", .multiarch_triplet = "s390x-linux-gnu",
         .policy = PolicyArchitecture{.name = "s390x", .elf_class = bits64, .byte_order = big}},
        {.e_machine = EM_RISCV, .elf_class = bits32, .machine = "riscv32", .stack_non_executable_by_default = true},
        {.e_machine = EM_RISCV, .elf_class = bits64, .machine = "riscv64", .multiarch_triplet = "riscv64-linux-gnu",
         .policy = PolicyArchitecture{.name = "riscv64", .elf_class = bits64, .byte_order = little}, .stack_non_executable_by_default = true},
        {.e_machine = kEmLoongArch, .machine = "loongarch64", .multiarch_triplet = "loongarch64-linux-gnu",
         .policy = PolicyArchitecture{.name = "loongarch64", .elf_class = bits64, .byte_order = little}, .stack_non_executable_by_default = true},
        {.e_machine = EM_MIPS, .elf_class = bits32, .byte_order = big, .machine = "mips"},
        {.e_machine = EM_MIPS, .elf_class = bits32, .byte_order = little, .machine = "mipsel"},
        {.e_machine = EM_MIPS, .elf_class = bits64, .byte_order = big, .machine = "mips64"},
        {.e_machine = EM_MIPS, .elf_class = bits64, .byte_order = little, .machine = "mips64el",
         .multiarch_triplet = "mips64el-linux-gnuabi64"},
        {.e_machine = EM_SPARCV9, .machine = "sparc64"},
        {.e_machine = EM_IA_64, .machine = "ia64"},
    };
    return table;
}

bool stack_executable_by_default(std::uint16_t e_machine, int elf_class, ByteOrder byte_order) {
    const Architecture* row = find_by_file(e_machine, elf_class, byte_order);
    return !row || !row->stack_non_executable_by_default;
}

std::string machine_name(std::uint16_t e_machine, int elf_class, ByteOrder byte_order) {
    const Architecture* row = find_by_file(e_machine, elf_class, byte_order);
    return row ? row->machine : fmt::format("EM_{}", e_machine);
}

std::optional<std::string> policy_architecture(int elf_class, ByteOrder byte_order, std::uint16_t e_machine,
                                               std::uint32_t e_flags) {
    const PolicyArchitecture* baseline = baseline_architecture(elf_class, byte_order, e_machine);
    if (!baseline || e_flags_problem(*baseline, e_flags)) return std::nullopt;
    return baseline->name;
}

const PolicyArchitecture* baseline_architecture(int elf_class, ByteOrder byte_order, std::uint16_t e_machine) {
    const Architecture* row = find_by_file(e_machine, elf_class, byte_order);
    if (!row || !row->policy) return nullptr;
    const PolicyArchitecture& policy = *row->policy;
    if (!class_matches(policy.elf_class, elf_class) || !byte_order_matches(policy.byte_order, byte_order)) return nullptr;
    return &policy;
}

std::optional<std::string> e_flags_problem(const PolicyArchitecture& baseline, std::uint32_t e_flags) {
    if (!baseline.needs_arm_eabi5_hard_float) return std::nullopt;
    if ((e_flags & EF_ARM_EABIMASK) != EF_ARM_EABI_VER5) return "Invalid ARM EABI version for " + baseline.name;
    if (!(e_flags & EF_ARM_ABI_FLOAT_HARD)) return baseline.name + " shall use hard-float";
    return std::nullopt;
}

const std::vector<std::pair<std::string, std::string>>& platform_tag_suffixes() {
    static const std::vector<std::pair<std::string, std::string>> suffixes = [] {
        std::vector<std::pair<std::string, std::string>> all;
        for (const Architecture& row : architectures()) {
            if (!row.policy) continue;
            const PolicyArchitecture& policy = *row.policy;
            all.emplace_back(policy.name, policy.name);
            if (!policy.android_tag.empty()) all.emplace_back(policy.android_tag, policy.name);
            for (const std::string& isa_tag : policy.isa_tags) all.emplace_back(isa_tag, policy.name);
        }
        return all;
    }();
    return suffixes;
}

std::string platform_tag_arch(const std::string& family, const std::string& architecture) {
    const PolicyArchitecture* policy = find_policy(architecture);
    if (family == "android" && policy && !policy->android_tag.empty()) return policy->android_tag;
    return architecture;
}

std::string architecture_of_uname(const std::string& uname_machine) {
    for (const Architecture& row : architectures())
        if (row.policy && std::ranges::count(row.policy->uname_machines, uname_machine)) return row.policy->name;
    return uname_machine;
}

std::string musl_libc_soname(const std::string& architecture) {
    const PolicyArchitecture* policy = find_policy(architecture);
    return "libc.musl-" + (policy && !policy->musl_libc.empty() ? policy->musl_libc : architecture) + ".so.1";
}

std::optional<std::string> multiarch_triplet(const std::string& machine) {
    const Architecture* row = find_by_machine(machine);
    if (!row || row->multiarch_triplet.empty()) return std::nullopt;
    return row->multiarch_triplet;
}

std::string musl_arch(const std::string& machine) {
    const Architecture* row = find_by_machine(machine);
    return row && !row->musl.empty() ? row->musl : machine;
}

}  // namespace aw
