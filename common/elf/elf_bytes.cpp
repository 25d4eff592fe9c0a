#include "elf/elf_bytes.hpp"

#include "base/file_io.hpp"

#include <elf.h>

namespace aw {

std::optional<ByteOrder> byte_order_of_ei_data(unsigned char ei_data) {
    if (ei_data == ELFDATA2LSB) return ByteOrder::little;
    if (ei_data == ELFDATA2MSB) return ByteOrder::big;
    return std::nullopt;
}

unsigned char ei_data_of(ByteOrder order) { return order == ByteOrder::little ? ELFDATA2LSB : ELFDATA2MSB; }

const char* byte_order_name(ByteOrder order) { return order == ByteOrder::little ? "little" : "big"; }

std::optional<ByteOrder> byte_order_named(std::string_view name) {
    if (name == "little") return ByteOrder::little;
    if (name == "big") return ByteOrder::big;
    return std::nullopt;
}

std::uint64_t load_unsigned(const unsigned char* field, std::size_t size, ByteOrder order) {
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < size; ++i)
        value |= std::uint64_t{field[i]} << (order == ByteOrder::little ? 8 * i : 8 * (size - 1 - i));
    return value;
}

void store_unsigned(unsigned char* field, std::size_t size, std::uint64_t value, ByteOrder order) {
    for (std::size_t i = 0; i < size; ++i)
        field[i] = static_cast<unsigned char>(value >> (order == ByteOrder::little ? 8 * i : 8 * (size - 1 - i)));
}

std::vector<unsigned char> encode_unsigned(std::uint64_t value, std::size_t size, ByteOrder order) {
    std::vector<unsigned char> bytes(size);
    store_unsigned(bytes.data(), size, value, order);
    return bytes;
}

ElfBytes::ElfBytes(Bytes bytes, ByteOrder order, std::string path, std::string region)
    : bytes_(bytes), order_(order), path_(std::move(path)), region_(std::move(region)) {}

Bytes ElfBytes::range(std::uint64_t at, std::uint64_t size, std::string_view what) const {
    if (!range_inside(at, size, bytes_.size()))
        fail_elf(path_, "{} ({} bytes at offset {:#x}) runs past the end of {} ({} bytes)", what, size, at, region_,
                 bytes_.size());
    return bytes_.subspan(at, size);
}

std::uint64_t ElfBytes::load(std::uint64_t at, std::size_t size, std::string_view what) const {
    return load_unsigned(range(at, size, what).data(), size, order_);
}

ElfBuffer::ElfBuffer(std::vector<unsigned char> bytes, ByteOrder order, std::string path, std::string region)
    : bytes_(std::move(bytes)), order_(order), path_(std::move(path)), region_(std::move(region)) {}

std::uint64_t ElfBuffer::load(std::uint64_t at, std::size_t size, std::string_view what) const {
    return view().load(at, size, what);
}

void ElfBuffer::store(std::uint64_t at, std::size_t size, std::uint64_t value, std::string_view what) {
    view().range(at, size, what);
    store_unsigned(bytes_.data() + at, size, value, order_);
}

}  // namespace aw
