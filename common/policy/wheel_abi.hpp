// policy-check's decision: which platform policies a wheel satisfies and
// why not the others, as pypa auditwheel 6.8.1's analyze_wheel_abi decides
// (its behaviour file, section 2), with the offending symbols named.
#pragma once

#include "base/diagnostics.hpp"
#include "policy/abi3.hpp"
#include "policy/analysis_input.hpp"
#include "policy/policy.hpp"

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace aw {

struct AnalysisOptions {
    bool disable_isa_ext_check = false;
    // fnmatch patterns on sonames and realpaths: such libraries (and what only
    // they need) are neither external nor grafted (repair --exclude).
    std::vector<std::string> exclude;
    // The policy base name a repair asks for ("manylinux_2_17", an alias, or
    // "auto"); decides how many grafted libraries the graft tag may need.
    std::string requested_base = "auto";
    // The host's musl version (host_musl_version() runs musl's libc where /lib has one), which
    // decides the one musllinux policy musl wheels are judged by, and the libc of a wheel that
    // nothing else tells it of; asked for only then, so a manylinux wheel's analysis runs nothing.
    std::function<std::optional<std::string>()> host_musl_version = [] { return std::optional<std::string>(); };
};

// Per policy, what stands between the wheel and that tag.
struct PolicyFinding {
    std::map<std::string, std::optional<std::string>> external;  // soname -> realpath
    std::map<std::string, std::set<std::string>> blacklisted;    // library -> symbols used
    bool symbols_ok = true;
    // "member needs symbol@VERSION" for versions this policy does not allow
    std::vector<std::string> too_new;
};

struct Verdict {
    std::string wheel;
    bool pure = false;
    std::optional<std::string> error;  // not a platform wheel, and why
    std::string architecture;
    std::string libc;
    std::string family;
    std::vector<PlatformPolicy> policies;  // highest priority first
    std::vector<PolicyFinding> findings;   // parallel to policies
    std::string overall_tag, sym_tag, ref_tag, blacklist_tag, machine_tag, graft_tag;
    bool ucs2 = false, pyfpe = false, unsupported_isa = false;
    std::map<std::string, std::set<std::string>> versioned_symbols;  // of the winning policy
    // pypa auditwheel's log of the analysis, in its order: its WARNINGs and the INFO lines of
    // its dependency walk ("Excluding X", "Skip X resolution") and of what the members told
    // ("setting architecture to X", "setting libc to X").
    std::vector<LogLine> log;
    std::vector<std::string> accepted;  // paths of the ELF members analysed
    bool android = false;
    // When no ELF file needs a libc (static programs): the oldest tag of the other libc's family
    // (musllinux where the host's libc, pypa auditwheel's default, made it manylinux), which fits too.
    std::optional<std::string> no_libc_tag;
    // What asks glibc for an executable stack (ElfFacts::executable_stack), which glibc 2.41 and
    // later refuse to dlopen: members by path, and the external libraries a repair would graft
    // (soname -> realpath). pypa auditwheel 6.8.1 does not look (its issue #634).
    struct ExecutableStacks {
        std::vector<std::string> members;
        std::map<std::string, std::string> libraries;
        bool empty() const { return members.empty() && libraries.empty(); }
    } executable_stack;
    // For an abi3 wheel: each extension's Python symbols outside the stable ABI or newer than
    // the tag's version (policy-check sets it; pypa auditwheel does not look).
    std::optional<Abi3Report> abi3;
};

// Throws Error on what pypa auditwheel refuses outright (ELF files in
// purelib, a python extension whose libc cannot be told, several architectures).
// `policies_for_architecture` gives the policy families once the wheel's architecture is
// known (policy-check loads only that architecture's split).
using PolicyLoader = std::function<std::vector<PolicyFamily>(const std::string& architecture)>;
Verdict analyze_wheel(const AnalysisInput& input, const PolicyLoader& policies_for_architecture,
                      const AnalysisOptions& options);

// The analysis's first step (behaviour file 2.3): what the file name's platform tags tell.
struct DetectedFromTags {
    std::optional<std::string> architecture;  // the policies' name (x86_64 for x86_64_v3)
    std::optional<std::string> libc;          // glibc, musl or android; none when the tags name several
    bool pure = false;                        // tagged "any" only
};

// Logs pypa's warnings when the tags do not tell the architecture; throws Error
// when they name several.
DetectedFromTags detect_from_tags(const std::vector<std::string>& tags, const std::string& wheel,
                                  std::vector<LogLine>& log);

// A --plat value without its trailing _<architecture> (a suffix of platform_tag_suffixes()):
// manylinux2014_x86_64 -> manylinux2014.
std::string strip_architecture_suffix(const std::string& plat);

// The index of the policy named `tag` in the verdict's policies; linux's when none is.
std::size_t policy_index(const Verdict& verdict, const std::string& tag);

}  // namespace aw
