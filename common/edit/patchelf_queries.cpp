#include "edit/patchelf_queries.hpp"

#include "edit/header_edits.hpp"
#include "elf/elf_file.hpp"
#include "elf/elf_names.hpp"

#include <fmt/format.h>


namespace aw {
QueryAnswers answer_before_edits(const FileQueries& queries, const std::string& file) {
    QueryAnswers answers;
    if (!(queries.interpreter || queries.os_abi || queries.soname || queries.execstack || queries.needed)) return answers;
    ElfImage image(file);
    ElfFacts facts = image.facts();
    if (queries.interpreter) {
        if (!facts.interpreter) fail_elf(file, "no PT_INTERP: the file has no interpreter to print");
        answers.head += *facts.interpreter + "\n";
    }
    if (queries.os_abi) answers.head += os_abi_name(facts.ident.os_abi) + "\n";
    if (queries.soname && facts.soname) answers.head += *facts.soname + "\n";
    if (queries.execstack)
        answers.head += fmt::format("execstack: {}\n", execstack_of(program_headers(image.handle(), file)));
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
