#include "base/paths.hpp"
#include "elf/elf_deps.hpp"

#include "elf/architectures.hpp"
#include "elf/elf_names.hpp"
#include "elf/ld_search.hpp"
#include "elf/symbol_versions.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
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

const ResolvedLibrary* find_library(const DependencyTree& tree, const std::string& soname) {
    for (const ResolvedLibrary& library : tree.libraries)
        if (library.soname == soname) return &library;
    return nullptr;
}
}  // namespace

bool is_python_extension(const ElfFacts& facts, const std::string& file_name) {
    std::string module = file_name.substr(0, file_name.find('.'));
    for (const std::string& name : facts.defined_functions)
        if (name == "PyInit_" + module || name == "init" + module || name == "_cffi_pypyinit_" + module ||
            name == "PyModExport_" + module)
            return true;
    return false;
}

ElfRecord elf_record(const std::string& label, const DependencyTree& tree, const std::string& workdir) {
    const ElfFacts& facts = *tree.facts;
    ElfRecord record;
    record.path = label;
    record.file = tree.path;
    record.ident = facts.ident;
    record.e_flags = facts.flags;
    record.type = facts.type_name();
    record.interpreter = facts.interpreter;
    record.soname = facts.soname;
    record.needed = facts.needed;
    record.included = tree.included;
    record.rpath = facts.rpath;
    record.runpath = facts.runpath;
    record.python_extension = is_python_extension(facts, file_name_of(tree.path));
    record.gnu_stack = facts.gnu_stack;
    record.executable_stack = facts.executable_stack;
    record.libc = tree.libc;
    for (const ResolvedLibrary& library : tree.libraries)
        record.libraries.push_back(TreeLibraryRecord{library.soname, library.path, library.realpath, library.needed,
                                                     library.in_wheel, member_path(library.realpath, workdir),
                                                     library.skipped ? std::optional<std::string>("libpython") : std::nullopt});
    return record;
}

std::vector<std::string> search_path_entries(const char* value) {
    std::vector<std::string> entries = library_path_entries(value);
    std::erase(entries, std::string());
    return entries;
}

std::vector<std::string> library_path_entries(const char* value) {
    if (value == nullptr || *value == '\0') return {};  // ld.so ignores an empty LD_LIBRARY_PATH
    return split_search_path(value);
}

SearchOptions search_for_files(const SearchRequest& request) {
    SearchOptions search;
    search.ldpaths = request.ldpaths;
    search.root = request.root;
    search.library_path = request.add_paths;
    for (const std::string& dir : library_path_entries(std::getenv("AUDITWHEEL_LD_LIBRARY_PATH")))
        search.library_path.push_back(dir);
    if (!search.ldpaths && search.root == "/")
        for (const std::string& dir : library_path_entries(std::getenv("LD_LIBRARY_PATH"))) search.library_path.push_back(dir);
    return search;
}

SearchOptions search_for_wheel(const SearchRequest& request, const WheelRecord& wheel) {
    const std::vector<std::string>& tags = wheel.platform_tags;
    bool android = !tags.empty() && std::all_of(tags.begin(), tags.end(), [](const std::string& tag) {
        return tag.starts_with("android");
    });
    SearchRequest asked = request;
    if (android && !asked.ldpaths) asked.ldpaths = std::vector<std::string>{};
    SearchOptions search = search_for_files(asked);
    search.wheel_root = wheel.workdir;
    return search;
}

ElfRecord elf_error_record(const std::string& label, const std::string& file, const std::string& error) {
    ElfRecord record;
    record.path = label;
    record.file = file;
    record.error = error;
    return record;
}

void LibraryIndex::add(const std::string& label, const DependencyTree& tree, const std::string& workdir) {
    for (const ResolvedLibrary& library : tree.libraries) {
        std::string key = library.realpath ? *library.realpath : "?" + library.soname;
        auto [it, inserted] = by_key_.try_emplace(key);
        if (inserted) {
            order_.push_back(key);
            it->second = LibraryRecord{library.soname, library.path, library.realpath, library.realpath.has_value(),
                                       library.in_wheel, member_path(library.realpath, workdir), library.needed,
                                       library.executable_stack, {},
                                       library.skipped ? std::optional<std::string>("libpython") : std::nullopt};
        }
        std::vector<std::string>& needed_by = it->second.needed_by;
        if (std::find(needed_by.begin(), needed_by.end(), label) == needed_by.end()) needed_by.push_back(label);
    }
}

std::vector<LibraryRecord> LibraryIndex::records() const {
    std::vector<LibraryRecord> records;
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

namespace {
// pyelftools' name of a number, which pypa auditwheel's JSON shows; the number where it has none.
Json pyelftools_name(unsigned value, const std::optional<std::string>& constant) {
    return constant ? Json(*constant) : Json(value);
}

// pypa auditwheel's repr of an enum member: "<Architecture.x86_64: 'x86_64'>".
std::string enum_repr(const std::string& type, const std::string& member, const std::string& value) {
    return "<" + type + "." + member + ": '" + value + "'>";
}

// pypa auditwheel's Platform of an ELF file (lddtree's _get_platform): its
// header fields, the baseline architecture (none for ARM without EABI 5 and
// hard float), the x86-64 ISA level the file says it needs.
Json platform_json(const std::string& path) {
    ElfFacts facts = read_elf_facts(path);
    const ElfIdent& ident = facts.ident;
    const PolicyArchitecture* baseline = baseline_architecture(ident.elf_class, ident.byte_order, ident.e_machine);
    std::optional<std::string> base;
    if (baseline) base = baseline->name;
    Json ext = nullptr, error = nullptr;
    if (!base) {
        error = "Unknown architecture";
    } else if (*base == "x86_64") {
        if (std::optional<std::uint32_t> needed = read_symbol_versions(path).x86_isa_needed) {
            // pypa's bit 0 is the baseline; set bits no level has are an error to it.
            std::uint32_t bits = *needed & ~1u;
            const X86IsaLevel* level = x86_isa_level(bits);
            if (level) ext = enum_repr("Architecture", level->architecture, level->architecture);
            else if (bits != 0) error = "unknown x86_64 ISA";
        }
    } else if (std::optional<std::string> problem = e_flags_problem(*baseline, facts.flags)) {
        error = *problem;
        base.reset();
    }
    return Json{{"_elf_osabi", pyelftools_name(ident.os_abi, os_abi_constant(ident.os_abi))},
                {"_elf_class", ident.elf_class},
                {"_elf_little_endian", ident.byte_order == ByteOrder::little},
                {"_elf_machine", pyelftools_name(ident.e_machine, machine_constant(ident.e_machine))},
                {"_base_arch", base ? Json(enum_repr("Architecture", *base, *base)) : Json(nullptr)},
                {"_ext_arch", ext},
                {"_error_msg", error}};
}

Json libc_repr(const std::optional<std::string>& libc) {
    if (!libc) return nullptr;
    std::string member = *libc;
    std::transform(member.begin(), member.end(), member.begin(), [](unsigned char c) { return std::toupper(c); });
    return enum_repr("Libc", member, *libc);
}
}  // namespace

// `path` as Python's PurePosixPath prints it: empty and "." components dropped.
std::string python_path(const std::string& path) {
    std::string normal = path.starts_with('/') ? "/" : "";
    for (std::size_t start = 0; start <= path.size();) {
        std::size_t end = std::min(path.find('/', start), path.size());
        std::string part = path.substr(start, end - start);
        if (!part.empty() && part != ".") normal += (normal.empty() || normal == "/" ? "" : "/") + part;
        start = end + 1;
    }
    return normal.empty() ? "." : normal;
}

Json lddtree_json(const DependencyTree& tree, const std::string& given) {
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
    std::vector<const ResolvedLibrary*> walked;
    std::set<std::string> seen;
    std::function<void(const std::vector<std::string>&)> walk = [&](const std::vector<std::string>& needed) {
        for (const std::string& soname : needed) {
            const ResolvedLibrary* library = find_library(tree, soname);
            if (library == nullptr || !seen.insert(soname).second) continue;
            walked.push_back(library);
            walk(library->needed);
        }
    };
    // pypa's walk enters the interpreter first, with the file's own platform and no needs.
    Json platform = platform_json(tree.path);
    const ResolvedLibrary* interpreter = facts.interpreter ? find_library(tree, file_name_of(*facts.interpreter)) : nullptr;
    if (interpreter != nullptr) seen.insert(interpreter->soname);
    walk(facts.needed);
    walk(tree.included);
    Json libraries = Json::object();
    if (interpreter != nullptr)
        libraries[interpreter->soname] = Json{{"soname", interpreter->soname},
                                              {"path", optional_string(interpreter->path)},
                                              {"realpath", optional_string(interpreter->realpath)},
                                              {"platform", platform},
                                              {"needed", Json::array()}};
    for (const ResolvedLibrary* library : walked)
        libraries[library->soname] = Json{{"soname", library->soname},
                                          {"path", optional_string(library->path)},
                                          {"realpath", optional_string(library->realpath)},
                                          {"platform", library->path ? platform_json(*library->path) : Json(nullptr)},
                                          {"needed", library->needed}};
    return Json{{"interpreter", optional_string(facts.interpreter)},
                {"libc", libc_repr(tree.libc)},
                {"path", python_path(given)},
                {"realpath", python_path(given)},
                {"platform", platform},
                {"needed", facts.needed},
                {"rpath", existing_dirs(facts.runpath.empty() ? facts.rpath : std::vector<std::string>{})},
                {"runpath", existing_dirs(facts.runpath)},
                {"libraries", libraries}};
}

}  // namespace aw
