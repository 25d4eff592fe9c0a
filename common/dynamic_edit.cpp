#include "dynamic_edit.hpp"

#include "diagnostics.hpp"
#include "elf_file.hpp"
#include "file_io.hpp"
#include "unique_fd.hpp"

#include <gelf.h>
#include <libelf.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <map>
#include <set>
#include <span>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace aw {
namespace {
using Bytes = std::span<const unsigned char>;

// Bytes to change in the original file, by offset; the original itself is only mapped.
class Patches {
public:
    void put(std::uint64_t offset, std::vector<unsigned char> bytes) { by_offset_[offset] = std::move(bytes); }
    void put_uint(std::uint64_t offset, std::uint64_t value, std::size_t size, unsigned char encoding) {
        std::vector<unsigned char> bytes(size);
        for (std::size_t i = 0; i < size; ++i)
            bytes[i] = static_cast<unsigned char>(value >> (encoding == ELFDATA2LSB ? 8 * i : 8 * (size - 1 - i)));
        put(offset, std::move(bytes));
    }
    bool change(Bytes original) const {
        for (const auto& [offset, bytes] : by_offset_)
            if (std::memcmp(original.data() + offset, bytes.data(), bytes.size()) != 0) return true;
        return false;
    }
    const std::map<std::uint64_t, std::vector<unsigned char>>& all() const { return by_offset_; }

private:
    std::map<std::uint64_t, std::vector<unsigned char>> by_offset_;
};

// The file, mapped read-only.
class MappedFile {
public:
    explicit MappedFile(const std::string& path) {
        UniqueFd fd = open_regular_file(path);
        if (::fstat(fd.get(), &info_) != 0) fail("{}: cannot open: {}", path, std::strerror(errno));
        size_ = static_cast<std::size_t>(info_.st_size);
        if (size_ == 0) fail("{}: not an ELF file (empty)", path);
        data_ = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd.get(), 0);
        if (data_ == MAP_FAILED) fail("{}: cannot map: {}", path, std::strerror(errno));
    }
    ~MappedFile() { ::munmap(data_, size_); }
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;
    Bytes bytes() const { return {static_cast<const unsigned char*>(data_), size_}; }
    mode_t mode() const { return info_.st_mode; }

private:
    struct stat info_ {};
    std::size_t size_ = 0;
    void* data_ = nullptr;
};

struct Section {
    GElf_Shdr header{};
    std::string name;
};

// A symbol whose st_value must follow a moved section: where that field is,
// and the symbol table (section index) holding it.
struct SymbolValue {
    std::uint64_t field = 0;
    std::size_t table = 0;
};

struct Layout {
    int elf_class = 0;
    unsigned char encoding = 0;
    GElf_Ehdr ehdr{};
    std::vector<GElf_Phdr> program_headers;
    std::vector<Section> sections;  // by index, [0] the null section; empty without section headers
    std::optional<std::size_t> dynstr_section, dynamic_section;
    std::vector<SymbolValue> dynamic_symbol_values;  // _DYNAMIC's
    std::vector<std::pair<SymbolValue, std::size_t>> section_symbols;  // STT_SECTION symbols and their section
    std::vector<std::pair<std::uint64_t, std::uint16_t>> dynsym_shndx;  // .dynsym st_shndx fields naming a section
    std::uint64_t dynamic_offset = 0;
    std::size_t dynamic_slots = 0;
    std::vector<GElf_Dyn> entries;  // up to, not including, the first DT_NULL
    std::uint64_t strtab_offset = 0, strtab_size = 0;
    std::vector<std::uint64_t> other_references;   // string offsets of .dynsym names, version names
    std::vector<std::pair<std::uint64_t, std::uint32_t>> vn_files;  // (file offset of vn_file, its string offset)
    bool references_known = true;  // false without section headers: nothing may be overwritten
    bool extended_numbering = false;  // section count or .shstrtab index beyond the ELF header's fields
};

bool is_string_tag(std::int64_t tag) {
    return tag == DT_NEEDED || tag == DT_SONAME || tag == DT_RPATH || tag == DT_RUNPATH || tag == DT_AUXILIARY ||
           tag == DT_FILTER || tag == DT_CONFIG || tag == DT_DEPAUDIT || tag == DT_AUDIT;
}

std::uint64_t to_offset(const std::vector<GElf_Phdr>& headers, std::uint64_t address, const std::string& path,
                        const char* what) {
    if (std::optional<std::uint64_t> offset = address_to_offset(headers, address)) return *offset;
    fail("{}: {} address {:#x} is in no PT_LOAD segment", path, what, address);
}

std::uint32_t read_word(Bytes bytes, std::uint64_t at, unsigned char encoding,
                        const std::string& path) {
    if (!range_inside(at, 4, bytes.size())) fail("{}: version table entry at {:#x} is past the end of the file", path, at);
    const unsigned char* p = bytes.data() + at;
    return encoding == ELFDATA2LSB ? p[0] | p[1] << 8 | p[2] << 16 | static_cast<std::uint32_t>(p[3]) << 24
                                   : static_cast<std::uint32_t>(p[0]) << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

std::uint16_t read_half(Bytes bytes, std::uint64_t at, unsigned char encoding,
                        const std::string& path) {
    if (!range_inside(at, 2, bytes.size())) fail("{}: version table entry at {:#x} is past the end of the file", path, at);
    const unsigned char* p = bytes.data() + at;
    return static_cast<std::uint16_t>(encoding == ELFDATA2LSB ? p[0] | p[1] << 8 : p[0] << 8 | p[1]);
}

// Walks the version needs (DT_VERNEED) or definitions (DT_VERDEF) and their
// auxiliary entries, collecting the strings they name; every step is read
// through the bounds-checked helpers and at most `count` entries are visited.
void read_version_strings(Bytes bytes, Layout& layout, std::uint64_t entry,
                          std::uint64_t count, bool needs, const std::string& path) {
    const unsigned char encoding = layout.encoding;
    for (std::uint64_t i = 0; i < count; ++i) {
        // Elf_Verneed: vn_version, vn_cnt, vn_file, vn_aux, vn_next.
        // Elf_Verdef:  vd_version, vd_flags, vd_ndx, vd_cnt, vd_hash, vd_aux, vd_next.
        std::uint16_t aux_count = read_half(bytes, entry + (needs ? 2 : 6), encoding, path);
        std::uint64_t aux = entry + read_word(bytes, entry + (needs ? 8 : 12), encoding, path);
        if (needs) layout.vn_files.emplace_back(entry + 4, read_word(bytes, entry + 4, encoding, path));
        for (std::uint16_t a = 0; a < aux_count; ++a) {
            // Elf_Vernaux: vna_hash, vna_flags, vna_other, vna_name, vna_next. Elf_Verdaux: vda_name, vda_next.
            layout.other_references.push_back(read_word(bytes, aux + (needs ? 8 : 0), encoding, path));
            std::uint32_t next = read_word(bytes, aux + (needs ? 12 : 4), encoding, path);
            if (next == 0) break;
            aux += next;
        }
        std::uint32_t next = read_word(bytes, entry + (needs ? 12 : 16), encoding, path);
        if (next == 0) break;
        entry += next;
    }
}

Layout read_layout(const std::string& path, Bytes bytes) {
    ElfReader reader(path);
    Elf* elf = reader.handle();
    Layout layout;
    GElf_Ehdr& header = layout.ehdr;
    if (gelf_getehdr(elf, &header) == nullptr) fail("{}: cannot read the ELF header", path);
    layout.elf_class = header.e_ident[EI_CLASS];
    layout.encoding = header.e_ident[EI_DATA];
    std::vector<GElf_Phdr> headers = program_headers(elf, path);
    const std::size_t count = headers.size();
    const GElf_Phdr* dynamic = nullptr;
    layout.program_headers = headers;
    // Growing appends at the end of the file: nothing may already reach past it (a truncated
    // file), or the appended bytes would change what it means.
    for (std::size_t i = 0; i < count; ++i)
        if (!range_inside(headers[i].p_offset, headers[i].p_filesz, bytes.size()))
            fail("{}: program header {} ({} bytes at {:#x}) runs past the end of the file (truncated?)", path, i,
                 headers[i].p_filesz, headers[i].p_offset);
    // e_shnum as written (libelf reports a truncated table as no table); 0 means extended numbering.
    std::size_t section_count = header.e_shnum;
    if (section_count == 0 && header.e_shoff != 0 && elf_getshdrnum(elf, &section_count) != 0)
        fail("{}: cannot read the section header count", path);
    if (section_count > 0 && !table_inside(header.e_shoff, section_count, header.e_shentsize, bytes.size()))
        fail("{}: the section headers ({} at {:#x}) run past the end of the file (truncated?)", path, section_count,
             header.e_shoff);
    for (const GElf_Phdr& segment : headers) {
        if (segment.p_type != PT_DYNAMIC) continue;
        // Loaders disagree on which of several tables counts: edit none.
        if (dynamic != nullptr) fail("{}: more than one PT_DYNAMIC program header", path);
        dynamic = &segment;
    }
    if (dynamic == nullptr) fail("{}: no dynamic section (PT_DYNAMIC): a static file has nothing to edit", path);
    std::size_t entry_size = gelf_fsize(elf, ELF_T_DYN, 1, EV_CURRENT);
    Elf_Data* data = elf_getdata_rawchunk(elf, static_cast<int64_t>(dynamic->p_offset), dynamic->p_filesz, ELF_T_DYN);
    if (data == nullptr || entry_size == 0) fail("{}: PT_DYNAMIC is outside the file", path);
    layout.dynamic_offset = dynamic->p_offset;
    layout.dynamic_slots = dynamic->p_filesz / entry_size;
    std::optional<std::uint64_t> strtab, strsz, verneed, verneednum, verdef, verdefnum;
    for (std::size_t i = 0; i < layout.dynamic_slots; ++i) {
        GElf_Dyn entry;
        if (gelf_getdyn(data, static_cast<int>(i), &entry) == nullptr || entry.d_tag == DT_NULL) break;
        layout.entries.push_back(entry);
        switch (entry.d_tag) {
            case DT_STRTAB: strtab = entry.d_un.d_ptr; break;
            case DT_STRSZ: strsz = entry.d_un.d_val; break;
            case DT_VERNEED: verneed = entry.d_un.d_ptr; break;
            case DT_VERNEEDNUM: verneednum = entry.d_un.d_val; break;
            case DT_VERDEF: verdef = entry.d_un.d_ptr; break;
            case DT_VERDEFNUM: verdefnum = entry.d_un.d_val; break;
            default: break;
        }
    }
    if (!strtab || !strsz) fail("{}: the dynamic table has no DT_STRTAB/DT_STRSZ", path);
    layout.strtab_offset = to_offset(headers, *strtab, path, "DT_STRTAB");
    layout.strtab_size = *strsz;
    // Found by the fuzzer: a DT_STRSZ near 2^64 made offset + size wrap around.
    if (!range_inside(layout.strtab_offset, layout.strtab_size, bytes.size()))
        fail("{}: DT_STRTAB ({} bytes at {:#x}) runs past the end of the file", path, *strsz, layout.strtab_offset);
    if (verneed && verneednum)
        read_version_strings(bytes, layout, to_offset(headers, *verneed, path, "DT_VERNEED"), *verneednum, true, path);
    if (verdef && verdefnum)
        read_version_strings(bytes, layout, to_offset(headers, *verdef, path, "DT_VERDEF"), *verdefnum, false, path);

    bool saw_dynsym = false;
    std::size_t symbol_value_at = layout.elf_class == ELFCLASS64 ? 8 : 4;
    std::size_t symbol_shndx_at = layout.elf_class == ELFCLASS64 ? 6 : 14;
    layout.extended_numbering = header.e_shnum == 0 && section_count > 0;
    layout.extended_numbering |= header.e_shstrndx == SHN_XINDEX;
    for (std::size_t index = 0; index < section_count; ++index) {
        Elf_Scn* scn = elf_getscn(elf, index);
        Section& entry = layout.sections.emplace_back();
        if (scn == nullptr || gelf_getshdr(scn, &entry.header) == nullptr)
            fail("{}: section header {} cannot be read", path, index);
        const char* name = elf_strptr(elf, header.e_shstrndx, entry.header.sh_name);
        entry.name = name != nullptr ? name : "";
        const GElf_Shdr& section = entry.header;
        if (section.sh_type == SHT_STRTAB && section.sh_offset == layout.strtab_offset) layout.dynstr_section = index;
        if (section.sh_type == SHT_DYNAMIC && section.sh_offset == layout.dynamic_offset) layout.dynamic_section = index;
        if (section.sh_type == SHT_DYNSYM || section.sh_type == SHT_SYMTAB) {
            Elf_Data* symbols = elf_getdata(scn, nullptr);
            for (std::size_t i = 0; symbols != nullptr && section.sh_entsize != 0 && i < symbols->d_size / section.sh_entsize; ++i) {
                GElf_Sym symbol;
                if (gelf_getsym(symbols, static_cast<int>(i), &symbol) == nullptr) continue;
                const char* symbol_name = elf_strptr(elf, section.sh_link, symbol.st_name);
                std::uint64_t at = section.sh_offset + i * section.sh_entsize;
                SymbolValue value{at + symbol_value_at, index};
                if (symbol_name != nullptr && std::strcmp(symbol_name, "_DYNAMIC") == 0) layout.dynamic_symbol_values.push_back(value);
                if (GELF_ST_TYPE(symbol.st_info) == STT_SECTION) layout.section_symbols.emplace_back(value, symbol.st_shndx);
                if (section.sh_type == SHT_DYNSYM && symbol.st_shndx != SHN_UNDEF && symbol.st_shndx < SHN_LORESERVE)
                    layout.dynsym_shndx.emplace_back(at + symbol_shndx_at, symbol.st_shndx);
            }
        }
        if (section.sh_type != SHT_DYNSYM) continue;
        Elf_Data* symbols = elf_getdata(scn, nullptr);
        if (symbols == nullptr || section.sh_entsize == 0) fail("{}: .dynsym cannot be read", path);
        for (std::size_t i = 0; i < symbols->d_size / section.sh_entsize; ++i) {
            GElf_Sym symbol;
            if (gelf_getsym(symbols, static_cast<int>(i), &symbol) != nullptr && symbol.st_name != 0)
                layout.other_references.push_back(symbol.st_name);
        }
        saw_dynsym = true;
    }
    layout.references_known = saw_dynsym;
    return layout;
}

// Chooses bytes of .dynstr for new strings, as described in the header.
class StringPlacer {
public:
    StringPlacer(Bytes original, const Layout& layout, const std::string& path)
        : table_(original.begin() + static_cast<std::ptrdiff_t>(layout.strtab_offset),
                 original.begin() + static_cast<std::ptrdiff_t>(layout.strtab_offset + layout.strtab_size)),
          size_(layout.strtab_size), path_(path), overwrite_allowed_(layout.references_known) {}

    std::string at(std::uint64_t offset) const {
        if (offset >= size_) fail("{}: string index {} is past .dynstr's {} bytes", path_, offset, size_);
        const char* start = reinterpret_cast<const char*>(table_.data() + offset);
        const void* end = std::memchr(start, '\0', size_ - offset);
        if (end == nullptr) fail("{}: string at {} in .dynstr is not terminated", path_, offset);
        return std::string(start, static_cast<const char*>(end));
    }
    std::uint64_t end_of(std::uint64_t offset) const { return offset + at(offset).size(); }

    // Strings whose references go away may be overwritten unless a kept reference shares their end.
    void release(std::uint64_t offset) { released_.insert(offset); }
    void keep(std::uint64_t offset) { kept_ends_.insert(end_of(offset)); }

    std::uint64_t place(const std::string& text) {
        if (auto done = placed_.find(text); done != placed_.end()) return done->second;
        std::uint64_t offset = find_room(text);
        placed_[text] = offset;
        return offset;
    }

private:
    std::uint64_t find_room(const std::string& text) {
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

public:
    // Bytes to add after the current .dynstr; empty when everything fit in place.
    const std::string& appended() const { return appended_; }
    // The string table as edited in place (without what is appended).
    const std::vector<unsigned char>& table() const { return table_; }

private:

    bool overwritten(std::uint64_t offset, std::uint64_t length) const {
        for (const auto& [start, end] : written_)
            if (offset <= end && start <= offset + length) return true;
        return false;
    }

    std::vector<unsigned char> table_;
    std::uint64_t size_;
    std::string path_;
    bool overwrite_allowed_;
    std::set<std::uint64_t> released_, kept_ends_;
    std::vector<std::pair<std::uint64_t, std::uint64_t>> written_;
    std::map<std::string, std::uint64_t> placed_;  // strings this rewrite already placed
    std::string appended_;
};

// Host structures of the file's class, written in the file's byte order
// (libelf's translation, never a host-order copy).
template <typename Native>
std::vector<unsigned char> in_file_order(const Layout& layout, Elf_Type type, std::vector<Native> memory, const char* what) {
    std::vector<unsigned char> out(memory.size() * sizeof(Native));
    Elf_Data source{}, target{};
    source.d_type = target.d_type = type;
    source.d_version = target.d_version = EV_CURRENT;
    source.d_buf = memory.data();
    source.d_size = target.d_size = out.size();
    target.d_buf = out.data();
    auto translated = layout.elf_class == ELFCLASS64 ? elf64_xlatetof(&target, &source, layout.encoding)
                                                     : elf32_xlatetof(&target, &source, layout.encoding);
    if (translated == nullptr) fail("cannot encode {}: {}", what, elf_errmsg(-1));
    return out;
}

std::vector<unsigned char> encode_dynamic(const Layout& layout, const std::vector<GElf_Dyn>& entries) {
    if (layout.elf_class == ELFCLASS64) {
        std::vector<Elf64_Dyn> memory(entries.size());
        for (std::size_t i = 0; i < entries.size(); ++i) {
            memory[i].d_tag = entries[i].d_tag;
            memory[i].d_un.d_val = entries[i].d_un.d_val;
        }
        return in_file_order(layout, ELF_T_DYN, std::move(memory), "the dynamic table");
    }
    std::vector<Elf32_Dyn> memory(entries.size());
    for (std::size_t i = 0; i < entries.size(); ++i) {
        memory[i].d_tag = static_cast<Elf32_Sword>(entries[i].d_tag);
        memory[i].d_un.d_val = static_cast<Elf32_Word>(entries[i].d_un.d_val);
    }
    return in_file_order(layout, ELF_T_DYN, std::move(memory), "the dynamic table");
}

std::uint64_t align_up(std::uint64_t value, std::uint64_t alignment) {
    return alignment <= 1 ? value : (value + alignment - 1) / alignment * alignment;
}

// Where a new loadable segment may go: past the end of the file and past every
// segment's memory, at an offset and address congruent modulo the largest
// PT_LOAD alignment (64 KiB on aarch64 and ppc64 files, read from the file, not
// the host), and with the same address-minus-offset as the first PT_LOAD, so a
// kernel computing AT_PHDR as that segment's bias plus e_phoff finds the moved
// program headers. The one place this layout rule is decided.
struct Placement {
    std::uint64_t offset = 0, address = 0, alignment = 1;
};

Placement place_new_segment(const std::vector<GElf_Phdr>& loads, std::uint64_t file_end) {
    Placement placement;
    const GElf_Phdr* first = nullptr;
    std::uint64_t memory_end = 0;
    for (const GElf_Phdr& load : loads) {
        placement.alignment = std::max<std::uint64_t>(placement.alignment, load.p_align);
        if (first == nullptr || load.p_vaddr < first->p_vaddr) first = &load;
        memory_end = std::max(memory_end, load.p_vaddr + load.p_memsz);
    }
    std::int64_t delta = first == nullptr ? 0 : static_cast<std::int64_t>(first->p_vaddr - first->p_offset);
    std::int64_t lowest = static_cast<std::int64_t>(memory_end) - delta;
    std::uint64_t offset = std::max<std::uint64_t>(file_end, lowest > 0 ? static_cast<std::uint64_t>(lowest) : 0);
    placement.offset = align_up(offset, placement.alignment);
    placement.address = static_cast<std::uint64_t>(static_cast<std::int64_t>(placement.offset) + delta);
    return placement;
}

std::vector<unsigned char> encode_program_headers(const Layout& layout, const std::vector<GElf_Phdr>& headers) {
    if (layout.elf_class == ELFCLASS64) {
        std::vector<Elf64_Phdr> memory;
        for (const GElf_Phdr& h : headers)
            memory.push_back({h.p_type, h.p_flags, h.p_offset, h.p_vaddr, h.p_paddr, h.p_filesz, h.p_memsz, h.p_align});
        return in_file_order(layout, ELF_T_PHDR, std::move(memory), "the program headers");
    }
    std::vector<Elf32_Phdr> memory;
    for (const GElf_Phdr& h : headers)
        memory.push_back({h.p_type, static_cast<Elf32_Off>(h.p_offset), static_cast<Elf32_Addr>(h.p_vaddr),
                          static_cast<Elf32_Addr>(h.p_paddr), static_cast<Elf32_Word>(h.p_filesz),
                          static_cast<Elf32_Word>(h.p_memsz), h.p_flags, static_cast<Elf32_Word>(h.p_align)});
    return in_file_order(layout, ELF_T_PHDR, std::move(memory), "the program headers");
}

std::vector<unsigned char> encode_section_headers(const Layout& layout, const std::vector<GElf_Shdr>& headers) {
    if (layout.elf_class == ELFCLASS64) {
        std::vector<Elf64_Shdr> memory;
        for (const GElf_Shdr& h : headers)
            memory.push_back({h.sh_name, h.sh_type, h.sh_flags, h.sh_addr, h.sh_offset, h.sh_size, h.sh_link, h.sh_info,
                              h.sh_addralign, h.sh_entsize});
        return in_file_order(layout, ELF_T_SHDR, std::move(memory), "the section headers");
    }
    std::vector<Elf32_Shdr> memory;
    for (const GElf_Shdr& h : headers)
        memory.push_back({h.sh_name, h.sh_type, static_cast<Elf32_Word>(h.sh_flags), static_cast<Elf32_Addr>(h.sh_addr),
                          static_cast<Elf32_Off>(h.sh_offset), static_cast<Elf32_Word>(h.sh_size), h.sh_link, h.sh_info,
                          static_cast<Elf32_Word>(h.sh_addralign), static_cast<Elf32_Word>(h.sh_entsize)});
    return in_file_order(layout, ELF_T_SHDR, std::move(memory), "the section headers");
}

// What a rewrite changes: patches to the kept part of the original, the
// section headers as they will be, and what replaces the file from `keep` on.
struct Rewrite {
    Patches patches;
    std::vector<GElf_Shdr> sections;  // the layout's, updated as things move
    std::vector<bool> removed;        // by section index, for --strip; empty when nothing goes
    std::optional<std::uint64_t> section_table_at;  // where the stripped file's section headers go
    std::uint64_t keep = 0;
    std::vector<unsigned char> tail;

    bool removes(std::size_t index) const { return index < removed.size() && removed[index]; }
};

// The PT_LOAD a previous rewrite of ours added: it starts with the program
// headers and ends the file.
std::optional<GElf_Phdr> our_previous_segment(const Layout& layout, std::uint64_t file_size) {
    for (const GElf_Phdr& header : layout.program_headers)
        if (header.p_type == PT_LOAD && header.p_offset == layout.ehdr.e_phoff && header.p_offset + header.p_filesz == file_size)
            return header;
    return std::nullopt;
}

// Moves .dynstr (grown by `appended`) and, when it must move, the dynamic
// table into one new PT_LOAD after what the rewrite keeps, with the program
// headers (one more). A segment this tool added before is rebuilt in place of
// the old one, so repeated edits do not stack segments.
void grow(const Layout& layout, std::vector<GElf_Dyn> entries, std::vector<unsigned char> dynstr, Rewrite& rewrite,
          const std::optional<GElf_Phdr>& previous, const std::string& path) {
    const bool is64 = layout.elf_class == ELFCLASS64;
    const std::size_t word = is64 ? 8 : 4;
    Patches& patches = rewrite.patches;
    std::vector<GElf_Phdr> loads;
    for (const GElf_Phdr& header : layout.program_headers)
        if (header.p_type == PT_LOAD && !(previous && header.p_offset == previous->p_offset)) loads.push_back(header);
    if (loads.empty()) fail("{}: no PT_LOAD segment", path);
    std::uint64_t file_end = rewrite.keep + rewrite.tail.size();
    bool move_dynamic = entries.size() + 1 > layout.dynamic_slots || (previous && layout.dynamic_offset >= previous->p_offset);
    for (const GElf_Phdr& load : loads)
        if (load.p_vaddr + load.p_memsz < load.p_vaddr)
            fail("{}: a PT_LOAD's address and memory size overflow ({:#x} + {:#x})", path, load.p_vaddr, load.p_memsz);
    Placement placement = place_new_segment(loads, file_end);
    // The gap before the new segment is zeros in the file (a large .bss makes it large).
    constexpr std::uint64_t kMaxGap = 1ull << 30;
    if (placement.offset - file_end > kMaxGap)
        fail("{}: the new segment would start {} bytes past the end of the file (segment sizes are implausible); "
             "nothing was written", path, placement.offset - file_end);

    std::size_t phnum = layout.program_headers.size() + (previous ? 0 : 1);
    std::uint64_t dynstr_at = align_up(phnum * layout.ehdr.e_phentsize, word);
    std::uint64_t dynstr_size = dynstr.size();
    std::uint64_t dynamic_at = align_up(dynstr_at + dynstr_size, word);
    std::size_t dynamic_entry = is64 ? sizeof(Elf64_Dyn) : sizeof(Elf32_Dyn);
    std::uint64_t end = move_dynamic ? dynamic_at + (entries.size() + 1) * dynamic_entry : dynstr_at + dynstr_size;

    for (GElf_Dyn& entry : entries) {
        if (entry.d_tag == DT_STRTAB) entry.d_un.d_ptr = placement.address + dynstr_at;
        if (entry.d_tag == DT_STRSZ) entry.d_un.d_val = dynstr_size;
    }
    std::vector<GElf_Phdr> headers;
    for (const GElf_Phdr& header : layout.program_headers) {
        if (previous && header.p_type == PT_LOAD && header.p_offset == previous->p_offset) continue;
        GElf_Phdr updated = header;
        if (header.p_type == PT_PHDR) {
            updated.p_offset = placement.offset;
            updated.p_vaddr = updated.p_paddr = placement.address;
            updated.p_filesz = updated.p_memsz = phnum * layout.ehdr.e_phentsize;
        }
        if (header.p_type == PT_DYNAMIC && move_dynamic) {
            updated.p_offset = placement.offset + dynamic_at;
            updated.p_vaddr = updated.p_paddr = placement.address + dynamic_at;
            updated.p_filesz = updated.p_memsz = (entries.size() + 1) * dynamic_entry;
        }
        headers.push_back(updated);
    }
    // The new PT_LOAD goes after the last one: loadable segments stay in address order.
    auto last_load = std::find_if(headers.rbegin(), headers.rend(), [](const GElf_Phdr& h) { return h.p_type == PT_LOAD; });
    GElf_Phdr segment{PT_LOAD, static_cast<Elf64_Word>(PF_R | (move_dynamic ? PF_W : 0)), placement.offset,
                      placement.address, placement.address, end, end, placement.alignment};
    headers.insert(last_load.base(), segment);

    std::vector<GElf_Dyn> table = entries;
    table.resize(move_dynamic ? entries.size() + 1 : layout.dynamic_slots, GElf_Dyn{DT_NULL, {0}});
    std::vector<unsigned char> encoded_table = encode_dynamic(layout, table);
    if (!move_dynamic) patches.put(layout.dynamic_offset, encoded_table);

    // Headers that point at what moved: the ELF header, the section headers, _DYNAMIC.
    patches.put_uint(is64 ? 0x20 : 0x1c, placement.offset, word, layout.encoding);  // e_phoff
    patches.put_uint(is64 ? 0x38 : 0x2c, phnum, 2, layout.encoding);               // e_phnum
    auto move_section = [&](const std::optional<std::size_t>& section, std::uint64_t at, std::uint64_t size) {
        if (!section) return;
        GElf_Shdr& header = rewrite.sections[*section];
        header.sh_addr = placement.address + at;
        header.sh_offset = placement.offset + at;
        header.sh_size = size;
        for (const auto& [value, index] : layout.section_symbols)
            if (index == *section && !rewrite.removes(value.table))
                patches.put_uint(value.field, placement.address + at, word, layout.encoding);
    };
    move_section(layout.dynstr_section, dynstr_at, dynstr_size);
    if (move_dynamic) {
        move_section(layout.dynamic_section, dynamic_at, (entries.size() + 1) * dynamic_entry);
        for (const SymbolValue& value : layout.dynamic_symbol_values)
            if (!rewrite.removes(value.table))
                patches.put_uint(value.field, placement.address + dynamic_at, word, layout.encoding);
    }

    // Zeros from the kept end up to the segment, then the segment.
    std::vector<unsigned char>& tail = rewrite.tail;
    std::size_t segment_at = tail.size() + (placement.offset - file_end);
    tail.resize(segment_at + end, 0);
    auto place = [&](std::uint64_t at, const std::vector<unsigned char>& bytes) {
        std::copy(bytes.begin(), bytes.end(), tail.begin() + static_cast<std::ptrdiff_t>(segment_at + at));
    };
    place(0, encode_program_headers(layout, headers));
    place(dynstr_at, dynstr);
    if (move_dynamic) place(dynamic_at, encoded_table);
}

bool is_debug_section(const std::string& name) {
    for (const char* prefix : {".debug", ".zdebug", ".stab", ".line", ".gnu.debuglto_"})
        if (name.starts_with(prefix)) return true;
    return false;
}

// --strip, as `strip -s`: the symbol tables, their string tables and the debug
// sections go, with what describes them (their relocations, SHT_SYMTAB_SHNDX);
// nothing the loader maps (SHF_ALLOC) and not the section-name table.
std::vector<bool> sections_to_strip(const Layout& layout) {
    const std::vector<Section>& sections = layout.sections;
    std::vector<bool> removed(sections.size(), false);
    auto loaded = [&](std::size_t i) { return (sections[i].header.sh_flags & SHF_ALLOC) != 0; };
    for (std::size_t i = 1; i < sections.size(); ++i)
        removed[i] = !loaded(i) && (sections[i].header.sh_type == SHT_SYMTAB || is_debug_section(sections[i].name));
    auto names_removed = [&](std::size_t index) { return index < sections.size() && removed[index]; };
    for (bool more = true; more;) {
        more = false;
        for (std::size_t i = 1; i < sections.size(); ++i) {
            const GElf_Shdr& h = sections[i].header;
            bool describes = h.sh_type == SHT_SYMTAB_SHNDX || ((h.sh_type == SHT_REL || h.sh_type == SHT_RELA) && !loaded(i));
            if (!removed[i] && describes && (names_removed(h.sh_link) || names_removed(h.sh_info))) more = removed[i] = true;
        }
    }
    for (std::size_t i = 1; i < sections.size(); ++i) {
        if (!removed[i] || sections[i].header.sh_type != SHT_SYMTAB) continue;
        std::size_t strings = sections[i].header.sh_link;
        if (strings == 0 || strings >= sections.size() || loaded(strings) || strings == layout.ehdr.e_shstrndx) continue;
        bool used = false;
        for (std::size_t j = 1; j < sections.size(); ++j) used |= !removed[j] && sections[j].header.sh_link == strings;
        if (!used) removed[strings] = true;
    }
    if (std::find(removed.begin(), removed.end(), true) == removed.end()) removed.clear();
    return removed;
}

// Lays out the stripped file's end: what no segment maps (past `region_start`)
// is rebuilt from the sections that stay, followed by room for the section
// headers; removed sections before it are zeroed unless a segment maps them.
void strip_sections(Bytes original, const Layout& layout, Rewrite& rewrite, std::uint64_t region_end,
                    const std::optional<GElf_Phdr>& previous, const std::string& path) {
    const std::size_t word = layout.elf_class == ELFCLASS64 ? 8 : 4;
    std::uint64_t region_start = std::max<std::uint64_t>(layout.ehdr.e_ehsize,
                                                         layout.ehdr.e_phoff + layout.ehdr.e_phnum * layout.ehdr.e_phentsize);
    auto mapped = [&](std::uint64_t offset, std::uint64_t size) {
        for (const GElf_Phdr& header : layout.program_headers)
            if (header.p_type == PT_LOAD && offset < header.p_offset + header.p_filesz && header.p_offset < offset + size)
                return true;
        return false;
    };
    for (const GElf_Phdr& header : layout.program_headers)
        if (!(previous && header.p_offset == previous->p_offset) && header.p_filesz > 0)
            region_start = std::max(region_start, header.p_offset + header.p_filesz);
    region_start = std::min(region_start, region_end);

    std::vector<std::size_t> moving;
    for (std::size_t i = 1; i < layout.sections.size(); ++i) {
        const GElf_Shdr& h = layout.sections[i].header;
        bool has_bytes = h.sh_type != SHT_NOBITS && h.sh_size > 0;
        if (rewrite.removes(i)) {
            if (has_bytes && range_inside(h.sh_offset, h.sh_size, region_start) && !mapped(h.sh_offset, h.sh_size))
                rewrite.patches.put(h.sh_offset, std::vector<unsigned char>(h.sh_size, 0));
            continue;
        }
        if (h.sh_offset < region_start || (h.sh_flags & SHF_ALLOC) != 0) continue;  // loaded ones stay (or grow moves them)
        if (has_bytes && (h.sh_offset > region_end || h.sh_size > region_end - h.sh_offset))
            fail("{}: section {} ({} bytes at {:#x}) runs past the end of the file; nothing was written", path,
                 layout.sections[i].name, h.sh_size, h.sh_offset);
        moving.push_back(i);
    }
    std::sort(moving.begin(), moving.end(), [&](std::size_t a, std::size_t b) {
        return layout.sections[a].header.sh_offset < layout.sections[b].header.sh_offset;
    });
    std::vector<unsigned char> region;
    for (std::size_t i : moving) {
        const GElf_Shdr& h = layout.sections[i].header;
        // Laid out anew, the sections that stay can need no more room than the whole file had
        // (found by the fuzzer: an sh_addralign of 2^45 asked for that many bytes of padding).
        std::uint64_t alignment = std::max<std::uint64_t>(h.sh_addralign, 1);
        std::uint64_t at = align_up(region_start + region.size(), alignment);
        if ((alignment & (alignment - 1)) != 0 || at < region_start || at - region_start > region_end)
            fail("{}: section {} has an implausible alignment of {} bytes for a file of {}; nothing was written", path,
                 layout.sections[i].name, h.sh_addralign, region_end);
        region.resize(at - region_start, 0);
        rewrite.sections[i].sh_offset = at;
        if (h.sh_type != SHT_NOBITS)
            region.insert(region.end(), original.begin() + static_cast<std::ptrdiff_t>(h.sh_offset),
                          original.begin() + static_cast<std::ptrdiff_t>(h.sh_offset + h.sh_size));
    }
    std::size_t kept = static_cast<std::size_t>(std::count(rewrite.removed.begin(), rewrite.removed.end(), false));
    std::uint64_t table_at = align_up(region_start + region.size(), word);
    region.resize(table_at - region_start + kept * layout.ehdr.e_shentsize, 0);
    rewrite.section_table_at = table_at;
    rewrite.keep = region_start;
    rewrite.tail = std::move(region);
}

// The section headers as they end: in place, only those that changed; or for
// a stripped file a new, shorter table with every section index renumbered
// (links, relocation targets, .shstrtab's index, .dynsym's st_shndx).
void write_section_headers(const Layout& layout, Rewrite& rewrite) {
    const bool is64 = layout.elf_class == ELFCLASS64;
    if (!rewrite.section_table_at) {
        for (std::size_t i = 0; i < rewrite.sections.size(); ++i)
            if (std::memcmp(&rewrite.sections[i], &layout.sections[i].header, sizeof(GElf_Shdr)) != 0)
                rewrite.patches.put(layout.ehdr.e_shoff + i * layout.ehdr.e_shentsize,
                                    encode_section_headers(layout, {rewrite.sections[i]}));
        return;
    }
    std::vector<std::uint32_t> new_index(rewrite.sections.size(), 0);
    std::vector<GElf_Shdr> kept;
    for (std::size_t i = 0; i < rewrite.sections.size(); ++i)
        if (!rewrite.removes(i)) new_index[i] = static_cast<std::uint32_t>(kept.size()), kept.push_back(rewrite.sections[i]);
    auto renumber = [&](std::uint32_t index) { return index < new_index.size() ? new_index[index] : index; };
    for (GElf_Shdr& header : kept) {
        header.sh_link = renumber(header.sh_link);
        if (header.sh_type == SHT_REL || header.sh_type == SHT_RELA || (header.sh_flags & SHF_INFO_LINK) != 0)
            header.sh_info = renumber(header.sh_info);
    }
    std::vector<unsigned char> table = encode_section_headers(layout, kept);
    std::copy(table.begin(), table.end(), rewrite.tail.begin() + static_cast<std::ptrdiff_t>(*rewrite.section_table_at - rewrite.keep));
    rewrite.patches.put_uint(is64 ? 0x28 : 0x20, *rewrite.section_table_at, is64 ? 8 : 4, layout.encoding);  // e_shoff
    rewrite.patches.put_uint(is64 ? 0x3c : 0x30, kept.size(), 2, layout.encoding);                           // e_shnum
    rewrite.patches.put_uint(is64 ? 0x3e : 0x32, renumber(layout.ehdr.e_shstrndx), 2, layout.encoding);       // e_shstrndx
    for (const auto& [field, index] : layout.dynsym_shndx)
        if (renumber(index) != index) rewrite.patches.put_uint(field, renumber(index), 2, layout.encoding);
}

// Writes the original bytes with the patches applied up to `keep`, then the tail.
void write_rewrite(const std::string& output, Bytes original, const Rewrite& rewrite, mode_t mode) {
    OutputFile out(output, "rpath-set");
    auto write_span = [&](const unsigned char* data, std::size_t size) {
        write_all(out.fd(), std::as_bytes(std::span(data, size)), output);
    };
    std::uint64_t at = 0;
    for (const auto& [offset, bytes] : rewrite.patches.all()) {
        if (offset >= rewrite.keep) continue;  // in the part replaced by the tail
        if (offset < at) fail("{}: internal error: overlapping edits at offset {:#x}; nothing was written", output, offset);
        write_span(original.data() + at, offset - at);
        std::size_t length = std::min<std::uint64_t>(bytes.size(), rewrite.keep - offset);
        write_span(bytes.data(), length);
        at = offset + length;
    }
    write_span(original.data() + at, rewrite.keep - at);
    write_span(rewrite.tail.data(), rewrite.tail.size());
    out.commit(mode);
}
}  // namespace

bool DynamicEdits::empty() const {
    return !set_soname && replace_needed.empty() && remove_needed.empty() && !set_rpath && !remove_rpath && !force_rpath &&
           !strip;
}

std::optional<std::string> DynamicEdits::contradiction() const {
    if (remove_rpath && set_rpath) return "the RPATH is both set and removed";
    for (const auto& [old_name, new_name] : replace_needed)
        if (std::find(remove_needed.begin(), remove_needed.end(), old_name) != remove_needed.end())
            return old_name + " is both removed and replaced";
    return std::nullopt;
}

bool apply_dynamic_edits(const std::string& path, const DynamicEdits& edits, const std::string& output) {
    MappedFile file(path);
    Bytes original = file.bytes();
    Layout layout = read_layout(path, original);
    Rewrite rewrite;
    for (const Section& section : layout.sections) rewrite.sections.push_back(section.header);
    Patches& patches = rewrite.patches;
    StringPlacer strings(original, layout, path);

    // Decide the final entries; release the strings of entries that change or go.
    std::vector<GElf_Dyn> entries;
    std::vector<std::pair<std::size_t, std::string>> to_place;  // entry index -> new string
    bool has_rpath = false, has_runpath = false, has_soname = false;
    for (const GElf_Dyn& entry : layout.entries) {
        has_rpath |= entry.d_tag == DT_RPATH;
        has_runpath |= entry.d_tag == DT_RUNPATH;
        has_soname |= entry.d_tag == DT_SONAME;
    }
    for (const GElf_Dyn& entry : layout.entries) {
        GElf_Dyn kept = entry;
        std::optional<std::string> new_string;
        bool drop = false;
        if (entry.d_tag == DT_NEEDED) {
            std::string name = strings.at(entry.d_un.d_val);
            drop = std::find(edits.remove_needed.begin(), edits.remove_needed.end(), name) != edits.remove_needed.end();
            for (const auto& [old_name, new_name] : edits.replace_needed)
                if (name == old_name && !drop) new_string = new_name;
        } else if (entry.d_tag == DT_SONAME && edits.set_soname) {
            new_string = *edits.set_soname;
        } else if (entry.d_tag == DT_RPATH || entry.d_tag == DT_RUNPATH) {
            bool want_rpath = edits.force_rpath;
            if (edits.remove_rpath) {
                drop = true;
            } else if (edits.set_rpath) {
                // One entry carries the new value, of the kind asked for; the other kind goes.
                bool carrier = entry.d_tag == DT_RUNPATH || !has_runpath;
                drop = !carrier;
                if (carrier) {
                    kept.d_tag = want_rpath ? DT_RPATH : DT_RUNPATH;
                    new_string = *edits.set_rpath;
                }
            } else if (edits.force_rpath && entry.d_tag == DT_RUNPATH) {
                kept.d_tag = DT_RPATH;  // --force-rpath alone turns RUNPATH into RPATH
                if (has_rpath) drop = true;
            }
        }
        if (drop || new_string) strings.release(entry.d_un.d_val);
        else if (is_string_tag(entry.d_tag)) strings.keep(entry.d_un.d_val);
        if (drop) continue;
        if (new_string) to_place.emplace_back(entries.size(), *new_string);
        entries.push_back(kept);
    }
    if (edits.set_rpath && !has_rpath && !has_runpath && !edits.remove_rpath) {
        to_place.emplace_back(entries.size(), *edits.set_rpath);
        entries.push_back(GElf_Dyn{edits.force_rpath ? DT_RPATH : DT_RUNPATH, {0}});
    }
    if (edits.set_soname && !has_soname) {
        to_place.emplace_back(entries.size(), *edits.set_soname);
        entries.push_back(GElf_Dyn{DT_SONAME, {0}});
    }
    // Version needs name their library too: they follow its DT_NEEDED.
    std::vector<std::pair<std::uint64_t, std::string>> vn_updates;
    for (const auto& [field, offset] : layout.vn_files) {
        std::string file = strings.at(offset);
        std::optional<std::string> renamed;
        for (const auto& [old_name, new_name] : edits.replace_needed)
            if (file == old_name) renamed = new_name;
        if (renamed) {
            strings.release(offset);
            vn_updates.emplace_back(field, *renamed);
        } else {
            strings.keep(offset);
        }
    }
    for (std::uint64_t offset : layout.other_references) strings.keep(offset);

    for (auto& [index, text] : to_place) entries[index].d_un.d_val = strings.place(text);
    for (auto& [field, text] : vn_updates) patches.put_uint(field, strings.place(text), 4, layout.encoding);

    if (edits.strip) {
        if (layout.extended_numbering)
            fail("{}: --strip: more sections than the ELF header can count (extended numbering) are not supported; "
                 "nothing was written", path);
        rewrite.removed = sections_to_strip(layout);
    }
    std::optional<GElf_Phdr> previous = our_previous_segment(layout, original.size());
    bool must_grow = !strings.appended().empty() || entries.size() + 1 > layout.dynamic_slots ||
                     (!rewrite.removed.empty() && previous);  // what follows our segment moves: rebuild it
    rewrite.keep = must_grow && previous ? previous->p_offset : original.size();
    if (!rewrite.removed.empty()) strip_sections(original, layout, rewrite, rewrite.keep, previous, path);
    if (must_grow) {
        std::vector<unsigned char> dynstr = strings.table();
        dynstr.insert(dynstr.end(), strings.appended().begin(), strings.appended().end());
        grow(layout, std::move(entries), std::move(dynstr), rewrite, previous, path);
    } else {
        patches.put(layout.strtab_offset, strings.table());
        entries.resize(layout.dynamic_slots, GElf_Dyn{DT_NULL, {0}});
        patches.put(layout.dynamic_offset, encode_dynamic(layout, entries));
    }
    write_section_headers(layout, rewrite);
    bool changed = !rewrite.tail.empty() || rewrite.keep != original.size() || patches.change(original);
    if (!changed && output == path) return false;
    write_rewrite(output, original, rewrite, file.mode());
    return changed;
}

Json elf_edit_record(const std::string& path, const DynamicEdits& edits) {
    Json record{{"kind", "elf_edit"}, {"path", path}};
    if (edits.set_soname) record["set_soname"] = *edits.set_soname;
    if (!edits.replace_needed.empty()) {
        Json pairs = Json::array();
        for (const auto& [old_name, new_name] : edits.replace_needed) pairs.push_back(Json::array({old_name, new_name}));
        record["replace_needed"] = pairs;
    }
    if (!edits.remove_needed.empty()) record["remove_needed"] = edits.remove_needed;
    if (edits.set_rpath) record["set_rpath"] = *edits.set_rpath;
    if (edits.force_rpath) record["force_rpath"] = true;
    if (edits.remove_rpath) record["remove_rpath"] = true;
    if (edits.strip) record["strip"] = true;
    return record;
}

std::string edit_command_line(const std::string& path, const DynamicEdits& edits) {
    std::vector<std::string> words{"rpath-set"};
    if (edits.set_soname) words.insert(words.end(), {"--set-soname", *edits.set_soname});
    for (const auto& [old_name, new_name] : edits.replace_needed) words.insert(words.end(), {"--replace-needed", old_name, new_name});
    for (const std::string& name : edits.remove_needed) words.insert(words.end(), {"--remove-needed", name});
    if (edits.force_rpath) words.push_back("--force-rpath");
    if (edits.set_rpath) words.insert(words.end(), {"--set-rpath", *edits.set_rpath});
    if (edits.remove_rpath) words.push_back("--remove-rpath");
    if (edits.strip) words.push_back("--strip");
    words.push_back(path);
    std::string line;
    for (const std::string& word : words) {
        bool plain = !word.empty() && word.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                             "0123456789_-.,/:=+@%") == std::string::npos;
        std::string quoted = "'";
        for (char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
        line += (line.empty() ? "" : " ") + (plain ? word : quoted + "'");
    }
    return line;
}

DynamicEdits dynamic_edits_from_record(const Json& record) {
    std::string path = required_string(record, "path");
    auto text = [&](const Json& value, const char* what) {
        if (!value.is_string() || value.get<std::string>().empty())
            fail("elf_edit record for {}: {} must be a non-empty string", path, what);
        return value.get<std::string>();
    };
    auto flag = [&](const char* field) {
        auto found = record.find(field);
        if (found == record.end()) return false;
        if (!found->is_boolean()) fail("elf_edit record for {}: {} must be true or false", path, field);
        return found->get<bool>();
    };
    DynamicEdits edits;
    if (auto found = record.find("set_soname"); found != record.end()) edits.set_soname = text(*found, "set_soname");
    if (auto found = record.find("replace_needed"); found != record.end()) {
        if (!found->is_array()) fail("elf_edit record for {}: replace_needed must be a list of [old, new] pairs", path);
        for (const Json& pair : *found) {
            if (!pair.is_array() || pair.size() != 2)
                fail("elf_edit record for {}: replace_needed holds [old, new] pairs", path);
            edits.replace_needed.emplace_back(text(pair[0], "a replaced name"), text(pair[1], "a new name"));
        }
    }
    if (auto found = record.find("remove_needed"); found != record.end())
        edits.remove_needed = string_list(*found, fmt::format("elf_edit record for {}: remove_needed", path));
    if (auto found = record.find("set_rpath"); found != record.end()) {
        if (!found->is_string()) fail("elf_edit record for {}: set_rpath must be a string", path);
        edits.set_rpath = found->get<std::string>();
    }
    edits.force_rpath = flag("force_rpath");
    edits.remove_rpath = flag("remove_rpath");
    edits.strip = flag("strip");
    if (auto reason = edits.contradiction()) fail("elf_edit record for {}: {}", path, *reason);
    return edits;
}

}  // namespace aw
