#include "edit/patchelf_queries.hpp"

#include "base/text.hpp"
#include "edit/header_edits.hpp"
#include "elf/elf_file.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <initializer_list>

namespace aw {
namespace {
struct OsAbiName {
    std::uint8_t value;
    const char* printed;
    std::initializer_list<const char*> accepted;  // lower case, as typed after trimming
};

constexpr OsAbiName kOsAbis[] = {
    {0, "System V", {"system v", "system-v", "sysv"}},
    {1, "HP-UX", {"hp-ux"}},
    {2, "NetBSD", {"netbsd"}},
    {3, "Linux", {"linux", "gnu"}},
    {4, "GNU Hurd", {"gnu hurd", "gnu-hurd", "hurd"}},
    {6, "Solaris", {"solaris"}},
    {7, "AIX", {"aix"}},
    {8, "IRIX", {"irix"}},
    {9, "FreeBSD", {"freebsd"}},
    {10, "Tru64", {"tru64"}},
    {12, "OpenBSD", {"openbsd"}},
    {13, "OpenVMS", {"openvms"}},
};
}  // namespace

std::optional<std::uint8_t> parse_os_abi(const std::string& name) {
    std::string key(trim_blanks(name));
    std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::tolower(c); });
    for (const OsAbiName& abi : kOsAbis)
        for (const char* accepted : abi.accepted)
            if (key == accepted) return abi.value;
    return std::nullopt;
}

std::string os_abi_name(std::uint8_t value) {
    for (const OsAbiName& abi : kOsAbis)
        if (abi.value == value) return abi.printed;
    return fmt::format("0x{:02X}", value);
}

QueryAnswers answer_before_edits(const FileQueries& queries, const std::string& file) {
    QueryAnswers answers;
    if (!(queries.interpreter || queries.os_abi || queries.soname || queries.execstack || queries.needed)) return answers;
    ElfReader reader(file);
    ElfFacts facts = reader.facts();
    if (queries.interpreter) {
        if (!facts.interpreter) fail_elf(file, "no PT_INTERP: the file has no interpreter to print");
        answers.head += *facts.interpreter + "\n";
    }
    if (queries.os_abi) answers.head += os_abi_name(facts.ident.os_abi) + "\n";
    if (queries.soname && facts.soname) answers.head += *facts.soname + "\n";
    if (queries.execstack)
        answers.head += fmt::format("execstack: {}\n", execstack_of(program_headers(reader.handle(), file)));
    if (queries.needed)
        for (const std::string& name : facts.needed) answers.needed += name + "\n";
    return answers;
}

void answer_after_edits(const FileQueries& queries, const std::string& written, QueryAnswers& answers) {
    if (!queries.rpath) return;
    ElfFacts facts = read_elf_facts(written);
    answers.rpath = join_search_path(facts.runpath.empty() ? facts.rpath : facts.runpath) + "\n";
}

}  // namespace aw
