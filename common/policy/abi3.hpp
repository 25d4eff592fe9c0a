// Stable ABI compliance, as pypa's abi3audit checks it: a wheel tagged cpXY-abi3 promises that
// its extensions import from libpython only the stable ABI of CPython X.Y
// (policies/stable-abi.yaml: each symbol and the version that added it). A wheel tagged abi3t
// (PEP 803, alone or as cpXY-abi3.abi3t) promises the same symbols to free-threaded builds too,
// which exist from CPython 3.15 and import only extensions named *.abi3t.so.
#pragma once

#include "policy/analysis_input.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace aw {

struct StableAbi {
    std::map<std::string, std::string> symbols;  // symbol -> the version that added it ("3.2")
    std::string abi3t_since;                     // the first version with an abi3t ("3.15")
    bool operator==(const StableAbi&) const = default;
};

// Throws Error naming the file and the entry when it is malformed. Reads the compiled form
// (compiled_stable_abi_path, written by policy-split) when it is current.
StableAbi load_stable_abi(const std::string& path);
// Where the compiled form of `path` (DIR/stable-abi.yaml) goes: DIR/stable-abi.json.
std::string compiled_stable_abi_path(const std::string& path);
// The compiled form's text.
std::string compiled_stable_abi(const std::string& path);

// What a wheel's tags promise: its abi tags among abi3 and abi3t ("abi3", "abi3t" or
// "abi3.abi3t") and the lowest cp3X python tag's version ("3.8").
struct StableAbiPromise {
    std::string tag;
    std::string minimum;
    bool abi3t() const { return tag != "abi3"; }
};
// nullopt for a wheel tagged neither abi3 nor abi3t, or with no cp3X python tag.
std::optional<StableAbiPromise> stable_abi_promise(const std::vector<std::string>& python_tags,
                                                   const std::vector<std::string>& abi_tags);

// Whether an extension's file name is one free-threaded CPython imports for a stable ABI:
// NAME.abi3t.so or NAME.abi3t-MULTIARCH.so (PEP 803; 3.15 takes the multiarch form too).
bool has_abi3t_suffix(const std::string& path);

// One extension's use of Python's symbols (the undefined ones named Py* or _Py*).
struct Abi3Extension {
    std::string path;
    std::vector<std::string> outside;           // not in the stable ABI
    std::map<std::string, std::string> newer;   // symbol -> version, newer than the tag's
    std::string needs;                          // the newest version its stable symbols need
    bool misnamed = false;                      // in an abi3t wheel, not named *.abi3t.so
    bool violates() const { return !outside.empty() || !newer.empty() || misnamed; }
};

struct Abi3Report {
    std::string tag;                         // "abi3", "abi3t" or "abi3.abi3t"
    std::string minimum;                     // the tag's version
    std::optional<std::string> abi3t_since;  // set when an abi3t tag names a version before it
    std::vector<Abi3Extension> extensions;   // every Python extension, member order
    bool violates() const;
};

Abi3Report check_abi3(const std::vector<ElfMember>& members, const StableAbi& stable, const StableAbiPromise& promise);

// The report for a wheel tagged abi3 or abi3t (the stable ABI loaded only then); nullopt for any other.
std::optional<Abi3Report> abi3_report(const AnalysisInput& input, const std::string& stable_abi_path);

}  // namespace aw
