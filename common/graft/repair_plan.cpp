#include "graft/repair_plan.hpp"

#include "base/diagnostics.hpp"
#include "elf/architectures.hpp"
#include "elf/dependency_tree.hpp"
#include "policy/external_libraries.hpp"

#include <algorithm>
#include <fmt/ranges.h>

namespace aw {
namespace {
[[noreturn]] void refuse_repair(const Verdict& verdict, const std::string& plat, const std::string& why) {
    throw Error(fmt::format("cannot repair \"{}\" to \"{}\" ABI because {}", verdict.wheel, plat, why), kExitRefused);
}
}  // namespace

RepairPlan plan_repair(const AnalysisInput& input, const Verdict& verdict, const std::string& plat, bool only_plat,
                       const AnalysisOptions& options) {
    const std::vector<PlatformPolicy>& policies = verdict.policies;
    std::size_t linux_index = policies.size() - 1;
    std::size_t overall = policy_index(verdict, verdict.graft_tag);
    std::size_t requested = overall;
    if (plat == "auto") {
        if (overall == linux_index && linux_index > 0) requested = linux_index - 1;  // the newest policy, for its error
    } else {
        std::string arch = platform_tag_arch(verdict.family, verdict.architecture);
        // pypa auditwheel's check: a wheel of one architecture is not tagged for another.
        if (plat != options.requested_base && plat != options.requested_base + "_" + arch)
            throw Error(fmt::format("can't repair wheel {} with {} architecture to a wheel targeting {}", verdict.wheel,
                                    arch, plat.substr(options.requested_base.size() + 1)), kExitUsage);
        std::string wanted = options.requested_base + "_" + arch;
        requested = policies.size();
        for (std::size_t p = 0; p < linux_index; ++p)
            if (policies[p].name == wanted ||
                std::find(policies[p].aliases.begin(), policies[p].aliases.end(), wanted) != policies[p].aliases.end())
                requested = p;
        if (requested == policies.size()) {
            // pypa's argparse names the choices; they are the policies of the wheel's family and architecture.
            std::vector<std::string> names, aliases;  // newest first, then the aliases, then auto, as pypa
            for (std::size_t p = linux_index; p-- > 0;) {
                names.push_back(policies[p].name);
                aliases.insert(aliases.end(), policies[p].aliases.begin(), policies[p].aliases.end());
            }
            names.insert(names.end(), aliases.begin(), aliases.end());
            names.push_back("auto");
            throw Error(fmt::format("{}: invalid --plat \"{}\" for a {} {} wheel (choose from {})", verdict.wheel, plat,
                                    verdict.libc, verdict.architecture, fmt::join(names, ", ")), kExitUsage);
        }
    }
    const PlatformPolicy& target = policies[requested];
    const PolicyFinding& finding = verdict.findings[requested];
    if (requested < policy_index(verdict, verdict.sym_tag))
        refuse_repair(verdict, target.name,
                      fmt::format("of the presence of too-recent versioned symbols: {}. You'll need to compile the wheel "
                                  "on an older toolchain.", fmt::join(finding.too_new, "; ")));
    if (verdict.ucs2)
        refuse_repair(verdict, target.name, "it was compiled against a UCS2 build of Python. You'll need to compile the "
                                            "wheel against a wide-unicode build of Python.");
    if (requested < policy_index(verdict, verdict.blacklist_tag)) {
        std::vector<std::string> used;
        for (const auto& [library, symbols] : finding.blacklisted)
            used.push_back(fmt::format("{}: {}", library, fmt::join(symbols, ", ")));
        refuse_repair(verdict, target.name, fmt::format("it depends on black-listed symbols ({}).", fmt::join(used, "; ")));
    }
    if (requested < policy_index(verdict, verdict.machine_tag))
        refuse_repair(verdict, target.name, "it depends on unsupported ISA extensions.");

    RepairPlan plan;
    auto add_tags = [&plan](const PlatformPolicy& policy) {
        std::vector<std::string> tags{policy.name};
        tags.insert(tags.end(), policy.aliases.begin(), policy.aliases.end());
        for (const std::string& tag : tags)
            if (std::find(plan.abis.begin(), plan.abis.end(), tag) == plan.abis.end()) plan.abis.push_back(tag);
    };
    if (!only_plat && overall < requested) {  // eligible for an older, wider tag
        add_tags(policies[overall]);
        plan.eligible = policies[overall].name;
    }
    add_tags(target);
    if (!verdict.android) plan.replace_platforms.push_back("linux_" + verdict.architecture);

    const PlatformPolicy& graft_under = policies[policy_index(verdict, plan.abis.front())];
    for (const ElfMember& elf : input.elfs) {
        if (std::find(verdict.accepted.begin(), verdict.accepted.end(), elf.path) == verdict.accepted.end()) continue;
        std::vector<std::string> grafted, libpython;
        for (const auto& [name, path] : external_libraries(elf, graft_under, verdict.android, options.exclude)) {
            if (is_libpython(name)) {
                libpython.push_back(name);
                continue;
            }
            if (!path)
                fail("cannot repair wheel {}, because required library \"{}\" could not be located", verdict.wheel, name);
            plan.libraries[name] = *path;
            grafted.push_back(name);
            if (std::find(elf.included.begin(), elf.included.end(), name) != elf.included.end()) plan.included.insert(name);
        }
        if (!grafted.empty()) plan.members.emplace_back(elf.path, grafted);
        if (!libpython.empty()) plan.remove_needed.emplace_back(elf.path, libpython);
    }
    return plan;
}

Retag retag_of(const RepairPlan& plan) { return Retag{plan.abis, plan.replace_platforms}; }

GraftPlan graft_plan_of(const RepairPlan& plan, const Verdict& verdict) {
    return GraftPlan{verdict.wheel, plan.abis.front(), plan.abis, plan.libraries, plan.members, plan.remove_needed,
                     plan.included};
}

}  // namespace aw
