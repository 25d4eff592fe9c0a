#include "elf/elf_file.hpp"

#include "base/file_io.hpp"
#include "elf/architectures.hpp"

#include <fmt/format.h>
#include <gelf.h>
#include <libelf.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace aw {
namespace {
[[noreturn]] void elf_fail(const std::string& path, const std::string& what) {
    throw ElfError(path, what);
}

std::string libelf_message() { return elf_errmsg(-1); }

}  // namespace

std::vector<GElf_Phdr> program_headers(Elf* elf, const std::string& path) {
    std::size_t count = 0;
    if (elf_getphdrnum(elf, &count) != 0) elf_fail(path, "cannot read program headers: " + libelf_message());
    std::vector<GElf_Phdr> headers(count);
    for (std::size_t i = 0; i < count; ++i)
        if (gelf_getphdr(elf, static_cast<int>(i), &headers[i]) == nullptr)
            elf_fail(path, fmt::format("program header {}: {}", i, libelf_message()));
    return headers;
}

std::optional<std::uint64_t> address_to_offset(const std::vector<GElf_Phdr>& headers, std::uint64_t address) {
    for (const GElf_Phdr& header : headers)
        if (header.p_type == PT_LOAD && address >= header.p_vaddr && address - header.p_vaddr < header.p_filesz)
            return header.p_offset + (address - header.p_vaddr);
    return std::nullopt;
}

namespace {

std::string flags_text(std::uint32_t flags) {
    std::string text;
    if (flags & PF_R) text += 'r';
    if (flags & PF_W) text += 'w';
    if (flags & PF_X) text += 'x';
    return text;
}

// The dynamic section as the loader sees it (PT_DYNAMIC) and its string table.
struct DynamicTable {
    std::vector<GElf_Dyn> entries;
    const char* strings = nullptr;
    std::size_t strings_size = 0;

    std::optional<std::string> string_at(std::uint64_t offset, const std::string& path, const char* tag) const {
        if (strings == nullptr) elf_fail(path, fmt::format("{} without a string table (DT_STRTAB)", tag));
        if (offset >= strings_size)
            elf_fail(path, fmt::format("{} string index {} is past the string table's {} bytes", tag, offset, strings_size));
        const void* end = std::memchr(strings + offset, '\0', strings_size - offset);
        if (end == nullptr) elf_fail(path, fmt::format("{} string at {} is not terminated", tag, offset));
        return std::string(strings + offset);
    }
};

DynamicTable read_dynamic(Elf* elf, const std::vector<GElf_Phdr>& headers, const std::string& path) {
    DynamicTable table;
    const GElf_Phdr* dynamic = nullptr;
    for (const GElf_Phdr& header : headers)
        if (header.p_type == PT_DYNAMIC) {
            dynamic = &header;
            break;
        }
    if (dynamic == nullptr || dynamic->p_filesz == 0) return table;
    Elf_Data* data = elf_getdata_rawchunk(elf, static_cast<int64_t>(dynamic->p_offset), dynamic->p_filesz, ELF_T_DYN);
    if (data == nullptr) elf_fail(path, "PT_DYNAMIC is outside the file: " + libelf_message());
    std::size_t entry_size = gelf_fsize(elf, ELF_T_DYN, 1, EV_CURRENT);
    for (std::size_t i = 0; entry_size != 0 && i < dynamic->p_filesz / entry_size; ++i) {
        GElf_Dyn entry;
        if (gelf_getdyn(data, static_cast<int>(i), &entry) == nullptr) break;
        if (entry.d_tag == DT_NULL) break;
        table.entries.push_back(entry);
    }
    std::optional<std::uint64_t> strtab, strsz;
    for (const GElf_Dyn& entry : table.entries) {
        if (entry.d_tag == DT_STRTAB) strtab = entry.d_un.d_ptr;
        if (entry.d_tag == DT_STRSZ) strsz = entry.d_un.d_val;
    }
    if (strtab && strsz) {
        std::optional<std::uint64_t> offset = address_to_offset(headers, *strtab);
        if (!offset) elf_fail(path, fmt::format("DT_STRTAB address {:#x} is in no PT_LOAD segment", *strtab));
        Elf_Data* strings = elf_getdata_rawchunk(elf, static_cast<int64_t>(*offset), *strsz, ELF_T_BYTE);
        if (strings == nullptr)
            elf_fail(path, fmt::format("DT_STRTAB ({} bytes at offset {:#x}) is outside the file", *strsz, *offset));
        table.strings = static_cast<const char*>(strings->d_buf);
        table.strings_size = strings->d_size;
    }
    return table;
}

std::vector<std::string> defined_dynamic_functions(Elf* elf, const std::string& path) {
    std::vector<std::string> names;
    for (Elf_Scn* section = elf_nextscn(elf, nullptr); section != nullptr; section = elf_nextscn(elf, section)) {
        GElf_Shdr header;
        if (gelf_getshdr(section, &header) == nullptr || header.sh_type != SHT_DYNSYM) continue;
        Elf_Data* data = elf_getdata(section, nullptr);
        if (data == nullptr) elf_fail(path, ".dynsym: " + libelf_message());
        std::size_t count = header.sh_entsize != 0 ? data->d_size / header.sh_entsize : 0;
        for (std::size_t i = 1; i < count; ++i) {
            GElf_Sym symbol;
            if (gelf_getsym(data, static_cast<int>(i), &symbol) == nullptr) break;
            if (GELF_ST_TYPE(symbol.st_info) != STT_FUNC || symbol.st_shndx == SHN_UNDEF) continue;
            const char* name = elf_strptr(elf, header.sh_link, symbol.st_name);
            if (name != nullptr) names.emplace_back(name);
        }
        break;
    }
    return names;
}
}  // namespace

std::string join_search_path(const std::vector<std::string>& entries) {
    std::string joined;
    for (const std::string& entry : entries) joined += (joined.empty() ? "" : ":") + entry;
    return joined;
}

std::vector<std::string> split_search_path(const std::string& value) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (;;) {
        std::size_t colon = value.find(':', start);
        parts.push_back(value.substr(start, colon == std::string::npos ? std::string::npos : colon - start));
        if (colon == std::string::npos) return parts;
        start = colon + 1;
    }
}

std::string ElfFacts::type_name() const {
    switch (type) {
        case ET_REL: return "relocatable";
        case ET_EXEC: return "executable";
        case ET_DYN: return position_independent_executable ? "pie executable" : "shared object";
        case ET_CORE: return "core";
        default: return fmt::format("type {}", type);
    }
}

ElfImage::ElfImage(const std::string& path) : path_(path) {
    elf_version(EV_CURRENT);
    std::string why;
    UniqueFd fd = open_regular_file(path, &why);
    if (!fd) elf_fail(path, why);
    struct stat info {};
    if (::fstat(fd.get(), &info) != 0) elf_fail(path, std::string("cannot open: ") + std::strerror(errno));
    if (info.st_size == 0) elf_fail(path, "not an ELF file (empty)");
    mode_ = info.st_mode;
    elf_ = elf_begin(fd.get(), ELF_C_READ_MMAP, nullptr);
    if (elf_ == nullptr || elf_kind(elf_) != ELF_K_ELF) {
        std::string why = elf_ == nullptr ? libelf_message() : "not an ELF file";
        if (elf_ != nullptr) elf_end(elf_);
        elf_fail(path, why);
    }
    fd_ = std::move(fd);
    try {
        std::size_t size = 0;
        const char* raw = elf_rawfile(elf_, &size);
        if (raw == nullptr) elf_fail(path_, "cannot map the file: " + libelf_message());
        bytes_ = Bytes(reinterpret_cast<const unsigned char*>(raw), size);
        header_ = checked_header();
        byte_order_ = byte_order_of_ei_data(header_.e_ident[EI_DATA]).value_or(ByteOrder::little);
    } catch (...) {
        elf_end(elf_);
        throw;
    }
}

// Every ELF header field a reader or writer uses, checked against the class and the file's
// size before any of them is used (elf_header_problem's rules, the ones whl-unpack applies to
// a member's first bytes): table entry sizes are the class's (a smaller e_phentsize would make
// a rewrite write past what it sized), tables lie inside the file, with extended numbering too.
GElf_Ehdr ElfImage::checked_header() const {
    GElf_Ehdr header;
    if (gelf_getehdr(elf_, &header) == nullptr) elf_fail(path_, "cannot read the ELF header: " + libelf_message());
    const std::size_t file_size = bytes_.size();
    auto head = std::as_bytes(bytes_.first(std::min(file_size, kElfIdentBytes)));
    if (auto problem = elf_header_problem(head, file_size)) elf_fail(path_, "ELF header: " + *problem);
    std::size_t phnum = 0, shnum = 0;
    if (elf_getphdrnum(elf_, &phnum) != 0) elf_fail(path_, "cannot read the program header count: " + libelf_message());
    if (header.e_shoff != 0 && elf_getshdrnum(elf_, &shnum) != 0)
        elf_fail(path_, "cannot read the section header count: " + libelf_message());
    auto inside = [&](const char* what, std::uint64_t offset, std::uint64_t count, std::uint64_t entry) {
        if (!table_inside(offset, count, entry, file_size))
            elf_fail(path_, fmt::format("ELF header: the {} {} at {:#x} run past the end of the file ({} bytes; "
                                        "truncated?)", count, what, offset, file_size));
    };
    if (phnum > 0) inside("program headers", header.e_phoff, phnum, header.e_phentsize);
    if (header.e_shoff != 0) inside("section headers", header.e_shoff, shnum, header.e_shentsize);
    return header;
}

ElfImage::~ElfImage() { elf_end(elf_); }

ElfFacts ElfImage::facts() const {
    ElfFacts facts;
    const GElf_Ehdr& header = header_;
    std::size_t ident_size = 0;
    const char* ident = elf_getident(elf_, &ident_size);
    if (ident == nullptr || ident_size < EI_NIDENT) elf_fail(path_, "bad ELF identification");
    facts.ident.elf_class = ident[EI_CLASS] == ELFCLASS64 ? 64 : 32;
    facts.ident.byte_order = byte_order_;
    facts.ident.os_abi = static_cast<std::uint8_t>(ident[EI_OSABI]);
    facts.ident.e_machine = header.e_machine;
    facts.ident.machine = machine_name(header.e_machine, facts.ident.elf_class, facts.ident.byte_order);
    facts.type = header.e_type;
    facts.flags = header.e_flags;

    std::vector<GElf_Phdr> headers = program_headers(elf_, path_);
    for (const GElf_Phdr& segment : headers) {
        if (segment.p_type == PT_INTERP && !facts.interpreter) {
            Elf_Data* data = elf_getdata_rawchunk(elf_, static_cast<int64_t>(segment.p_offset), segment.p_filesz, ELF_T_BYTE);
            if (data == nullptr || data->d_size == 0) elf_fail(path_, "PT_INTERP is outside the file");
            const char* text = static_cast<const char*>(data->d_buf);
            facts.interpreter = std::string(text, strnlen(text, data->d_size));
        }
        if (segment.p_type == PT_GNU_STACK) {
            facts.gnu_stack = flags_text(segment.p_flags);
            facts.executable_stack = (segment.p_flags & PF_X) != 0;
        }
    }
    if (!facts.gnu_stack)
        facts.executable_stack =
            stack_executable_by_default(header.e_machine, facts.ident.elf_class, facts.ident.byte_order);

    DynamicTable dynamic = read_dynamic(elf_, headers, path_);
    facts.has_dynamic = !dynamic.entries.empty();
    bool pie_flag = false;
    for (const GElf_Dyn& entry : dynamic.entries) {
        switch (entry.d_tag) {
            case DT_NEEDED: facts.needed.push_back(*dynamic.string_at(entry.d_un.d_val, path_, "DT_NEEDED")); break;
            case DT_SONAME: facts.soname = dynamic.string_at(entry.d_un.d_val, path_, "DT_SONAME"); break;
            case DT_RPATH: facts.rpath = split_search_path(*dynamic.string_at(entry.d_un.d_val, path_, "DT_RPATH")); break;
            case DT_RUNPATH:
                facts.runpath = split_search_path(*dynamic.string_at(entry.d_un.d_val, path_, "DT_RUNPATH"));
                break;
            case DT_FLAGS_1: pie_flag = (entry.d_un.d_val & DF_1_PIE) != 0; break;
            default: break;
        }
    }
    facts.position_independent_executable = header.e_type == ET_DYN && (pie_flag || facts.interpreter.has_value());
    facts.defined_functions = defined_dynamic_functions(elf_, path_);
    return facts;
}

ElfFacts read_elf_facts(const std::string& path) { return ElfImage(path).facts(); }

}  // namespace aw
