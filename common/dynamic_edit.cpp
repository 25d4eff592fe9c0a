#include "dynamic_edit.hpp"

#include "diagnostics.hpp"
#include "elf_file.hpp"
#include "elf_encode.hpp"
#include "elf_layout.hpp"
#include "elf_rewrite.hpp"
#include "elf_strip.hpp"
#include "segment_growth.hpp"
#include "string_placement.hpp"

#include <algorithm>

namespace aw {

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

namespace {
// The dynamic table as the edits leave it, and the strings still to place: per
// entry index, and per version-need file field (they name their library too).
struct TablePlan {
    std::vector<GElf_Dyn> entries;
    std::vector<std::pair<std::size_t, std::string>> entry_strings;
    std::vector<std::pair<std::uint64_t, std::string>> version_files;
};

// Decides the final entries; releases the strings of entries that change or
// go and keeps every other reference, before any string is placed.
TablePlan plan_dynamic_table(const Layout& layout, const DynamicEdits& edits, StringPlacer& strings) {
    TablePlan plan;
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
            if (edits.remove_rpath) {
                drop = true;
            } else if (edits.set_rpath) {
                // One entry carries the new value, of the kind asked for; the other kind goes.
                bool carrier = entry.d_tag == DT_RUNPATH || !has_runpath;
                drop = !carrier;
                if (carrier) {
                    kept.d_tag = edits.force_rpath ? DT_RPATH : DT_RUNPATH;
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
        if (new_string) plan.entry_strings.emplace_back(plan.entries.size(), *new_string);
        plan.entries.push_back(kept);
    }
    if (edits.set_rpath && !has_rpath && !has_runpath && !edits.remove_rpath) {
        plan.entry_strings.emplace_back(plan.entries.size(), *edits.set_rpath);
        plan.entries.push_back(GElf_Dyn{edits.force_rpath ? DT_RPATH : DT_RUNPATH, {0}});
    }
    if (edits.set_soname && !has_soname) {
        plan.entry_strings.emplace_back(plan.entries.size(), *edits.set_soname);
        plan.entries.push_back(GElf_Dyn{DT_SONAME, {0}});
    }
    for (const auto& [field, offset] : layout.vn_files) {
        std::string file = strings.at(offset);
        std::optional<std::string> renamed;
        for (const auto& [old_name, new_name] : edits.replace_needed)
            if (file == old_name) renamed = new_name;
        if (renamed) {
            strings.release(offset);
            plan.version_files.emplace_back(field, *renamed);
        } else {
            strings.keep(offset);
        }
    }
    for (std::uint64_t offset : layout.other_references) strings.keep(offset);
    return plan;
}

// Gives every new string its offset: in the entries, and as patches of the version-need fields.
void place_strings(const Layout& layout, TablePlan& table, StringPlacer& strings, Patches& patches) {
    for (auto& [index, text] : table.entry_strings) table.entries[index].d_un.d_val = strings.place(text);
    for (auto& [field, text] : table.version_files)
        patches.put_field({field, sizeof(Elf64_Word)}, strings.place(text), layout.encoding);
}
}  // namespace

bool apply_dynamic_edits(const std::string& path, const DynamicEdits& edits, const std::string& output) {
    MappedFile file(path);
    Bytes original = file.bytes();
    Layout layout = read_layout(path, original);
    FileRewrite rewrite;
    for (const Section& section : layout.sections) rewrite.sections.push_back(section.header);
    RewritePlan& plan = rewrite.plan;
    StringPlacer strings(original, layout, path);
    TablePlan table = plan_dynamic_table(layout, edits, strings);
    place_strings(layout, table, strings, plan.patches);

    if (edits.strip) {
        if (layout.extended_numbering)
            fail_elf(path, "--strip: more sections than the ELF header can count (extended numbering) are not supported; "
                 "nothing was written");
        rewrite.removed = sections_to_strip(layout);
    }
    std::optional<GElf_Phdr> previous = our_previous_segment(layout, original.size());
    bool must_grow = !strings.appended().empty() || table.entries.size() + 1 > layout.dynamic_slots ||
                     (!rewrite.removed.empty() && previous);  // what follows our segment moves: rebuild it
    plan.keep = must_grow && previous ? previous->p_offset : original.size();
    if (!rewrite.removed.empty()) strip_sections(original, layout, rewrite, plan.keep, previous, path);
    if (must_grow) {
        std::vector<unsigned char> dynstr = strings.table();
        dynstr.insert(dynstr.end(), strings.appended().begin(), strings.appended().end());
        SegmentPlan segment = plan_new_segment(layout, std::move(table.entries), dynstr.size(), plan.end(), previous, path);
        add_new_segment(layout, segment, dynstr, rewrite);
    } else {
        plan.patches.put(layout.strtab_offset, strings.table());
        table.entries.resize(layout.dynamic_slots, GElf_Dyn{DT_NULL, {0}});
        plan.patches.put(layout.dynamic_offset, encode_dynamic(layout, table.entries));
    }
    write_section_headers(layout, rewrite);
    bool changed = !plan.pieces.empty() || plan.keep != original.size() || plan.patches.change(original);
    if (!changed && output == path) return false;
    write_rewrite(output, original, plan, file.mode());
    return changed;
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

}  // namespace aw
