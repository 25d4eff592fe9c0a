#include "edit/header_edits.hpp"

#include "base/diagnostics.hpp"
#include "edit/elf_encode.hpp"
#include "elf/elf_file.hpp"

#include <cstring>

namespace aw {
namespace {
// PT_GNU_STACK with PF_X as asked: the existing entry's flags, else a PT_NULL slot, else a new
// entry (which moves the table), as patchelf does.
void plan_execstack(bool executable, std::vector<GElf_Phdr>& headers) {
    for (GElf_Phdr& header : headers)
        if (header.p_type == PT_GNU_STACK) {
            header.p_flags = executable ? header.p_flags | PF_X : header.p_flags & ~PF_X;
            return;
        }
    GElf_Phdr stack{};
    stack.p_type = PT_GNU_STACK;
    stack.p_flags = PF_R | PF_W | (executable ? PF_X : 0);
    stack.p_align = 1;
    for (GElf_Phdr& header : headers)
        if (header.p_type == PT_NULL) {
            header = stack;
            return;
        }
    headers.push_back(stack);
}

bool lies_in(const GElf_Phdr& header, const std::optional<GElf_Phdr>& segment) {
    return segment && header.p_offset >= segment->p_offset && header.p_offset - segment->p_offset < segment->p_filesz;
}

// The interpreter in place when it fits in PT_INTERP's bytes (the rest zeroed), else moved.
void plan_interpreter(const Layout& layout, const std::string& interpreter, EditPlan& plan) {
    for (GElf_Phdr& header : plan.program_headers) {
        if (header.p_type != PT_INTERP) continue;
        std::uint64_t size = interpreter.size() + 1;
        if (size > header.p_filesz || lies_in(header, layout.previous_segment)) {
            plan.moved_interpreter = interpreter;
            return;
        }
        std::vector<unsigned char> bytes(header.p_filesz, 0);
        std::memcpy(bytes.data(), interpreter.data(), interpreter.size());
        plan.in_place.put(header.p_offset, std::move(bytes));
        header.p_filesz = header.p_memsz = size;
        if (layout.interp_section) plan.sections[*layout.interp_section].sh_size = size;
        return;
    }
    fail_elf(layout.path(), "no PT_INTERP: the file has no interpreter to set");
}
}  // namespace

void plan_header_edits(const Layout& layout, const DynamicEdits& edits, EditPlan& plan) {
    if (edits.executable_stack) plan_execstack(*edits.executable_stack, plan.program_headers);
    if (edits.set_interpreter) plan_interpreter(layout, *edits.set_interpreter, plan);
    if (edits.os_abi) plan.in_place.put(EI_OSABI, {*edits.os_abi});
    plan.interpreter_set = edits.set_interpreter.has_value();
}

void patch_program_headers_in_place(const Layout& layout, const std::vector<GElf_Phdr>& program_headers, Patches& patches) {
    for (std::size_t i = 0; i < layout.program_headers.size(); ++i)
        if (std::memcmp(&program_headers[i], &layout.program_headers[i], sizeof(GElf_Phdr)) != 0)
            patches.put(layout.ehdr.e_phoff + i * layout.ehdr.e_phentsize,
                        encode_program_headers(layout, {program_headers[i]}));
}

std::optional<std::string> interpreter_inside(const Layout& layout, const std::optional<GElf_Phdr>& segment) {
    const Bytes file = layout.file.bytes();
    for (const GElf_Phdr& header : layout.program_headers) {
        if (header.p_type != PT_INTERP || !lies_in(header, segment) || header.p_offset >= file.size()) continue;
        std::uint64_t size = std::min<std::uint64_t>(header.p_filesz, file.size() - header.p_offset);
        const char* text = reinterpret_cast<const char*>(file.data() + header.p_offset);
        return std::string(text, strnlen(text, size));
    }
    return std::nullopt;
}

char execstack_of(const std::vector<GElf_Phdr>& program_headers) {
    for (const GElf_Phdr& header : program_headers)
        if (header.p_type == PT_GNU_STACK) return (header.p_flags & PF_X) != 0 ? 'X' : '-';
    return '?';
}

}  // namespace aw
