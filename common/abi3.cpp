#include "abi3.hpp"

#include "compiled_data.hpp"
#include "diagnostics.hpp"
#include "symbol_versions.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>

namespace aw {

namespace {
StableAbi parse_stable_abi(const std::string& path) {
    StableAbi stable;
    try {
        YAML::Node root = YAML::LoadFile(path);
        YAML::Node versions = root["versions"];
        if (!versions || !versions.IsMap()) fail("{}: missing \"versions\"", path);
        for (const auto& entry : versions) {
            const std::string version = entry.first.as<std::string>();
            for (const char* kind : {"functions", "data"}) {
                YAML::Node names = entry.second[kind];
                if (!names || !names.IsSequence()) fail("{}: versions: {}: missing \"{}\"", path, version, kind);
                for (const YAML::Node& name : names) stable.emplace(name.as<std::string>(), version);
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
        if (symbols.is_object()) return symbols.get<StableAbi>();
    }
    return parse_stable_abi(path);
}

std::string compiled_stable_abi(const std::string& path) {
    return compiled_text(Json{{"symbols", parse_stable_abi(path)}}, path);
}

std::optional<std::string> abi3_minimum(const std::vector<std::string>& python_tags,
                                        const std::vector<std::string>& abi_tags) {
    if (std::find(abi_tags.begin(), abi_tags.end(), "abi3") == abi_tags.end()) return std::nullopt;
    std::optional<std::string> lowest;
    for (const std::string& tag : python_tags) {
        if (!tag.starts_with("cp3") || tag.size() < 4 ||
            !std::all_of(tag.begin() + 2, tag.end(), [](char c) { return c >= '0' && c <= '9'; }))
            continue;
        std::string version = "3." + tag.substr(3);
        if (!lowest || version_less(version, *lowest)) lowest = version;
    }
    return lowest;
}

bool Abi3Report::violates() const {
    return std::any_of(extensions.begin(), extensions.end(), [](const Abi3Extension& e) { return e.violates(); });
}

Abi3Report check_abi3(const std::vector<ElfMember>& members, const StableAbi& stable, const std::string& minimum) {
    Abi3Report report{minimum, {}};
    for (const ElfMember& member : members) {
        if (!member.python_extension) continue;
        Abi3Extension extension{member.path, {}, {}, "3.2"};
        for (const std::string& symbol : member.undefined) {
            if (!symbol.starts_with("Py") && !symbol.starts_with("_Py")) continue;
            auto found = stable.find(symbol);
            if (found == stable.end()) {
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
    std::optional<std::string> minimum = abi3_minimum(input.python_tags, input.abi_tags);
    if (!minimum) return std::nullopt;
    return check_abi3(input.elfs, load_stable_abi(stable_abi_path), *minimum);
}

}  // namespace aw
