#include "edit/dynamic_edits.hpp"

#include "elf/elf_file.hpp"
#include "elf/elf_names.hpp"

#include <algorithm>

namespace aw {

bool DynamicEdits::empty() const {
    return !set_soname && replace_needed.empty() && remove_needed.empty() && !set_rpath && !remove_rpath && !force_rpath &&
           !strip && add_needed.empty() && !add_rpath && !shrink_rpath && !set_interpreter && !executable_stack && !os_abi &&
           !add_debug_tag && !no_default_lib && rename_symbols.empty() && !build_resolution_cache;
}

std::optional<std::string> DynamicEdits::contradiction() const {
    if (remove_rpath && (set_rpath || add_rpath)) return "the RPATH is both set and removed";
    if (set_rpath && add_rpath) return "the RPATH is both set and added to";
    if (shrink_rpath && (set_rpath || add_rpath || remove_rpath)) return "the RPATH is both shrunk and set";
    if (set_interpreter && set_interpreter->empty()) return "the interpreter must not be empty";
    if (build_resolution_cache && force_rpath) return "--build-resolution-cache cannot be combined with --force-rpath";
    if (build_resolution_cache && strip) return "--build-resolution-cache and --strip go in two runs";
    if (page_size && (*page_size == 0 || (*page_size & (*page_size - 1)) != 0 || *page_size > (1u << 24)))
        return "the page size must be a power of two up to 16 MiB";
    for (const std::string& name : add_needed)
        if (name.empty()) return "an added DT_NEEDED name must not be empty";
    for (const auto& [old_name, new_name] : replace_needed)
        if (std::find(remove_needed.begin(), remove_needed.end(), old_name) != remove_needed.end())
            return old_name + " is both removed and replaced";
    return std::nullopt;
}

std::string edit_command_line(const std::string& path, const DynamicEdits& edits) {
    std::vector<std::string> words{"rpath-set"};
    if (edits.set_soname) words.insert(words.end(), {"--set-soname", *edits.set_soname});
    for (const auto& [old_name, new_name] : edits.replace_needed) words.insert(words.end(), {"--replace-needed", old_name, new_name});
    for (const std::string& name : edits.remove_needed) words.insert(words.end(), {"--remove-needed", name});
    if (edits.force_rpath) words.push_back("--force-rpath");
    if (edits.set_rpath) words.insert(words.end(), {"--set-rpath", *edits.set_rpath});
    if (edits.add_rpath) words.insert(words.end(), {"--add-rpath", *edits.add_rpath});
    if (edits.remove_rpath) words.push_back("--remove-rpath");
    if (edits.shrink_rpath) words.push_back("--shrink-rpath");
    if (!edits.allowed_rpath_prefixes.empty())
        words.insert(words.end(), {"--allowed-rpath-prefixes", join_search_path(edits.allowed_rpath_prefixes)});
    for (const std::string& name : edits.add_needed) words.insert(words.end(), {"--add-needed", name});
    if (edits.set_interpreter) words.insert(words.end(), {"--set-interpreter", *edits.set_interpreter});
    if (edits.executable_stack) words.push_back(*edits.executable_stack ? "--set-execstack" : "--clear-execstack");
    if (edits.os_abi) words.insert(words.end(), {"--set-os-abi", os_abi_name(*edits.os_abi)});
    if (edits.add_debug_tag) words.push_back("--add-debug-tag");
    if (edits.no_default_lib) words.push_back("--no-default-lib");
    if (edits.page_size) words.insert(words.end(), {"--page-size", std::to_string(*edits.page_size)});
    if (!edits.rename_symbols.empty()) words.insert(words.end(), {"--rename-dynamic-symbols", edits.rename_symbols_from});
    if (edits.build_resolution_cache) words.push_back("--build-resolution-cache");
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
