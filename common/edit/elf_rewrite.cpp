#include "edit/elf_rewrite.hpp"

#include "base/diagnostics.hpp"
#include "base/file_io.hpp"
#include "base/unique_fd.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sys/mman.h>
#include <unistd.h>

namespace aw {

void Patches::put(std::uint64_t offset, std::vector<unsigned char> bytes) {
    std::uint64_t end = offset + bytes.size();
    auto next = by_offset_.upper_bound(offset);
    if (next != by_offset_.begin()) {
        auto earlier = std::prev(next);
        std::uint64_t earlier_end = earlier->first + earlier->second.size();
        if (earlier_end >= end && (earlier->first < offset || earlier->second.size() > bytes.size())) {
            std::copy(bytes.begin(), bytes.end(), earlier->second.begin() + static_cast<std::ptrdiff_t>(offset - earlier->first));
            return;
        }
        if (earlier->first < offset && earlier_end > offset)
            fail("internal error: a patch at {:#x} overlaps part of the one at {:#x}", offset, earlier->first);
    }
    while (next != by_offset_.end() && next->first < end) {
        if (next->first + next->second.size() > end)
            fail("internal error: a patch at {:#x} overlaps part of the one at {:#x}", offset, next->first);
        next = by_offset_.erase(next);
    }
    by_offset_[offset] = std::move(bytes);
}

void Patches::put_field(FieldPosition field, std::uint64_t value) {
    put(field.offset, encode_unsigned(value, field.size, order_));
}

bool Patches::change(Bytes original) const {
    for (const auto& [offset, bytes] : by_offset_)
        if (std::memcmp(original.data() + offset, bytes.data(), bytes.size()) != 0) return true;
    return false;
}

std::size_t RewritePlan::place(std::uint64_t offset, std::vector<unsigned char> bytes) {
    if (offset < end()) fail("internal error: a piece at {:#x} overlaps the planned file's end {:#x}", offset, end());
    pieces.push_back(Piece{offset, std::move(bytes), {}});
    return pieces.size() - 1;
}

std::size_t RewritePlan::place_original(std::uint64_t offset, Bytes range) {
    if (range.empty()) return place(offset, {});
    if (offset < end()) fail("internal error: a piece at {:#x} overlaps the planned file's end {:#x}", offset, end());
    pieces.push_back(Piece{offset, {}, range});
    return pieces.size() - 1;
}

bool RewritePlan::changes(Bytes original) const {
    return !pieces.empty() || keep != original.size() || patches.change(original);
}

void write_rewrite(const std::string& output, Bytes original, const RewritePlan& plan, mode_t mode) {
    OutputFile out(output, "rpath-set");
    auto write_span = [&](const unsigned char* data, std::size_t size) {
        write_all(out.fd(), std::as_bytes(std::span(data, size)), output);
    };
    std::uint64_t at = 0;
    for (const auto& [offset, bytes] : plan.patches.all()) {
        if (offset >= plan.keep) continue;  // in the part the pieces replace
        if (offset < at) fail_in_file(output, "internal error: overlapping edits at offset {:#x}; nothing was written", offset);
        write_span(original.data() + at, offset - at);
        std::size_t length = std::min<std::uint64_t>(bytes.size(), plan.keep - offset);
        write_span(bytes.data(), length);
        at = offset + length;
    }
    write_span(original.data() + at, plan.keep - at);
    at = plan.keep;
    static const std::vector<unsigned char> kZeros(1 << 16, 0);
    for (const RewritePlan::Piece& piece : plan.pieces) {
        for (std::uint64_t gap = piece.offset - at; gap > 0;) {
            std::size_t length = static_cast<std::size_t>(std::min<std::uint64_t>(gap, kZeros.size()));
            write_span(kZeros.data(), length);
            gap -= length;
        }
        if (piece.bytes.empty()) write_span(piece.original.data(), piece.original.size());
        else write_span(piece.bytes.data(), piece.bytes.size());
        at = piece.offset + piece.size();
    }
    out.commit(mode);
}

}  // namespace aw
