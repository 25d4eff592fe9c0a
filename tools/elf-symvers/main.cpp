// elf-symvers: the symbol versions, undefined symbols, x86 ISA level and
// old-ABI markers of every ELF member and external library in the stream
// (or of the files named).
#include "diagnostics.hpp"
#include "interrupt.hpp"
#include "options.hpp"
#include "records.hpp"
#include "symbol_versions.hpp"

#include <iostream>
#include <set>

namespace {
const aw::OptionTable kOptions(
    "elf-symvers", "[FILE...]",
    "Reads the versioned symbols each ELF member and external library in the records on stdin (or each FILE) "
    "requires, and writes a \"symvers\" record per file.",
    {});

int symvers_main(int argc, char** argv) {
    aw::CommandLine line = kOptions.parse_stage_arguments(argc, argv);
    aw::RecordWriter out(std::cout);
    if (!line.operands().empty()) {
        for (const std::string& file : line.operands())
            out.emit(aw::symvers_record(file, "file", file, aw::read_symbol_versions(file)));
        out.flush();
        return aw::kExitOk;
    }
    std::string workdir;
    std::vector<std::tuple<std::string, std::string, std::string>> todo;  // label, origin, file
    std::set<std::string> seen_files;
    aw::RecordReader in(std::cin);
    while (auto record = in.next()) {
        out.pass_through(*record);
        const aw::Json& value = record->value;
        std::string kind = record->kind();
        if (kind == "wheel") {
            workdir = aw::required_string(value, "workdir");
        } else if (kind == "member" && value.value("elf", aw::Json(nullptr)).is_object() && value.value("extracted", false)) {
            std::string path = aw::required_string(value, "path");
            if (seen_files.insert(workdir + "/" + path).second) todo.emplace_back(path, "member", workdir + "/" + path);
        } else if (kind == "library" && value.value("found", false) && !value.value("in_wheel", false)) {
            std::string realpath = aw::required_string(value, "realpath");
            if (seen_files.insert(realpath).second) todo.emplace_back(realpath, "library", realpath);
        }
    }
    for (const auto& [label, origin, file] : todo) {
        aw::throw_if_interrupted();
        try {
            out.emit(aw::symvers_record(label, origin, file, aw::read_symbol_versions(file)));
        } catch (const aw::ElfError& error) {
            aw::warn("{}", error.what());
            out.emit(aw::Json{{"kind", "symvers"}, {"path", label}, {"origin", origin}, {"file", file}, {"error", error.what()}});
        }
    }
    out.flush();
    return aw::kExitOk;
}
}  // namespace

int main(int argc, char** argv) {
    return aw::run_stage("elf-symvers", [&] { return symvers_main(argc, argv); });
}
