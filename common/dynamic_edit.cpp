#include "dynamic_edit.hpp"

#include "diagnostics.hpp"
#include "elf_file.hpp"
#include "unique_fd.hpp"

#include <gelf.h>
#include <libelf.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

namespace aw {
namespace {
struct Layout {
    int elf_class = 0;
    unsigned char encoding = 0;
    std::uint64_t dynamic_offset = 0;
    std::size_t dynamic_slots = 0;
    std::vector<GElf_Dyn> entries;  // up to, not including, the first DT_NULL
    std::uint64_t strtab_offset = 0, strtab_size = 0;
    std::vector<std::uint64_t> other_references;   // string offsets of .dynsym names, version names
    std::vector<std::pair<std::uint64_t, std::uint32_t>> vn_files;  // (file offset of vn_file, its string offset)
    bool references_known = true;  // false without section headers: nothing may be overwritten
};

bool is_string_tag(std::int64_t tag) {
    return tag == DT_NEEDED || tag == DT_SONAME || tag == DT_RPATH || tag == DT_RUNPATH || tag == DT_AUXILIARY ||
           tag == DT_FILTER || tag == DT_CONFIG || tag == DT_DEPAUDIT || tag == DT_AUDIT;
}

std::uint64_t to_offset(const std::vector<GElf_Phdr>& headers, std::uint64_t address, const std::string& path,
                        const char* what) {
    for (const GElf_Phdr& header : headers)
        if (header.p_type == PT_LOAD && address >= header.p_vaddr && address - header.p_vaddr < header.p_filesz)
            return header.p_offset + (address - header.p_vaddr);
    fail("{}: {} address {:#x} is in no PT_LOAD segment", path, what, address);
}

std::uint32_t read_word(const std::vector<unsigned char>& bytes, std::uint64_t at, unsigned char encoding,
                        const std::string& path) {
    if (at + 4 > bytes.size()) fail("{}: version table entry at {:#x} is past the end of the file", path, at);
    const unsigned char* p = bytes.data() + at;
    return encoding == ELFDATA2LSB ? p[0] | p[1] << 8 | p[2] << 16 | static_cast<std::uint32_t>(p[3]) << 24
                                   : static_cast<std::uint32_t>(p[0]) << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

void write_word(std::vector<unsigned char>& bytes, std::uint64_t at, std::uint32_t value, unsigned char encoding) {
    for (int i = 0; i < 4; ++i)
        bytes[at + static_cast<std::uint64_t>(i)] =
            static_cast<unsigned char>(value >> (encoding == ELFDATA2LSB ? 8 * i : 8 * (3 - i)));
}

std::uint16_t read_half(const std::vector<unsigned char>& bytes, std::uint64_t at, unsigned char encoding,
                        const std::string& path) {
    if (at + 2 > bytes.size()) fail("{}: version table entry at {:#x} is past the end of the file", path, at);
    const unsigned char* p = bytes.data() + at;
    return static_cast<std::uint16_t>(encoding == ELFDATA2LSB ? p[0] | p[1] << 8 : p[0] << 8 | p[1]);
}

// Walks the version needs (DT_VERNEED) or definitions (DT_VERDEF) and their
// auxiliary entries, collecting the strings they name; every step is read
// through the bounds-checked helpers and at most `count` entries are visited.
void read_version_strings(const std::vector<unsigned char>& bytes, Layout& layout, std::uint64_t entry,
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

Layout read_layout(const std::string& path, const std::vector<unsigned char>& bytes) {
    ElfReader reader(path);
    Elf* elf = reader.handle();
    Layout layout;
    GElf_Ehdr header;
    if (gelf_getehdr(elf, &header) == nullptr) fail("{}: cannot read the ELF header", path);
    layout.elf_class = header.e_ident[EI_CLASS];
    layout.encoding = header.e_ident[EI_DATA];
    std::size_t count = 0;
    if (elf_getphdrnum(elf, &count) != 0) fail("{}: cannot read program headers", path);
    std::vector<GElf_Phdr> headers(count);
    const GElf_Phdr* dynamic = nullptr;
    for (std::size_t i = 0; i < count; ++i) {
        if (gelf_getphdr(elf, static_cast<int>(i), &headers[i]) == nullptr) fail("{}: program header {}", path, i);
    }
    for (const GElf_Phdr& segment : headers)
        if (segment.p_type == PT_DYNAMIC) dynamic = &segment;
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
    if (layout.strtab_offset + layout.strtab_size > bytes.size())
        fail("{}: DT_STRTAB ({} bytes at {:#x}) runs past the end of the file", path, *strsz, layout.strtab_offset);
    if (verneed && verneednum)
        read_version_strings(bytes, layout, to_offset(headers, *verneed, path, "DT_VERNEED"), *verneednum, true, path);
    if (verdef && verdefnum)
        read_version_strings(bytes, layout, to_offset(headers, *verdef, path, "DT_VERDEF"), *verdefnum, false, path);

    bool saw_dynsym = false;
    for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn != nullptr; scn = elf_nextscn(elf, scn)) {
        GElf_Shdr section;
        if (gelf_getshdr(scn, &section) == nullptr || section.sh_type != SHT_DYNSYM) continue;
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
    StringPlacer(std::vector<unsigned char>& bytes, const Layout& layout, const std::string& path)
        : bytes_(bytes), base_(layout.strtab_offset), size_(layout.strtab_size), path_(path),
          overwrite_allowed_(layout.references_known) {}

    std::string at(std::uint64_t offset) const {
        if (offset >= size_) fail("{}: string index {} is past .dynstr's {} bytes", path_, offset, size_);
        const char* start = reinterpret_cast<const char*>(bytes_.data() + base_ + offset);
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
        const char* table = reinterpret_cast<const char*>(bytes_.data() + base_);
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
                std::memcpy(bytes_.data() + base_ + offset, text.data(), text.size());
                std::memset(bytes_.data() + base_ + offset + text.size(), 0, end - offset - text.size());
                written_.emplace_back(offset, end);
                kept_ends_.insert(offset + text.size());
                return offset;
            }
        fail("{}: no room for \"{}\" in .dynstr ({} bytes); growing .dynstr into a new segment is not "
             "implemented yet, so the file was left unchanged", path_, text, size_);
    }

    bool overwritten(std::uint64_t offset, std::uint64_t length) const {
        for (const auto& [start, end] : written_)
            if (offset <= end && start <= offset + length) return true;
        return false;
    }

    std::vector<unsigned char>& bytes_;
    std::uint64_t base_, size_;
    std::string path_;
    bool overwrite_allowed_;
    std::set<std::uint64_t> released_, kept_ends_;
    std::vector<std::pair<std::uint64_t, std::uint64_t>> written_;
    std::map<std::string, std::uint64_t> placed_;  // strings this rewrite already placed
};

std::vector<unsigned char> encode_dynamic(const Layout& layout, const std::vector<GElf_Dyn>& entries) {
    std::vector<unsigned char> out;
    Elf_Data source{}, target{};
    source.d_type = target.d_type = ELF_T_DYN;
    source.d_version = target.d_version = EV_CURRENT;
    if (layout.elf_class == ELFCLASS64) {
        std::vector<Elf64_Dyn> memory(entries.size());
        for (std::size_t i = 0; i < entries.size(); ++i) {
            memory[i].d_tag = entries[i].d_tag;
            memory[i].d_un.d_val = entries[i].d_un.d_val;
        }
        out.resize(memory.size() * sizeof(Elf64_Dyn));
        source.d_buf = memory.data();
        source.d_size = target.d_size = out.size();
        target.d_buf = out.data();
        if (elf64_xlatetof(&target, &source, layout.encoding) == nullptr) fail("cannot encode the dynamic table");
    } else {
        std::vector<Elf32_Dyn> memory(entries.size());
        for (std::size_t i = 0; i < entries.size(); ++i) {
            memory[i].d_tag = static_cast<Elf32_Sword>(entries[i].d_tag);
            memory[i].d_un.d_val = static_cast<Elf32_Word>(entries[i].d_un.d_val);
        }
        out.resize(memory.size() * sizeof(Elf32_Dyn));
        source.d_buf = memory.data();
        source.d_size = target.d_size = out.size();
        target.d_buf = out.data();
        if (elf32_xlatetof(&target, &source, layout.encoding) == nullptr) fail("cannot encode the dynamic table");
    }
    return out;
}

void write_atomically(const std::string& output, const std::vector<unsigned char>& bytes, mode_t mode) {
    std::filesystem::path target(output);
    std::string pattern = (target.parent_path().empty() ? std::filesystem::path(".") : target.parent_path()) /
                          ("." + target.filename().string() + ".rpath-set-XXXXXX");
    std::vector<char> name(pattern.begin(), pattern.end());
    name.push_back('\0');
    UniqueFd fd(::mkstemp(name.data()));
    if (!fd) fail("{}: cannot create a temporary file beside it: {}", output, std::strerror(errno));
    auto cleanup_and_fail = [&](const char* what) {
        int saved = errno;
        ::unlink(name.data());
        fail("{}: {}: {}", output, what, std::strerror(saved));
    };
    std::size_t done = 0;
    while (done < bytes.size()) {
        ssize_t written = ::write(fd.get(), bytes.data() + done, bytes.size() - done);
        if (written < 0 && errno == EINTR) continue;
        if (written < 0) cleanup_and_fail("write error");
        done += static_cast<std::size_t>(written);
    }
    if (::fchmod(fd.get(), mode & 07777) != 0) cleanup_and_fail("cannot set the mode");
    if (fd.close() != 0) cleanup_and_fail("write error");
    if (::rename(name.data(), output.c_str()) != 0) cleanup_and_fail("cannot rename the rewritten file into place");
}
}  // namespace

bool DynamicEdits::empty() const {
    return !set_soname && replace_needed.empty() && remove_needed.empty() && !set_rpath && !remove_rpath && !force_rpath;
}

bool apply_dynamic_edits(const std::string& path, const DynamicEdits& edits, const std::string& output) {
    std::ifstream in(path, std::ios::binary);
    if (!in) fail("{}: cannot open: {}", path, std::strerror(errno));
    std::vector<unsigned char> original((std::istreambuf_iterator<char>(in)), {});
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) fail("{}: cannot stat: {}", path, std::strerror(errno));
    Layout layout = read_layout(path, original);
    std::vector<unsigned char> bytes = original;
    StringPlacer strings(bytes, layout, path);

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
    for (auto& [field, text] : vn_updates) write_word(bytes, field, static_cast<std::uint32_t>(strings.place(text)), layout.encoding);

    if (entries.size() + 1 > layout.dynamic_slots)
        fail("{}: the dynamic table has {} slots and needs {}; growing it into a new segment is not implemented "
             "yet, so the file was left unchanged", path, layout.dynamic_slots, entries.size() + 1);
    entries.resize(layout.dynamic_slots, GElf_Dyn{DT_NULL, {0}});
    std::vector<unsigned char> table = encode_dynamic(layout, entries);
    std::copy(table.begin(), table.end(), bytes.begin() + static_cast<std::ptrdiff_t>(layout.dynamic_offset));

    if (bytes == original && output == path) return false;
    write_atomically(output, bytes, info.st_mode);
    return bytes != original;
}

}  // namespace aw
