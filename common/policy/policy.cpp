#include "policy/policy.hpp"

#include "base/diagnostics.hpp"
#include "base/process.hpp"
#include "elf/architectures.hpp"
#include "policy/compiled_data.hpp"
#include "protocol/records.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <glob.h>
#include <sys/utsname.h>
#include <utility>

namespace aw {
namespace {
std::vector<std::string> string_list(const YAML::Node& node, const std::string& where) {
    if (!node || !node.IsSequence()) fail("{}: expected a list", where);
    std::vector<std::string> items;
    for (const YAML::Node& item : node) items.push_back(item.as<std::string>());
    return items;
}

const YAML::Node required(const YAML::Node& node, const char* key, const std::string& where) {
    YAML::Node value = node[key];
    if (!value) fail("{}: missing \"{}\"", where, key);
    return value;
}

Policy parse_policy(const YAML::Node& node, const std::string& file, std::size_t index) {
    Policy policy;
    std::string where = fmt::format("{}: policies[{}]", file, index);
    policy.name = required(node, "name", where).as<std::string>();
    where = fmt::format("{}: policy {}", file, policy.name);
    policy.aliases = string_list(required(node, "aliases", where), where + ": aliases");
    policy.priority = required(node, "priority", where).as<int>();
    for (const auto& arch : required(node, "architectures", where)) {
        auto& namespaces = policy.architectures[arch.first.as<std::string>()];
        for (const auto& space : arch.second) {
            std::vector<std::string> versions = string_list(space.second, where + ": " + space.first.as<std::string>());
            namespaces[space.first.as<std::string>()].insert(versions.begin(), versions.end());
        }
    }
    policy.whitelist = string_list(required(node, "whitelist", where), where + ": whitelist");
    for (const auto& entry : required(node, "blacklist", where)) {
        std::vector<std::string> symbols = string_list(entry.second, where + ": blacklist");
        policy.blacklist[entry.first.as<std::string>()].insert(symbols.begin(), symbols.end());
    }
    return policy;
}

// PEP 600: a newer policy (lower priority) allows at least what an older one does.
void check_monotonic(const PolicyFamily& family, const std::string& file) {
    std::vector<const Policy*> ordered;
    for (const Policy& policy : family.policies)
        if (policy.priority > 0) ordered.push_back(&policy);
    std::sort(ordered.begin(), ordered.end(), [](const Policy* a, const Policy* b) { return a->priority > b->priority; });
    for (std::size_t i = 1; i < ordered.size(); ++i) {
        const Policy& older = *ordered[i - 1];
        const Policy& newer = *ordered[i];
        for (const std::string& lib : older.whitelist)
            if (std::find(newer.whitelist.begin(), newer.whitelist.end(), lib) == newer.whitelist.end())
                fail("{}: policy {} does not whitelist {}, which the older {} does", file, newer.name, lib, older.name);
        for (const auto& [arch, namespaces] : older.architectures) {
            auto newer_arch = newer.architectures.find(arch);
            if (newer_arch == newer.architectures.end()) continue;
            for (const auto& [space, versions] : namespaces)
                for (const std::string& version : versions)
                    if (!newer_arch->second.count(space) || !newer_arch->second.at(space).count(version))
                        fail("{}: policy {} ({}) does not allow {}_{}, which the older {} does", file, newer.name, arch,
                             space, version, older.name);
        }
    }
}

PolicyFamily parse_policy_family(const YAML::Node& root, const std::string& path) {
    PolicyFamily family;
    try {
        family.family = required(root, "family", path).as<std::string>();
        family.libc = required(root, "libc", path).as<std::string>();
        std::size_t index = 0;
        for (const YAML::Node& node : required(root, "policies", path)) family.policies.push_back(parse_policy(node, path, index++));
    } catch (const YAML::Exception& error) {
        fail("{}: line {}: {}", path, error.mark.line + 1, error.msg);
    }
    check_monotonic(family, path);
    return family;
}

YAML::Node load_yaml(const std::string& path) {
    try {
        return YAML::LoadFile(path);
    } catch (const YAML::Exception& error) {
        fail("{}: {}", path, error.what());
    }
}

// The compiled form: the PolicyFamily itself as JSON (nlohmann parses it some fifty times faster
// than yaml-cpp parses the YAML, which is most of a show's start-up).
Json family_json(const PolicyFamily& family, const std::string& architecture) {
    Json policies = Json::array();
    for (const Policy& policy : family.policies) {
        Json architectures = Json::object();
        if (auto arch = policy.architectures.find(architecture); arch != policy.architectures.end())
            architectures[architecture] = arch->second;
        policies.push_back({{"name", policy.name}, {"aliases", policy.aliases}, {"priority", policy.priority},
                            {"architectures", architectures}, {"whitelist", policy.whitelist},
                            {"blacklist", policy.blacklist}});
    }
    return {{"family", family.family}, {"libc", family.libc}, {"policies", policies}};
}

// The compiled split back as a family; nullopt when it is not one (the YAML is read instead).
std::optional<PolicyFamily> family_from_json(const Json& root) try {
    PolicyFamily family{root.at("family").get<std::string>(), root.at("libc").get<std::string>(), {}};
    for (const Json& entry : root.at("policies"))
        family.policies.push_back(Policy{entry.at("name").get<std::string>(), entry.at("aliases").get<std::vector<std::string>>(),
                                         entry.at("priority").get<int>(),
                                         entry.at("architectures").get<decltype(Policy::architectures)>(),
                                         entry.at("whitelist").get<std::vector<std::string>>(),
                                         entry.at("blacklist").get<decltype(Policy::blacklist)>()});
    return family;
} catch (const Json::exception&) {
    return std::nullopt;
}

}  // namespace

PolicyFamily load_policy_file(const std::string& path) {
    return parse_policy_family(load_yaml(path), path);
}

std::string architecture_split_path(const std::string& directory, const std::string& stem, const std::string& architecture) {
    return fmt::format("{}/by-architecture/{}-{}.json", directory, stem, architecture);
}

std::vector<PolicyFamily> load_policies(const std::string& directory, const std::optional<std::string>& architecture) {
    std::vector<PolicyFamily> families;
    for (const char* stem : kPolicyFamilyFiles) {
        std::string full = fmt::format("{}/{}.yaml", directory, stem);
        std::optional<Json> split;
        if (architecture) split = current_compiled(architecture_split_path(directory, stem, *architecture), full);
        std::optional<PolicyFamily> compiled = split ? family_from_json(*split) : std::nullopt;
        families.push_back(compiled ? std::move(*compiled) : load_policy_file(full));
    }
    return families;
}

PreloadedPolicies::PreloadedPolicies(std::string directory, std::string architecture)
    : directory_(std::move(directory)), architecture_(std::move(architecture)) {
    try {
        families_ = load_policies(directory_, architecture_);
    } catch (const Error&) {
        failure_ = std::current_exception();
    }
}

std::vector<PolicyFamily> PreloadedPolicies::take(const std::string& architecture) {
    if (architecture != architecture_) return load_policies(directory_, architecture);
    if (failure_) std::rethrow_exception(std::exchange(failure_, nullptr));
    if (!families_) return load_policies(directory_, architecture);
    std::vector<PolicyFamily> families = std::move(*families_);
    families_.reset();
    return families;
}

std::set<std::string> policy_architectures(const PolicyFamily& family) {
    std::set<std::string> names;
    for (const Policy& policy : family.policies)
        for (const auto& entry : policy.architectures) names.insert(entry.first);
    return names;
}

std::string architecture_split(const PolicyFamily& family, const std::string& family_file, const std::string& architecture) {
    return compiled_text(family_json(family, architecture), family_file);
}

std::vector<PlatformPolicy> policies_for(const PolicyFamily& family, const std::string& architecture) {
    std::vector<PlatformPolicy> result;
    for (const Policy& policy : family.policies) {
        auto arch = policy.architectures.find(architecture);
        if (policy.priority != 0 && arch == policy.architectures.end()) continue;
        // The fallback is linux_<architecture> in every family: an android aarch64 wheel that no
        // android policy takes is linux_aarch64 in pypa auditwheel, not linux_arm64_v8a.
        std::string suffix = "_" + (policy.priority == 0 ? architecture : platform_tag_arch(family.family, architecture));
        PlatformPolicy platform;
        platform.name = policy.name + suffix;
        for (const std::string& alias : policy.aliases) platform.aliases.push_back(alias + suffix);
        platform.priority = policy.priority;
        if (arch != policy.architectures.end()) platform.symbol_versions = arch->second;
        for (const std::string& lib : policy.whitelist)
            platform.whitelist.insert(family.libc == "musl" && lib == "libc.so" ? musl_libc_soname(architecture) : lib);
        platform.blacklist = policy.blacklist;
        result.push_back(std::move(platform));
    }
    std::stable_sort(result.begin(), result.end(),
                     [](const PlatformPolicy& a, const PlatformPolicy& b) { return a.priority > b.priority; });
    return result;
}

std::vector<PlatformPolicy> musl_policies_for_host(std::vector<PlatformPolicy> policies,
                                                   const std::optional<std::string>& host_musl_version,
                                                   std::vector<std::string>& warnings) {
    if (policies.size() < 2) return policies;
    std::size_t keep = policies.size() - 2;  // the newest: lowest priority but linux
    bool found = false;
    if (host_musl_version) {
        std::size_t dot = host_musl_version->find('.');
        std::size_t second = host_musl_version->find('.', dot + 1);
        std::string prefix = "musllinux_" + host_musl_version->substr(0, dot) + "_" +
                             host_musl_version->substr(dot + 1, second - dot - 1) + "_";
        for (std::size_t p = 0; p + 1 < policies.size(); ++p)
            if (dot != std::string::npos && policies[p].name.starts_with(prefix)) keep = p, found = true;
    }
    if (!found) warnings.push_back("can't determine musl libc version, latest known version will be used.");
    return {policies[keep], policies.back()};
}

std::optional<int> android_api_level(const std::string& tag) {
    if (!tag.starts_with("android_")) return std::nullopt;
    std::size_t start = 8, end = tag.find('_', start);
    if (end == std::string::npos || end == start || end - start > 4) return std::nullopt;
    int level = 0;
    for (std::size_t i = start; i < end; ++i) {
        if (!std::isdigit(static_cast<unsigned char>(tag[i]))) return std::nullopt;
        level = level * 10 + (tag[i] - '0');
    }
    return level;
}

std::vector<PlatformPolicy> android_policies_for_tag(std::vector<PlatformPolicy> policies,
                                                     const std::vector<std::string>& platform_tags,
                                                     const std::string& wheel) {
    if (platform_tags.size() != 1)
        fail("{}: an Android wheel must have exactly one platform tag, not {}", wheel, platform_tags.size());
    const std::string& tag = platform_tags.front();
    int wanted = android_api_level(tag).value_or(-1);
    std::optional<std::size_t> chosen;
    for (std::size_t p = 0; p + 1 < policies.size(); ++p) {
        int level = android_api_level(policies[p].name).value_or(-1);
        if (level >= 0 && level <= wanted && (!chosen || level > *android_api_level(policies[*chosen].name))) chosen = p;
    }
    if (!chosen) fail("{}: no Android policies match the platform tag '{}'", wheel, tag);
    PlatformPolicy policy = policies[*chosen];
    policy.name = tag;
    policy.aliases.clear();
    return {policy, policies.back()};
}

std::string host_architecture() {
    struct utsname host {};
    if (::uname(&host) != 0) return "unknown";
    return architecture_of_uname(host.machine);
}

std::vector<PlatformPolicy> host_platforms(const std::vector<PolicyFamily>& families) {
    std::optional<std::string> musl = host_musl_version();
    std::vector<PlatformPolicy> policies;
    for (const PolicyFamily& family : families)
        if (family.family == (musl ? "musllinux" : "manylinux")) policies = policies_for(family, host_architecture());
    std::vector<std::string> ignored;
    return musl ? musl_policies_for_host(std::move(policies), musl, ignored) : policies;
}

std::optional<std::string> host_musl_version() {
    glob_t matches{};
    int status = ::glob("/lib/libc.musl-*.so.1", 0, nullptr, &matches);
    std::optional<std::string> library;
    if (status == 0 && matches.gl_pathc == 1) library = matches.gl_pathv[0];
    ::globfree(&matches);
    return library ? musl_version_of(*library) : std::nullopt;
}

std::optional<std::string> musl_version_of(const std::string& libc_path) {
    // musl's libc, run as a program, prints its version on standard error (and exits 1).
    std::optional<ProgramOutput> run = run_program({libc_path});
    if (!run) return std::nullopt;
    const std::string& output = run->err;
    std::size_t at = output.find("Version ");
    if (at == std::string::npos) return std::nullopt;
    std::size_t start = at + 8, end = start;
    while (end < output.size() && (std::isdigit(static_cast<unsigned char>(output[end])) || output[end] == '.')) ++end;
    std::string version = output.substr(start, end - start);
    if (std::count(version.begin(), version.end(), '.') != 2 || !std::isdigit(static_cast<unsigned char>(version[0])))
        return std::nullopt;
    return version;
}

}  // namespace aw
