// policy-split: a build step, not a stage. Writes, for each policy family file
// in SOURCE_DIR and each architecture it names, the split policy-check loads
// for a wheel of that architecture (DIR/by-architecture/STEM-ARCH.yaml).
#include "diagnostics.hpp"
#include "policy.hpp"

#include <filesystem>
#include <fstream>

int main(int argc, char** argv) {
    return aw::run_stage("policy-split", [&] {
        if (argc != 3) aw::fail_usage("usage: policy-split SOURCE_DIR OUTPUT_DIR");
        const std::string source = argv[1], output = argv[2];
        std::filesystem::create_directories(output + "/by-architecture");
        for (const char* stem : aw::kPolicyFamilyFiles) {
            const std::string full = source + "/" + stem + ".yaml";
            for (const std::string& architecture : aw::policy_architectures(aw::load_policy_file(full))) {
                const std::string path = aw::architecture_split_path(output, stem, architecture);
                std::ofstream out(path, std::ios::binary | std::ios::trunc);
                out << aw::architecture_split(full, architecture);
                if (!out.flush()) aw::fail("{}: cannot write", path);
            }
        }
        return aw::kExitOk;
    });
}
