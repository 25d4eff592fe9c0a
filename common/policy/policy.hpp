// Platform policies (policies/*.yaml): what a wheel tagged manylinux_X_Y,
// musllinux_X_Y or android_N may require of the system.
#pragma once

#include <exception>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace aw {

struct Policy {
    std::string name;  // without architecture, e.g. manylinux_2_17
    std::vector<std::string> aliases;  // e.g. manylinux2014
    int priority = 0;  // higher is older and more compatible; linux is 0
    // architecture -> symbol-version namespace -> allowed versions
    std::map<std::string, std::map<std::string, std::set<std::string>>> architectures;
    std::vector<std::string> whitelist;  // sonames a wheel may link without grafting
    std::map<std::string, std::set<std::string>> blacklist;  // soname -> symbols never to use
};

struct PolicyFamily {
    std::string family;  // manylinux, musllinux, android
    std::string libc;    // glibc, musl, android
    std::vector<Policy> policies;  // as in the file
};

// Throws Error naming the file and the entry when the file is malformed, or
// when it breaks PEP 600's rule that an older policy allows no more than a
// newer one (whitelists and symbol versions only grow as priority falls).
PolicyFamily load_policy_file(const std::string& path);
// manylinux.yaml, musllinux.yaml and android.yaml from `directory`. With an
// `architecture`, each from its split for that architecture when `directory` has
// a current one (by-architecture/STEM-ARCH.json, compiled at build time by
// policy-split), so a wheel's analysis parses no YAML; the full file otherwise.
std::vector<PolicyFamily> load_policies(const std::string& directory,
                                        const std::optional<std::string>& architecture = std::nullopt);

// load_policies for one architecture done ahead, before the wheel is known: policy-check loads
// the host's while the stages before it work, so a show does not wait for it. A failure is kept
// for the caller that needs those policies, so the errors come in the order they did.
class PreloadedPolicies {
public:
    PreloadedPolicies(std::string directory, std::string architecture);
    // load_policies(directory, architecture): the preloaded families (once) when they are that
    // architecture's, else loaded now.
    std::vector<PolicyFamily> take(const std::string& architecture);

private:
    std::string directory_, architecture_;
    std::optional<std::vector<PolicyFamily>> families_;
    std::exception_ptr failure_;
};

// The policy family files load_policies reads, by stem.
inline constexpr const char* kPolicyFamilyFiles[] = {"manylinux", "musllinux", "android"};

// The split of `family` (load_policy_file of `family_file`, directory/STEM.yaml) for
// `architecture`: the same policies with only that architecture's symbol versions, compiled to
// JSON, naming the full file's size and CRC-32 so that a split the full file no longer matches
// is ignored.
std::string architecture_split(const PolicyFamily& family, const std::string& family_file, const std::string& architecture);
// Where load_policies looks for that split.
std::string architecture_split_path(const std::string& directory, const std::string& stem, const std::string& architecture);
// Every architecture a family file names.
std::set<std::string> policy_architectures(const PolicyFamily& family);

// One policy as it applies to one architecture: named with the platform tag
// suffix (manylinux_2_17_x86_64), whitelist adjusted (musl's libc.so).
struct PlatformPolicy {
    std::string name;
    std::vector<std::string> aliases;
    int priority = 0;
    std::map<std::string, std::set<std::string>> symbol_versions;
    std::set<std::string> whitelist;
    std::map<std::string, std::set<std::string>> blacklist;
    bool operator==(const PlatformPolicy&) const = default;
};

// The family's policies that exist for `architecture` (the policies' names:
// x86_64, i686, aarch64, armv7l, ppc64le, ppc64, s390x, riscv64, loongarch64),
// plus linux, ordered from the highest priority down.
std::vector<PlatformPolicy> policies_for(const PolicyFamily& family, const std::string& architecture);

// musl has no symbol versions, so a musllinux policy cannot be checked
// against a wheel: pypa auditwheel judges musl wheels by one policy, the
// host's musl version ("1.2.4" -> musllinux_1_2), or when that is unknown
// (a glibc host) the newest policy, with a warning. Keeps that policy and
// linux out of `policies` (ordered as policies_for gives them).
std::vector<PlatformPolicy> musl_policies_for_host(std::vector<PlatformPolicy> policies,
                                                   const std::optional<std::string>& host_musl_version,
                                                   std::vector<std::string>& warnings);

// 24 for android_24_arm64_v8a; nullopt for anything else.
std::optional<int> android_api_level(const std::string& tag);

// Android wheels are judged, as in pypa auditwheel, by one policy: the one
// with the highest API level not above the wheel's platform tag's
// (android_24_arm64_v8a), renamed to that tag so a repair keeps the name; and
// linux. Throws Error when the wheel has several platform tags or its level is
// below every policy's.
std::vector<PlatformPolicy> android_policies_for_tag(std::vector<PlatformPolicy> policies,
                                                     const std::vector<std::string>& platform_tags,
                                                     const std::string& wheel);

// The host's musl version, as pypa auditwheel finds it: when exactly one
// /lib/libc.musl-*.so.1 exists, what it prints ("Version 1.2.4") when run.
std::optional<std::string> host_musl_version();
// The version ("1.2.3") musl's libc (or loader) at `libc_path` prints when run.
std::optional<std::string> musl_version_of(const std::string& libc_path);

// This machine's architecture as the policies name it (uname's machine, read by
// architecture_of_uname), as pypa auditwheel's Architecture.detect; the machine
// name itself when no policy names it.
std::string host_architecture();

// The policies `repair --plat` offers on this machine (pypa auditwheel's
// PLATFORMS list): the host libc's family (musllinux when a musl libc is found,
// judged by its version) for the host architecture, linux first.
std::vector<PlatformPolicy> host_platforms(const std::vector<PolicyFamily>& families);

}  // namespace aw
