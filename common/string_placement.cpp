#include "string_placement.hpp"

#include "diagnostics.hpp"
#include "elf_file.hpp"

#include <cstring>

namespace aw {

StringPlacer::StringPlacer(Bytes original, const Layout& layout, const std::string& path)
    : table_(original.begin() + static_cast<std::ptrdiff_t>(layout.strtab_offset),
             original.begin() + static_cast<std::ptrdiff_t>(layout.strtab_offset + layout.strtab_size)),
      size_(layout.strtab_size), path_(path), overwrite_allowed_(layout.references_known) {}

std::string StringPlacer::at(std::uint64_t offset) const {
    if (offset >= size_) fail_elf(path_, "string index {} is past .dynstr's {} bytes", offset, size_);
    const char* start = reinterpret_cast<const char*>(table_.data() + offset);
    const void* end = std::memchr(start, '\0', size_ - offset);
    if (end == nullptr) fail_elf(path_, "string at {} in .dynstr is not terminated", offset);
    return std::string(start, static_cast<const char*>(end));
}

std::uint64_t StringPlacer::place(const std::string& text) {
    if (auto done = placed_.find(text); done != placed_.end()) return done->second;
    std::uint64_t offset = find_room(text);
    placed_[text] = offset;
    return offset;
}

std::uint64_t StringPlacer::find_room(const std::string& text) {
    const char* table = reinterpret_cast<const char*>(table_.data());
    for (std::uint64_t offset = 0; offset + text.size() < size_; ++offset)
        if (table[offset + text.size()] == '\0' && std::memcmp(table + offset, text.data(), text.size()) == 0 &&
            !overwritten(offset, text.size())) {
            kept_ends_.insert(offset + text.size());
            return offset;
        }
    if (overwrite_allowed_)
        for (std::uint64_t offset : released_) {
            std::uint64_t end = end_of(offset);
            if (kept_ends_.count(end) || end - offset < text.size() || overwritten(offset, end - offset)) continue;
            std::memcpy(table_.data() + offset, text.data(), text.size());
            std::memset(table_.data() + offset + text.size(), 0, end - offset - text.size());
            written_.emplace_back(offset, end);
            kept_ends_.insert(offset + text.size());
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

bool StringPlacer::overwritten(std::uint64_t offset, std::uint64_t length) const {
    for (const auto& [start, end] : written_)
        if (offset <= end && start <= offset + length) return true;
    return false;
}

}  // namespace aw
