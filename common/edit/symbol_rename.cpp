#include "edit/symbol_rename.hpp"

#include "base/diagnostics.hpp"
#include "base/file_io.hpp"
#include "elf/elf_file.hpp"

#include <algorithm>
#include <cstddef>
#include <numeric>
#include <sstream>

namespace aw {

SymbolRenames parse_symbol_renames(const std::string& text, const std::string& file) {
    SymbolRenames renames;
    std::istringstream lines(text);
    std::string line;
    for (std::size_t number = 1; std::getline(lines, line); ++number) {
        std::istringstream words(line);
        std::string from, to;
        if (!(words >> from)) break;
        if (!(words >> to)) fail("{}:{}: the line has one name; a line is OLD NEW", file, number);
        if (from.find('@') != std::string::npos) fail("{}:{}: name '{}' contains '@'", file, number, from);
        if (!renames.emplace(from, to).second) fail("{}:{}: name '{}' appears twice", file, number, from);
    }
    return renames;
}

namespace {
std::uint32_t gnu_hash(const std::string& name) {
    std::uint32_t hash = 5381;
    for (unsigned char c : name) hash = hash * 33 + c;
    return hash;
}

std::uint32_t sysv_hash(const std::string& name) {
    std::uint32_t hash = 0;
    for (unsigned char c : name) {
        hash = (hash << 4) + c;
        std::uint32_t high = hash & 0xf0000000;
        if (high != 0) hash ^= high >> 24;
        hash &= ~high;
    }
    return hash;
}

// A copy of a section's bytes, checked against the file, to rebuild.
ElfBuffer section_copy(const Layout& layout, const Section& section) {
    Bytes bytes = layout.file.range(section.header.sh_offset, section.header.sh_size, "section " + section.name);
    return ElfBuffer({bytes.begin(), bytes.end()}, layout.byte_order(), layout.path(), section.name);
}

// The sections of `type` that belong to the symbol table at `table` (their sh_link).
std::vector<const Section*> sections_for(const Layout& layout, std::uint32_t type, std::size_t table) {
    std::vector<const Section*> found;
    for (const Section& section : layout.sections)
        if (section.header.sh_type == type && section.header.sh_link == table) found.push_back(&section);
    return found;
}

struct SymbolTable {
    std::size_t index = 0;
    std::uint64_t offset = 0, entry_size = 0, count = 0;
    std::vector<std::string> names;
    std::vector<std::vector<unsigned char>> entries;  // copies of the file's, entry_size bytes each
};

// The symbols a GNU hash table covers, [first, first + order.size()), in their new order:
// order[k] is the old index of the symbol that goes to first + k.
struct HashedOrder {
    std::uint64_t first = 0;
    std::vector<std::uint64_t> order;
};

// The hashed symbols ordered by GNU hash bucket (stably, so the result is the same every run);
// rewrites the table's bloom filter, buckets and chains for that order. The hashed symbols run
// from symoffset to the end of the chain that ends last: all of .dynsym's tail in a library,
// none at all in an executable that exports nothing (ld then writes empty buckets).
HashedOrder rebuild_gnu_hash(const Layout& layout, const SymbolTable& symbols, ElfBuffer& table, const Section& section) {
    const std::string& path = layout.path();
    constexpr std::size_t kHeader = 16;
    auto field = [&](std::size_t at) { return table.load(at, 4, "a bucket or chain"); };
    if (table.size() < kHeader) fail_elf(path, "{}: hash table header out of range ({} bytes)", section.name, table.size());
    std::uint64_t buckets = field(0), first = field(4), mask_words = field(8), shift = field(12);
    std::uint64_t word = layout.word(), room = table.size() - kHeader;
    if (buckets == 0 || mask_words == 0 || mask_words > room / word || buckets > (room - mask_words * word) / 4)
        fail_elf(path, "{}: hash table header out of range ({} buckets, {} bloom words in {} bytes)", section.name,
                 buckets, mask_words, table.size());
    std::uint64_t buckets_at = kHeader + mask_words * word, chains_at = buckets_at + buckets * 4;
    std::uint64_t chain_room = (table.size() - chains_at) / 4, end = first;
    if (first > symbols.count) fail_elf(path, "{}: symoffset {} is past .dynsym's {} symbols", section.name, first, symbols.count);
    for (std::uint64_t b = 0; b < buckets; ++b) {
        std::uint64_t at = field(buckets_at + b * 4);
        if (at == 0) continue;
        if (at < first) fail_elf(path, "{}: bucket {} starts at symbol {}, before symoffset {}", section.name, b, at, first);
        while (at - first < chain_room && at < symbols.count && (field(chains_at + (at - first) * 4) & 1) == 0) ++at;
        if (at - first >= chain_room || at >= symbols.count)
            fail_elf(path, "{}: bucket {}'s chain runs past its table or .dynsym's {} symbols", section.name, b, symbols.count);
        end = std::max(end, at + 1);
    }

    HashedOrder hashed{first, std::vector<std::uint64_t>(end - first)};
    std::vector<std::uint64_t>& order = hashed.order;
    std::iota(order.begin(), order.end(), first);
    std::vector<std::uint32_t> hash(symbols.count);
    for (std::uint64_t i = first; i < end; ++i) hash[i] = gnu_hash(symbols.names[i]);
    std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return hash[a] % buckets < hash[b] % buckets; });

    std::fill(table.bytes().begin() + kHeader, table.bytes().begin() + static_cast<std::ptrdiff_t>(chains_at), 0);
    std::uint64_t bits = word * 8;
    for (std::size_t k = 0; k < order.size(); ++k) {
        std::uint32_t h = hash[order[k]];
        std::size_t bloom_at = kHeader + (h / bits) % mask_words * word;
        std::uint64_t bloom = table.load(bloom_at, word, "a bloom word");
        bloom |= std::uint64_t{1} << (h % bits) | std::uint64_t{1} << ((h >> shift) % bits);
        table.store(bloom_at, word, bloom, "a bloom word");
        std::size_t bucket_at = buckets_at + h % buckets * 4;
        if (field(bucket_at) == 0) table.store(bucket_at, 4, first + k, "a bucket");
        bool last = k + 1 == order.size() || hash[order[k + 1]] % buckets != h % buckets;
        table.store(chains_at + k * 4, 4, last ? h | 1 : h & ~1u, "a chain");
    }
    return hashed;
}

// .hash: nbucket, nchain, buckets, chains, each a word of sh_entsize bytes (8 on 64-bit s390
// and alpha, 4 elsewhere).
void rebuild_sysv_hash(const Layout& layout, const SymbolTable& symbols, ElfBuffer& table, const Section& section) {
    const std::string& path = layout.path();
    const std::size_t w = section.header.sh_entsize == 8 ? 8 : 4;
    auto field = [&](std::size_t at) { return table.load(at, w, "a bucket or chain"); };
    if (table.size() < 2 * w) fail_elf(path, "{}: hash table header out of range ({} bytes)", section.name, table.size());
    std::uint64_t buckets = field(0), chains = field(w);
    if (buckets == 0 || buckets > table.size() / w || chains > table.size() / w - 2 - buckets)
        fail_elf(path, "{}: hash table header out of range ({} buckets, {} chains in {} bytes)", section.name, buckets,
                 chains, table.size());
    if (chains != symbols.count)
        fail_elf(path, "{}: {} chains for .dynsym's {} symbols", section.name, chains, symbols.count);
    std::fill(table.bytes().begin() + static_cast<std::ptrdiff_t>(2 * w),
              table.bytes().begin() + static_cast<std::ptrdiff_t>((2 + buckets + chains) * w), 0);
    const std::size_t info_at = layout.is64() ? offsetof(Elf64_Sym, st_info) : offsetof(Elf32_Sym, st_info);
    for (std::uint64_t i = 1; i < symbols.count; ++i) {
        if (GELF_ST_BIND(symbols.entries[i][info_at]) == STB_LOCAL) continue;  // never looked up: ld leaves them out
        std::size_t bucket_at = (2 + sysv_hash(symbols.names[i]) % buckets) * w;
        table.store((2 + buckets + i) * w, w, field(bucket_at), "a chain");
        table.store(bucket_at, w, i, "a bucket");
    }
}

SymbolTable read_dynamic_symbols(const Layout& layout, const StringPlacer& strings) {
    const std::string& path = layout.path();
    auto dynsym = std::find_if(layout.sections.begin(), layout.sections.end(),
                               [](const Section& s) { return s.header.sh_type == SHT_DYNSYM; });
    if (dynsym == layout.sections.end()) fail_elf(path, "--rename-dynamic-symbols: no .dynsym section header");
    SymbolTable symbols;
    symbols.index = static_cast<std::size_t>(dynsym - layout.sections.begin());
    symbols.offset = dynsym->header.sh_offset;
    symbols.entry_size = layout.is64() ? sizeof(Elf64_Sym) : sizeof(Elf32_Sym);
    if (dynsym->header.sh_entsize != symbols.entry_size)
        fail_elf(path, "{}: entries of {} bytes, not {}", dynsym->name, dynsym->header.sh_entsize, symbols.entry_size);
    symbols.count = dynsym->header.sh_size / symbols.entry_size;
    if (!table_inside(symbols.offset, symbols.count, symbols.entry_size, layout.file.bytes().size()))
        fail_elf(path, "{} ({} symbols at {:#x}) runs past the end of the file", dynsym->name, symbols.count, symbols.offset);
    for (std::uint64_t i = 0; i < symbols.count; ++i) {
        Bytes entry = layout.file.range(symbols.offset + i * symbols.entry_size, symbols.entry_size, dynsym->name);
        symbols.entries.emplace_back(entry.begin(), entry.end());
        // st_name is the first field in both classes.
        symbols.names.push_back(strings.at(load_unsigned(entry.data(), 4, layout.byte_order())));
    }
    return symbols;
}

// Moves the symbols (and their .gnu.version entries) to the order the GNU hash table wants;
// the relocations' symbol indexes and the layout's symbol positions follow.
void reorder_symbols(Layout& layout, SymbolTable& symbols, const HashedOrder& hashed, Patches& patches) {
    const std::string& path = layout.path();
    std::vector<std::uint64_t> new_index(symbols.count);
    std::iota(new_index.begin(), new_index.end(), 0);
    for (std::size_t k = 0; k < hashed.order.size(); ++k) new_index[hashed.order[k]] = hashed.first + k;
    auto reordered = [&](auto items) {
        auto result = items;
        for (std::uint64_t i = 0; i < items.size(); ++i) result[new_index[i]] = items[i];
        return result;
    };
    symbols.entries = reordered(symbols.entries);
    symbols.names = reordered(symbols.names);
    for (const Section* versions : sections_for(layout, SHT_GNU_versym, symbols.index)) {
        ElfBuffer bytes = section_copy(layout, *versions);
        if (bytes.size() != symbols.count * 2)
            fail_elf(path, "{}: {} bytes for .dynsym's {} symbols", versions->name, bytes.size(), symbols.count);
        std::vector<std::uint64_t> entries(symbols.count);
        for (std::uint64_t i = 0; i < symbols.count; ++i) entries[i] = bytes.load(i * 2, 2, "a version index");
        entries = reordered(entries);
        for (std::uint64_t i = 0; i < symbols.count; ++i) bytes.store(i * 2, 2, entries[i], "a version index");
        patches.put(versions->header.sh_offset, std::move(bytes.bytes()));
    }
    for (std::uint32_t type : {SHT_REL, SHT_RELA})
        for (const Section* relocations : sections_for(layout, type, symbols.index)) {
            std::uint64_t entry = layout.is64() ? (type == SHT_RELA ? sizeof(Elf64_Rela) : sizeof(Elf64_Rel))
                                                : (type == SHT_RELA ? sizeof(Elf32_Rela) : sizeof(Elf32_Rel));
            std::uint64_t info_at = layout.is64() ? offsetof(Elf64_Rel, r_info) : offsetof(Elf32_Rel, r_info);
            std::uint64_t count = relocations->header.sh_size / entry;
            if (!table_inside(relocations->header.sh_offset, count, entry, layout.file.bytes().size()))
                fail_elf(path, "{} ({} relocations) runs past the end of the file", relocations->name, count);
            unsigned shift = layout.is64() ? 32 : 8;
            for (std::uint64_t i = 0; i < count; ++i) {
                std::uint64_t at = relocations->header.sh_offset + i * entry + info_at;
                std::uint64_t info = layout.file.load(at, layout.word(), relocations->name);
                std::uint64_t symbol = info >> shift;
                if (symbol >= symbols.count)
                    fail_elf(path, "{}: relocation {} names symbol {} of {}", relocations->name, i, symbol, symbols.count);
                if (new_index[symbol] != symbol)
                    patches.put_field(word_field(layout, at), new_index[symbol] << shift | (info & ((std::uint64_t{1} << shift) - 1)));
            }
        }
    auto moved = [&](std::uint64_t field) {
        if (field < symbols.offset || field >= symbols.offset + symbols.count * symbols.entry_size) return field;
        std::uint64_t index = (field - symbols.offset) / symbols.entry_size;
        return field + (new_index[index] - index) * symbols.entry_size;
    };
    for (SymbolValue& value : layout.dynamic_symbol_values) value.field = moved(value.field);
    for (auto& [value, section] : layout.section_symbols) value.field = moved(value.field);
    for (auto& [field, section] : layout.dynsym_shndx) field = moved(field);
}
}  // namespace

bool plan_symbol_renames(Layout& layout, const SymbolRenames& renames, StringPlacer& strings, Patches& patches) {
    SymbolTable symbols = read_dynamic_symbols(layout, strings);
    bool renamed = false;
    for (std::uint64_t i = 0; i < symbols.count; ++i) {
        auto rename = renames.find(symbols.names[i]);
        if (rename == renames.end()) continue;
        symbols.names[i] = rename->second;
        store_unsigned(symbols.entries[i].data(), 4, strings.place(rename->second), layout.byte_order());
        renamed = true;
    }
    if (!renamed) return false;
    for (const Section* section : sections_for(layout, SHT_GNU_HASH, symbols.index)) {
        ElfBuffer table = section_copy(layout, *section);
        HashedOrder hashed = rebuild_gnu_hash(layout, symbols, table, *section);
        reorder_symbols(layout, symbols, hashed, patches);
        patches.put(section->header.sh_offset, std::move(table.bytes()));
    }
    for (const Section* section : sections_for(layout, SHT_HASH, symbols.index)) {
        ElfBuffer table = section_copy(layout, *section);
        rebuild_sysv_hash(layout, symbols, table, *section);
        patches.put(section->header.sh_offset, std::move(table.bytes()));
    }
    std::vector<unsigned char> table;
    for (const auto& entry : symbols.entries) table.insert(table.end(), entry.begin(), entry.end());
    patches.put(symbols.offset, std::move(table));
    return true;
}

}  // namespace aw
