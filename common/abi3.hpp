// abi3 compliance, as pypa's abi3audit checks it: a wheel tagged cpXY-abi3 promises that
// its extensions import from libpython only the stable ABI of CPython X.Y
// (policies/stable-abi.yaml: each symbol and the version that added it).
#pragma once

#include "analysis_input.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace aw {

// symbol -> the version that added it to the stable ABI ("3.2")
using StableAbi = std::map<std::string, std::string>;

// Throws Error naming the file and the entry when it is malformed. Reads the compiled form
// (compiled_stable_abi_path, written by policy-split) when it is current.
StableAbi load_stable_abi(const std::string& path);
// Where the compiled form of `path` (DIR/stable-abi.yaml) goes: DIR/stable-abi.json.
std::string compiled_stable_abi_path(const std::string& path);
// The compiled form's text.
std::string compiled_stable_abi(const std::string& path);

// "3.8" for a wheel whose abi tags include abi3 and whose python tags include cp38 (the
// lowest such); nullopt for any other wheel.
std::optional<std::string> abi3_minimum(const std::vector<std::string>& python_tags,
                                        const std::vector<std::string>& abi_tags);

// One extension's use of Python's symbols (the undefined ones named Py* or _Py*).
struct Abi3Extension {
    std::string path;
    std::vector<std::string> outside;           // not in the stable ABI
    std::map<std::string, std::string> newer;   // symbol -> version, newer than the tag's
    std::string needs;                          // the newest version its stable symbols need
    bool violates() const { return !outside.empty() || !newer.empty(); }
};

struct Abi3Report {
    std::string minimum;                     // the tag's version
    std::vector<Abi3Extension> extensions;   // every Python extension, member order
    bool violates() const;
};

Abi3Report check_abi3(const std::vector<ElfMember>& members, const StableAbi& stable, const std::string& minimum);

// The report for an abi3 wheel (the stable ABI loaded only then); nullopt for any other.
std::optional<Abi3Report> abi3_report(const AnalysisInput& input, const std::string& stable_abi_path);

}  // namespace aw
