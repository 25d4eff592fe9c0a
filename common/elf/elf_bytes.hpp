// An ELF file's bytes as the file's byte order and class read them: the one
// place a big- or little-endian field is read or written, and a view that
// checks every read against the end of what it views, naming the file, the
// region (the file or a section) and the offset when a read would run past it.
#pragma once

#include "base/diagnostics.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace aw {

using Bytes = std::span<const unsigned char>;

// An ELF file that cannot be read as such; the message names the file and place.
class ElfError : public FileError {
public:
    using FileError::FileError;
};

template <typename... Args>
[[noreturn]] void fail_elf(const std::string& path, fmt::format_string<Args...> format, Args&&... args) {
    throw ElfError(path, fmt::format(format, std::forward<Args>(args)...));
}

enum class ByteOrder { little, big };

// EI_DATA's ELFDATA2LSB or ELFDATA2MSB as a byte order (nullopt for anything else), and back.
std::optional<ByteOrder> byte_order_of_ei_data(unsigned char ei_data);
unsigned char ei_data_of(ByteOrder order);
// The records' names: "little", "big".
const char* byte_order_name(ByteOrder order);
std::optional<ByteOrder> byte_order_named(std::string_view name);

// An unsigned field of `size` bytes (1, 2, 4 or 8) in `order`.
std::uint64_t load_unsigned(const unsigned char* field, std::size_t size, ByteOrder order);
void store_unsigned(unsigned char* field, std::size_t size, std::uint64_t value, ByteOrder order);
std::vector<unsigned char> encode_unsigned(std::uint64_t value, std::size_t size, ByteOrder order);

// Reads of fields from `bytes` (a whole file, or one section's data), each checked: one that
// runs past the end throws ElfError "<path>: <what> (<n> bytes at offset 0x..) runs past the end
// of <region> (<size> bytes)".
class ElfBytes {
public:
    ElfBytes() = default;
    ElfBytes(Bytes bytes, ByteOrder order, std::string path, std::string region = "the file");

    std::uint16_t half(std::uint64_t at, std::string_view what) const { return static_cast<std::uint16_t>(load(at, 2, what)); }
    std::uint32_t word(std::uint64_t at, std::string_view what) const { return static_cast<std::uint32_t>(load(at, 4, what)); }
    std::uint64_t load(std::uint64_t at, std::size_t size, std::string_view what) const;
    Bytes range(std::uint64_t at, std::uint64_t size, std::string_view what) const;

    Bytes bytes() const { return bytes_; }
    ByteOrder order() const { return order_; }
    const std::string& path() const { return path_; }

private:
    Bytes bytes_;
    ByteOrder order_ = ByteOrder::little;
    std::string path_, region_;
};

// A copy of a table being rebuilt (a hash table, .gnu.version, a note): its fields read and
// written in the file's byte order, each access checked as ElfBytes's reads are.
class ElfBuffer {
public:
    ElfBuffer(std::vector<unsigned char> bytes, ByteOrder order, std::string path, std::string region);

    std::uint64_t load(std::uint64_t at, std::size_t size, std::string_view what) const;
    void store(std::uint64_t at, std::size_t size, std::uint64_t value, std::string_view what);
    std::size_t size() const { return bytes_.size(); }
    std::vector<unsigned char>& bytes() { return bytes_; }

private:
    ElfBytes view() const { return ElfBytes(bytes_, order_, path_, region_); }
    std::vector<unsigned char> bytes_;
    ByteOrder order_;
    std::string path_, region_;
};

}  // namespace aw
