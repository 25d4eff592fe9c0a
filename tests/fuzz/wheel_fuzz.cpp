// libFuzzer target over the zip reader and whl-unpack's checks, RECORD (CSV) and WHEEL parsing
// included: any input is refused with an aw::Error or unpacked inside its work directory.
#include "base/diagnostics.hpp"
#include "base/work_dir.hpp"
#include "fuzz_input.hpp"
#include "wheel/unpack.hpp"

#include <filesystem>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::InputFile wheel(data, size, "fuzzed-1.0-py3-none-any.whl");
    std::string dest = wheel.path() + ".d";
    aw::UnpackOptions options;
    options.wheel_path = wheel.path();
    options.dest = dest;
    options.elf_only = size % 2 == 0;  // both ways of extracting
    try {
        aw::UnpackedWheel unpacked = aw::unpack_wheel(options);
        for (const aw::MemberRecord& member : unpacked.members) aw::record_json(member);
        aw::wheel_record(unpacked);
    } catch (const aw::Error&) {
        // refused cleanly
    }
    // Nothing extracted may be a link (a way out of the work directory).
    std::error_code error;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dest, error))
        if (entry.is_symlink()) std::abort();
    aw::remove_tree(dest);
    return 0;
}
