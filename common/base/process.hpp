// Running a host program and reading what it prints (package managers, the
// musl loader): no shell, arguments passed as they are.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace aw {

struct ProgramOutput {
    int exit_status = -1;  // -1 when it did not exit normally
    std::string out;       // standard output
    std::string err;       // standard error
};

// Runs argv[0] (searched in PATH when it has no '/') with standard input from
// /dev/null; nullopt when it cannot be started.
std::optional<ProgramOutput> run_program(const std::vector<std::string>& argv);

// Whether `program` (no '/') is an executable file in a directory of PATH: asked once, instead of
// failing to start it in every directory each time.
bool on_search_path(const std::string& program);

}  // namespace aw
