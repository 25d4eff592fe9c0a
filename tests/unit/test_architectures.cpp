// The table of architectures (common/architectures.cpp) and what its readers answer, pinned as
// facts: machine names, policy architectures, platform-tag suffixes, multiarch triplets and musl's
// names, for every e_machine 0..300, both classes and byte orders, and ARM e_flags with and
// without EABI 5 and hard float. The facts are the answers of the maps and switches the table
// replaced.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "elf/architectures.hpp"
#include "elf/elf_names.hpp"
#include "elf/ld_search.hpp"
#include "policy/policy.hpp"
#include "policy/wheel_abi.hpp"

#include <elf.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

namespace fs = std::filesystem;
using Strings = std::vector<std::string>;

namespace {
constexpr std::uint16_t kLastMachine = 300;
constexpr std::uint16_t kLoongArch = aw::kEmLoongArch;

// The four files of one e_machine, in this order.
struct Target {
    int elf_class;
    aw::ByteOrder byte_order;
};
constexpr aw::ByteOrder kLittle = aw::ByteOrder::little, kBig = aw::ByteOrder::big;
constexpr Target kTargets[] = {{32, kLittle}, {32, kBig}, {64, kLittle}, {64, kBig}};

// The machine names other than EM_<n>, for the targets of kTargets in order.
const std::map<std::uint16_t, std::array<const char*, 4>> kMachineNames{
    {EM_386, {"i686", "i686", "i686", "i686"}},          {EM_X86_64, {"x86_64", "x86_64", "x86_64", "x86_64"}},
    {EM_AARCH64, {"aarch64", "aarch64", "aarch64", "aarch64"}}, {EM_ARM, {"arm", "arm", "arm", "arm"}},
    {EM_PPC, {"ppc", "ppc", "ppc", "ppc"}},              {EM_PPC64, {"ppc64le", "ppc64", "ppc64le", "ppc64"}},
    {EM_S390, {"s390", "s390", "s390x", "s390x"}},       {EM_RISCV, {"riscv32", "riscv32", "riscv64", "riscv64"}},
    {EM_MIPS, {"mipsel", "mips", "mips64el", "mips64"}}, {EM_SPARCV9, {"sparc64", "sparc64", "sparc64", "sparc64"}},
    {kLoongArch, {"loongarch64", "loongarch64", "loongarch64", "loongarch64"}}, {EM_IA_64, {"ia64", "ia64", "ia64", "ia64"}},
};

// The files a policy architecture covers (ARM's also need EABI 5 and hard float).
struct Covered {
    std::uint16_t e_machine;
    int elf_class;
    aw::ByteOrder byte_order;
    const char* architecture;
};
constexpr Covered kCovered[] = {
    {EM_386, 32, kLittle, "i686"},   {EM_X86_64, 64, kLittle, "x86_64"}, {EM_AARCH64, 64, kLittle, "aarch64"},
    {EM_ARM, 32, kLittle, "armv7l"}, {EM_PPC64, 64, kLittle, "ppc64le"}, {EM_PPC64, 64, kBig, "ppc64"},
    {EM_S390, 64, kBig, "s390x"},    {EM_RISCV, 64, kLittle, "riscv64"}, {kLoongArch, 64, kLittle, "loongarch64"},
};

// ARM e_flags, and whether armv7l takes a file with them.
constexpr std::pair<std::uint32_t, bool> kArmFlags[] = {
    {0, false},
    {EF_ARM_ABI_FLOAT_HARD, false},
    {EF_ARM_EABI_VER5, false},
    {EF_ARM_EABI_VER5 | EF_ARM_ABI_FLOAT_SOFT, false},
    {EF_ARM_EABI_VER4 | EF_ARM_ABI_FLOAT_HARD, false},
    {EF_ARM_EABI_VER5 | EF_ARM_ABI_FLOAT_HARD, true},
    {EF_ARM_EABI_VER5 | EF_ARM_ABI_FLOAT_HARD | EF_ARM_BE8, true},
    {0xffffffff, false},
};

// The platform-tag suffixes pypa auditwheel knows, and the policy architecture each names.
const std::map<std::string, std::string> kTagSuffixes{
    {"aarch64", "aarch64"}, {"arm64_v8a", "aarch64"}, {"armv7l", "armv7l"},   {"i686", "i686"},
    {"loongarch64", "loongarch64"}, {"ppc64", "ppc64"}, {"ppc64le", "ppc64le"}, {"riscv64", "riscv64"},
    {"s390x", "s390x"},     {"x86_64", "x86_64"},     {"x86_64_v2", "x86_64"}, {"x86_64_v3", "x86_64"},
    {"x86_64_v4", "x86_64"}};

// Debian's multiarch triplets, by machine name.
const std::map<std::string, std::string> kTriplets{
    {"x86_64", "x86_64-linux-gnu"},         {"i686", "i386-linux-gnu"},
    {"aarch64", "aarch64-linux-gnu"},       {"arm", "arm-linux-gnueabihf"},
    {"ppc64le", "powerpc64le-linux-gnu"},   {"ppc64", "powerpc64-linux-gnu"},
    {"s390x", "s390x-linux-gnu"},           {"riscv64", "riscv64-linux-gnu"},
    {"mips64el", "mips64el-linux-gnuabi64"}, {"loongarch64", "loongarch64-linux-gnu"}};

// musl's names (ld-musl-<name>.so.1, /etc/ld-musl-<name>.path) where they are not the machine's.
const std::map<std::string, std::string> kMuslNames{
    {"i686", "i386"}, {"arm", "armhf"}, {"ppc64le", "powerpc64le"}, {"ppc64", "powerpc64"}, {"ppc", "powerpc"}};

// Every name any of the functions gives or takes, and some that none does.
Strings every_name() {
    Strings names{"", "EM_999", "x86", "armv7", "armhf", "armv8l", "arm64", "i386", "i486", "i586",
                  "amd64", "powerpc", "x86_64_v5"};
    for (const auto& [machine, by_target] : kMachineNames) names.insert(names.end(), by_target.begin(), by_target.end());
    for (const auto& [suffix, architecture] : kTagSuffixes) names.push_back(suffix);
    return names;
}

std::string expected_name(std::uint16_t e_machine, std::size_t target) {
    auto named = kMachineNames.find(e_machine);
    return named == kMachineNames.end() ? "EM_" + std::to_string(e_machine) : named->second[target];
}

std::optional<std::string> expected_architecture(std::uint16_t e_machine, const Target& target, std::uint32_t e_flags) {
    for (const Covered& covered : kCovered) {
        if (covered.e_machine != e_machine || covered.elf_class != target.elf_class ||
            covered.byte_order != target.byte_order)
            continue;
        if (e_machine != EM_ARM) return covered.architecture;
        for (const auto& [flags, taken] : kArmFlags)
            if (flags == e_flags && taken) return covered.architecture;
    }
    return std::nullopt;
}

// A scratch directory tree, removed at the end of the test.
struct Scratch {
    Scratch() {
        std::string pattern = (fs::temp_directory_path() / "aw-unit-XXXXXX").string();
        root = mkdtemp(pattern.data());
    }
    ~Scratch() { fs::remove_all(root); }
    std::string root;
};
}  // namespace

BOOST_AUTO_TEST_SUITE(architectures)

BOOST_AUTO_TEST_CASE(each_row_names_the_files_it_is_about_and_no_other_row_does) {
    std::set<std::string> machines, policies;
    for (const aw::Architecture& row : aw::architectures()) {
        BOOST_TEST(machines.insert(row.machine).second, row.machine);
        if (row.policy) BOOST_TEST(policies.insert(row.policy->name).second, row.policy->name);
        for (const Target& target : kTargets) {
            bool is64 = target.elf_class == 64;
            if ((row.elf_class == aw::ElfClass::bits64 && !is64) || (row.elf_class == aw::ElfClass::bits32 && is64) ||
                (row.byte_order && *row.byte_order != target.byte_order))
                continue;
            BOOST_TEST(aw::machine_name(row.e_machine, target.elf_class, target.byte_order) == row.machine);
        }
    }
}

BOOST_AUTO_TEST_CASE(every_machine_has_its_name_or_its_number) {
    for (std::uint16_t e_machine = 0; e_machine <= kLastMachine; ++e_machine)
        for (std::size_t target = 0; target < std::size(kTargets); ++target)
            BOOST_TEST(aw::machine_name(e_machine, kTargets[target].elf_class, kTargets[target].byte_order) ==
                           expected_name(e_machine, target),
                       "e_machine " << e_machine << ", " << kTargets[target].elf_class << "-bit "
                                    << aw::byte_order_name(kTargets[target].byte_order));
}

BOOST_AUTO_TEST_CASE(policy_architectures_cover_one_class_and_byte_order) {
    for (std::uint16_t e_machine = 0; e_machine <= kLastMachine; ++e_machine)
        for (const Target& target : kTargets) {
            const aw::PolicyArchitecture* baseline = aw::baseline_architecture(target.elf_class, target.byte_order, e_machine);
            BOOST_TEST((baseline ? baseline->name : "none") ==
                           expected_architecture(e_machine, target, EF_ARM_EABI_VER5 | EF_ARM_ABI_FLOAT_HARD).value_or("none"),
                       "e_machine " << e_machine << ", " << target.elf_class << "-bit " << aw::byte_order_name(target.byte_order));
            for (const auto& [e_flags, taken] : kArmFlags)
                BOOST_TEST(aw::policy_architecture(target.elf_class, target.byte_order, e_machine, e_flags).value_or("none") ==
                               expected_architecture(e_machine, target, e_flags).value_or("none"),
                           "e_machine " << e_machine << ", " << target.elf_class << "-bit " << aw::byte_order_name(target.byte_order)
                                        << ", e_flags " << e_flags);
        }
}

BOOST_AUTO_TEST_CASE(arm_files_without_eabi5_and_hard_float_are_told_why_in_pypas_words) {
    const aw::PolicyArchitecture* armv7l = aw::baseline_architecture(32, kLittle, EM_ARM);
    BOOST_REQUIRE(armv7l != nullptr);
    BOOST_TEST(aw::e_flags_problem(*armv7l, EF_ARM_EABI_VER4 | EF_ARM_ABI_FLOAT_HARD).value_or("none") ==
               "Invalid ARM EABI version for armv7l");
    BOOST_TEST(aw::e_flags_problem(*armv7l, EF_ARM_EABI_VER5).value_or("none") == "armv7l shall use hard-float");
    BOOST_TEST(!aw::e_flags_problem(*armv7l, EF_ARM_EABI_VER5 | EF_ARM_ABI_FLOAT_HARD));
    for (const aw::Architecture& row : aw::architectures())
        if (row.policy && row.policy->name != "armv7l") BOOST_TEST(!aw::e_flags_problem(*row.policy, 0xffffffff), row.machine);
}

// Records may carry any class: one other than 64 reads as 32-bit.
BOOST_AUTO_TEST_CASE(other_classes_read_as_32_bit) {
    BOOST_TEST(aw::machine_name(EM_S390, 0, kLittle) == "s390");
    BOOST_TEST(aw::machine_name(EM_RISCV, 63, kLittle) == "riscv32");
    BOOST_TEST(aw::machine_name(EM_MIPS, 65, kBig) == "mips");
    BOOST_TEST(aw::policy_architecture(0, kLittle, EM_386, 0).value_or("none") == "i686");
    BOOST_TEST(aw::policy_architecture(1, kLittle, EM_ARM, EF_ARM_EABI_VER5 | EF_ARM_ABI_FLOAT_HARD).value_or("none") == "armv7l");
    BOOST_TEST(aw::policy_architecture(65, kBig, EM_S390, 0).value_or("none") == "none");
}

BOOST_AUTO_TEST_CASE(platform_tag_suffixes_name_their_policy_architecture) {
    std::vector<aw::LogLine> log;
    for (const std::string& name : every_name()) {
        auto suffix = kTagSuffixes.find(name);
        bool known = suffix != kTagSuffixes.end();
        BOOST_TEST(aw::strip_architecture_suffix("manylinux_2_17_" + name) == (known ? "manylinux_2_17" : "manylinux_2_17_" + name),
                   name);
        aw::DetectedFromTags detected = aw::detect_from_tags({"musllinux_1_2_" + name}, "w.whl", log);
        BOOST_TEST(detected.architecture.value_or("none") == (known ? suffix->second : "none"), name);
    }
}

BOOST_AUTO_TEST_CASE(android_tags_name_aarch64_arm64_v8a) {
    for (const std::string& name : every_name())
        for (const char* family : {"manylinux", "musllinux", "android"})
            BOOST_TEST(aw::platform_tag_arch(family, name) ==
                           (std::string(family) == "android" && name == "aarch64" ? "arm64_v8a" : name),
                       family << " " << name);
}

BOOST_AUTO_TEST_CASE(uname_machines_name_their_policy_architecture) {
    const std::map<std::string, std::string> aliases{
        {"i386", "i686"}, {"i486", "i686"}, {"i586", "i686"}, {"arm64", "aarch64"}, {"armv8l", "armv7l"}};
    for (const std::string& name : every_name()) {
        auto alias = aliases.find(name);
        BOOST_TEST(aw::architecture_of_uname(name) == (alias == aliases.end() ? name : alias->second), name);
    }
}

BOOST_AUTO_TEST_CASE(glibc_searches_the_multiarch_directories_debian_names) {
    for (const std::string& name : every_name()) {
        auto triplet = kTriplets.find(name);
        Strings expected = triplet == kTriplets.end() ? Strings{}
                                                      : Strings{"/lib/" + triplet->second, "/usr/lib/" + triplet->second};
        expected.insert(expected.end(), {"/lib", "/usr/lib"});
        BOOST_TEST(aw::glibc_default_dirs(name, 32) == expected, boost::test_tools::per_element());
    }
}

BOOST_AUTO_TEST_CASE(musl_reads_the_path_file_of_its_own_name) {
    Scratch scratch;
    Strings names = every_name();
    std::erase(names, "");
    for (const std::string& name : names) {
        auto musl = kMuslNames.find(name);
        fs::create_directories(fs::path(scratch.root) / "etc");
        std::ofstream(fs::path(scratch.root) / "etc" / ("ld-musl-" + (musl == kMuslNames.end() ? name : musl->second) + ".path"))
            << "/" << name << "\n";
        BOOST_TEST(aw::musl_system_path(scratch.root, name) == Strings{"/" + name}, boost::test_tools::per_element());
        fs::remove_all(fs::path(scratch.root) / "etc");
    }
}

BOOST_AUTO_TEST_CASE(musl_policies_whitelist_the_libc_by_alpines_name) {
    const std::map<std::string, std::string> libc_names{{"i686", "x86"}, {"armv7l", "armv7"}};
    aw::Policy policy;
    policy.name = "musllinux_1_2";
    policy.priority = 1;
    policy.whitelist = {"libc.so"};
    aw::PolicyFamily musllinux;
    musllinux.family = "musllinux";
    musllinux.libc = "musl";
    for (const std::string& name : every_name()) {
        policy.architectures[name] = {};
        musllinux.policies = {policy};
        auto renamed = libc_names.find(name);
        std::string libc = "libc.musl-" + (renamed == libc_names.end() ? name : renamed->second) + ".so.1";
        BOOST_TEST(aw::policies_for(musllinux, name).front().whitelist == std::set<std::string>{libc}, name);
    }
}

// glibc's DEFAULT_STACK_PERMS: without PT_GNU_STACK, an executable stack on x86, arm and s390,
// not on aarch64, 64-bit powerpc (either byte order), riscv or loongarch; executable when unknown.
BOOST_AUTO_TEST_CASE(default_stack_follows_glibc) {
    BOOST_TEST(aw::stack_executable_by_default(EM_X86_64, 64, kLittle));
    BOOST_TEST(aw::stack_executable_by_default(EM_386, 32, kLittle));
    BOOST_TEST(aw::stack_executable_by_default(EM_S390, 64, kBig));
    BOOST_TEST(aw::stack_executable_by_default(EM_PPC, 32, kBig));
    BOOST_TEST(!aw::stack_executable_by_default(EM_AARCH64, 64, kLittle));
    BOOST_TEST(!aw::stack_executable_by_default(EM_PPC64, 64, kLittle));
    BOOST_TEST(!aw::stack_executable_by_default(EM_PPC64, 64, kBig));
    BOOST_TEST(!aw::stack_executable_by_default(EM_RISCV, 64, kLittle));
    BOOST_TEST(aw::stack_executable_by_default(0x7fff, 64, kLittle));
}

BOOST_AUTO_TEST_SUITE_END()
