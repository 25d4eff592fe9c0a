#include "base/paths.hpp"
#include "elf/dependency_tree.hpp"

#include "elf/ld_search.hpp"

#include <sys/stat.h>

#include <deque>
#include <filesystem>
#include <string_view>

namespace aw {

struct DependencyResolver::Node {
    std::string path;  // as found (its directory is $ORIGIN)
    std::shared_ptr<const ElfFacts> facts;
    const Node* loader = nullptr;  // the object whose DT_NEEDED brought it in
};

namespace {
bool is_inside(const std::string& path, const std::string& directory) {
    return path.size() > directory.size() && path.starts_with(directory) && path[directory.size()] == '/';
}
}  // namespace

bool is_libpython(const std::string& soname) {
    // libpython<digits>.<digits>[t][d][m].so[.<digits>]...: the ABI flags of free-threaded (t, 3.13
    // on), debug (d) and pymalloc (m, before 3.8) builds. pypa auditwheel 6.8.1 knows only m.
    std::string_view rest = soname;
    auto digits = [&rest] {
        std::size_t count = 0;
        while (count < rest.size() && rest[count] >= '0' && rest[count] <= '9') ++count;
        rest.remove_prefix(count);
        return count > 0;
    };
    auto literal = [&rest](std::string_view text) {
        if (!rest.starts_with(text)) return false;
        rest.remove_prefix(text.size());
        return true;
    };
    if (!literal("libpython") || !digits() || !literal(".") || !digits()) return false;
    for (std::string_view flag : {"t", "d", "m"}) literal(flag);
    if (!literal(".so")) return false;
    while (!rest.empty())
        if (!literal(".") || !digits()) return false;
    return true;
}

DependencyResolver::DependencyResolver(SearchOptions options) : options_(std::move(options)) {}

std::shared_ptr<const ElfFacts> DependencyResolver::parse(const std::string& realpath) {
    auto [it, inserted] = parsed_.try_emplace(realpath);
    if (!inserted) return it->second;
    try {
        it->second = std::make_shared<const ElfFacts>(read_elf_facts(realpath));
    } catch (const ElfError& error) {
        warn("skipping candidate library {}", error.what());
    }
    return it->second;
}

bool DependencyResolver::is_directory(const std::string& path) {
    auto [it, inserted] = directories_.try_emplace(path, false);
    if (inserted) {
        struct stat info {};
        it->second = ::stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode);
    }
    return it->second;
}

const std::vector<std::string>& DependencyResolver::system_dirs(const ElfIdent& target, const std::string& libc) {
    std::string key = libc + "/" + target.machine + "/" + std::to_string(target.elf_class);
    auto [it, inserted] = system_dirs_.try_emplace(key);
    if (!inserted) return it->second;
    if (options_.ldpaths) {
        it->second = *options_.ldpaths;
    } else if (libc == "musl") {
        it->second = musl_system_path(options_.root, target.machine);
    } else {
        if (!ld_so_conf_) ld_so_conf_ = read_ld_so_conf(options_.root);
        it->second = *ld_so_conf_;
        for (const std::string& dir : glibc_default_dirs(target.machine, target.elf_class))
            if (std::find(it->second.begin(), it->second.end(), dir) == it->second.end()) it->second.push_back(dir);
    }
    for (std::string& dir : it->second) dir = inside_root(options_.root, dir);
    return it->second;
}

namespace {
// A relative directory, as the loader opens it: from the current directory.
std::string from_current_directory(const std::string& dir) {
    std::error_code error;
    std::filesystem::path current = std::filesystem::current_path(error);
    if (error) fail("cannot read the current directory, against which '{}' is searched: {}", dir, error.message());
    std::string absolute = (current / dir).lexically_normal().string();
    if (absolute.size() > 1 && absolute.ends_with('/')) absolute.pop_back();
    return absolute;
}
}  // namespace

std::vector<std::string> DependencyResolver::search_dirs(const Node& requester, const std::string& libc) {
    std::vector<std::string> dirs;
    // An empty entry is the current directory to glibc's ld.so; musl's ldso skips it.
    auto add_library_path = [&] {
        for (const std::string& entry : options_.library_path)
            if (!entry.empty() || libc != "musl") dirs.push_back(entry.empty() ? "." : entry);
    };
    auto add_entries = [&](const Node& node, const std::vector<std::string>& entries) {
        for (const std::string& entry : entries) {
            if (entry.empty() && libc == "musl") continue;
            std::string dir = expand_dynamic_tokens(entry.empty() ? "." : entry, directory_of(node.path), node.facts->ident);
            dirs.push_back(entry.find("ORIGIN") != std::string::npos ? dir : inside_root(options_.root, dir));
        }
    };
    const ElfFacts& facts = *requester.facts;
    if (libc == "musl") {
        // musl: LD_LIBRARY_PATH, then RUNPATH (or else RPATH) of the requester and of every loader above it.
        add_library_path();
        for (const Node* node = &requester; node != nullptr; node = node->loader)
            add_entries(*node, node->facts->runpath.empty() ? node->facts->rpath : node->facts->runpath);
    } else {
        // glibc: without RUNPATH, RPATH of the requester and of its loaders (those without RUNPATH);
        // then LD_LIBRARY_PATH; then the requester's RUNPATH; then ld.so.conf and the defaults.
        if (facts.runpath.empty())
            for (const Node* node = &requester; node != nullptr; node = node->loader)
                if (node->facts->runpath.empty()) add_entries(*node, node->facts->rpath);
        add_library_path();
        add_entries(requester, facts.runpath);
    }
    const std::vector<std::string>& system = system_dirs(facts.ident, libc);
    dirs.insert(dirs.end(), system.begin(), system.end());
    for (std::string& dir : dirs)
        if (!dir.starts_with('/')) dir = from_current_directory(dir);
    return dirs;
}

std::optional<DependencyResolver::Found> DependencyResolver::find(const std::string& name, const Node& requester,
                                                                   const std::string& libc) {
    auto try_candidate = [&](const std::string& candidate) -> std::optional<Found> {
        std::optional<std::string> real = resolve_in_root(candidate, options_.root);
        struct stat info {};
        if (!real || ::stat(real->c_str(), &info) != 0 || !S_ISREG(info.st_mode)) return std::nullopt;
        std::shared_ptr<const ElfFacts> facts = parse(*real);
        if (!facts || !is_loadable_by(requester.facts->ident, facts->ident)) return std::nullopt;
        return Found{candidate, follow_final_links(candidate, options_.root), *real};
    };
    if (name.find('/') != std::string::npos) return try_candidate(inside_root(options_.root, name));
    for (const std::string& dir : search_dirs(requester, libc))
        if (is_directory(dir))
            if (auto found = try_candidate(dir + "/" + name)) return found;
    return std::nullopt;
}

DependencyTree DependencyResolver::resolve(const std::string& path, const std::vector<std::string>& included) {
    DependencyTree tree;
    tree.path = path;
    tree.included = included;
    tree.facts = std::make_shared<const ElfFacts>(read_elf_facts(path));
    tree.libc = detect_libc(*tree.facts, file_name_of(path));
    std::string libc = tree.libc.value_or("glibc");

    std::deque<Node> nodes;  // stable addresses for the loader chain
    nodes.push_back(Node{path, tree.facts, nullptr});
    std::map<std::string, std::size_t> loaded;  // soname or needed name -> index in tree.libraries
    if (tree.facts->interpreter) {
        // The interpreter is always loaded; a DT_NEEDED on its name is that object.
        std::string interpreter = inside_root(options_.root, *tree.facts->interpreter);
        std::optional<std::string> real = resolve_in_root(interpreter, options_.root);
        std::string soname = file_name_of(interpreter);
        ResolvedLibrary library{soname, std::nullopt, std::nullopt, {}, false, false, false};
        if (real && parse(*real)) {
            library.path = interpreter;
            library.realpath = follow_final_links(interpreter, options_.root);
            library.needed = parse(*real)->needed;
        }
        loaded[soname] = tree.libraries.size();
        tree.libraries.push_back(library);
    }
    for (std::size_t current = 0; current < nodes.size(); ++current) {
        const Node& requester = nodes[current];
        std::vector<std::string> names = requester.facts->needed;
        if (current == 0) names.insert(names.end(), included.begin(), included.end());
        for (const std::string& name : names) {
            if (loaded.count(name)) continue;
            ResolvedLibrary library{name, std::nullopt, std::nullopt, {}, false, is_libpython(name), false};
            loaded[name] = tree.libraries.size();
            if (!library.skipped) {
                if (auto found = find(name, requester, libc)) {
                    std::shared_ptr<const ElfFacts> facts = parse(found->canonical);
                    library.path = found->path;
                    library.realpath = found->realpath;
                    library.needed = facts->needed;
                    library.executable_stack = facts->executable_stack;
                    library.in_wheel = options_.wheel_root && is_inside(found->canonical, *options_.wheel_root);
                    if (facts->soname && !loaded.count(*facts->soname)) loaded[*facts->soname] = loaded[name];
                    nodes.push_back(Node{found->path, facts, &requester});
                }
            }
            tree.libraries.push_back(std::move(library));
        }
    }
    return tree;
}

}  // namespace aw
