// libFuzzer target over the ELF readers behind elf-deps and elf-symvers: the header check, the
// dynamic table, version needs and definitions, symbol tables. Any input is read or refused
// with an aw::Error.
#include "base/diagnostics.hpp"
#include "elf/elf_file.hpp"
#include "elf/elf_ident.hpp"
#include "elf/symbol_versions.hpp"
#include "fuzz_input.hpp"

#include <span>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    aw::elf_header_problem(std::as_bytes(std::span(data, size)), size);
    fuzz::InputFile file(data, size, "fuzzed.so");
    try {
        aw::read_elf_facts(file.path());
    } catch (const aw::Error&) {
        // refused cleanly
    }
    try {
        aw::read_symbol_versions(file.path());
    } catch (const aw::Error&) {
        // refused cleanly
    }
    return 0;
}
