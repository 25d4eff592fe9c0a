// Reading ELF files through elfutils libelf/gelf: any class, byte order and
// machine on any host. Every offset, size and string index taken from the
// file is checked (libelf's data accessors, and `dynamic_string`).
#pragma once

#include "base/diagnostics.hpp"
#include "base/unique_fd.hpp"
#include "elf/elf_bytes.hpp"
#include "elf/elf_ident.hpp"

#include <gelf.h>
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

typedef struct Elf Elf;

namespace aw {

// What the dynamic loader and the policies need to know of one ELF file.
struct ElfFacts {
    ElfIdent ident;
    std::uint16_t type = 0;       // e_type
    std::uint32_t flags = 0;      // e_flags (ARM float ABI)
    bool position_independent_executable = false;  // ET_DYN with PT_INTERP or DF_1_PIE
    std::optional<std::string> interpreter;
    std::optional<std::string> soname;
    std::vector<std::string> needed;   // DT_NEEDED, in order
    std::vector<std::string> rpath;    // DT_RPATH split on ':', unexpanded
    std::vector<std::string> runpath;  // DT_RUNPATH split on ':', unexpanded
    bool has_dynamic = false;
    std::optional<std::string> gnu_stack;  // "rw", "rwx", ... from PT_GNU_STACK
    // Asks glibc's loader for an executable stack: PT_GNU_STACK with PF_X, or no PT_GNU_STACK where
    // the machine's default stack is executable. glibc 2.41 and later refuse to dlopen such a file.
    bool executable_stack = false;
    std::vector<std::string> defined_functions;  // .dynsym STT_FUNC with a section

    std::string type_name() const;  // "shared object", "executable", "pie executable", ...
};

// An ELF file mapped once: libelf's descriptor (ELF_C_READ_MMAP) and the same mapping's bytes,
// which the ELF editor reads fields from and copies. Opening refuses what is not a regular file
// (never blocking on a FIFO), an empty file, and an ELF header whose fields do not fit its class
// and the file (checked_header).
class ElfImage {
public:
    explicit ElfImage(const std::string& path);  // throws ElfError
    ~ElfImage();
    ElfImage(const ElfImage&) = delete;
    ElfImage& operator=(const ElfImage&) = delete;

    Elf* handle() const { return elf_; }
    const std::string& path() const { return path_; }
    const GElf_Ehdr& header() const { return header_; }
    Bytes bytes() const { return bytes_; }
    ByteOrder byte_order() const { return byte_order_; }
    // The whole file, each read checked against its end.
    ElfBytes view() const { return ElfBytes(bytes_, byte_order_, path_); }
    mode_t mode() const { return mode_; }
    ElfFacts facts() const;  // throws ElfError

private:
    GElf_Ehdr checked_header() const;
    std::string path_;
    UniqueFd fd_;
    Elf* elf_ = nullptr;
    GElf_Ehdr header_{};
    Bytes bytes_;
    ByteOrder byte_order_ = ByteOrder::little;
    mode_t mode_ = 0;
};

ElfFacts read_elf_facts(const std::string& path);

// The program headers of an open file; throws ElfError naming `path`.
std::vector<GElf_Phdr> program_headers(Elf* elf, const std::string& path);

// The file offset of a virtual address, through the PT_LOAD that maps it.
std::optional<std::uint64_t> address_to_offset(const std::vector<GElf_Phdr>& headers, std::uint64_t address);

// Splits an RPATH/RUNPATH string on ':' (empty entries kept: they mean the
// current directory to glibc).
// RPATH/RUNPATH and LD_LIBRARY_PATH entries joined with ':', split_search_path's inverse.
std::string join_search_path(const std::vector<std::string>& entries);
std::vector<std::string> split_search_path(const std::string& value);

}  // namespace aw
