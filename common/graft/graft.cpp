#include "graft/graft.hpp"

#include "base/diagnostics.hpp"
#include "base/digest.hpp"
#include "base/paths.hpp"
#include "base/text.hpp"
#include "elf/elf_file.hpp"
#include "elf/ld_search.hpp"
#include "graft/sbom.hpp"
#include "policy/policy.hpp"
#include "wheel/member_path.hpp"
#include "wheel/member_record.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

namespace aw {
namespace fs = std::filesystem;

namespace {

// Copies `source` into `directory` as `<name>-<hash>.<rest>` (hash of the
// copied bytes, so the name always matches the content), or as `fixed_name`,
// unless that file is there already. Returns the file name and the copied bytes' hash and size.
std::pair<std::string, FileDigest> copy_hashed(const std::string& soname, const std::string& source,
                                                const std::string& directory,
                                                const std::optional<std::string>& fixed_name) {
    struct stat status {};
    if (::stat(source.c_str(), &status) != 0)
        fail("cannot graft {}: {}: {}", soname, source, std::strerror(errno));
    if (!S_ISREG(status.st_mode)) fail("cannot graft {}: {} is not a regular file", soname, source);
    std::string staging = directory + "/.graft-" + file_name_of(source);
    // copy2 keeps the mode; the owner must be able to write it (pypa auditwheel's #237).
    FileDigest copied;
    try {
        copied = copy_digested(source, staging, (status.st_mode & 07777) | S_IWUSR);
    } catch (const Error& error) {
        fail("cannot graft {}: copying {} into the wheel: {}", soname, source, error.what());
    }
    std::string name = fixed_name.value_or(grafted_file_name(file_name_of(source), copied.sha256_hex.substr(0, 8)));
    std::string target = directory + "/" + name;
    std::error_code error;
    if (fs::exists(target, error)) {
        fs::remove(staging, error);
    } else if (::rename(staging.c_str(), target.c_str()) != 0) {
        fail("cannot graft {}: {}: {}", soname, target, std::strerror(errno));
    }
    return {name, copied};
}

}  // namespace

GraftTarget graft_target_of(const WheelRecord& wheel) {
    GraftTarget target;
    target.workdir = wheel.workdir;
    target.filename = wheel.filename;
    target.dist_info = wheel.dist_info;
    target.distribution = wheel.name;
    return target;
}

void take_record(GraftTarget& target, const Record& record) {
    std::string kind = record.kind();
    if (kind == "member") {
        target.members.insert(read_member_record(record).path);
    } else if (kind == "elf") {
        ElfRecord elf = read_elf_record(record);
        if (elf.error) return;
        // A file the loader links (DT_NEEDED, a SONAME or an interpreter): what --strip strips.
        if (!elf.needed.empty() || elf.soname || elf.interpreter) target.dynamic_members.push_back(elf.path);
        std::string path = elf.path;
        target.elfs.insert_or_assign(path, std::move(elf));
    } else if (kind == "library") {
        LibraryRecord library = read_library_record(record);
        if (library.realpath) target.libraries.insert_or_assign(*library.realpath, std::move(library));
    }
}

namespace {
// What elf-deps found of a member, by its path before any move.
const ElfRecord& member_facts(const GraftTarget& target, const std::string& member) {
    auto found = target.elfs.find(member);
    if (found == target.elfs.end())
        fail("{}: member {}: the stream has no elf record of it (elf-deps writes one for every ELF member)",
             target.filename, member);
    return found->second;
}

// What elf-deps found of a library to graft, by its realpath.
const LibraryRecord& library_facts(const GraftTarget& target, const std::string& realpath) {
    auto found = target.libraries.find(realpath);
    if (found == target.libraries.end())
        fail("{}: the stream has no library record of {} (elf-deps writes one for every library the members load)",
             target.filename, realpath);
    return found->second;
}

// Moves a script executable to <distribution>.scripts/ and leaves a shim.
MovedScript move_script(const GraftTarget& target, const std::string& member) {
    MovedScript moved{member, target.distribution + ".scripts/" + file_name_of(member)};
    std::string from = target.workdir + "/" + moved.from, to = target.workdir + "/" + moved.to;
    struct stat status {};
    if (::stat(from.c_str(), &status) != 0) fail("{}: {}", moved.from, std::strerror(errno));
    std::error_code error;
    if (target.members.count(moved.to) != 0 || fs::exists(to, error)) fail("cannot move script {} to {}: that file exists", moved.from, moved.to);
    fs::create_directories(directory_of(to), error);
    if (error || ::rename(from.c_str(), to.c_str()) != 0)
        fail("cannot move script {} to {}: {}", moved.from, moved.to, error ? error.message() : std::strerror(errno));
    std::ofstream shim(from, std::ios::binary | std::ios::trunc);
    shim << script_shim(moved.to);
    shim.close();
    if (!shim || ::chmod(from.c_str(), status.st_mode & 07777) != 0)
        fail("cannot write the script shim {}: {}", moved.from, std::strerror(errno));
    return moved;
}

// Collects edits per file, keeping the order files were first touched in.
class EditList {
public:
    DynamicEdits& of(const std::string& path) {
        auto found = std::find_if(edits_.begin(), edits_.end(), [&](const auto& entry) { return entry.first == path; });
        if (found != edits_.end()) return found->second;
        return edits_.emplace_back(path, DynamicEdits{}).second;
    }
    std::vector<std::pair<std::string, DynamicEdits>> take() { return std::move(edits_); }

private:
    std::vector<std::pair<std::string, DynamicEdits>> edits_;
};

std::string path_after_moves(const std::vector<MovedScript>& moves, const std::string& member) {
    auto moved = std::find_if(moves.begin(), moves.end(), [&](const MovedScript& script) { return script.from == member; });
    return moved == moves.end() ? member : moved->to;
}

void add_unique(std::vector<std::string>& list, const std::string& item) {
    if (std::find(list.begin(), list.end(), item) == list.end()) list.push_back(item);
}

}  // namespace

std::string grafted_file_name(const std::string& real_name, const std::string& short_hash) {
    std::size_t dot = real_name.find('.');
    std::string base = real_name.substr(0, dot);
    std::string rest = dot == std::string::npos ? "" : real_name.substr(dot);
    if (base.ends_with("-" + short_hash)) return real_name;
    return base + "-" + short_hash + rest;
}

std::string origin_relative_rpath(const std::string& member, const std::string& lib_dir) {
    std::string relative = fs::path(lib_dir).lexically_relative(fs::path(member).parent_path()).generic_string();
    return "$ORIGIN/" + relative;
}

std::vector<std::string> rpath_entries_inside_wheel(const std::vector<std::string>& entries, const std::string& member,
                                                    const ElfIdent& ident, const std::string& workdir) {
    fs::path root = fs::path(workdir).lexically_normal();
    std::string origin = (root / fs::path(member).parent_path()).generic_string();
    std::vector<std::string> kept;
    for (const std::string& entry : entries) {
        fs::path expanded(expand_dynamic_tokens(entry, origin, ident));
        if (!expanded.is_absolute()) continue;  // relative to the current directory: nowhere in particular
        std::string relative = expanded.lexically_normal().lexically_relative(root).generic_string();
        if (relative.empty() || relative == ".." || relative.starts_with("../")) continue;
        add_unique(kept, entry);
    }
    return kept;
}

bool is_wheel_script(const std::string& member) {
    std::size_t first = member.find('/');
    if (first == std::string::npos || !member.substr(0, first).ends_with(".data")) return false;
    std::size_t second = member.find('/', first + 1);
    return second != std::string::npos && member.substr(first + 1, second - first - 1) == "scripts" &&
           member.find('/', second + 1) == std::string::npos;
}

std::string script_shim(const std::string& target) {
    // A JSON string literal is a valid Python string literal.
    return "#!python\n"
           "# auditwheel moved this executable beside the libraries it loads.\n"
           "import os\n"
           "import sys\n"
           "import sysconfig\n"
           "\n"
           "if __name__ == \"__main__\":\n"
           "    os.execv(os.path.join(sysconfig.get_path(\"platlib\"), " +
           Json(target).dump() + "), sys.argv)\n";
}

namespace {

// Copies every library of the plan into `lib_dir` (created only when there is one).
std::vector<GraftedLibrary> copy_libraries(const GraftTarget& target, const GraftPlan& plan, const std::string& lib_dir) {
    std::vector<GraftedLibrary> libraries;
    for (const auto& [soname, source] : plan.libraries) {
        std::error_code error;
        fs::create_directories(target.workdir + "/" + lib_dir, error);
        if (error) fail("cannot create {} in the work directory: {}", lib_dir, error.message());
        auto [name, copied] = copy_hashed(soname, source, target.workdir + "/" + lib_dir,
                                          plan.included.contains(soname) ? std::optional(soname) : std::nullopt);
        libraries.push_back(GraftedLibrary{soname, source, lib_dir + "/" + name, copied.sha256_hex, copied.size});
    }
    return libraries;
}

// The copies' own edits: their new SONAME, their needs of each other, and an
// RPATH of $ORIGIN when they have such needs (else none: a stale build path
// must not find another copy first).
void edit_grafted_libraries(const GraftTarget& target, const GraftPlan& plan, const std::vector<GraftedLibrary>& libraries,
                            const std::map<std::string, std::string>& new_names, EditList& edits) {
    std::set<std::string> planned;  // several sonames may share one copy
    for (const GraftedLibrary& library : libraries) {
        if (!planned.insert(library.path).second) continue;
        const LibraryRecord& facts = library_facts(target, library.source);
        DynamicEdits& edit = edits.of(library.path);
        std::string name = file_name_of(library.path);
        if (!plan.included.contains(name)) edit.set_soname = name;
        for (const std::string& needed : facts.needed)
            if (auto found = new_names.find(needed); found != new_names.end())
                edit.replace_needed.emplace_back(needed, found->second);
        if (edit.replace_needed.empty()) {
            edit.remove_rpath = true;
        } else {
            edit.set_rpath = "$ORIGIN";
            edit.force_rpath = !target.android;
        }
    }
}

// The members' edits: needs renamed, RPATH = its entries inside the wheel plus
// the library directory; scripts first move beside the libraries.
void edit_members(const GraftTarget& target, const GraftPlan& plan, const std::string& lib_dir,
                  const std::map<std::string, std::string>& new_names, GraftResult& result, EditList& edits) {
    // bionic reads DT_RUNPATH from API level 24 on (pypa auditwheel refuses the same way).
    if (target.android && !plan.members.empty() && android_api_level(plan.policy).value_or(0) < 24)
        fail("{}: grafting libraries with RUNPATH requires API level 24 or higher", plan.policy);
    for (const auto& [member, sonames] : plan.members) {
        std::string path = member;
        if (is_wheel_script(member)) {
            MovedScript moved = move_script(target, member);
            path = moved.to;
            result.scripts.push_back(moved);
        }
        const ElfRecord& facts = member_facts(target, member);
        DynamicEdits& edit = edits.of(path);
        for (const std::string& soname : sonames)
            if (std::find(facts.needed.begin(), facts.needed.end(), soname) != facts.needed.end())
                edit.replace_needed.emplace_back(soname, new_names.at(soname));
        std::vector<std::string> rpath = rpath_entries_inside_wheel(
            facts.runpath.empty() ? facts.rpath : facts.runpath, path, facts.ident, target.workdir);
        add_unique(rpath, origin_relative_rpath(path, lib_dir));
        edit.set_rpath = join_search_path(rpath);
        edit.force_rpath = !target.android;
    }
    for (const auto& [member, names] : plan.remove_needed) {
        DynamicEdits& edit = edits.of(path_after_moves(result.scripts, member));
        for (const std::string& name : names) add_unique(edit.remove_needed, name);
    }
}

// glibc 2.41 and later refuse to dlopen a file that asks for an executable stack (pypa
// auditwheel's issue #634): the grafted copies and the dynamic members that do are cleared with
// `clear`, in the same rewrite as their other edits, and otherwise named in a warning.
std::vector<LogLine> clear_executable_stacks(const GraftTarget& target, const GraftResult& result, bool clear,
                                             EditList& edits) {
    std::vector<std::string> files;  // each asking for an executable stack, as it is in the wheel now
    for (const GraftedLibrary& library : result.libraries)
        if (library_facts(target, library.source).executable_stack) add_unique(files, library.path);
    for (const std::string& member : target.dynamic_members)
        if (member_facts(target, member).executable_stack) add_unique(files, path_after_moves(result.scripts, member));
    std::vector<LogLine> log;
    for (const std::string& file : files) {
        if (clear) {
            edits.of(file).executable_stack = false;
            log.push_back({false, "Clearing the executable stack request of " + file});
        } else {
            log.push_back({true, fmt::format("{} asks for an executable stack, which glibc 2.41 and later refuse to load; "
                                             "repair with --clear-execstack to clear it", file)});
        }
    }
    return log;
}
}  // namespace

GraftResult graft_libraries(const GraftTarget& target, const GraftPlan& plan, const GraftOptions& options) {
    std::string lib_dir = target.distribution + options.lib_sdir;
    if (auto reason = unsafe_member_path_reason(lib_dir + "/x"))
        fail("--lib-sdir {}: the library directory {} must lie inside the wheel ({})", options.lib_sdir, lib_dir, *reason);
    for (const auto& [soname, realpath] : plan.libraries) library_facts(target, realpath);  // before a byte is copied
    GraftResult result;
    result.libraries = copy_libraries(target, plan, lib_dir);
    std::map<std::string, std::string> new_names;  // soname -> grafted file name
    for (const GraftedLibrary& library : result.libraries) new_names[library.soname] = file_name_of(library.path);
    EditList edits;
    edit_grafted_libraries(target, plan, result.libraries, new_names, edits);
    edit_members(target, plan, lib_dir, new_names, result, edits);
    if (options.strip) {
        for (const GraftedLibrary& library : result.libraries) edits.of(library.path).strip = true;
        for (const std::string& member : target.dynamic_members) edits.of(path_after_moves(result.scripts, member)).strip = true;
    }
    std::vector<LogLine> stack_log = clear_executable_stacks(target, result, options.clear_execstack, edits);
    result.edits = edits.take();
    result.log = graft_log(target, plan, result);
    result.log.insert(result.log.end(), stack_log.begin(), stack_log.end());
    return result;
}

std::string grafted_summary(const std::vector<GraftedLibrary>& libraries) {
    std::map<std::string, std::uint64_t> copies;  // several sonames may share one copy
    for (const GraftedLibrary& library : libraries) copies[library.path] = library.size;
    std::uint64_t bytes = 0;
    for (const auto& [path, size] : copies) bytes += size;
    return fmt::format("Grafted {} librar{}, {}", copies.size(), copies.size() == 1 ? "y" : "ies", binary_size(bytes));
}

std::vector<LogLine> graft_log(const GraftTarget& target, const GraftPlan& plan, const GraftResult& result) {
    auto edit_of = [&result](const std::string& path) {
        static const DynamicEdits kNone;
        for (const auto& [edited, edit] : result.edits)
            if (edited == path) return &edit;
        return &kNone;
    };
    auto listed = [](const auto& lists, const std::string& member) {
        auto found = std::find_if(lists.begin(), lists.end(), [&](const auto& entry) { return entry.first == member; });
        return found == lists.end() ? std::vector<std::string>{} : found->second;
    };
    std::vector<std::string> members;  // the wheel's order where elf-deps gave it, then the plan's
    for (const std::string& member : target.dynamic_members) members.push_back(member);
    for (const auto& [member, sonames] : plan.members) add_unique(members, member);
    for (const auto& [member, names] : plan.remove_needed) add_unique(members, member);

    std::vector<LogLine> log;
    std::vector<std::string> copies;  // in the order first grafted
    for (const std::string& member : members) {
        for (const std::string& name : listed(plan.remove_needed, member))
            log.push_back({true, fmt::format("Removing {} dependency from {}. Linking with libpython is forbidden for "
                                             "manylinux/musllinux wheels.", name, member)});
        std::vector<std::string> sonames = listed(plan.members, member);
        for (const std::string& soname : sonames) {
            auto library = std::find_if(result.libraries.begin(), result.libraries.end(),
                                        [&](const GraftedLibrary& grafted) { return grafted.soname == soname; });
            if (library == result.libraries.end() || std::find(copies.begin(), copies.end(), library->path) != copies.end())
                continue;
            copies.push_back(library->path);
            log.push_back({false, fmt::format("Grafting: {} -> {}", library->source, library->path)});
        }
        std::string path = path_after_moves(result.scripts, member);
        if (const auto& rpath = edit_of(path)->set_rpath; rpath && !sonames.empty())
            log.push_back({false, fmt::format("Setting RPATH: {} to \"{}\"", path, *rpath)});
    }
    for (const std::string& copy : copies)
        if (const auto& rpath = edit_of(copy)->set_rpath)
            log.push_back({false, fmt::format("Setting RPATH: {} to \"{}\"", copy, *rpath)});
    if (!copies.empty()) log.push_back({false, grafted_summary(result.libraries)});
    for (const std::string& copy : copies)
        if (edit_of(copy)->strip) log.push_back({false, "Stripping symbols from " + copy});
    for (const auto& [path, edit] : result.edits)
        if (edit.strip && std::find(copies.begin(), copies.end(), path) == copies.end())
            log.push_back({false, "Stripping symbols from " + path});
    return log;
}

std::string repaired_wheel_filename(const GraftTarget& target, const std::vector<Retag>& retags) {
    WheelName name = parse_wheel_filename(target.filename);
    std::string wheel_file = target.dist_info + "/WHEEL";
    std::ifstream in(target.workdir + "/" + wheel_file, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) fail("{}: cannot read {}", target.filename, wheel_file);
    RetagResult retagged = apply_retags(name, WheelMetadata::parse(text, target.filename + ": " + wheel_file), retags);
    return name.filename_with_platforms(retagged.platforms);
}

std::vector<std::string> graft_sources(const GraftPlan& plan) {
    std::vector<std::string> sources;
    for (const auto& [soname, source] : plan.libraries) sources.push_back(source);
    return sources;
}

std::optional<std::string> write_graft_sbom(const GraftTarget& target, const std::vector<GraftedLibrary>& libraries,
                                            const std::map<std::string, PackageOwner>& owners,
                                            const std::string& wheel_filename, const std::string& tool_version) {
    WheelName name = parse_wheel_filename(target.filename);
    SbomInput input{name.name, name.version, wheel_filename, tool_version, {}};
    std::set<std::string> listed;  // one component per host file, however many sonames name it
    for (const GraftedLibrary& library : libraries)
        if (auto owner = owners.find(library.source); owner != owners.end() && listed.insert(library.source).second)
            input.libraries.push_back(SbomLibrary{library.source, owner->second});
    if (input.libraries.empty()) return std::nullopt;
    std::string path = target.dist_info + "/" + kSbomFile;
    std::error_code error;
    fs::create_directories(directory_of(target.workdir + "/" + path), error);
    std::ofstream out(target.workdir + "/" + path, std::ios::binary | std::ios::trunc);
    out << cyclonedx_sbom(input).dump();
    out.close();
    if (error || !out) fail("cannot write {}: {}", path, error ? error.message() : std::strerror(errno));
    return path;
}

Json record_json(const GraftedLibrary& library) {
    return Json{{"kind", "grafted"},
                {"soname", library.soname},
                {"source", library.source},
                {"path", library.path},
                {"sha256", library.sha256}};
}

Json record_json(const MovedScript& script) {
    return Json{{"kind", "script_moved"}, {"from", script.from}, {"to", script.to}};
}

Json record_json(const SbomRecord& sbom) { return Json{{"kind", "sbom"}, {"path", sbom.path}}; }

}  // namespace aw
