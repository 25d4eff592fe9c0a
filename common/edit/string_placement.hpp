// Where the strings of a dynamic-section edit go in .dynstr (rpath-set(1)'s
// layout rules): an identical string already there is reused; a string whose
// every reference goes away is erased with 'X' (as patchelf erases an old
// RPATH), unless a kept reference shares its end (linkers merge suffixes:
// patchelf's #162); a new string goes into erased room, from this edit or an
// earlier one; else it is appended to a grown copy of the table, which then
// must move.
#pragma once

#include "edit/elf_layout.hpp"

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace aw {

class StringPlacer {
public:
    // The layout's .dynstr (empty without DT_STRTAB).
    explicit StringPlacer(const Layout& layout);

    // The string at `offset`; throws Error naming the file when it is out of range or unterminated.
    std::string at(std::uint64_t offset) const;
    std::uint64_t end_of(std::uint64_t offset) const { return offset + at(offset).size(); }

    // Every release and keep comes before the first string is placed.
    void release(std::uint64_t offset) { released_.insert(offset); }
    void keep(std::uint64_t offset) { kept_ends_.insert(end_of(offset)); }

    // The offset `text` will have; the same for the same text.
    std::uint64_t place(const std::string& text);

    // Bytes to add after the current .dynstr; empty when everything fit in place.
    const std::string& appended() const { return appended_; }
    // The string table as edited in place (without what is appended).
    const std::vector<unsigned char>& table();

private:
    void erase_released();
    void find_erased_room();
    std::uint64_t find_room(const std::string& text);
    bool in_erased_room(std::uint64_t offset) const;
    bool overwritten(std::uint64_t offset, std::uint64_t length) const;

    std::vector<unsigned char> table_;
    std::uint64_t size_;
    std::string path_;
    bool overwrite_allowed_;
    bool settled_ = false;
    std::set<std::uint64_t> released_, kept_ends_;
    // Runs of erased strings no kept reference reaches: [first byte, final NUL].
    std::vector<std::pair<std::uint64_t, std::uint64_t>> erased_room_;
    std::vector<std::pair<std::uint64_t, std::uint64_t>> written_;
    std::map<std::string, std::uint64_t> placed_;  // strings this rewrite already placed
    std::string appended_;
};

}  // namespace aw
