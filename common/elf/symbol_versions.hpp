// What an ELF file asks of the libraries it links: versioned symbols
// (.gnu.version_r with .gnu.version and .dynsym), undefined symbols, the x86
// ISA level it needs, and the markers of old CPython ABIs.
#pragma once

#include "elf/elf_file.hpp"
#include "protocol/records.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace aw {

struct SymbolVersions {
    // needed file (vn_file) -> version name -> undefined symbols bound to it (sorted)
    std::map<std::string, std::map<std::string, std::vector<std::string>>> required;
    std::vector<std::string> undefined;  // undefined, non-weak .dynsym names, sorted
    // GNU_PROPERTY_X86_ISA_1_NEEDED bits from .note.gnu.property (x86 files only)
    std::optional<std::uint32_t> x86_isa_needed;
    bool ucs2 = false;   // an undefined PyUnicodeUCS2_* function (Python 2 narrow-unicode builds)
    bool pyfpe = false;  // an undefined PyFPE_jbuf, PyFPE_dummy or PyFPE_counter
};

// Throws ElfError naming the file and the section that is malformed.
SymbolVersions read_symbol_versions(const std::string& path);

// "GLIBC_2.17" -> {"GLIBC", "2.17"}; the namespace is what comes before the
// first "_<digit>" ("ZLIB_NG_2.1.0" -> "ZLIB_NG", "CXXABI_LDBL_1.3" ->
// "CXXABI_LDBL"), or before the first '_' when no digit follows one
// ("GLIBC_PRIVATE" -> "GLIBC"); the whole name when it has no '_'.
std::pair<std::string, std::string> split_symbol_version(const std::string& version);

// Orders versions as numbers part by part: "2.2.5" before "2.14".
bool version_less(const std::string& a, const std::string& b);

}  // namespace aw
