#include "elf/symbol_versions.hpp"

#include <fmt/format.h>
#include <gelf.h>
#include <libelf.h>

#include <algorithm>
#include <cstring>
#include <set>

namespace aw {
namespace {
constexpr std::uint32_t kX86IsaNeeded = 0xc0008002;  // GNU_PROPERTY_X86_ISA_1_NEEDED

[[noreturn]] void section_fail(const std::string& path, const char* section, const std::string& what) {
    throw ElfError(path, fmt::format("{}: {}", section, what));
}

struct Section {
    Elf_Scn* section = nullptr;
    GElf_Shdr header{};
    Elf_Data* data = nullptr;
};

std::vector<Section> sections_of_type(Elf* elf, std::uint32_t type, const std::string& path) {
    std::vector<Section> found;
    for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn != nullptr; scn = elf_nextscn(elf, scn)) {
        Section section{scn, {}, nullptr};
        if (gelf_getshdr(scn, &section.header) == nullptr || section.header.sh_type != type) continue;
        section.data = elf_getdata(scn, nullptr);
        if (section.data == nullptr)
            section_fail(path, type == SHT_NOTE ? "note section" : "section", elf_errmsg(-1));
        found.push_back(section);
    }
    return found;
}

const char* string_at(Elf* elf, std::size_t table, std::size_t offset, const std::string& path, const char* where) {
    const char* text = elf_strptr(elf, table, offset);
    if (text == nullptr) section_fail(path, where, fmt::format("string index {} is out of range", offset));
    return text;
}

// vna_other index -> (file, version), walking .gnu.version_r with bounds on
// every vn_next/vna_next step so a hostile chain cannot loop or run off.
std::map<std::uint16_t, std::pair<std::string, std::string>> version_needs(Elf* elf, const std::string& path,
                                                                           SymbolVersions& result) {
    std::map<std::uint16_t, std::pair<std::string, std::string>> by_index;
    for (const Section& section : sections_of_type(elf, SHT_GNU_verneed, path)) {
        std::size_t offset = 0, limit = section.data->d_size;
        auto check_inside = [&](std::size_t at, const char* field) {
            if (at >= limit)
                section_fail(path, ".gnu.version_r", fmt::format("{} points to offset {}, past the section's {} bytes",
                                                                 field, at, limit));
        };
        for (std::size_t files = 0; files < section.header.sh_info; ++files) {
            check_inside(offset, "vn_next");
            GElf_Verneed need;
            if (gelf_getverneed(section.data, static_cast<int>(offset), &need) == nullptr)
                section_fail(path, ".gnu.version_r", fmt::format("bad entry at offset {}", offset));
            std::string file = string_at(elf, section.header.sh_link, need.vn_file, path, ".gnu.version_r");
            auto& versions = result.required[file];
            std::size_t aux = offset + need.vn_aux;
            for (std::size_t i = 0; i < need.vn_cnt; ++i) {
                check_inside(aux, i == 0 ? "vn_aux" : "vna_next");
                GElf_Vernaux entry;
                if (gelf_getvernaux(section.data, static_cast<int>(aux), &entry) == nullptr)
                    section_fail(path, ".gnu.version_r", fmt::format("bad version entry at offset {}", aux));
                std::string version = string_at(elf, section.header.sh_link, entry.vna_name, path, ".gnu.version_r");
                versions.try_emplace(version);
                by_index[static_cast<std::uint16_t>(entry.vna_other)] = {file, version};
                if (entry.vna_next == 0) break;
                aux += entry.vna_next;
            }
            if (need.vn_next == 0) break;
            offset += need.vn_next;
        }
    }
    return by_index;
}

void read_dynamic_symbols(Elf* elf, const std::string& path, SymbolVersions& result) {
    auto needs = version_needs(elf, path, result);
    std::vector<Section> dynsyms = sections_of_type(elf, SHT_DYNSYM, path);
    if (dynsyms.empty()) return;
    const Section& dynsym = dynsyms.front();
    std::vector<Section> versyms = sections_of_type(elf, SHT_GNU_versym, path);
    std::size_t count = dynsym.header.sh_entsize != 0 ? dynsym.data->d_size / dynsym.header.sh_entsize : 0;
    std::set<std::string> undefined;
    for (std::size_t i = 1; i < count; ++i) {
        GElf_Sym symbol;
        if (gelf_getsym(dynsym.data, static_cast<int>(i), &symbol) == nullptr) break;
        if (symbol.st_shndx != SHN_UNDEF) continue;
        std::string name = string_at(elf, dynsym.header.sh_link, symbol.st_name, path, ".dynsym");
        int type = GELF_ST_TYPE(symbol.st_info);
        if (GELF_ST_BIND(symbol.st_info) != STB_WEAK) undefined.insert(name);
        if (type == STT_FUNC && name.find("PyUnicodeUCS2_") != std::string::npos) result.ucs2 = true;
        if ((type == STT_FUNC || type == STT_NOTYPE) &&
            (name == "PyFPE_jbuf" || name == "PyFPE_dummy" || name == "PyFPE_counter"))
            result.pyfpe = true;
        GElf_Versym version;
        if (versyms.empty() || gelf_getversym(versyms.front().data, static_cast<int>(i), &version) == nullptr) continue;
        auto need = needs.find(static_cast<std::uint16_t>(version & 0x7fff));
        if (need != needs.end()) result.required[need->second.first][need->second.second].push_back(name);
    }
    result.undefined.assign(undefined.begin(), undefined.end());
    for (auto& [file, versions] : result.required)
        for (auto& [version, symbols] : versions) std::sort(symbols.begin(), symbols.end());
}

void read_isa_property(Elf* elf, const ElfFacts& facts, const std::string& path, SymbolVersions& result) {
    if (facts.ident.e_machine != EM_X86_64 && facts.ident.e_machine != EM_386) return;
    std::size_t align = facts.ident.elf_class == 64 ? 8 : 4;
    for (const Section& section : sections_of_type(elf, SHT_NOTE, path)) {
        // The note headers libelf has translated; the descriptor is the file's bytes.
        ElfBytes data({static_cast<const unsigned char*>(section.data->d_buf), section.data->d_size},
                      facts.ident.byte_order, path, "note section");
        std::size_t offset = 0;
        GElf_Nhdr note;
        std::size_t name_at = 0, desc_at = 0;
        while ((offset = gelf_getnote(section.data, offset, &note, &name_at, &desc_at)) != 0) {
            if (note.n_type != NT_GNU_PROPERTY_TYPE_0 || note.n_namesz != 4 ||
                std::memcmp(data.range(name_at, 4, "the note's owner").data(), "GNU", 4) != 0)
                continue;
            // Properties: pr_type, pr_datasz, then data padded to the class's alignment.
            for (std::size_t at = 0; at + 8 <= note.n_descsz;) {
                std::uint32_t type = data.word(desc_at + at, "a GNU property's pr_type");
                std::uint32_t size = data.word(desc_at + at + 4, "a GNU property's pr_datasz");
                if (size > note.n_descsz - at - 8)
                    section_fail(path, ".note.gnu.property", fmt::format("property {:#x} overruns its note", type));
                if (type == kX86IsaNeeded && size == 4) {
                    result.x86_isa_needed = data.word(desc_at + at + 8, "GNU_PROPERTY_X86_ISA_1_NEEDED");
                    return;
                }
                at += 8 + (size + align - 1) / align * align;
            }
        }
    }
}
}  // namespace

SymbolVersions read_symbol_versions(const std::string& path) {
    ElfImage image(path);
    ElfFacts facts = image.facts();
    SymbolVersions result;
    read_dynamic_symbols(image.handle(), path, result);
    read_isa_property(image.handle(), facts, path, result);
    return result;
}

std::pair<std::string, std::string> split_symbol_version(const std::string& version) {
    for (std::size_t at = version.find('_'); at != std::string::npos; at = version.find('_', at + 1))
        if (at + 1 < version.size() && version[at + 1] >= '0' && version[at + 1] <= '9')
            return {version.substr(0, at), version.substr(at + 1)};
    std::size_t first = version.find('_');
    if (first == std::string::npos) return {version, ""};
    return {version.substr(0, first), version.substr(first + 1)};
}

bool version_less(const std::string& a, const std::string& b) {
    auto parts = [](const std::string& text) {
        std::vector<std::pair<long, std::string>> out;
        std::size_t start = 0;
        while (start <= text.size()) {
            std::size_t dot = text.find('.', start);
            std::string part = text.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
            bool numeric = !part.empty() && part.size() < 10 && std::all_of(part.begin(), part.end(), ::isdigit);
            out.emplace_back(numeric ? std::stol(part) : -1, numeric ? "" : part);
            if (dot == std::string::npos) break;
            start = dot + 1;
        }
        return out;
    };
    return parts(a) < parts(b);
}

}  // namespace aw
