#include "edit/edit_plan.hpp"

#include "edit/elf_encode.hpp"
#include "edit/elf_strip.hpp"
#include "edit/header_edits.hpp"
#include "edit/segment_growth.hpp"

namespace aw {

EditPlan::EditPlan(const Layout& layout)
    : dynamic(layout.entries), program_headers(layout.program_headers), in_place(layout.byte_order()) {
    for (const Section& section : layout.sections) sections.push_back(section.header);
}

RewritePlan finalize_rewrite(const Layout& layout, EditPlan plan) {
    const std::optional<GElf_Phdr>& previous = layout.previous_segment;
    const std::uint64_t file_size = layout.file.bytes().size();
    FileRewrite rewrite{RewritePlan(std::move(plan.in_place)), std::move(plan.sections), std::move(plan.removed), {}};
    Patches& patches = rewrite.plan.patches;
    bool must_grow = !plan.appended_strings.empty() || plan.dynamic.size() + 1 > layout.dynamic_slots ||
                     plan.adds_program_headers(layout) || plan.moved_interpreter || plan.note.added ||
                     (!rewrite.removed.empty() && previous);  // what follows our segment moves: rebuild it
    rewrite.plan.keep = !must_grow ? file_size : previous ? previous->p_offset : layout.tail;
    if (must_grow && !plan.moved_interpreter) plan.moved_interpreter = interpreter_inside(layout, previous);
    if (!rewrite.removed.empty()) strip_sections(layout, rewrite, rewrite.plan.keep);
    if (must_grow) {
        std::vector<unsigned char> dynstr = std::move(plan.dynstr);
        dynstr.insert(dynstr.end(), plan.appended_strings.begin(), plan.appended_strings.end());
        SegmentPlan segment = plan_new_segment(layout, plan, dynstr.size(), rewrite.plan.end());
        add_new_segment(layout, segment, dynstr, rewrite);
        // The old .dynstr is no longer referenced (DT_STRTAB and its section header moved): zeroed,
        // so that no string survives there that the edit erased from the table's new copy.
        if (layout.has_strtab && layout.strtab_offset + layout.strtab_size <= rewrite.plan.keep)
            patches.put(layout.strtab_offset, std::vector<unsigned char>(layout.strtab_size, 0));
    } else {
        patch_program_headers_in_place(layout, plan.program_headers, patches);
        if (layout.has_strtab) patches.put(layout.strtab_offset, std::move(plan.dynstr));
        plan.dynamic.resize(layout.dynamic_slots, GElf_Dyn{DT_NULL, {0}});
        patches.put(layout.dynamic_offset, encode_dynamic(layout, plan.dynamic));
    }
    place_section_headers(layout, std::move(plan.note.section_names), rewrite);
    write_section_headers(layout, rewrite);
    return std::move(rewrite.plan);
}

}  // namespace aw
