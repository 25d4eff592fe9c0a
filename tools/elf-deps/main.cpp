// elf-deps: the facts and dependency tree of every ELF member in the stream
// (or of the files named), resolved as the target's dynamic loader would.
#include "diagnostics.hpp"
#include "elf_deps.hpp"
#include "interrupt.hpp"
#include "options.hpp"
#include "paths.hpp"
#include "records.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>

namespace {
const aw::OptionTable kOptions(
    "elf-deps", "[FILE...]",
    "Resolves the libraries of every ELF member in the records on stdin, or of each FILE.",
    {{"ldpaths", 0, 1, "PATHS", "search these ':'-separated directories instead of ld.so.conf and the defaults"},
     {"root", 0, 1, "DIR", "resolve inside the sysroot DIR"},
     {"add-path", 0, 1, "DIR", "also search DIR, where LD_LIBRARY_PATH is searched (repeatable)"},
     {"include", 0, 1, "NAME", "resolve NAME as if every Python extension needed it (a library it dlopens; repeatable)"},
     {"format", 0, 1, "FORMAT",
      "records (default), tree (lddtree's text) or json (pypa auditwheel's lddtree); tree and json take exactly one FILE"},
     {"log", 0, 0, "", "print where each member's libraries were found, as lddtree's text, on stderr"}});

std::vector<std::string> non_empty_entries(const char* value) {
    std::vector<std::string> entries;
    if (value == nullptr) return entries;
    for (const std::string& entry : aw::split_search_path(value))
        if (!entry.empty()) entries.push_back(entry);
    return entries;
}

int deps_main(int argc, char** argv) {
    aw::CommandLine line = kOptions.parse_stage_arguments(argc, argv);
    aw::SearchOptions search;
    if (auto ldpaths = line.last("ldpaths")) search.ldpaths = non_empty_entries(ldpaths->c_str());
    if (auto root = line.last("root")) search.root = std::filesystem::absolute(*root).lexically_normal().string();
    std::vector<std::string> add_paths = line.all("add-path"), included = line.all("include");
    std::string format = line.last("format").value_or("records");
    bool log = line.has("log");
    if (format != "records" && format != "tree" && format != "json")
        aw::fail_usage("--format must be records, tree or json, not '{}'", format);
    const std::vector<std::string>& files = line.operands();
    if (format != "records" && files.size() != 1) aw::fail_usage("--format {} takes exactly one FILE", format);
    if (search.root.size() > 1 && search.root.ends_with('/')) search.root.pop_back();

    // As pypa auditwheel: AUDITWHEEL_LD_LIBRARY_PATH before LD_LIBRARY_PATH, and
    // LD_LIBRARY_PATH (a host setting) not with --ldpaths or a sysroot.
    auto set_library_path = [&] {
        search.library_path = add_paths;
        for (const std::string& dir : non_empty_entries(std::getenv("AUDITWHEEL_LD_LIBRARY_PATH")))
            search.library_path.push_back(dir);
        if (!search.ldpaths && search.root == "/")
            for (const std::string& dir : non_empty_entries(std::getenv("LD_LIBRARY_PATH"))) search.library_path.push_back(dir);
    };
    set_library_path();

    aw::RecordWriter out(std::cout);
    aw::LibraryIndex libraries;
    if (!files.empty()) {
        aw::DependencyResolver resolver(search);
        for (const std::string& file : files) {
            aw::DependencyTree tree = resolver.resolve(std::filesystem::absolute(file).lexically_normal().string());
            if (format == "tree") std::cout << aw::format_lddtree(tree);
            if (format == "json") std::cout << aw::lddtree_json(tree, file).dump(4) << '\n';
            if (format != "records") return aw::kExitOk;
            out.emit(aw::elf_record(file, tree, ""));
            libraries.add(file, tree, "");
        }
    } else {
        std::string workdir;
        std::vector<std::pair<std::string, aw::DependencyTree>> trees;
        std::optional<aw::DependencyResolver> resolver;
        aw::RecordReader in(std::cin);
        while (auto record = in.next()) {
            out.pass_through(*record);
            std::string kind = record->kind();
            if (kind == "wheel") {
                workdir = aw::required_string(record->value, "workdir");
                search.wheel_root = workdir;
                // Android wheels never load the host's libraries: without --ldpaths, search none.
                const aw::Json tags = record->value.value("tags", aw::Json::object()).value("platform", aw::Json::array());
                bool android = !tags.empty() && std::all_of(tags.begin(), tags.end(), [](const aw::Json& tag) {
                    return tag.is_string() && tag.get<std::string>().starts_with("android");
                });
                if (android && !search.ldpaths) {
                    search.ldpaths = std::vector<std::string>{};
                    set_library_path();
                }
                resolver.emplace(search);
            } else if (kind == "member" && record->value.value("elf", aw::Json(nullptr)).is_object() &&
                       record->value.value("extracted", false)) {
                if (!resolver) aw::fail("member record before the wheel record (line order)");
                aw::throw_if_interrupted();
                std::string path = aw::required_string(record->value, "path");
                std::string file = workdir + "/" + path;
                try {
                    aw::DependencyTree tree = resolver->resolve(file);
                    if (!included.empty() && aw::is_python_extension(*tree.facts, aw::file_name_of(path)))
                        tree = resolver->resolve(file, included);
                    std::istringstream tree_text(log ? aw::format_lddtree(tree, path) : "");
                    for (std::string shown; std::getline(tree_text, shown);) aw::print_log(shown);
                    trees.emplace_back(path, std::move(tree));
                } catch (const aw::ElfError& error) {
                    aw::warn("member {}: {}", path, error.what());
                    out.emit(aw::elf_error_record(path, file, error.what()));
                }
            }
        }
        for (const auto& [path, tree] : trees) {
            out.emit(aw::elf_record(path, tree, workdir));
            libraries.add(path, tree, workdir);
        }
    }
    for (const aw::Json& record : libraries.records()) out.emit(record);
    out.flush();
    return aw::kExitOk;
}
}  // namespace

int main(int argc, char** argv) {
    return aw::run_stage("elf-deps", [&] { return deps_main(argc, argv); });
}
