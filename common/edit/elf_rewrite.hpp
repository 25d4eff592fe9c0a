// A rewrite of an ELF file, planned in full before a byte is written, and the
// one writer that serialises the plan (llvm-objcopy's finalize/write split):
// the original bytes up to `keep` with patches applied, then pieces at their
// offsets, zeros between them, through a temporary file renamed into place.
#pragma once

#include "edit/elf_encode.hpp"
#include "edit/elf_layout.hpp"

#include <gelf.h>
#include <sys/stat.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace aw {

// Bytes to change in the original file, by offset; the original itself is only mapped.
class Patches {
public:
    explicit Patches(ByteOrder order) : order_(order) {}
    // A patch inside an earlier one changes those of its bytes (a field of a table already
    // rewritten); one that covers earlier ones replaces them. Partial overlaps are a bug.
    void put(std::uint64_t offset, std::vector<unsigned char> bytes);
    // `value` in the file's byte order, in the field's size.
    void put_field(FieldPosition field, std::uint64_t value);
    // True when applying the patches would change `original`.
    bool change(Bytes original) const;
    const std::map<std::uint64_t, std::vector<unsigned char>>& all() const { return by_offset_; }

private:
    ByteOrder order_;
    std::map<std::uint64_t, std::vector<unsigned char>> by_offset_;
};

// The output laid out: what finalize_rewrite makes of an EditPlan and write_rewrite writes.
struct RewritePlan {
    explicit RewritePlan(Patches in_place) : patches(std::move(in_place)) {}
    // Bytes at `offset` of the output: new ones, or (when `bytes` is empty) a
    // range of the original copied as it is.
    struct Piece {
        std::uint64_t offset = 0;
        std::vector<unsigned char> bytes;
        Bytes original;
        std::uint64_t size() const { return bytes.empty() ? original.size() : bytes.size(); }
    };
    Patches patches;  // over [0, keep)
    std::uint64_t keep = 0;
    std::vector<Piece> pieces;  // at or past `keep`, in offset order, not overlapping

    std::uint64_t end() const { return pieces.empty() ? keep : pieces.back().offset + pieces.back().size(); }
    // Adds a piece at or past end(); returns its index.
    std::size_t place(std::uint64_t offset, std::vector<unsigned char> bytes);
    std::size_t place_original(std::uint64_t offset, Bytes range);
    // True when the file written would differ from `original`.
    bool changes(Bytes original) const;
};

// A rewrite being laid out (finalize_rewrite's state): the output, and the section headers as
// they will be.
struct FileRewrite {
    RewritePlan plan;
    std::vector<GElf_Shdr> sections;  // the edit plan's, updated as things move
    std::vector<bool> removed;        // by section index, for --strip; empty when nothing goes
    std::optional<std::size_t> section_table_piece;  // where a stripped file's new section headers go

    bool removes(std::size_t index) const { return index < removed.size() && removed[index]; }
};

// Writes `plan` over `original` to `output` (OutputFile: a temporary file
// renamed into place, or written into a FIFO or device); throws Error naming
// `output`, and nothing is left behind.
void write_rewrite(const std::string& output, Bytes original, const RewritePlan& plan, mode_t mode);

}  // namespace aw
