#include "edit/resolution_cache.hpp"

#include "base/diagnostics.hpp"
#include "base/file_io.hpp"
#include "elf/elf_file.hpp"

#include <unistd.h>

#include <algorithm>
#include <map>

namespace aw {
namespace {
constexpr char kOwner[] = "NixOS";  // with its NUL: n_namesz 6
constexpr std::uint32_t kNoteType = 0x63a86cb6;
constexpr std::size_t kNoteHeader = 12;  // n_namesz, n_descsz, n_type: 32-bit words in both classes

std::uint64_t padded(std::uint64_t size) { return (size + 3) & ~std::uint64_t{3}; }

bool exists(const std::string& path, int mode) { return ::access(path.c_str(), mode) == 0; }
}  // namespace

std::optional<std::string> resolution_cache_descriptor(const std::vector<std::string>& needed,
                                                       const std::optional<std::string>& run_path, std::string& why_none) {
    std::vector<std::string> directories = run_path ? split_search_path(*run_path) : std::vector<std::string>{};
    if (needed.empty() || directories.empty()) {
        why_none = "no DT_NEEDED entries or run path to resolve";
        return std::nullopt;
    }
    std::map<std::string, std::string> found;  // by name, as patchelf orders them
    auto add = [&](const std::string& name, const std::string& entry) {
        std::string& entries = found[name];
        entries += (entries.empty() ? "" : ":") + entry;
    };
    for (const std::string& directory : directories) {
        if (directory.empty()) continue;  // the current directory at run time: nothing to record
        bool searched_by_loader = directory.find('$') != std::string::npos || exists(directory + "/glibc-hwcaps", F_OK);
        for (const std::string& name : needed) {
            if (name.find('/') != std::string::npos) continue;  // a path: the loader opens it as it is
            if (searched_by_loader) add(name, "?" + directory);
            else if (exists(directory + "/" + name, R_OK)) add(name, "=" + directory + "/" + name);
        }
    }
    if (found.empty()) {
        why_none = "no libraries resolved against the run path";
        return std::nullopt;
    }
    std::string descriptor;
    for (const auto& [name, entries] : found) descriptor += name + '\0' + entries + '\0';
    return descriptor + '\0';
}

std::vector<unsigned char> encode_resolution_cache(const std::string& descriptor, ByteOrder order) {
    std::vector<unsigned char> note(kNoteHeader + padded(sizeof kOwner) + padded(descriptor.size()), 0);
    store_unsigned(note.data(), 4, sizeof kOwner, order);
    store_unsigned(note.data() + 4, 4, descriptor.size(), order);
    store_unsigned(note.data() + 8, 4, kNoteType, order);
    std::copy(std::begin(kOwner), std::end(kOwner), note.begin() + kNoteHeader);
    std::copy(descriptor.begin(), descriptor.end(), note.begin() + static_cast<std::ptrdiff_t>(kNoteHeader + padded(sizeof kOwner)));
    return note;
}

std::optional<ExistingCache> existing_resolution_cache(const Layout& layout) {
    const Bytes file = layout.file.bytes();
    for (std::size_t index = 1; index < layout.sections.size(); ++index) {
        const Section& section = layout.sections[index];
        if (section.name != kResolutionCacheSection) continue;
        ExistingCache cache{index, {}};
        const GElf_Shdr& header = section.header;
        if (header.sh_type == SHT_NOBITS || !range_inside(header.sh_offset, header.sh_size, file.size()) ||
            header.sh_size < kNoteHeader)
            return cache;
        ElfBytes note(file.subspan(header.sh_offset, header.sh_size), layout.byte_order(), layout.path(),
                      kResolutionCacheSection);
        std::uint64_t owner = note.word(0, "n_namesz"), size = note.word(4, "n_descsz");
        std::uint64_t descriptor_at = kNoteHeader + padded(owner);
        if (owner == sizeof kOwner && note.word(8, "n_type") == kNoteType && descriptor_at <= note.bytes().size() &&
            size <= note.bytes().size() - descriptor_at)
            cache.descriptor.assign(reinterpret_cast<const char*>(note.bytes().data() + descriptor_at), size);
        return cache;
    }
    return std::nullopt;
}

namespace {
bool covers(const GElf_Phdr& header, const GElf_Shdr& section) {
    return (header.p_type == PT_NOTE || header.p_type == PT_LOAD) && header.p_offset == section.sh_offset &&
           header.p_filesz == section.sh_size;
}

void drop_note(const Layout& layout, const ExistingCache& cache, EditPlan& plan) {
    if (cache.section + 1 != layout.sections.size())
        fail_elf(layout.path(), "{} is not the last section: dropping it would renumber the others; nothing was written",
                 kResolutionCacheSection);
    const GElf_Shdr& section = layout.sections[cache.section].header;
    for (GElf_Phdr& header : plan.program_headers)
        if (covers(header, section)) header = GElf_Phdr{};
    if (plan.removed.empty()) plan.sections.pop_back();
    else plan.removed[cache.section] = true;
    if (section.sh_type != SHT_NOBITS) plan.in_place.put(section.sh_offset, std::vector<unsigned char>(section.sh_size, 0));
}

// .shstrtab's offset of the note's name, adding it (to `names`) when the table lacks it.
std::uint64_t section_name(const Layout& layout, std::vector<unsigned char>& names) {
    std::size_t index = layout.ehdr.e_shstrndx;
    if (index == 0 || index >= layout.sections.size()) fail_elf(layout.path(), "no section name table (e_shstrndx {})", index);
    const GElf_Shdr& table = layout.sections[index].header;
    Bytes bytes = layout.file.range(table.sh_offset, table.sh_size, "the section name table");
    std::string text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    std::string name = std::string(kResolutionCacheSection) + '\0';
    if (auto at = text.find(name); at != std::string::npos && (at == 0 || text[at - 1] == '\0')) return at;
    names.assign(text.begin(), text.end());
    names.insert(names.end(), name.begin(), name.end());
    return text.size();
}

void add_note(const Layout& layout, std::vector<unsigned char> note, EditPlan& plan) {
    GElf_Phdr header{};
    header.p_type = PT_NOTE;
    header.p_flags = PF_R;
    header.p_align = 4;
    std::vector<GElf_Phdr>& headers = plan.program_headers;
    auto spare = std::find_if(headers.begin(), headers.end(), [](const GElf_Phdr& h) { return h.p_type == PT_NULL; });
    if (spare == headers.end()) spare = headers.insert(spare, header);
    else *spare = header;
    plan.note.program_header = static_cast<std::size_t>(spare - headers.begin());
    GElf_Shdr section{};
    section.sh_name = static_cast<Elf64_Word>(section_name(layout, plan.note.section_names));
    section.sh_type = SHT_NOTE;
    section.sh_flags = SHF_ALLOC;
    section.sh_size = note.size();
    section.sh_addralign = 4;
    plan.sections.push_back(section);
    plan.note.section = plan.sections.size() - 1;
    plan.note.bytes = std::move(note);
    plan.note.added = true;
}
}  // namespace

void plan_resolution_cache(const Layout& layout, bool build, const LinkNames& before, const LinkNames& after,
                           EditPlan& plan) {
    const std::string& path = layout.path();
    std::optional<ExistingCache> existing = existing_resolution_cache(layout);
    if (layout.extended_numbering && (existing || build))
        fail_elf(path, "{}: more sections than the ELF header can count (extended numbering) are not supported; "
                       "nothing was written", kResolutionCacheSection);
    if (existing && before != after) {
        drop_note(layout, *existing, plan);
        existing.reset();
    }
    if (build) {
        std::string why_none;
        std::optional<std::string> descriptor = resolution_cache_descriptor(after.needed, after.run_path, why_none);
        if (existing && (!descriptor || existing->descriptor != *descriptor))
            fail_elf(path, "--build-resolution-cache: a resolution cache note is already present; rebuild from an "
                           "unpatched binary");
        if (!descriptor) warn("{}: --build-resolution-cache: {}; no cache written", path, why_none);
        else if (!existing) add_note(layout, encode_resolution_cache(*descriptor, layout.byte_order()), plan);
    }
    const std::optional<GElf_Phdr>& rebuilt = layout.previous_segment;
    if (existing && rebuilt) {
        const GElf_Shdr& section = layout.sections[existing->section].header;
        if (section.sh_offset >= rebuilt->p_offset && section.sh_offset - rebuilt->p_offset < rebuilt->p_filesz &&
            range_inside(section.sh_offset, section.sh_size, layout.file.bytes().size())) {
            Bytes note = layout.file.bytes().subspan(section.sh_offset, section.sh_size);
            plan.note.bytes.assign(note.begin(), note.end());
            plan.note.section = existing->section;
            for (std::size_t i = 0; i < plan.program_headers.size(); ++i)
                if (plan.program_headers[i].p_type == PT_NOTE && covers(plan.program_headers[i], section))
                    plan.note.program_header = i;
        }
    }
}

}  // namespace aw
