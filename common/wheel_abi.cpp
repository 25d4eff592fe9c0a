#include "paths.hpp"
#include "wheel_abi.hpp"

#include "diagnostics.hpp"
#include "external_libraries.hpp"
#include "symbol_versions.hpp"

#include <elf.h>

#include <algorithm>
#include <functional>

namespace aw {
namespace {
// Tag suffixes in pypa auditwheel's Architecture order, with their baselines.
const std::vector<std::pair<std::string, std::string>>& tag_architectures() {
    static const std::vector<std::pair<std::string, std::string>> architectures{
        {"aarch64", "aarch64"}, {"arm64_v8a", "aarch64"}, {"armv7l", "armv7l"},   {"i686", "i686"},
        {"loongarch64", "loongarch64"}, {"ppc64", "ppc64"}, {"ppc64le", "ppc64le"}, {"riscv64", "riscv64"},
        {"s390x", "s390x"},     {"x86_64", "x86_64"},     {"x86_64_v2", "x86_64"}, {"x86_64_v3", "x86_64"},
        {"x86_64_v4", "x86_64"}};
    return architectures;
}

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

std::string join(const std::vector<std::string>& items, const std::string& separator) {
    std::string text;
    for (const std::string& item : items) text += (text.empty() ? "" : separator) + item;
    return text;
}

std::size_t policy_index(const Verdict& verdict, const std::string& tag) {
    for (std::size_t i = 0; i < verdict.policies.size(); ++i)
        if (verdict.policies[i].name == tag) return i;
    return verdict.policies.size() - 1;
}

std::optional<std::string> policy_architecture(int elf_class, const std::string& byte_order, std::uint16_t e_machine,
                                               std::uint32_t e_flags) {
    bool little = byte_order == "little", is64 = elf_class == 64;
    switch (e_machine) {
        case EM_386: if (!is64 && little) return "i686"; break;
        case EM_X86_64: if (is64 && little) return "x86_64"; break;
        case EM_PPC64: if (is64) return little ? "ppc64le" : "ppc64"; break;
        case EM_RISCV: if (is64 && little) return "riscv64"; break;
        case EM_AARCH64: if (is64 && little) return "aarch64"; break;
        case EM_S390: if (is64 && !little) return "s390x"; break;
        case 258: if (is64 && little) return "loongarch64"; break;  // EM_LOONGARCH
        case EM_ARM:
            if (!is64 && little && (e_flags & EF_ARM_EABIMASK) == EF_ARM_EABI_VER5 && (e_flags & EF_ARM_ABI_FLOAT_HARD))
                return "armv7l";
            break;
        default: break;
    }
    return std::nullopt;
}

std::string strip_architecture_suffix(const std::string& plat) {
    for (const auto& [suffix, baseline] : tag_architectures())
        if (plat.ends_with("_" + suffix)) return plat.substr(0, plat.size() - suffix.size() - 1);
    return plat;
}

namespace {
struct Detected {
    std::optional<std::string> architecture;
    std::optional<std::string> libc;
    bool pure = false;
};

// Architecture and libc from the file name's platform tags (behaviour file 2.3),
// with pypa's warnings when the tags do not tell the architecture.
Detected detect_from_tags(const std::vector<std::string>& tags, const std::string& wheel, std::vector<LogLine>& log) {
    Detected detected;
    std::set<std::string> architectures, libcs;
    bool unknown = false;
    for (const std::string& tag : tags) {
        if (tag == "any") {
            detected.pure = true;
            continue;
        }
        bool matched = false;
        for (const auto& [suffix, baseline] : tag_architectures())
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
            parts.push_back(join(named, ", "));
        }
    }
    if (parts.empty()) return "";
    std::vector<std::string> ceilings;
    for (const std::string& space : namespaces) {
        const std::set<std::string>& allowed = policy.symbol_versions.at(space);
        auto newest = std::max_element(allowed.begin(), allowed.end(), version_less);
        ceilings.push_back(newest == allowed.end() ? space + " not at all" : space + " up to " + *newest);
    }
    return fmt::format("{} needs {} ({} allows {})", who, join(parts, ", "), policy.name, join(ceilings, ", "));
}
}  // namespace

Verdict analyze_wheel(const AnalysisInput& input, const std::vector<PolicyFamily>& families, const AnalysisOptions& options) {
    Verdict verdict;
    verdict.wheel = input.wheel;
    Detected detected = detect_from_tags(input.platform_tags, input.wheel, verdict.log);
    std::optional<std::string> architecture = detected.architecture, libc = detected.libc;
    bool android = libc == "android";

    std::vector<const ElfMember*> accepted;
    std::vector<std::string> in_purelib, ignored;
    std::optional<std::size_t> policies_logged_at;  // where pypa, choosing the policies, warns about them
    for (const ElfMember& elf : input.elfs) {
        if (("/" + elf.path).find("/purelib/") != std::string::npos) in_purelib.push_back(elf.path);
        std::set<std::string> walked;
        walk_exclusions(elf, elf.needed, options.exclude, walked, verdict.log);
        std::optional<std::string> arch = policy_architecture(elf.elf_class, elf.byte_order, elf.e_machine, elf.e_flags);
        if (!arch) {
            verdict.log.push_back({true, fmt::format("ignoring: {} with unknown architecture", elf.path)});
            ignored.push_back(elf.path);
            continue;
        }
        if (!architecture) {
            architecture = arch;
            verdict.log.push_back({false, "setting architecture to " + *arch});
        }
        if (*arch != *architecture) {
            verdict.log.push_back({true, fmt::format("ignoring: {} with {} architecture", elf.path, *arch)});
            ignored.push_back(elf.path);
            continue;
        }
        if (elf.libc && !android) {
            if (!libc) {
                libc = elf.libc;
                // pypa's repair takes the libc from a --plat of a family before this, so says nothing.
                const std::string& plat = options.requested_base;
                if (!plat.starts_with("manylinux") && !plat.starts_with("musllinux") && !plat.starts_with("android"))
                    verdict.log.push_back({false, "setting libc to " + *libc});
            }
            if (*elf.libc != *libc) {
                verdict.log.push_back({true, fmt::format("ignoring: {} with {} libc", elf.path, *elf.libc)});
                continue;
            }
        }
        if (!policies_logged_at && libc) policies_logged_at = verdict.log.size();
        // As pypa auditwheel: an extension must tell its libc (or the name must); guessing
        // glibc would label a musl extension manylinux.
        if (elf.python_extension && !libc)
            fail("{}: couldn't detect libc for python extension {}", input.wheel, elf.path);
        accepted.push_back(&elf);
    }
    if (!in_purelib.empty())
        fail("{}: invalid binary wheel, ELF files in the purelib folder: {}; the wheel has to be platlib compliant",
             input.wheel, join(in_purelib, ", "));
    if (accepted.empty()) {
        verdict.pure = detected.pure && input.elfs.empty();
        verdict.error = ignored.empty()
                            ? "This does not look like a platform wheel, no ELF executable or shared library file "
                              "(including compiled Python C extension) found in the wheel archive"
                            : fmt::format("Invalid binary wheel: no ELF executable or shared library file (including "
                                          "compiled Python C extension) with a '{}' architecture found. The following "
                                          "ELF files were found: {}",
                                          architecture.value_or("unknown"), join(ignored, ", "));
        if (!input.unreadable.empty())
            *verdict.error += fmt::format("; these members look like ELF files but could not be read: {}",
                                          join(input.unreadable, "; "));
        return verdict;
    }
    if (!libc) {
        // pypa auditwheel's fallback: the host's libc (musl where /lib has musl's libc).
        libc = options.host_musl_version ? "musl" : "glibc";
        verdict.log.push_back({true, "couldn't detect wheel libc, defaulting to " + *libc});
        const std::string other = *libc == "musl" ? "manylinux" : "musllinux";
        if (std::all_of(accepted.begin(), accepted.end(), [](const ElfMember* elf) { return elf->needed.empty(); }))
            for (const PolicyFamily& family : families)
                if (family.family == other)
                    if (std::vector<PlatformPolicy> oldest = policies_for(family, *architecture); oldest.size() > 1)
                        verdict.no_libc_tag = oldest.front().name;
    }
    verdict.architecture = *architecture;
    verdict.libc = *libc;
    verdict.family = *libc == "glibc" ? "manylinux" : *libc == "musl" ? "musllinux" : "android";
    for (const PolicyFamily& family : families)
        if (family.family == verdict.family) verdict.policies = policies_for(family, *architecture);
    if (verdict.family == "musllinux") {
        std::vector<std::string> warnings;
        verdict.policies = musl_policies_for_host(std::move(verdict.policies), options.host_musl_version, warnings);
        auto at = verdict.log.begin() + static_cast<std::ptrdiff_t>(policies_logged_at.value_or(verdict.log.size()));
        for (const std::string& warning : warnings) at = verdict.log.insert(at, LogLine{true, warning}) + 1;
    }
    if (verdict.family == "android")
        verdict.policies = android_policies_for_tag(std::move(verdict.policies), input.platform_tags, input.wheel);
    if (verdict.policies.empty()) fail("no {} policies are loaded", verdict.family);
    const std::vector<PlatformPolicy>& policies = verdict.policies;
    auto by_priority = [&](std::size_t index) { return policies[index].priority; };
    std::size_t linux_index = policies.size() - 1, highest = 0;

    // Top-level ELF files: extensions, and other ELF files no ELF in the wheel needs.
    std::set<std::string> needed_names;
    for (const ElfMember* elf : accepted) {
        needed_names.insert(elf->needed.begin(), elf->needed.end());
        for (const auto& [name, library] : elf->libraries) needed_names.insert(library.needed.begin(), library.needed.end());
    }
    std::vector<const ElfMember*> top_level;
    for (const ElfMember* elf : accepted)
        if (elf->python_extension || !needed_names.count(file_name_of(elf->path))) top_level.push_back(elf);

    VersionRequirements wheel_versions;
    for (const ElfMember* elf : accepted) merge_versions(wheel_versions, elf->versions);

    verdict.findings.resize(policies.size());
    for (std::size_t p = 0; p < policies.size(); ++p) {
        PolicyFinding& finding = verdict.findings[p];
        if (p == linux_index) continue;  // linux: nothing external, nothing blacklisted
        for (const ElfMember* elf : top_level) {
            for (auto& [name, path] : external_libraries(*elf, policies[p], android, options.exclude))
                finding.external[name] = path;
            for (const std::string& needed : elf->needed) {
                auto tree = elf->libraries.find(needed);
                if (is_excluded(needed, tree == elf->libraries.end() ? std::nullopt : tree->second.realpath, options.exclude))
                    continue;
                auto listed = policies[p].blacklist.find(needed);
                if (listed == policies[p].blacklist.end()) continue;
                for (const std::string& symbol : listed->second)
                    if (elf->undefined.count(symbol)) finding.blacklisted[needed].insert(symbol);
            }
        }
        for (const ElfMember* elf : accepted) {
            std::string too_new = describe_too_new(elf->path, elf->versions, policies[p]);
            if (!too_new.empty()) finding.too_new.push_back(too_new);
        }
        for (const auto& [name, path] : finding.external) {
            if (!path || !input.libraries.count(*path)) continue;
            std::string too_new = describe_too_new(name + " (grafted)", input.libraries.at(*path).versions, policies[p]);
            if (!too_new.empty()) finding.too_new.push_back(too_new);
        }
        finding.symbols_ok = finding.too_new.empty();
    }

    // Symbol versions, counting what grafting each policy's external libraries would add.
    std::size_t sym = linux_index;
    VersionRequirements winning_versions = wheel_versions;
    for (std::size_t p = 0; p < linux_index; ++p) {
        VersionRequirements versions = wheel_versions;
        for (const auto& [name, path] : verdict.findings[p].external)
            if (path && input.libraries.count(*path)) merge_versions(versions, input.libraries.at(*path).versions);
        auto required = required_namespaces(versions);
        std::size_t satisfied = linux_index;
        for (std::size_t q = 0; q < linux_index; ++q)
            if (symbols_satisfy(required, policies[q])) {
                satisfied = q;
                break;
            }
        std::size_t found = std::max(p, satisfied);  // the lower priority of the two
        if (by_priority(found) > by_priority(sym)) {
            sym = found;
            winning_versions = versions;
        }
    }
    for (const auto& [file, by_version] : winning_versions) {
        if (is_dynamic_loader(file)) continue;
        for (const auto& [version, symbols] : by_version) verdict.versioned_symbols[file].insert(version);
    }

    auto best_where = [&](const std::function<bool(const PolicyFinding&)>& holds) {
        for (std::size_t p = 0; p < policies.size(); ++p)
            if (p == linux_index || holds(verdict.findings[p])) return p;
        return linux_index;
    };
    std::size_t ref = best_where([](const PolicyFinding& f) { return f.external.empty(); });
    std::size_t blacklist = best_where([](const PolicyFinding& f) { return f.blacklisted.empty(); });

    for (const ElfMember* elf : accepted) {
        if (!elf->python_extension) continue;
        verdict.ucs2 |= elf->ucs2;
        verdict.pyfpe |= elf->pyfpe;
    }

    std::size_t machine = highest;
    if (!options.disable_isa_ext_check && *architecture == "x86_64") {
        auto check = [&](const std::string& who, std::optional<std::uint32_t> needed, const std::string& soname) {
            if (!needed || (*needed & ~1u) == 0) return;
            std::string level = x86_isa_level(*needed);
            for (std::size_t p = 0; p < linux_index; ++p)
                if (!soname.empty() && policies[p].whitelist.count(soname)) {
                    machine = std::max(machine, p);
                    return;
                }
            verdict.log.push_back({true, fmt::format("ELF file {} requires '{}' instruction set, not in 'x86_64'", who, level)});
            machine = linux_index;
        };
        for (const ElfMember* elf : top_level) check(elf->path, elf->x86_isa_needed, "");
        std::set<std::string> external;
        for (std::size_t p = 0; p < linux_index; ++p)
            for (const auto& [name, path] : verdict.findings[p].external)
                if (path && external.insert(*path).second && input.libraries.count(*path))
                    check(*path, input.libraries.at(*path).x86_isa_needed, name);
    }
    verdict.unsupported_isa = machine == linux_index;

    std::size_t overall = std::max({sym, blacklist, machine, verdict.ucs2 ? linux_index : highest,
                                    verdict.pyfpe ? linux_index : highest});
    // pypa auditwheel counts grafts over all policies for auto, else over the policies
    // named <base>_... (so an alias such as manylinux2014 counts none: zero).
    std::size_t graft_count = SIZE_MAX;
    for (std::size_t p = 0; p < linux_index; ++p)
        if (options.requested_base == "auto" || policies[p].name.starts_with(options.requested_base + "_"))
            graft_count = std::min(graft_count, verdict.findings[p].external.size());
    if (graft_count == SIZE_MAX) graft_count = 0;
    std::size_t graft = best_where([&](const PolicyFinding& f) { return f.external.size() <= graft_count; });

    verdict.sym_tag = policies[sym].name;
    verdict.ref_tag = policies[ref].name;
    verdict.blacklist_tag = policies[blacklist].name;
    verdict.machine_tag = policies[machine].name;
    verdict.graft_tag = policies[std::max(overall, graft)].name;
    verdict.overall_tag = policies[std::max(overall, ref)].name;  // what the wheel satisfies as it is
    for (const ElfMember* elf : accepted) verdict.accepted.push_back(elf->path);
    verdict.android = android;
    return verdict;
}

}  // namespace aw
