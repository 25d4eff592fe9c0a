// elf-deps: the facts and dependency tree of every ELF member in the stream
// (or of the files named), resolved as the target's dynamic loader would.
#include "base/diagnostics.hpp"
#include "base/interrupt.hpp"
#include "base/paths.hpp"
#include "elf/elf_deps.hpp"
#include "protocol/options.hpp"
#include "protocol/records.hpp"
#include "wheel/member_record.hpp"

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

// Resolves one member of the stream's wheel; a member that is not a readable ELF file gets an
// error record and a warning naming it in the wheel.
void resolve_member(aw::DependencyResolver& resolver, const aw::WheelRecord& wheel, const std::string& path,
                    const std::vector<std::string>& included, bool log,
                    std::vector<std::pair<std::string, aw::DependencyTree>>& trees, aw::StageStream& stream) {
    std::string file = wheel.extracted_file(path);
    try {
        aw::DependencyTree tree = resolver.resolve(file);
        if (!included.empty() && aw::is_python_extension(*tree.facts, aw::file_name_of(path)))
            tree = resolver.resolve(file, included);
        std::istringstream tree_text(log ? aw::format_lddtree(tree, path) : "");
        for (std::string shown; std::getline(tree_text, shown);) aw::print_log(shown);
        trees.emplace_back(path, std::move(tree));
    } catch (const aw::ElfError& error) {
        aw::warn("{}; not analysed", aw::describe_at(wheel.member(path), error));
        stream.emit(aw::record_json(aw::elf_error_record(path, file, error.detail())));
    }
}

int deps_main(int argc, char** argv) {
    aw::CommandLine line = kOptions.parse_stage_arguments(argc, argv);
    aw::SearchRequest request;
    if (auto ldpaths = line.last("ldpaths")) request.ldpaths = aw::search_path_entries(ldpaths->c_str());
    if (auto root = line.last("root")) request.root = std::filesystem::absolute(*root).lexically_normal().string();
    if (request.root.size() > 1 && request.root.ends_with('/')) request.root.pop_back();
    request.add_paths = line.all("add-path");
    std::vector<std::string> included = line.all("include");
    std::string format = line.last("format").value_or("records");
    bool log = line.has("log");
    if (format != "records" && format != "tree" && format != "json")
        aw::fail_usage("--format must be records, tree or json, not '{}'", format);
    const std::vector<std::string>& files = line.operands();
    if (format != "records" && files.size() != 1) aw::fail_usage("--format {} takes exactly one FILE", format);

    aw::LibraryIndex libraries;
    if (!files.empty()) {
        aw::RecordWriter out(std::cout);
        aw::DependencyResolver resolver(aw::search_for_files(request));
        for (const std::string& file : files) {
            aw::DependencyTree tree = resolver.resolve(std::filesystem::absolute(file).lexically_normal().string());
            if (format == "tree") std::cout << aw::format_lddtree(tree);
            if (format == "json") std::cout << aw::lddtree_json(tree, file).dump(4) << '\n';
            if (format != "records") return aw::kExitOk;
            out.emit(aw::record_json(aw::elf_record(file, tree, "")));
            libraries.add(file, tree, "");
        }
        for (const aw::LibraryRecord& record : libraries.records()) out.emit(aw::record_json(record));
        out.flush();
        return aw::kExitOk;
    }
    aw::StageStream stream(std::cin, std::cout);
    std::vector<std::pair<std::string, aw::DependencyTree>> trees;
    std::optional<aw::DependencyResolver> resolver;
    while (auto record = stream.next()) {
        if (record->kind() == "wheel") resolver.emplace(aw::search_for_wheel(request, *stream.wheel()));
        if (record->kind() != "member") continue;
        aw::MemberRecord member = aw::read_member_record(*record);
        if (!member.extracted_elf()) continue;
        const aw::WheelRecord& wheel = stream.wheel_for(*record);
        aw::throw_if_interrupted();
        resolve_member(*resolver, wheel, member.path, included, log, trees, stream);
    }
    const std::string workdir = stream.wheel() ? stream.wheel()->workdir : "";
    for (const auto& [path, tree] : trees) {
        stream.emit(aw::record_json(aw::elf_record(path, tree, workdir)));
        libraries.add(path, tree, workdir);
    }
    for (const aw::LibraryRecord& record : libraries.records()) stream.emit(aw::record_json(record));
    stream.finish();
    return aw::kExitOk;
}
}  // namespace

int main(int argc, char** argv) {
    return aw::run_stage("elf-deps", [&] { return deps_main(argc, argv); });
}
