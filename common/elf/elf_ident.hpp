// What the first bytes of a file say about it as ELF: class, byte order,
// machine. Enough to list members; full parsing is elf-deps' job.
#pragma once

#include "elf/elf_bytes.hpp"
#include "protocol/records.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace aw {

struct ElfIdent {
    int elf_class = 0;        // 32 or 64
    ByteOrder byte_order = ByteOrder::little;
    std::uint16_t e_machine = 0;
    std::string machine;      // e.g. "x86_64", "aarch64"; "EM_<n>" when unknown
    std::uint8_t os_abi = 0;
};

// Bytes the header needs; pass at least this many when the file has them.
inline constexpr std::size_t kElfIdentBytes = 64;

// nullopt when `head` does not start with a valid ELF identification.
std::optional<ElfIdent> read_elf_ident(std::span<const std::byte> head);

// Why the ELF header at the start of `head` (kElfIdentBytes of a file of
// `file_size` bytes) cannot be a real one, or nullopt: version, header and
// table entry sizes of its class, tables inside the file. The same rules as
// ElfImage's, decided from the first bytes, before the rest is read.
std::optional<std::string> elf_header_problem(std::span<const std::byte> head, std::uint64_t file_size);

// The identification's fields in a record (member's "elf", elf-deps' "elf"): class, byte_order,
// machine, e_machine, os_abi, appended to `record` in that order.
void add_elf_ident(Json& record, const ElfIdent& ident);
// The same fields read back from `object` (their types already checked against the protocol's
// table); a number out of its field's range or a byte order other than "little" and "big" is an
// error naming `place`.
ElfIdent elf_ident_of(const Json& object, const std::string& place);

}  // namespace aw
