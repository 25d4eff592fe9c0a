// The CycloneDX SBOM lib-graft writes into a repaired wheel's dist-info
// (PEP 770's sboms/ directory), naming the distribution package each grafted
// library came from, as pypa auditwheel 6.8.1's sboms.py does, but with a
// deterministic component order (its issue #729).
#pragma once

#include "protocol/records.hpp"

#include <future>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aw {

// The host package that installed a file.
struct PackageOwner {
    std::string type;     // purl type: deb, rpm or apk
    std::string distro;   // /etc/os-release ID: debian, almalinux, alpine, ...
    std::string name;
    std::string version;

    std::string purl() const;  // pkg:<type>/<distro>/<name>@<version>, name and version quoted
};

// Asks the host's package managers (apk, rpm, dpkg, in that order, each only
// when installed) which package owns each of `paths`; the paths none can tell
// are missing from the result, which is empty when /etc/os-release has no ID.
std::map<std::string, PackageOwner> package_owners(const std::vector<std::string>& paths);
// package_owners on a thread of its own, so that the package managers answer while the caller
// works (apk and rpm take tens of milliseconds a query).
std::future<std::map<std::string, PackageOwner>> ask_package_owners(std::vector<std::string> paths);

// What `dpkg-query -S` answers for each of `paths`, read from the file lists in `info_dir` (dpkg's
// <admindir>/info, one <package>.list per package, named as dpkg-query names the package: with
// ":arch" when Multi-Arch: same): path -> package. dpkg-query parses its whole database first,
// 200 ms on Debian 12; the lists alone take 30 to 40. A path two packages list (a shared directory
// or file) is owned by neither, as lib-graft skips dpkg-query's "a, b: path" lines.
std::map<std::string, std::string> dpkg_list_owners(const std::string& info_dir, const std::vector<std::string>& paths);

// The version of each package in the text of dpkg's <admindir>/status, as `dpkg-query -W` prints
// ${Version}, under the names dpkg gives the package's file list: "name:arch" always, and "name"
// too unless it is Multi-Arch: same (dpkg-query takes 20 ms a run to parse its whole database and
// lists; this file alone takes 2). Packages dpkg knows as not-installed are left out.
std::map<std::string, std::string> dpkg_status_versions(std::string_view status);

// The ID= value of an os-release file.
std::optional<std::string> os_release_id(const std::string& os_release_path = "/etc/os-release");

// Parses `apk info --who-owns` output ("... is owned by musl-1.2.4-r2").
std::optional<std::pair<std::string, std::string>> apk_owner(std::string_view output);

// Percent-encodes all but RFC 3986's unreserved characters and `also_safe`:
// "/" is Python's urllib.parse.quote, which pypa auditwheel applies to the
// wheel's own purl; ":" is packageurl's quoting of a package's name and
// version, as the purl spec has it (2.9.14+dfsg-1 -> 2.9.14%2Bdfsg-1).
std::string purl_quote(std::string_view text, std::string_view also_safe = "/");

struct SbomLibrary {
    std::string source;  // the grafted host file
    PackageOwner owner;
};

struct SbomInput {
    std::string name;            // the distribution name
    std::string version;         // its version
    std::string wheel_filename;  // of the repaired wheel
    std::string tool_version;
    std::vector<SbomLibrary> libraries;
};

// CycloneDX 1.4, pypa auditwheel's document: the wheel as the metadata
// component, one component per library (sorted by source path), the wheel
// depending on each.
Json cyclonedx_sbom(const SbomInput& input);

// Where it goes in the wheel.
inline constexpr const char* kSbomFile = "sboms/auditwheel.cdx.json";

}  // namespace aw
