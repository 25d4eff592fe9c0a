// libFuzzer target over rpath-set's rewrite: any input is either refused with
// an aw::Error or rewritten; a rewritten file that the ELF reader took before
// must read back, with the edits in it (rpath-set is laxer than that reader:
// a PT_INTERP outside the file, found by the fuzzer, is the input's fault).
#include "base/diagnostics.hpp"
#include "edit/dynamic_edit.hpp"
#include "elf/elf_file.hpp"

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::string dir = [] {
        const char* tmp = std::getenv("TMPDIR");
        return std::string(tmp != nullptr ? tmp : "/tmp");
    }();
    const std::string input = dir + "/aw-fuzz-in-" + std::to_string(::getpid()) + ".so";
    const std::string output = dir + "/aw-fuzz-out-" + std::to_string(::getpid()) + ".so";
    std::ofstream(input, std::ios::binary).write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    aw::DynamicEdits edits;
    edits.set_soname = "libfuzzed-0a1b2c3d.so";
    edits.replace_needed = {{"libc.so.6", "libc-renamed-0a1b2c3d.so.6"}};
    edits.set_rpath = "$ORIGIN/../fuzzed.libs:/a/long/path/needing/room";
    edits.force_rpath = true;
    edits.strip = size % 2 == 0;  // half the inputs are stripped too
    bool readable = true;
    try {
        aw::read_elf_facts(input);
    } catch (const aw::Error&) {
        readable = false;
    }
    bool written = false;
    try {
        written = aw::apply_dynamic_edits(input, edits, output);
    } catch (const aw::Error&) {
        // refused cleanly
    }
    if (written && readable) {
        try {
            aw::ElfFacts facts = aw::read_elf_facts(output);
            if (!facts.soname || *facts.soname != *edits.set_soname) std::abort();
        } catch (const aw::Error& error) {
            std::fprintf(stderr, "rewritten file does not read back: %s\n", error.what());
            std::abort();
        }
    }
    std::remove(input.c_str());
    std::remove(output.c_str());
    return 0;
}
