#include "edit/string_placement.hpp"

#include "base/diagnostics.hpp"
#include "elf/elf_file.hpp"

#include <algorithm>
#include <cstring>

namespace aw {

StringPlacer::StringPlacer(const Layout& layout) : size_(layout.strtab_size), path_(layout.path()),
      overwrite_allowed_(layout.references_known) {
    Bytes table = layout.file.range(layout.strtab_offset, layout.strtab_size, ".dynstr (DT_STRTAB)");
    table_.assign(table.begin(), table.end());
}

std::string StringPlacer::at(std::uint64_t offset) const {
    if (offset >= size_) fail_elf(path_, "string index {} is past .dynstr's {} bytes", offset, size_);
    const char* start = reinterpret_cast<const char*>(table_.data() + offset);
    const void* end = std::memchr(start, '\0', size_ - offset);
    if (end == nullptr) fail_elf(path_, "string at {} in .dynstr is not terminated", offset);
    return std::string(start, static_cast<const char*>(end));
}

const std::vector<unsigned char>& StringPlacer::table() {
    erase_released();
    return table_;
}

// Without every reference known (no .dynsym), nothing is erased or overwritten.
void StringPlacer::erase_released() {
    if (settled_ || !overwrite_allowed_) return;
    settled_ = true;
    for (std::uint64_t offset : released_) {
        std::uint64_t end = end_of(offset);
        if (!kept_ends_.count(end)) std::memset(table_.data() + offset, 'X', end - offset);
    }
    find_erased_room();
}

// A run of strings made of 'X' only (or empty) after a NUL, none of whose ends a kept reference
// reaches, holds nothing: a reference inside it would end at one of those ends.
void StringPlacer::find_erased_room() {
    std::uint64_t run_start = 0;
    bool in_run = false;
    for (std::uint64_t start = 1; start < size_;) {
        const unsigned char* nul = static_cast<const unsigned char*>(std::memchr(table_.data() + start, '\0', size_ - start));
        if (nul == nullptr) break;
        std::uint64_t end = static_cast<std::uint64_t>(nul - table_.data());
        bool erased = std::all_of(static_cast<const unsigned char*>(table_.data() + start), nul, [](unsigned char c) { return c == 'X'; }) &&
                      !kept_ends_.count(end) && table_[start - 1] == '\0';
        if (erased && !in_run) run_start = start;
        if (!erased && in_run) erased_room_.emplace_back(run_start, start - 1);
        in_run = erased;
        if (erased && end + 1 >= size_) erased_room_.emplace_back(run_start, end);
        start = end + 1;
    }
}

std::uint64_t StringPlacer::place(const std::string& text) {
    erase_released();
    if (auto done = placed_.find(text); done != placed_.end()) return done->second;
    std::uint64_t offset = find_room(text);
    placed_[text] = offset;
    kept_ends_.insert(offset + text.size());
    return offset;
}

std::uint64_t StringPlacer::find_room(const std::string& text) {
    const char* table = reinterpret_cast<const char*>(table_.data());
    for (std::uint64_t offset = 0; offset + text.size() < size_; ++offset)
        if (table[offset + text.size()] == '\0' && std::memcmp(table + offset, text.data(), text.size()) == 0 &&
            !overwritten(offset, text.size()) && !in_erased_room(offset))
            return offset;
    // Erased room is used from its start; what is left of it stays erased room.
    for (auto& [start, last] : erased_room_) {
        if (start > last || last - start < text.size()) continue;
        std::uint64_t offset = start;
        std::memcpy(table_.data() + offset, text.data(), text.size());
        table_[offset + text.size()] = '\0';
        written_.emplace_back(offset, offset + text.size());
        start += text.size() + 1;
        return offset;
    }
    // No room in place: the string goes at the end of a grown copy of .dynstr.
    for (std::uint64_t offset = 0; offset + text.size() < appended_.size(); ++offset)
        if (appended_[offset + text.size()] == '\0' && appended_.compare(offset, text.size(), text) == 0)
            return size_ + offset;
    std::uint64_t offset = size_ + appended_.size();
    appended_ += text;
    appended_ += '\0';
    return offset;
}

bool StringPlacer::in_erased_room(std::uint64_t offset) const {
    return std::any_of(erased_room_.begin(), erased_room_.end(),
                       [&](const auto& room) { return room.first <= offset && offset <= room.second; });
}

bool StringPlacer::overwritten(std::uint64_t offset, std::uint64_t length) const {
    for (const auto& [start, end] : written_)
        if (offset <= end && start <= offset + length) return true;
    return false;
}

}  // namespace aw
