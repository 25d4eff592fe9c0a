#include "base/paths.hpp"
#include "elf/ld_search.hpp"

#include "elf/architectures.hpp"

#include <elf.h>
#include <glob.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <fstream>
#include <set>
#include <filesystem>
#include <sstream>

namespace aw {
namespace {
bool starts_with_any(const std::string& text, std::initializer_list<const char*> prefixes) {
    return std::any_of(prefixes.begin(), prefixes.end(), [&](const char* prefix) { return text.starts_with(prefix); });
}

void read_conf_file(const std::string& root, const std::string& path, std::set<std::string>& seen_files,
                    std::vector<std::string>& directories) {
    std::string real = inside_root(root, path);
    if (!seen_files.insert(real).second) return;
    std::ifstream in(real);
    std::string line;
    while (std::getline(in, line)) {
        line = line.substr(0, line.find('#'));
        std::istringstream words(line);
        std::string first;
        if (!(words >> first)) continue;
        if (first == "include") {
            std::string pattern;
            while (words >> pattern) {
                std::string absolute = pattern.starts_with('/') ? pattern : directory_of(path) + "/" + pattern;
                glob_t matches{};
                if (glob(inside_root(root, absolute).c_str(), 0, nullptr, &matches) == 0) {
                    for (std::size_t i = 0; i < matches.gl_pathc; ++i) {
                        std::string match = matches.gl_pathv[i];
                        if (root != "/" && match.starts_with(root)) match = match.substr(root.size());
                        read_conf_file(root, match, seen_files, directories);
                    }
                }
                globfree(&matches);
            }
        } else if (first == "hwcap") {
            continue;  // obsolete; glibc ignores it
        } else if (std::find(directories.begin(), directories.end(), first) == directories.end()) {
            directories.push_back(first);
        }
    }
}

void replace_all(std::string& text, const std::string& token, const std::string& value) {
    for (std::size_t at = text.find(token); at != std::string::npos; at = text.find(token, at + value.size()))
        text.replace(at, token.size(), value);
}
}  // namespace

std::optional<std::string> detect_libc(const ElfFacts& facts, const std::string& file_name) {
    if (facts.interpreter) {
        std::string interpreter = file_name_of(*facts.interpreter);
        return interpreter.starts_with("ld-musl-") ? "musl" : "glibc";
    }
    for (const std::string& needed : facts.needed) {
        // musl-gcc on Debian links "libc.so"; glibc's libc.so is a linker script nothing can need.
        if (starts_with_any(needed, {"libc.musl-", "ld-musl-"}) || needed == "libc.so") return "musl";
        if (needed == "libc.so.6" || starts_with_any(needed, {"ld-linux", "ld64.so."})) return "glibc";
    }
    for (const char* suffix : {"-linux-musl.so", "-linux-musleabihf.so"})
        if (file_name.ends_with(suffix)) return "musl";
    for (const char* suffix : {"-linux-gnu.so", "-linux-gnueabihf.so"}) {
        // Before CPython 3.11, musl builds also said -linux-gnu.
        if (!file_name.ends_with(suffix)) continue;
        std::size_t at = file_name.find(".cpython-3");
        if (at != std::string::npos && std::atoi(file_name.c_str() + at + 10) >= 11) return "glibc";
    }
    return std::nullopt;
}

std::vector<std::string> read_ld_so_conf(const std::string& root, const std::string& conf_path) {
    std::set<std::string> seen_files;
    std::vector<std::string> directories;
    read_conf_file(root, conf_path, seen_files, directories);
    return directories;
}

std::vector<std::string> musl_system_path(const std::string& root, const std::string& machine) {
    std::ifstream in(inside_root(root, "/etc/ld-musl-" + musl_arch(machine) + ".path"));
    if (!in) return {"/lib", "/usr/local/lib", "/usr/lib"};
    std::vector<std::string> directories;
    std::string text((std::istreambuf_iterator<char>(in)), {});
    std::replace(text.begin(), text.end(), '\n', ':');
    for (const std::string& part : split_search_path(text))
        if (!part.empty()) directories.push_back(part);
    return directories;
}

std::vector<std::string> glibc_default_dirs(const std::string& machine, int elf_class) {
    std::vector<std::string> directories;
    if (std::optional<std::string> triplet = multiarch_triplet(machine))
        directories = {"/lib/" + *triplet, "/usr/lib/" + *triplet};
    if (elf_class == 64) directories.insert(directories.end(), {"/lib64", "/usr/lib64"});
    directories.insert(directories.end(), {"/lib", "/usr/lib"});
    return directories;
}

std::string expand_dynamic_tokens(const std::string& entry, const std::string& origin, const ElfIdent& target) {
    std::string expanded = entry;
    replace_all(expanded, "${ORIGIN}", origin);
    replace_all(expanded, "$ORIGIN", origin);
    std::string lib = target.elf_class == 64 ? "lib64" : "lib";
    replace_all(expanded, "${LIB}", lib);
    replace_all(expanded, "$LIB", lib);
    replace_all(expanded, "${PLATFORM}", target.machine);
    replace_all(expanded, "$PLATFORM", target.machine);
    return expanded;
}

std::optional<std::string> resolve_in_root(const std::string& path, const std::string& root) {
    std::string base = root == "/" ? "" : root;
    std::vector<std::string> pending;  // components still to walk, last first
    auto push_components = [&](const std::string& text) {
        std::vector<std::string> parts;
        std::stringstream stream(text);
        std::string part;
        while (std::getline(stream, part, '/'))
            if (!part.empty() && part != ".") parts.push_back(part);
        pending.insert(pending.end(), parts.rbegin(), parts.rend());
    };
    std::string resolved;  // inside the root, always starting with '/' once non-empty
    std::string start = path;
    if (!start.starts_with('/')) {  // relative to the current directory, as the loader opens it
        char cwd[PATH_MAX];
        if (::getcwd(cwd, sizeof cwd) == nullptr) return std::nullopt;
        start = std::string(cwd) + "/" + start;
    }
    if (!base.empty() && start.starts_with(base)) start = start.substr(base.size());
    push_components(start);
    int links = 0;
    while (!pending.empty()) {
        std::string part = pending.back();
        pending.pop_back();
        if (part == "..") {
            resolved = resolved.empty() ? "" : resolved.substr(0, resolved.rfind('/'));
            continue;
        }
        std::string next = resolved + "/" + part;
        struct stat info {};
        if (::lstat((base + next).c_str(), &info) != 0) return std::nullopt;
        if (!S_ISLNK(info.st_mode)) {
            resolved = next;
            continue;
        }
        if (++links > 40) return std::nullopt;  // ELOOP, as the kernel counts
        char target[PATH_MAX];
        ssize_t length = ::readlink((base + next).c_str(), target, sizeof target - 1);
        if (length < 0) return std::nullopt;
        std::string link(target, static_cast<std::size_t>(length));
        if (link.starts_with('/')) resolved.clear();
        push_components(link);
    }
    return base + (resolved.empty() ? "/" : resolved);
}

std::string follow_final_links(const std::string& path, const std::string& root) {
    std::string base = root == "/" ? "" : root;
    std::string inner = !base.empty() && path.starts_with(base) ? path.substr(base.size()) : path;
    for (int links = 0; links < 40; ++links) {  // ELOOP, as the kernel counts
        struct stat info {};
        if (::lstat((base + inner).c_str(), &info) != 0 || !S_ISLNK(info.st_mode)) break;
        char target[PATH_MAX];
        ssize_t length = ::readlink((base + inner).c_str(), target, sizeof target - 1);
        if (length < 0) break;
        std::string link(target, static_cast<std::size_t>(length));
        inner = link.starts_with('/') ? link : (std::filesystem::path(inner).parent_path() / link).string();
    }
    return std::filesystem::path(base + inner).lexically_normal().string();
}

bool is_loadable_by(const ElfIdent& requester, const ElfIdent& candidate) {
    auto generic = [](std::uint8_t abi) { return abi == ELFOSABI_SYSV || abi == ELFOSABI_GNU; };
    return requester.elf_class == candidate.elf_class && requester.byte_order == candidate.byte_order &&
           requester.e_machine == candidate.e_machine &&
           (requester.os_abi == candidate.os_abi || (generic(requester.os_abi) && generic(candidate.os_abi)));
}

}  // namespace aw
