// auditwheel-stages: every stage in one static program, for the distribution (make dist). A wheel
// cannot hold links, and seven static copies of the same libraries would be four times the size,
// so the stages' names are small scripts that run "auditwheel-stages STAGE ARGS...". Each stage's
// main() is compiled under the name aw_main_<stage> for this program (see the Makefile).
#include "base/diagnostics.hpp"

#include <cstring>
#include <string>
#include <string_view>

int aw_main_whl_unpack(int argc, char** argv);
int aw_main_whl_pack(int argc, char** argv);
int aw_main_elf_deps(int argc, char** argv);
int aw_main_elf_symvers(int argc, char** argv);
int aw_main_policy_check(int argc, char** argv);
int aw_main_lib_graft(int argc, char** argv);
int aw_main_rpath_set(int argc, char** argv);

namespace {
struct StageEntry {
    std::string_view name;
    int (*main)(int, char**);
};

constexpr StageEntry kStages[] = {
    {"whl-unpack", aw_main_whl_unpack},     {"elf-deps", aw_main_elf_deps},   {"elf-symvers", aw_main_elf_symvers},
    {"policy-check", aw_main_policy_check}, {"lib-graft", aw_main_lib_graft}, {"rpath-set", aw_main_rpath_set},
    {"whl-pack", aw_main_whl_pack},
};

const StageEntry* find_stage(std::string_view name) {
    for (const StageEntry& stage : kStages)
        if (stage.name == name) return &stage;
    return nullptr;
}

std::string_view base_name(const char* path) {
    const char* slash = std::strrchr(path, '/');
    return slash ? slash + 1 : path;
}
}  // namespace

int main(int argc, char** argv) {
    // Run under a stage's name (a link made by hand), or with the stage as the first argument.
    if (argc > 0)
        if (const StageEntry* stage = find_stage(base_name(argv[0]))) return stage->main(argc, argv);
    if (argc > 1)
        if (const StageEntry* stage = find_stage(argv[1])) return stage->main(argc - 1, argv + 1);
    return aw::run_stage("auditwheel-stages", [&]() -> int {
        std::string names;
        for (const StageEntry& stage : kStages) names += std::string(names.empty() ? "" : ", ") + std::string(stage.name);
        if (argc > 1) aw::fail_usage("no stage named \"{}\" (usage: auditwheel-stages STAGE [ARGS...]; stages: {})", argv[1], names);
        aw::fail_usage("no stage given (usage: auditwheel-stages STAGE [ARGS...]; stages: {})", names);
    });
}
