// Every architecture the project knows, in one table: the ELF files each row is about, their
// machine name, and the names the policies, the platform tags, Debian's multiarch directories,
// musl, Alpine and uname give them. The functions below are the only readers of the table.
#pragma once

#include "elf/elf_bytes.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace aw {

// Which files a row is about (a byte order of nullopt: either). A class other than 64 counts as
// 32-bit.
enum class ElfClass { any, bits32, bits64 };

// An architecture as the policies name it (policies/*.yaml, the platform tags' suffix).
struct PolicyArchitecture {
    std::string name{};  // "x86_64", "armv7l"
    // The only class and byte order of the files it covers.
    ElfClass elf_class = ElfClass::any;
    std::optional<ByteOrder> byte_order{};
    bool needs_arm_eabi5_hard_float = false;
    std::string android_tag{};  // its suffix in android tags, where not `name` (arm64_v8a)
    std::vector<std::string> isa_tags{};  // the suffixes of its higher ISA levels (x86_64_v2)
    std::string musl_libc{};  // Alpine's name in libc.musl-<name>.so.1, where not `name`
    std::vector<std::string> uname_machines{};  // what else uname calls such a machine (i386, arm64)
};

struct Architecture {
    std::uint16_t e_machine = 0;
    ElfClass elf_class = ElfClass::any;
    std::optional<ByteOrder> byte_order{};
    std::string machine{};  // ElfIdent::machine, $PLATFORM: "x86_64", "arm", "mips64el"
    std::string multiarch_triplet{};  // Debian's /lib/<triplet>, if it has one
    std::string musl{};  // musl's name in ld-musl-<name>.so.1, where not `machine`
    std::optional<PolicyArchitecture> policy{};  // none when no policy covers such files
    // glibc's DEFAULT_STACK_PERMS (sysdeps/*/stackinfo.h) lacks PF_X: a file without PT_GNU_STACK
    // does not ask for an executable stack (aarch64, 64-bit powerpc, riscv, loongarch).
    bool stack_non_executable_by_default = false;
};

// One row per machine name; no two rows are about the same file.
const std::vector<Architecture>& architectures();

// Whether glibc's loader gives files of this machine that have no PT_GNU_STACK an executable
// stack (its generic default, and that of unknown machines).
bool stack_executable_by_default(std::uint16_t e_machine, int elf_class, ByteOrder byte_order);

// "x86_64", "i686", "arm", "ppc64le", "s390", "mips64el"; "EM_<n>" when unknown.
std::string machine_name(std::uint16_t e_machine, int elf_class, ByteOrder byte_order);

// The policies' name for an ELF file's architecture, or nullopt when no policy covers it
// (armv7l needs EABI5 and hard float).
std::optional<std::string> policy_architecture(int elf_class, ByteOrder byte_order, std::uint16_t e_machine,
                                               std::uint32_t e_flags);

// The policy architecture of files of this class, byte order and machine before their e_flags are
// asked (pypa auditwheel's base architecture), or nullptr.
const PolicyArchitecture* baseline_architecture(int elf_class, ByteOrder byte_order, std::uint16_t e_machine);

// What in a file's e_flags keeps its baseline architecture from covering it, in pypa auditwheel's
// words ("armv7l shall use hard-float"), or nullopt.
std::optional<std::string> e_flags_problem(const PolicyArchitecture& baseline, std::uint32_t e_flags);

// Every platform-tag suffix pypa auditwheel knows, with the policy architecture it names
// (x86_64_v3 -> x86_64, arm64_v8a -> aarch64). No suffix ends another.
const std::vector<std::pair<std::string, std::string>>& platform_tag_suffixes();

// The platform-tag suffix of a policy architecture in a family: `architecture`, but android's
// where it has its own (aarch64 is arm64_v8a).
std::string platform_tag_arch(const std::string& family, const std::string& architecture);

// The policy architecture a machine name from uname stands for (i386 is i686), or the name itself.
std::string architecture_of_uname(const std::string& uname_machine);

// musl's libc as Alpine names it for a policy architecture: libc.musl-x86.so.1 for i686.
std::string musl_libc_soname(const std::string& architecture);

// Debian's multiarch triplet of a machine name ("i686" -> i386-linux-gnu), if it has one.
std::optional<std::string> multiarch_triplet(const std::string& machine);

// musl's name for a machine (ld-musl-<name>.so.1: "arm" -> armhf), or the machine name itself.
std::string musl_arch(const std::string& machine);

}  // namespace aw
