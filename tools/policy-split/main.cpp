// policy-split: a build step, not a stage. Writes, for each policy family file
// in SOURCE_DIR and each architecture it names, the compiled split policy-check
// loads for a wheel of that architecture (OUTPUT_DIR/by-architecture/STEM-ARCH.json),
// and the compiled stable ABI (OUTPUT_DIR/stable-abi.json).
#include "base/diagnostics.hpp"
#include "policy/abi3.hpp"
#include "policy/policy.hpp"

#include <filesystem>
#include <fstream>

int main(int argc, char** argv) {
    return aw::run_stage("policy-split", [&] {
        if (argc != 3) aw::fail_usage("usage: policy-split SOURCE_DIR OUTPUT_DIR");
        const std::string source = argv[1], output = argv[2];
        std::filesystem::create_directories(output + "/by-architecture");
        auto write = [](const std::string& path, const std::string& text) {
            std::ofstream out(path, std::ios::binary | std::ios::trunc);
            out << text;
            if (!out.flush()) aw::fail("{}: cannot write", path);
        };
        for (const char* stem : aw::kPolicyFamilyFiles) {
            const std::string full = source + "/" + stem + ".yaml";
            const aw::PolicyFamily family = aw::load_policy_file(full);
            for (const std::string& architecture : aw::policy_architectures(family))
                write(aw::architecture_split_path(output, stem, architecture), aw::architecture_split(family, full, architecture));
        }
        write(aw::compiled_stable_abi_path(output + "/stable-abi.yaml"), aw::compiled_stable_abi(source + "/stable-abi.yaml"));
        return aw::kExitOk;
    });
}
