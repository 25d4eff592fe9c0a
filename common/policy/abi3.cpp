#include "policy/abi3.hpp"

#include "base/diagnostics.hpp"
#include "elf/symbol_versions.hpp"
#include "policy/compiled_data.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <string_view>

namespace aw {

namespace {
StableAbi parse_stable_abi(const std::string& path) {
    StableAbi stable;
    try {
        YAML::Node root = YAML::LoadFile(path);
        if (!root["abi3t"] || !root["abi3t"].IsScalar()) fail("{}: missing \"abi3t\" (the first version with one)", path);
        stable.abi3t_since = root["abi3t"].as<std::string>();
        YAML::Node versions = root["versions"];
        if (!versions || !versions.IsMap()) fail("{}: missing \"versions\"", path);
        for (const auto& entry : versions) {
            const std::string version = entry.first.as<std::string>();
            for (const char* kind : {"functions", "data"}) {
                YAML::Node names = entry.second[kind];
                if (!names || !names.IsSequence()) fail("{}: versions: {}: missing \"{}\"", path, version, kind);
                for (const YAML::Node& name : names) stable.symbols.emplace(name.as<std::string>(), version);
            }
        }
    } catch (const YAML::Exception& error) {
        fail("{}: line {}: {}", path, error.mark.line + 1, error.msg);
    }
    return stable;
}
}  // namespace

std::string compiled_stable_abi_path(const std::string& path) {
    std::string stem = path.ends_with(".yaml") ? path.substr(0, path.size() - 5) : path;
    return stem + ".json";
}

StableAbi load_stable_abi(const std::string& path) {
    if (std::optional<Json> compiled = current_compiled(compiled_stable_abi_path(path), path)) {
        const Json& symbols = compiled->value("symbols", Json());
        const Json& abi3t = compiled->value("abi3t", Json());
        if (symbols.is_object() && abi3t.is_string())
            return StableAbi{symbols.get<std::map<std::string, std::string>>(), abi3t.get<std::string>()};
    }
    return parse_stable_abi(path);
}

std::string compiled_stable_abi(const std::string& path) {
    StableAbi stable = parse_stable_abi(path);
    return compiled_text(Json{{"symbols", stable.symbols}, {"abi3t", stable.abi3t_since}}, path);
}

std::optional<StableAbiPromise> stable_abi_promise(const std::vector<std::string>& python_tags,
                                                   const std::vector<std::string>& abi_tags) {
    auto has = [&](const char* tag) { return std::find(abi_tags.begin(), abi_tags.end(), tag) != abi_tags.end(); };
    const char* tag = has("abi3") ? (has("abi3t") ? "abi3.abi3t" : "abi3") : has("abi3t") ? "abi3t" : nullptr;
    if (tag == nullptr) return std::nullopt;
    std::optional<std::string> lowest;
    for (const std::string& tag : python_tags) {
        if (!tag.starts_with("cp3") || tag.size() < 4 ||
            !std::all_of(tag.begin() + 2, tag.end(), [](char c) { return c >= '0' && c <= '9'; }))
            continue;
        std::string version = "3." + tag.substr(3);
        if (!lowest || version_less(version, *lowest)) lowest = version;
    }
    if (!lowest) return std::nullopt;
    return StableAbiPromise{tag, *lowest};
}

bool has_abi3t_suffix(const std::string& path) {
    std::string name = path.substr(path.rfind('/') + 1);
    std::size_t at = name.find(".abi3t");
    if (at == std::string::npos || at == 0 || !name.ends_with(".so")) return false;
    std::string_view rest = std::string_view(name).substr(at + 6);
    return rest == ".so" || (rest.starts_with('-') && rest.size() > 4 && rest.find('.') == rest.size() - 3);
}

bool Abi3Report::violates() const {
    return abi3t_since || std::any_of(extensions.begin(), extensions.end(), [](const Abi3Extension& e) { return e.violates(); });
}

Abi3Report check_abi3(const std::vector<ElfMember>& members, const StableAbi& stable, const StableAbiPromise& promise) {
    Abi3Report report{promise.tag, promise.minimum, std::nullopt, {}};
    // PEP 803: no abi3t before its first version (cp314-abi3t is reserved, and no headers make one).
    if (promise.abi3t() && version_less(promise.minimum, stable.abi3t_since)) report.abi3t_since = stable.abi3t_since;
    const std::string& minimum = promise.minimum;
    for (const ElfMember& member : members) {
        if (!member.python_extension) continue;
        Abi3Extension extension{member.path, {}, {}, "3.2", promise.abi3t() && !has_abi3t_suffix(member.path)};
        for (const std::string& symbol : member.undefined) {
            if (!symbol.starts_with("Py") && !symbol.starts_with("_Py")) continue;
            auto found = stable.symbols.find(symbol);
            if (found == stable.symbols.end()) {
                extension.outside.push_back(symbol);
                continue;
            }
            if (version_less(extension.needs, found->second)) extension.needs = found->second;
            if (version_less(minimum, found->second)) extension.newer[symbol] = found->second;
        }
        report.extensions.push_back(std::move(extension));
    }
    return report;
}

std::optional<Abi3Report> abi3_report(const AnalysisInput& input, const std::string& stable_abi_path) {
    std::optional<StableAbiPromise> promise = stable_abi_promise(input.python_tags, input.abi_tags);
    if (!promise) return std::nullopt;
    return check_abi3(input.elfs, load_stable_abi(stable_abi_path), *promise);
}

}  // namespace aw
