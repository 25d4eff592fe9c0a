// policy-check's analysis, in the steps man/policy-check.1 numbers (pypa auditwheel 6.8.1's
// analyze_wheel_abi): what the file name tells, which members are judged, by which policies,
// and per policy what stands between the wheel and its tag.
#include "policy/wheel_abi.hpp"

#include "base/diagnostics.hpp"
#include "base/paths.hpp"
#include "elf/architectures.hpp"
#include "elf/elf_names.hpp"
#include "elf/symbol_versions.hpp"
#include "policy/external_libraries.hpp"

#include <algorithm>
#include <fmt/ranges.h>
#include <functional>

namespace aw {
namespace {
// namespace -> versions required, from requirements on libraries that are not the loader
std::map<std::string, std::set<std::string>> required_namespaces(const VersionRequirements& versions) {
    std::map<std::string, std::set<std::string>> spaces;
    for (const auto& [file, by_version] : versions) {
        if (is_dynamic_loader(file)) continue;
        for (const auto& [version, symbols] : by_version) {
            auto [space, number] = split_symbol_version(version);
            spaces[space].insert(number);
        }
    }
    return spaces;
}

bool symbols_satisfy(const std::map<std::string, std::set<std::string>>& required, const PlatformPolicy& policy) {
    for (const auto& [space, versions] : required) {
        auto allowed = policy.symbol_versions.find(space);
        if (allowed == policy.symbol_versions.end()) continue;  // namespaces a policy does not list are not checked
        for (const std::string& version : versions)
            if (!allowed->second.count(version)) return false;
    }
    return true;
}

void merge_versions(VersionRequirements& into, const VersionRequirements& from) {
    for (const auto& [file, by_version] : from)
        for (const auto& [version, symbols] : by_version) {
            auto& list = into[file][version];
            list.insert(list.end(), symbols.begin(), symbols.end());
        }
}
}  // namespace

std::size_t policy_index(const Verdict& verdict, const std::string& tag) {
    for (std::size_t i = 0; i < verdict.policies.size(); ++i)
        if (verdict.policies[i].name == tag) return i;
    return verdict.policies.size() - 1;
}

std::string strip_architecture_suffix(const std::string& plat) {
    for (const auto& [suffix, baseline] : platform_tag_suffixes())
        if (plat.ends_with("_" + suffix)) return plat.substr(0, plat.size() - suffix.size() - 1);
    return plat;
}

// Step 1 (see wheel_abi.hpp).
DetectedFromTags detect_from_tags(const std::vector<std::string>& tags, const std::string& wheel, std::vector<LogLine>& log) {
    DetectedFromTags detected;
    std::set<std::string> architectures, libcs;
    bool unknown = false;
    for (const std::string& tag : tags) {
        if (tag == "any") {
            detected.pure = true;
            continue;
        }
        bool matched = false;
        for (const auto& [suffix, baseline] : platform_tag_suffixes())
            if (tag.ends_with("_" + suffix)) {
                architectures.insert(baseline);
                matched = true;
            }
        unknown |= !matched;
        if (!matched) log.push_back({true, fmt::format("couldn't guess architecture for platform tag '{}'", tag)});
        if (tag.starts_with("manylinux")) libcs.insert("glibc");
        if (tag.starts_with("musllinux")) libcs.insert("musl");
        if (tag.starts_with("android")) libcs.insert("android");
    }
    if (architectures.size() > 1 || (!architectures.empty() && (unknown || detected.pure)))
        fail("{}: wheels with multiple architectures are not supported", wheel);
    detected.pure = detected.pure && architectures.empty() && !unknown;
    if (!architectures.empty()) detected.architecture = *architectures.begin();
    else log.push_back({true, "The architecture could not be deduced from the wheel filename"});
    // As pypa auditwheel: a name of several libcs (manylinux_2_5_x86_64.musllinux_1_1_x86_64, as a
    // wheel of static programs is tagged) tells none, and the ELF files decide.
    if (libcs.size() == 1) detected.libc = *libcs.begin();
    return detected;
}

namespace {
// "pkg/_x.so needs memcpy@GLIBC_2.14 (manylinux_2_12_x86_64 allows GLIBC up to 2.12)", or "".
std::string describe_too_new(const std::string& who, const VersionRequirements& versions, const PlatformPolicy& policy) {
    std::vector<std::string> parts;
    std::set<std::string> namespaces;
    for (const auto& [file, by_version] : versions) {
        if (is_dynamic_loader(file)) continue;
        for (const auto& [version, symbols] : by_version) {
            auto [space, number] = split_symbol_version(version);
            auto allowed = policy.symbol_versions.find(space);
            if (allowed == policy.symbol_versions.end() || allowed->second.count(number)) continue;
            namespaces.insert(space);
            std::vector<std::string> named;
            for (const std::string& symbol : symbols) named.push_back(symbol + "@" + version);
            if (named.empty()) named.push_back(version + " (from " + file + ")");
            parts.push_back(fmt::format("{}", fmt::join(named, ", ")));
        }
    }
    if (parts.empty()) return "";
    std::vector<std::string> ceilings;
    for (const std::string& space : namespaces) {
        const std::set<std::string>& allowed = policy.symbol_versions.at(space);
        auto newest = std::max_element(allowed.begin(), allowed.end(), version_less);
        ceilings.push_back(newest == allowed.end() ? space + " not at all" : space + " up to " + *newest);
    }
    return fmt::format("{} needs {} ({} allows {})", who, fmt::join(parts, ", "), policy.name, fmt::join(ceilings, ", "));
}

// Step 2's outcome: the architecture and libc as the tags, then the members, tell them,
// and the members judged.
struct Members {
    std::optional<std::string> architecture, libc;
    std::vector<const ElfMember*> accepted;
    std::vector<std::string> ignored;  // of another or an unknown architecture
    // Where pypa, choosing the policies, warns about them: when the libc is first known.
    std::optional<std::size_t> policies_logged_at;
};

// Whether `elf` has the wheel's architecture, which the first member of a known one sets
// when the tags did not tell it.
bool accept_architecture(const ElfMember& elf, Members& members, std::vector<LogLine>& log) {
    std::optional<std::string> arch = policy_architecture(elf.elf_class, elf.byte_order, elf.e_machine, elf.e_flags);
    if (!arch) {
        log.push_back({true, fmt::format("ignoring: {} with unknown architecture", elf.path)});
        members.ignored.push_back(elf.path);
        return false;
    }
    if (!members.architecture) {
        members.architecture = arch;
        log.push_back({false, "setting architecture to " + *arch});
    }
    if (*arch != *members.architecture) {
        log.push_back({true, fmt::format("ignoring: {} with {} architecture", elf.path, *arch)});
        members.ignored.push_back(elf.path);
        return false;
    }
    return true;
}

// Whether `elf` is built against the wheel's libc, which the first member that tells one sets
// when the tags did not tell it; android wheels do not ask their members.
bool accept_libc(const ElfMember& elf, bool android, const std::string& requested_base, Members& members,
                 std::vector<LogLine>& log) {
    if (!elf.libc || android) return true;
    if (!members.libc) {
        members.libc = elf.libc;
        // pypa's repair takes the libc from a --plat of a family before this, so says nothing.
        if (!requested_base.starts_with("manylinux") && !requested_base.starts_with("musllinux") &&
            !requested_base.starts_with("android"))
            log.push_back({false, "setting libc to " + *members.libc});
    }
    if (*elf.libc != *members.libc) {
        log.push_back({true, fmt::format("ignoring: {} with {} libc", elf.path, *elf.libc)});
        return false;
    }
    return true;
}

// Step 2: the members judged, in member order; ELF files in purelib make the wheel invalid.
Members accept_members(const AnalysisInput& input, const DetectedFromTags& detected, const AnalysisOptions& options,
                       std::vector<LogLine>& log) {
    Members members;
    members.architecture = detected.architecture;
    members.libc = detected.libc;
    bool android = detected.libc == "android";
    std::vector<std::string> in_purelib;
    for (const ElfMember& elf : input.elfs) {
        if (("/" + elf.path).find("/purelib/") != std::string::npos) in_purelib.push_back(elf.path);
        std::set<std::string> walked;
        walk_exclusions(elf, elf.needed, options.exclude, walked, log);
        if (!accept_architecture(elf, members, log) || !accept_libc(elf, android, options.requested_base, members, log))
            continue;
        if (!members.policies_logged_at && members.libc) members.policies_logged_at = log.size();
        // As pypa auditwheel: an extension must tell its libc (or the name must); guessing
        // glibc would label a musl extension manylinux.
        if (elf.python_extension && !members.libc)
            fail("{}: couldn't detect libc for python extension {}", input.wheel, elf.path);
        members.accepted.push_back(&elf);
    }
    if (!in_purelib.empty())
        fail("{}: invalid binary wheel, ELF files in the purelib folder: {}; the wheel has to be platlib compliant",
             input.wheel, fmt::join(in_purelib, ", "));
    return members;
}

// Step 2 with no member accepted: why this is not a platform wheel.
std::string not_a_platform_wheel(const AnalysisInput& input, const Members& members) {
    std::string error = members.ignored.empty()
                            ? "This does not look like a platform wheel, no ELF executable or shared library file "
                              "(including compiled Python C extension) found in the wheel archive"
                            : fmt::format("Invalid binary wheel: no ELF executable or shared library file (including "
                                          "compiled Python C extension) with a '{}' architecture found. The following "
                                          "ELF files were found: {}",
                                          members.architecture.value_or("unknown"), fmt::join(members.ignored, ", "));
    if (!input.unreadable.empty())
        error += fmt::format("; these members look like ELF files but could not be read: {}", fmt::join(input.unreadable, "; "));
    return error;
}

// Step 2 when neither the tags nor a member told the libc: pypa auditwheel's fallback, the
// host's (musl where /lib has musl's libc). Returns the oldest tag of the other family when no
// member needs a library (static programs), which fits as well.
std::optional<std::string> default_libc(Members& members, const std::vector<PolicyFamily>& families,
                                        const AnalysisOptions& options, std::vector<LogLine>& log) {
    members.libc = options.host_musl_version() ? "musl" : "glibc";
    log.push_back({true, "couldn't detect wheel libc, defaulting to " + *members.libc});
    const std::string other = *members.libc == "musl" ? "manylinux" : "musllinux";
    std::optional<std::string> no_libc_tag;
    if (std::all_of(members.accepted.begin(), members.accepted.end(), [](const ElfMember* elf) { return elf->needed.empty(); }))
        for (const PolicyFamily& family : families)
            if (family.family == other)
                if (std::vector<PlatformPolicy> oldest = policies_for(family, *members.architecture); oldest.size() > 1)
                    no_libc_tag = oldest.front().name;
    return no_libc_tag;
}

std::string family_of(const std::string& libc) {
    return libc == "glibc" ? "manylinux" : libc == "musl" ? "musllinux" : "android";
}

// Step 3: the policies of the family and architecture, highest priority first, linux last;
// musl wheels are judged by the host's musl policy, android wheels by their tag's level.
std::vector<PlatformPolicy> policies_to_judge(const AnalysisInput& input, const std::vector<PolicyFamily>& families,
                                              const AnalysisOptions& options, const Members& members,
                                              const std::string& family_name, std::vector<LogLine>& log) {
    std::vector<PlatformPolicy> policies;
    for (const PolicyFamily& family : families)
        if (family.family == family_name) policies = policies_for(family, *members.architecture);
    if (family_name == "musllinux") {
        std::vector<std::string> warnings;
        policies = musl_policies_for_host(std::move(policies), options.host_musl_version(), warnings);
        auto at = log.begin() + static_cast<std::ptrdiff_t>(members.policies_logged_at.value_or(log.size()));
        for (const std::string& warning : warnings) at = log.insert(at, LogLine{true, warning}) + 1;
    }
    if (family_name == "android") policies = android_policies_for_tag(std::move(policies), input.platform_tags, input.wheel);
    if (policies.empty()) fail("no {} policies are loaded", family_name);
    return policies;
}

// Step 4's files: the Python extensions, and the ELF files no ELF file in the wheel needs.
std::vector<const ElfMember*> top_level_members(const std::vector<const ElfMember*>& accepted) {
    std::set<std::string> needed_names;
    for (const ElfMember* elf : accepted) {
        needed_names.insert(elf->needed.begin(), elf->needed.end());
        for (const auto& [name, library] : elf->libraries) needed_names.insert(library.needed.begin(), library.needed.end());
    }
    std::vector<const ElfMember*> top_level;
    for (const ElfMember* elf : accepted)
        if (elf->python_extension || !needed_names.count(file_name_of(elf->path))) top_level.push_back(elf);
    return top_level;
}

// Step 4 under one policy: what the top-level files need from outside the wheel and the
// whitelist, and the blacklisted symbols they use from a library of their own DT_NEEDED.
void find_external_and_blacklisted(const std::vector<const ElfMember*>& top_level, const PlatformPolicy& policy,
                                   bool android, const std::vector<std::string>& exclude, PolicyFinding& finding) {
    for (const ElfMember* elf : top_level) {
        for (auto& [name, path] : external_libraries(*elf, policy, android, exclude)) finding.external[name] = path;
        for (const std::string& needed : elf->needed) {
            auto tree = elf->libraries.find(needed);
            if (is_excluded(needed, tree == elf->libraries.end() ? std::nullopt : tree->second.realpath, exclude)) continue;
            auto listed = policy.blacklist.find(needed);
            if (listed == policy.blacklist.end()) continue;
            for (const std::string& symbol : listed->second)
                if (elf->undefined.count(symbol)) finding.blacklisted[needed].insert(symbol);
        }
    }
}

// Step 5's account under one policy: the members, and the libraries it would graft, that need
// versions it does not allow.
std::vector<std::string> find_too_new(const AnalysisInput& input, const std::vector<const ElfMember*>& accepted,
                                      const PlatformPolicy& policy, const PolicyFinding& finding) {
    std::vector<std::string> too_new;
    for (const ElfMember* elf : accepted) {
        std::string description = describe_too_new(elf->path, elf->versions, policy);
        if (!description.empty()) too_new.push_back(description);
    }
    for (const auto& [name, path] : finding.external) {
        if (!path || !input.libraries.count(*path)) continue;
        std::string description = describe_too_new(name + " (grafted)", input.libraries.at(*path).versions, policy);
        if (!description.empty()) too_new.push_back(description);
    }
    return too_new;
}

// Steps 4 and 5's too_new, per policy; linux (the last) has nothing external, nothing blacklisted.
std::vector<PolicyFinding> judge_policies(const AnalysisInput& input, const std::vector<const ElfMember*>& accepted,
                                          const std::vector<const ElfMember*>& top_level, const Verdict& verdict,
                                          const AnalysisOptions& options) {
    std::vector<PolicyFinding> findings(verdict.policies.size());
    for (std::size_t p = 0; p + 1 < verdict.policies.size(); ++p) {
        PolicyFinding& finding = findings[p];
        find_external_and_blacklisted(top_level, verdict.policies[p], verdict.android, options.exclude, finding);
        finding.too_new = find_too_new(input, accepted, verdict.policies[p], finding);
        finding.symbols_ok = finding.too_new.empty();
    }
    return findings;
}

// The best policy, linux at worst, whose symbol versions allow all of `versions`.
std::size_t best_allowing(const VersionRequirements& versions, const std::vector<PlatformPolicy>& policies) {
    auto required = required_namespaces(versions);
    for (std::size_t p = 0; p + 1 < policies.size(); ++p)
        if (symbols_satisfy(required, policies[p])) return p;
    return policies.size() - 1;
}

// Step 5: the index of sym_tag, counting what grafting each policy's external libraries would
// add; sets the verdict's versioned_symbols to the winning requirements.
std::size_t judge_symbol_versions(const AnalysisInput& input, const std::vector<const ElfMember*>& accepted,
                                  Verdict& verdict) {
    const std::vector<PlatformPolicy>& policies = verdict.policies;
    std::size_t linux_index = policies.size() - 1;
    VersionRequirements wheel_versions;
    for (const ElfMember* elf : accepted) merge_versions(wheel_versions, elf->versions);
    std::size_t sym = linux_index;
    VersionRequirements winning_versions = wheel_versions;
    for (std::size_t p = 0; p < linux_index; ++p) {
        VersionRequirements versions = wheel_versions;
        for (const auto& [name, path] : verdict.findings[p].external)
            if (path && input.libraries.count(*path)) merge_versions(versions, input.libraries.at(*path).versions);
        std::size_t found = std::max(p, best_allowing(versions, policies));  // the lower priority of the two
        if (policies[found].priority > policies[sym].priority) {
            sym = found;
            winning_versions = versions;
        }
    }
    for (const auto& [file, by_version] : winning_versions) {
        if (is_dynamic_loader(file)) continue;
        for (const auto& [version, symbols] : by_version) verdict.versioned_symbols[file].insert(version);
    }
    return sym;
}

// Step 6: the index of machine_tag; x86_64 files needing more than the baseline ISA give linux,
// unless a policy whitelists the library, which then caps the tag.
std::size_t judge_isa(const AnalysisInput& input, const std::vector<const ElfMember*>& top_level, Verdict& verdict,
                      const AnalysisOptions& options) {
    const std::vector<PlatformPolicy>& policies = verdict.policies;
    std::size_t linux_index = policies.size() - 1, machine = 0;
    if (options.disable_isa_ext_check || verdict.architecture != "x86_64") return machine;
    auto check = [&](const std::string& who, std::optional<std::uint32_t> needed, const std::string& soname) {
        if (!needed || (*needed & ~1u) == 0) return;
        const X86IsaLevel* level = x86_isa_level(*needed);
        if (level == nullptr) return;
        for (std::size_t p = 0; p < linux_index; ++p)
            if (!soname.empty() && policies[p].whitelist.count(soname)) {
                machine = std::max(machine, p);
                return;
            }
        verdict.log.push_back({true, fmt::format("ELF file {} requires '{}' instruction set, not in 'x86_64'", who,
                                                 level->architecture)});
        machine = linux_index;
    };
    for (const ElfMember* elf : top_level) check(elf->path, elf->x86_isa_needed, "");
    std::set<std::string> external;
    for (std::size_t p = 0; p < linux_index; ++p)
        for (const auto& [name, path] : verdict.findings[p].external)
            if (path && external.insert(*path).second && input.libraries.count(*path))
                check(*path, input.libraries.at(*path).x86_isa_needed, name);
    return machine;
}

// Step 7: as pypa auditwheel, only the Python extensions count.
void judge_python_abi(const std::vector<const ElfMember*>& accepted, Verdict& verdict) {
    for (const ElfMember* elf : accepted) {
        if (!elf->python_extension) continue;
        verdict.ucs2 |= elf->ucs2;
        verdict.pyfpe |= elf->pyfpe;
    }
}

// pypa auditwheel counts grafts over all policies for auto, else over the policies
// named <base>_... (so an alias such as manylinux2014 counts none: zero).
std::size_t fewest_grafts(const Verdict& verdict, const std::string& requested_base) {
    std::size_t count = SIZE_MAX;
    for (std::size_t p = 0; p + 1 < verdict.policies.size(); ++p)
        if (requested_base == "auto" || verdict.policies[p].name.starts_with(requested_base + "_"))
            count = std::min(count, verdict.findings[p].external.size());
    return count == SIZE_MAX ? 0 : count;
}

// Step 8: the tags, from the indexes of steps 5 and 6 and the findings.
// Step 9 (ours): the members and the libraries to graft that ask for an executable stack.
Verdict::ExecutableStacks find_executable_stacks(const AnalysisInput& input, const std::vector<const ElfMember*>& accepted,
                                                 const Verdict& verdict) {
    Verdict::ExecutableStacks found;
    for (const ElfMember* elf : accepted)
        if (elf->executable_stack) found.members.push_back(elf->path);
    const PolicyFinding& newest = verdict.findings[verdict.policies.size() >= 2 ? verdict.policies.size() - 2 : 0];
    for (const auto& [soname, path] : newest.external)
        if (path && input.libraries.count(*path) && input.libraries.at(*path).executable_stack) found.libraries[soname] = *path;
    return found;
}

void choose_tags(std::size_t sym, std::size_t machine, const AnalysisOptions& options, Verdict& verdict) {
    const std::vector<PlatformPolicy>& policies = verdict.policies;
    std::size_t linux_index = policies.size() - 1, highest = 0;
    auto best_where = [&](const std::function<bool(const PolicyFinding&)>& holds) {
        for (std::size_t p = 0; p < policies.size(); ++p)
            if (p == linux_index || holds(verdict.findings[p])) return p;
        return linux_index;
    };
    std::size_t ref = best_where([](const PolicyFinding& f) { return f.external.empty(); });
    std::size_t blacklist = best_where([](const PolicyFinding& f) { return f.blacklisted.empty(); });
    std::size_t overall = std::max({sym, blacklist, machine, verdict.ucs2 ? linux_index : highest,
                                    verdict.pyfpe ? linux_index : highest});
    std::size_t graft_count = fewest_grafts(verdict, options.requested_base);
    std::size_t graft = best_where([&](const PolicyFinding& f) { return f.external.size() <= graft_count; });
    verdict.sym_tag = policies[sym].name;
    verdict.ref_tag = policies[ref].name;
    verdict.blacklist_tag = policies[blacklist].name;
    verdict.machine_tag = policies[machine].name;
    verdict.graft_tag = policies[std::max(overall, graft)].name;
    verdict.overall_tag = policies[std::max(overall, ref)].name;  // what the wheel satisfies as it is
}
}  // namespace

// The steps of man/policy-check.1's DESCRIPTION, in its order.
Verdict analyze_wheel(const AnalysisInput& input, const PolicyLoader& policies_for_architecture,
                      const AnalysisOptions& options) {
    Verdict verdict;
    verdict.wheel = input.wheel;
    const DetectedFromTags detected = detect_from_tags(input.platform_tags, input.wheel, verdict.log);
    Members members = accept_members(input, detected, options, verdict.log);
    if (members.accepted.empty()) {
        verdict.pure = detected.pure && input.elfs.empty();
        verdict.error = not_a_platform_wheel(input, members);
        return verdict;
    }
    const std::vector<PolicyFamily> families = policies_for_architecture(*members.architecture);
    if (!members.libc) verdict.no_libc_tag = default_libc(members, families, options, verdict.log);
    verdict.architecture = *members.architecture;
    verdict.libc = *members.libc;
    verdict.family = family_of(verdict.libc);
    verdict.android = detected.libc == "android";
    for (const ElfMember* elf : members.accepted) verdict.accepted.push_back(elf->path);
    for (LogLine& warning : unmatched_exclusions(members.accepted, options.exclude)) verdict.log.push_back(std::move(warning));

    verdict.policies = policies_to_judge(input, families, options, members, verdict.family, verdict.log);
    const std::vector<const ElfMember*> top_level = top_level_members(members.accepted);
    verdict.findings = judge_policies(input, members.accepted, top_level, verdict, options);
    const std::size_t sym = judge_symbol_versions(input, members.accepted, verdict);
    const std::size_t machine = judge_isa(input, top_level, verdict, options);
    verdict.unsupported_isa = machine == verdict.policies.size() - 1;
    judge_python_abi(members.accepted, verdict);
    choose_tags(sym, machine, options, verdict);
    verdict.executable_stack = find_executable_stacks(input, members.accepted, verdict);
    return verdict;
}

}  // namespace aw
