#include "paths.hpp"
#include "elf_deps.hpp"

#include "ld_search.hpp"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <set>

namespace aw {
namespace {
Json optional_string(const std::optional<std::string>& value) { return value ? Json(*value) : Json(nullptr); }

std::optional<std::string> member_path(const std::optional<std::string>& realpath, const std::string& workdir) {
    if (!realpath || workdir.empty() || !realpath->starts_with(workdir + "/")) return std::nullopt;
    return realpath->substr(workdir.size() + 1);
}

Json ident_fields(Json record, const ElfIdent& ident) {
    record["class"] = ident.elf_class;
    record["byte_order"] = ident.byte_order;
    record["machine"] = ident.machine;
    record["e_machine"] = ident.e_machine;
    record["os_abi"] = ident.os_abi;
    return record;
}

const ResolvedLibrary* find_library(const DependencyTree& tree, const std::string& soname) {
    for (const ResolvedLibrary& library : tree.libraries)
        if (library.soname == soname) return &library;
    return nullptr;
}
}  // namespace

bool is_python_extension(const ElfFacts& facts, const std::string& file_name) {
    std::string module = file_name.substr(0, file_name.find('.'));
    for (const std::string& name : facts.defined_functions)
        if (name == "PyInit_" + module || name == "init" + module || name == "_cffi_pypyinit_" + module) return true;
    return false;
}

Json elf_record(const std::string& label, const DependencyTree& tree, const std::string& workdir) {
    const ElfFacts& facts = *tree.facts;
    std::string file_name = file_name_of(tree.path);
    Json libraries = Json::array();
    for (const ResolvedLibrary& library : tree.libraries) {
        Json entry{{"soname", library.soname},
                   {"path", optional_string(library.path)},
                   {"realpath", optional_string(library.realpath)},
                   {"needed", library.needed},
                   {"in_wheel", library.in_wheel}};
        if (auto member = member_path(library.realpath, workdir)) entry["member"] = *member;
        if (library.skipped) entry["skipped"] = "libpython";
        libraries.push_back(std::move(entry));
    }
    Json record{{"kind", "elf"}, {"path", label}, {"file", tree.path}};
    record = ident_fields(std::move(record), facts.ident);
    record["e_flags"] = facts.flags;
    record["type"] = facts.type_name();
    record["interpreter"] = optional_string(facts.interpreter);
    record["soname"] = optional_string(facts.soname);
    record["needed"] = facts.needed;
    if (!tree.included.empty()) record["included"] = tree.included;
    record["rpath"] = facts.rpath;
    record["runpath"] = facts.runpath;
    record["python_extension"] = is_python_extension(facts, file_name);
    record["gnu_stack"] = optional_string(facts.gnu_stack);
    record["libc"] = optional_string(tree.libc);
    record["libraries"] = std::move(libraries);
    return record;
}

Json elf_error_record(const std::string& label, const std::string& file, const std::string& error) {
    return Json{{"kind", "elf"}, {"path", label}, {"file", file}, {"error", error}};
}

void LibraryIndex::add(const std::string& label, const DependencyTree& tree, const std::string& workdir) {
    for (const ResolvedLibrary& library : tree.libraries) {
        std::string key = library.realpath ? *library.realpath : "?" + library.soname;
        auto [it, inserted] = by_key_.try_emplace(key);
        if (inserted) {
            order_.push_back(key);
            it->second = Json{{"kind", "library"},
                              {"soname", library.soname},
                              {"path", optional_string(library.path)},
                              {"realpath", optional_string(library.realpath)},
                              {"found", library.realpath.has_value()},
                              {"in_wheel", library.in_wheel},
                              {"member", optional_string(member_path(library.realpath, workdir))},
                              {"needed", library.needed},
                              {"needed_by", Json::array()}};
            if (library.skipped) it->second["skipped"] = "libpython";
        }
        Json& needed_by = it->second["needed_by"];
        if (std::find(needed_by.begin(), needed_by.end(), label) == needed_by.end()) needed_by.push_back(label);
    }
}

std::vector<Json> LibraryIndex::records() const {
    std::vector<Json> records;
    for (const std::string& key : order_) records.push_back(by_key_.at(key));
    return records;
}

std::string format_lddtree(const DependencyTree& tree, const std::string& shown_as) {
    std::string text = shown_as.empty() ? tree.path : shown_as;
    if (tree.facts->interpreter) text += " (interpreter => " + *tree.facts->interpreter + ")";
    text += "\n";
    std::set<std::string> shown;
    std::function<void(const std::vector<std::string>&, int)> show = [&](const std::vector<std::string>& needed, int depth) {
        for (const std::string& soname : needed) {
            if (!shown.insert(soname).second) continue;
            const ResolvedLibrary* library = find_library(tree, soname);
            std::string where = library == nullptr || !library->path ? "not found"
                                : library->realpath && *library->realpath != *library->path
                                    ? *library->path + " (" + *library->realpath + ")"
                                    : *library->path;
            if (library != nullptr && library->skipped) where = "not resolved (libpython)";
            text += std::string(4 * depth, ' ') + soname + " => " + where + "\n";
            if (library != nullptr) show(library->needed, depth + 1);
        }
    };
    show(tree.facts->needed, 1);
    return text;
}

Json lddtree_json(const DependencyTree& tree) {
    const ElfFacts& facts = *tree.facts;
    auto existing_dirs = [&](const std::vector<std::string>& entries) {
        Json dirs = Json::array();
        for (const std::string& entry : entries) {
            std::string dir = expand_dynamic_tokens(entry, directory_of(tree.path), facts.ident);
            std::error_code error;
            if (std::filesystem::is_directory(dir, error)) {
                std::string normal = std::filesystem::path(dir).lexically_normal().string();
                if (std::find(dirs.begin(), dirs.end(), normal) == dirs.end()) dirs.push_back(normal);
            }
        }
        return dirs;
    };
    Json libraries = Json::object();
    for (const ResolvedLibrary& library : tree.libraries)
        libraries[library.soname] = Json{{"soname", library.soname},
                                         {"path", optional_string(library.path)},
                                         {"realpath", optional_string(library.realpath)},
                                         {"needed", library.needed}};
    std::error_code error;
    std::string realpath = std::filesystem::canonical(tree.path, error).string();
    return Json{{"interpreter", optional_string(facts.interpreter)},
                {"libc", optional_string(tree.libc)},
                {"path", tree.path},
                {"realpath", error ? tree.path : realpath},
                {"needed", facts.needed},
                {"rpath", existing_dirs(facts.runpath.empty() ? facts.rpath : std::vector<std::string>{})},
                {"runpath", existing_dirs(facts.runpath)},
                {"libraries", libraries}};
}

}  // namespace aw
