#include "graft/sbom.hpp"

#include "base/digest.hpp"
#include "base/file_io.hpp"
#include "base/process.hpp"
#include "base/text.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <unordered_map>

#include <dirent.h>
#include <fcntl.h>

namespace aw {

namespace {

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

std::optional<ProgramOutput> successful(const std::vector<std::string>& argv) {
    std::optional<ProgramOutput> run = run_program(argv);
    if (!run || run->exit_status != 0) return std::nullopt;
    return run;
}

std::optional<PackageOwner> apk_owning(const std::string& path) {
    auto run = successful({"apk", "info", "--who-owns", path});
    if (!run) return std::nullopt;
    auto owner = apk_owner(run->out);
    if (!owner) return std::nullopt;
    return PackageOwner{"apk", "", owner->first, owner->second};
}

std::optional<PackageOwner> rpm_owning(const std::string& path) {
    auto run = successful({"rpm", "-qf", "--queryformat", "%{NAME} %{VERSION} %{RELEASE}", path});
    if (!run) return std::nullopt;
    std::string line = first_line(run->out);
    std::size_t first = line.find(' '), second = line.find(' ', first + 1);
    if (first == std::string::npos || second == std::string::npos) return std::nullopt;
    return PackageOwner{"rpm", "", line.substr(0, first),
                        line.substr(first + 1, second - first - 1) + "-" + line.substr(second + 1)};
}

// The lines of `text`, which must outlive them; a last line without '\n' counts too.
std::vector<std::string_view> lines_of(std::string_view text) {
    std::vector<std::string_view> lines;
    for (std::size_t start = 0, end; start < text.size(); start = end + 1) {
        end = std::min(text.find('\n', start), text.size());
        lines.push_back(text.substr(start, end - start));
    }
    return lines;
}

// dpkg's database directory: DPKG_ADMINDIR, as dpkg-query honours it.
std::string dpkg_admin_dir() {
    const char* admin_dir = std::getenv("DPKG_ADMINDIR");
    return admin_dir != nullptr && *admin_dir != '\0' ? admin_dir : "/var/lib/dpkg";
}

// dpkg knows a file by the path its package installed it at; with merged /usr
// a library found under /usr/lib may be listed under /lib, and back: both are looked for.
std::map<std::string, PackageOwner> dpkg_owners(const std::vector<std::string>& paths) {
    if (paths.empty()) return {};  // apk or rpm knew them all
    std::map<std::string, std::string> asked;  // path as asked -> path as given
    for (const std::string& path : paths) {
        std::string other = path.starts_with("/usr/") ? path.substr(4) : "/usr" + path;
        for (const std::string& candidate : {path, other}) asked.emplace(candidate, path);
    }
    std::vector<std::string> candidates;
    for (const auto& [candidate, path] : asked) candidates.push_back(candidate);
    const std::string admin_dir = dpkg_admin_dir();
    std::map<std::string, std::string> packages;  // path as given -> package, as its list is named
    for (const auto& [candidate, package] : dpkg_list_owners(admin_dir + "/info", candidates))
        packages.emplace(asked.at(candidate), package);
    std::map<std::string, PackageOwner> owners;
    if (packages.empty()) return owners;
    std::vector<char> buffer;
    std::optional<std::string_view> status = read_whole_file(AT_FDCWD, (admin_dir + "/status").c_str(), buffer);
    if (!status) return owners;
    std::map<std::string, std::string> version_of = dpkg_status_versions(*status);
    for (const auto& [path, package] : packages)
        if (auto version = version_of.find(package); version != version_of.end())
            owners[path] = PackageOwner{"deb", "", package.substr(0, package.find(':')), version->second};
    return owners;
}

}  // namespace

std::map<std::string, std::string> dpkg_list_owners(const std::string& info_dir, const std::vector<std::string>& paths) {
    std::map<std::string, std::string> owners;
    if (paths.empty()) return owners;
    struct Listing {
        std::size_t lists = 0;  // naming the path
        std::string package;    // the first of them
    };
    std::unordered_map<std::string_view, Listing> wanted;
    std::vector<bool> wanted_length;  // most lines are skipped by their length alone, unhashed
    for (const std::string& path : paths) {
        wanted.emplace(path, Listing{});
        if (path.size() >= wanted_length.size()) wanted_length.resize(path.size() + 1);
        wanted_length[path.size()] = true;
    }
    // An unreadable directory or list tells nothing, as dpkg-query would not. About 900 lists on
    // Debian 12: each is read with one open, one or two reads and a close into the same buffer.
    std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir(info_dir.c_str()), ::closedir);
    if (!dir) return owners;
    std::vector<char> buffer;
    while (const dirent* entry = ::readdir(dir.get())) {
        std::string_view name(entry->d_name);
        if (!name.ends_with(".list")) continue;
        std::optional<std::string_view> text = read_whole_file(::dirfd(dir.get()), entry->d_name, buffer);
        if (!text) continue;
        for (std::string_view line : lines_of(*text)) {
            if (line.size() >= wanted_length.size() || !wanted_length[line.size()]) continue;
            if (auto hit = wanted.find(line); hit != wanted.end() && ++hit->second.lists == 1)
                hit->second.package = name.substr(0, name.size() - 5);
        }
    }
    for (auto& [path, listing] : wanted)
        if (listing.lists == 1) owners.emplace(std::string(path), std::move(listing.package));
    return owners;
}

std::map<std::string, std::string> dpkg_status_versions(std::string_view status) {
    std::map<std::string, std::string> versions;
    struct Stanza {
        std::string_view package, architecture, version, multi_arch, status;
    } stanza;
    auto finish = [&] {
        if (!stanza.package.empty() && !stanza.version.empty() && !stanza.status.ends_with(" not-installed")) {
            std::string version(stanza.version);
            if (!stanza.architecture.empty())
                versions[std::string(stanza.package) + ":" + std::string(stanza.architecture)] = version;
            if (stanza.multi_arch != "same") versions[std::string(stanza.package)] = version;
        }
        stanza = Stanza{};
    };
    for (std::string_view line : lines_of(status)) {
        if (line.empty()) {
            finish();
            continue;
        }
        std::size_t colon = line.find(':');
        if (line.front() == ' ' || line.front() == '\t' || colon == std::string_view::npos) continue;  // a continuation
        std::string_view field = line.substr(0, colon), value = trim_blanks(line.substr(colon + 1));
        if (field == "Package") stanza.package = value;
        else if (field == "Architecture") stanza.architecture = value;
        else if (field == "Version") stanza.version = value;
        else if (field == "Multi-Arch") stanza.multi_arch = value;
        else if (field == "Status") stanza.status = value;
    }
    finish();
    return versions;
}

std::string PackageOwner::purl() const {
    return "pkg:" + type + "/" + distro + "/" + purl_quote(name, ":") + "@" + purl_quote(version, ":");
}

std::optional<std::string> os_release_id(const std::string& os_release_path) {
    std::ifstream in(os_release_path);
    for (std::string line; std::getline(in, line);) {
        if (!line.starts_with("ID=")) continue;
        std::string id = line.substr(3);
        if (id.size() >= 2 && (id.front() == '"' || id.front() == '\'') && id.back() == id.front())
            id = id.substr(1, id.size() - 2);
        if (!id.empty()) return id;
    }
    return std::nullopt;
}

std::optional<std::pair<std::string, std::string>> apk_owner(std::string_view output) {
    constexpr std::string_view kMarker = " is owned by ";
    std::size_t at = output.find(kMarker);
    if (at == std::string_view::npos) return std::nullopt;
    std::string package(output.substr(at + kMarker.size()));
    package = package.substr(0, package.find_first_of("\r\n"));
    // name-version-rN: the version starts at the first '-' followed by a digit.
    for (std::size_t dash = package.find('-'); dash != std::string::npos; dash = package.find('-', dash + 1))
        if (dash + 1 < package.size() && std::isdigit(static_cast<unsigned char>(package[dash + 1])))
            return std::make_pair(package.substr(0, dash), package.substr(dash + 1));
    return std::nullopt;
}

std::map<std::string, PackageOwner> package_owners(const std::vector<std::string>& paths) {
    std::map<std::string, PackageOwner> owners;
    std::optional<std::string> distro = os_release_id();
    if (!distro || paths.empty()) return owners;
    std::vector<std::string> left;
    const bool apk = on_search_path("apk"), rpm = on_search_path("rpm");
    for (const std::string& path : paths) {
        std::optional<PackageOwner> owner;
        if (apk) owner = apk_owning(path);
        if (!owner && rpm) owner = rpm_owning(path);
        if (owner) owners[path] = *owner;
        else left.push_back(path);
    }
    if (on_search_path("dpkg-query")) owners.merge(dpkg_owners(left));
    for (auto& [path, owner] : owners) owner.distro = *distro;
    return owners;
}

std::future<std::map<std::string, PackageOwner>> ask_package_owners(std::vector<std::string> paths) {
    return std::async(std::launch::async, [paths = std::move(paths)] { return package_owners(paths); });
}

std::string purl_quote(std::string_view text, std::string_view also_safe) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string quoted;
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '_' || c == '.' || c == '-' || c == '~' || also_safe.find(static_cast<char>(c)) != std::string_view::npos) {
            quoted += static_cast<char>(c);
        } else {
            quoted += '%';
            quoted += kHex[c >> 4];
            quoted += kHex[c & 15];
        }
    }
    return quoted;
}

Json cyclonedx_sbom(const SbomInput& input) {
    std::string wheel_purl = "pkg:pypi/" + purl_quote(input.name) + "@" + purl_quote(input.version) +
                             "?file_name=" + purl_quote(input.wheel_filename);
    Json wheel{{"type", "library"}, {"bom-ref", wheel_purl}, {"name", input.name}, {"version", input.version},
               {"purl", wheel_purl}};
    std::vector<SbomLibrary> libraries = input.libraries;
    std::sort(libraries.begin(), libraries.end(), [](const SbomLibrary& a, const SbomLibrary& b) { return a.source < b.source; });
    Json components = Json::array({wheel});
    Json refs = Json::array();
    for (const SbomLibrary& library : libraries) {
        Digest digest;
        digest.update(std::as_bytes(std::span(library.source.data(), library.source.size())));
        std::vector<unsigned char> hash = digest.finish();
        std::string purl = library.owner.purl();
        std::string ref = purl + "#" + to_hex(hash);
        components.push_back(Json{{"type", "library"}, {"bom-ref", ref}, {"name", library.owner.name},
                                  {"version", library.owner.version}, {"purl", purl}});
        refs.push_back(ref);
    }
    Json dependencies = Json::array({Json{{"ref", wheel_purl}, {"dependsOn", refs}}});
    for (const Json& ref : refs) dependencies.push_back(Json{{"ref", ref}});
    return Json{{"bomFormat", "CycloneDX"},
                {"specVersion", "1.4"},
                {"version", 1},
                // The tool names this project and the pypa release it matches: "auditwheel 0.1.0"
                // would read as one of pypa's own early releases.
                {"metadata", Json{{"component", wheel},
                                  {"tools", Json::array({Json{{"name", "C++ auditwheel, matching pypa auditwheel 6.8.1"},
                                                              {"version", input.tool_version}}})}}},
                {"components", components},
                {"dependencies", dependencies}};
}

}  // namespace aw
