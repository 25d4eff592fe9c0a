#include "edit/dynamic_edit.hpp"

#include "base/diagnostics.hpp"
#include "edit/edit_plan.hpp"
#include "edit/elf_layout.hpp"
#include "edit/elf_rewrite.hpp"
#include "edit/elf_strip.hpp"
#include "edit/header_edits.hpp"
#include "edit/resolution_cache.hpp"
#include "edit/string_placement.hpp"
#include "edit/symbol_rename.hpp"
#include "elf/elf_file.hpp"
#include "elf/elf_ident.hpp"

#include <algorithm>
#include <array>
#include <fstream>
#include <span>

namespace aw {

namespace {
// The dynamic table as the edits leave it, and the strings still to place: per
// entry index, and per version-need file field (they name their library too).
struct TablePlan {
    std::vector<GElf_Dyn> entries;
    std::vector<std::pair<std::size_t, std::string>> entry_strings;
    std::vector<std::pair<std::uint64_t, std::string>> version_files;
};

// The entries patchelf adds: DT_NEEDED at the top of the table (the order of --add-needed, each
// name once), DT_DEBUG when there is none, DF_1_NODEFLIB in DT_FLAGS_1.
void add_entries(const DynamicEdits& edits, TablePlan& plan) {
    std::vector<std::string> names;
    for (const std::string& name : edits.add_needed)
        if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    if (!names.empty()) {
        plan.entries.insert(plan.entries.begin(), names.size(), GElf_Dyn{DT_NEEDED, {0}});
        for (auto& [index, text] : plan.entry_strings) index += names.size();
        for (std::size_t i = 0; i < names.size(); ++i) plan.entry_strings.emplace_back(i, names[i]);
    }
    auto find = [&](std::int64_t tag) {
        return std::find_if(plan.entries.begin(), plan.entries.end(), [&](const GElf_Dyn& e) { return e.d_tag == tag; });
    };
    if (edits.add_debug_tag && find(DT_DEBUG) == plan.entries.end()) plan.entries.push_back(GElf_Dyn{DT_DEBUG, {0}});
    if (edits.no_default_lib) {
        auto flags = find(DT_FLAGS_1);
        if (flags == plan.entries.end()) plan.entries.push_back(GElf_Dyn{DT_FLAGS_1, {DF_1_NODEFLIB}});
        else flags->d_un.d_val |= DF_1_NODEFLIB;
    }
}

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
    add_entries(edits, plan);
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

// The DT_NEEDED names and run path of `entries`, whose strings by entry index in `new_strings`
// are not placed yet.
LinkNames link_names(const std::vector<GElf_Dyn>& entries, const std::vector<std::pair<std::size_t, std::string>>& new_strings,
                     const StringPlacer& strings) {
    LinkNames names;
    std::optional<std::string> rpath, runpath;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        std::int64_t tag = entries[i].d_tag;
        if (tag != DT_NEEDED && tag != DT_RPATH && tag != DT_RUNPATH) continue;
        auto placed = std::find_if(new_strings.begin(), new_strings.end(), [&](const auto& s) { return s.first == i; });
        std::string text = placed != new_strings.end() ? placed->second : strings.at(entries[i].d_un.d_val);
        if (tag == DT_NEEDED) names.needed.push_back(text);
        else (tag == DT_RPATH ? rpath : runpath) = text;
    }
    names.run_path = runpath ? runpath : rpath;
    return names;
}

// Gives every new string its offset: in the entries, and as patches of the version-need fields.
void place_strings(TablePlan& table, StringPlacer& strings, Patches& patches) {
    for (auto& [index, text] : table.entry_strings) table.entries[index].d_un.d_val = strings.place(text);
    for (auto& [field, text] : table.version_files) patches.put_field({field, sizeof(Elf64_Word)}, strings.place(text));
}
}  // namespace

namespace {
// patchelf's --shrink-rpath: relative entries ($ORIGIN) stay; an absolute one stays when it holds
// a needed library (of the file's machine) that no earlier one held, and lies under one of the
// allowed prefixes when any are given.
std::string shrunk_rpath(const std::string& rpath, const std::vector<std::string>& needed, std::uint16_t machine,
                         const std::vector<std::string>& allowed_prefixes) {
    std::vector<bool> found(needed.size(), false);
    std::vector<std::string> kept;
    for (const std::string& directory : split_search_path(rpath)) {
        if (directory.empty()) continue;
        if (directory[0] != '/') {
            kept.push_back(directory);
            continue;
        }
        if (!allowed_prefixes.empty() &&
            std::none_of(allowed_prefixes.begin(), allowed_prefixes.end(),
                         [&](const std::string& prefix) { return directory.starts_with(prefix); }))
            continue;
        bool holds = false;
        for (std::size_t i = 0; i < needed.size(); ++i) {
            if (found[i]) continue;
            std::ifstream in(directory + "/" + needed[i], std::ios::binary);
            std::array<std::byte, kElfIdentBytes> head{};
            in.read(reinterpret_cast<char*>(head.data()), head.size());
            std::optional<ElfIdent> ident = read_elf_ident(std::span(head.data(), static_cast<std::size_t>(in.gcount())));
            if (ident && ident->e_machine == machine) found[i] = holds = true;
        }
        if (holds) kept.push_back(directory);
    }
    return join_search_path(kept);
}

// --add-rpath and --shrink-rpath as the RPATH they make, from the file's RUNPATH (or else RPATH).
DynamicEdits with_rpath_resolved(const Layout& layout, const DynamicEdits& edits, const StringPlacer& strings) {
    if (!edits.add_rpath && !edits.shrink_rpath) return edits;
    DynamicEdits effective = edits;
    std::optional<std::string> rpath, runpath;
    std::vector<std::string> needed;
    for (const GElf_Dyn& entry : layout.entries) {
        if (entry.d_tag == DT_RPATH) rpath = strings.at(entry.d_un.d_val);
        if (entry.d_tag == DT_RUNPATH) runpath = strings.at(entry.d_un.d_val);
        if (entry.d_tag == DT_NEEDED) needed.push_back(strings.at(entry.d_un.d_val));
    }
    std::optional<std::string> existing = runpath ? runpath : rpath;
    if (edits.add_rpath) effective.set_rpath = !existing || existing->empty() ? *edits.add_rpath : *existing + ":" + *edits.add_rpath;
    if (edits.shrink_rpath && existing)
        effective.set_rpath = shrunk_rpath(*existing, needed, layout.ehdr.e_machine, edits.allowed_rpath_prefixes);
    effective.add_rpath.reset();
    effective.shrink_rpath = false;
    return effective;
}
}  // namespace

EditPlan plan_edits(Layout& layout, const DynamicEdits& edits) {
    EditPlan plan(layout);
    StringPlacer strings(layout);
    TablePlan table = plan_dynamic_table(layout, with_rpath_resolved(layout, edits, strings), strings);
    bool cache_matters = edits.build_resolution_cache || existing_resolution_cache(layout);
    LinkNames names_before, names_after;
    if (cache_matters) {
        names_before = link_names(layout.entries, {}, strings);
        names_after = link_names(table.entries, table.entry_strings, strings);
    }
    place_strings(table, strings, plan.in_place);
    if (!edits.rename_symbols.empty()) plan_symbol_renames(layout, edits.rename_symbols, strings, plan.in_place);
    if (!layout.has_strtab && !strings.appended().empty())
        fail_elf(layout.path(), "the dynamic table has no DT_STRTAB: there is no string table for the new names");
    plan_header_edits(layout, edits, plan);
    if (edits.strip) {
        if (layout.extended_numbering)
            fail_elf(layout.path(), "--strip: more sections than the ELF header can count (extended numbering) are not "
                                    "supported; nothing was written");
        plan.removed = sections_to_strip(layout);
    }
    if (cache_matters) plan_resolution_cache(layout, edits.build_resolution_cache, names_before, names_after, plan);
    plan.dynamic = std::move(table.entries);
    plan.dynstr = strings.table();
    plan.appended_strings = strings.appended();
    plan.page_size = edits.page_size;
    return plan;
}

bool apply_dynamic_edits(const std::string& path, const DynamicEdits& edits, const std::string& output) {
    ElfImage image(path);
    Layout layout = read_layout(image);
    RewritePlan rewrite = finalize_rewrite(layout, plan_edits(layout, edits));
    bool changed = rewrite.changes(image.bytes());
    if (!changed && output == path) return false;
    write_rewrite(output, image.bytes(), rewrite, image.mode());
    return changed;
}

}  // namespace aw
