#include "policy/show_report.hpp"

#include <fmt/ranges.h>

namespace aw {
namespace {
// pypa auditwheel's show paragraphs: textwrap.wrap(text, 70), words never broken.
std::string wrap(const std::string& text) {
    std::string out, line;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find(' ', start);
        std::string word = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
        start = end == std::string::npos ? text.size() : end + 1;
        if (word.empty()) continue;
        if (!line.empty() && line.size() + 1 + word.size() > 70) {
            out += line + "\n";
            line.clear();
        }
        line += (line.empty() ? "" : " ") + word;
    }
    return out + line + "\n";
}

Json external_json(const std::map<std::string, std::optional<std::string>>& libraries) {
    Json out = Json::object();
    for (const auto& [name, path] : libraries) out[name] = path ? Json(*path) : Json(nullptr);
    return out;
}

Json executable_stack_json(const Verdict::ExecutableStacks& stacks) {
    return Json{{"members", stacks.members}, {"libraries", stacks.libraries}};
}

Json abi3_json(const Abi3Report& report) {
    Json extensions = Json::array();
    for (const Abi3Extension& e : report.extensions)
        extensions.push_back(Json{{"path", e.path}, {"outside", e.outside}, {"newer", e.newer}, {"needs", e.needs},
                                  {"misnamed", e.misnamed}});
    return Json{{"tag", report.tag},
                {"minimum", report.minimum},
                {"abi3t_since", report.abi3t_since ? Json(*report.abi3t_since) : Json(nullptr)},
                {"violates", report.violates()},
                {"extensions", extensions}};
}

// Policies older than the overall tag that something stands in the way of, newest first.
Json policy_upgrades(const Verdict& verdict) {
    Json upgrades = Json::object();
    std::size_t overall = policy_index(verdict, verdict.overall_tag);
    for (std::size_t p = overall; p-- > 0;) {
        const PolicyFinding& finding = verdict.findings[p];
        Json entry = Json::object();
        if (!finding.external.empty()) {
            Json names = Json::array();
            for (const auto& [name, path] : finding.external) names.push_back(name);
            entry["libs_to_eliminate"] = names;
        }
        if (!finding.blacklisted.empty()) entry["blacklisted_symbols"] = finding.blacklisted;
        if (!entry.empty()) upgrades[verdict.policies[p].name] = entry;
    }
    return upgrades;
}
}  // namespace

Json record_json(const Verdict& verdict) {
    Json record{{"kind", "verdict"}, {"wheel", verdict.wheel}, {"pure", verdict.pure}};
    if (verdict.error) {
        record["error"] = *verdict.error;
        return record;
    }
    record["architecture"] = verdict.architecture;
    record["libc"] = verdict.libc;
    record["overall_tag"] = verdict.overall_tag;
    record["sym_tag"] = verdict.sym_tag;
    record["ref_tag"] = verdict.ref_tag;
    record["blacklist_tag"] = verdict.blacklist_tag;
    record["machine_tag"] = verdict.machine_tag;
    record["graft_tag"] = verdict.graft_tag;
    if (verdict.no_libc_tag) record["no_libc_tag"] = *verdict.no_libc_tag;
    record["pyfpe"] = verdict.pyfpe;
    record["ucs2"] = verdict.ucs2;
    record["unsupported_isa"] = verdict.unsupported_isa;
    record["versioned_symbols"] = verdict.versioned_symbols;
    record["executable_stack"] = executable_stack_json(verdict.executable_stack);
    if (verdict.abi3) record["abi3"] = abi3_json(*verdict.abi3);
    Json policies = Json::array();
    for (std::size_t p = 0; p < verdict.policies.size(); ++p) {
        const PolicyFinding& finding = verdict.findings[p];
        policies.push_back(Json{{"name", verdict.policies[p].name},
                                {"aliases", verdict.policies[p].aliases},
                                {"priority", verdict.policies[p].priority},
                                {"external_libs", external_json(finding.external)},
                                {"blacklisted_symbols", finding.blacklisted},
                                {"symbols_ok", finding.symbols_ok},
                                {"too_new", finding.too_new}});
    }
    record["policies"] = policies;
    return record;
}

Json show_json(const Verdict& verdict, bool allow_pure) {
    if (verdict.error) {
        if (verdict.pure && allow_pure) return Json{{"version", 1}, {"wheel", verdict.wheel}, {"pure", true}};
        return Json{{"version", 1}, {"wheel", verdict.wheel}, {"error", *verdict.error}};
    }
    Json show{{"version", 1},
              {"wheel", verdict.wheel},
              {"pure", false},
              {"overall_tag", verdict.overall_tag},
              {"sym_tag", verdict.sym_tag},
              {"pyfpe", verdict.pyfpe},
              {"ucs2", verdict.ucs2},
              {"unsupported_isa", verdict.unsupported_isa},
              {"versioned_symbols", verdict.versioned_symbols},
              {"external_libs", external_json(verdict.findings.front().external)},
              {"policy_upgrades", policy_upgrades(verdict)}};
    // Our additions to pypa auditwheel's schema, present only when there is something to say.
    if (!verdict.executable_stack.empty()) show["executable_stack"] = executable_stack_json(verdict.executable_stack);
    if (verdict.abi3) show["abi3"] = abi3_json(*verdict.abi3);
    return show;
}

namespace {
// pypa auditwheel's report, paragraph by paragraph (its early stops included).
std::string policy_text(const Verdict& verdict, bool verbose) {
    std::string out;
    auto paragraph = [&out](const std::string& text) { out += "\n" + wrap(text); };
    paragraph(fmt::format("{} is consistent with the following platform tag: \"{}\".", verdict.wheel, verdict.overall_tag));
    if (verdict.no_libc_tag)
        paragraph(fmt::format("Its ELF files are static programs that need no libc, so it is also consistent with the "
                              "platform tag \"{}\".", *verdict.no_libc_tag));
    if (verdict.pyfpe) {
        paragraph("This wheel uses the PyFPE_jbuf function, which is not compatible with the manylinux/musllinux tags. "
                  "(see https://www.python.org/dev/peps/pep-0513/#fpectl-builds-vs-no-fpectl-builds)");
        if (!verbose) return out;
    }
    if (verdict.ucs2) {
        paragraph("This wheel is compiled against a narrow unicode (UCS2) version of Python, which is not compatible "
                  "with the manylinux/musllinux tags.");
        if (!verbose) return out;
    }
    if (verdict.unsupported_isa) {
        paragraph("This wheel depends on unsupported ISA extensions.");
        if (!verbose) return out;
    }
    if (verdict.versioned_symbols.empty()) {
        paragraph("The wheel references no external versioned symbols from system-provided shared libraries.");
    } else {
        std::vector<std::string> libraries;
        for (const auto& [library, versions] : verdict.versioned_symbols) {
            std::vector<std::string> quoted;
            for (const std::string& version : versions) quoted.push_back("'" + version + "'");
            libraries.push_back(fmt::format("{} with versions {{{}}}", library, fmt::join(quoted, ", ")));
        }
        paragraph(fmt::format("The wheel references external versioned symbols in these system-provided shared "
                              "libraries: {}", fmt::join(libraries, ", ")));
    }
    std::size_t sym = policy_index(verdict, verdict.sym_tag);
    if (sym > 0) {
        paragraph(fmt::format("This constrains the platform tag to \"{}\". In order to achieve a more compatible tag, "
                              "you would need to recompile a new wheel from source on a system with earlier versions of "
                              "these libraries, such as a recent manylinux image.",
                              verdict.sym_tag));
        // What pypa auditwheel never says (its issue #36): which symbols, from which files.
        const PolicyFinding& older = verdict.findings[sym - 1];
        if (!older.too_new.empty())
            paragraph(fmt::format("\"{}\" is out of reach because: {}.", verdict.policies[sym - 1].name,
                                  fmt::join(older.too_new, "; ")));
        if (!verbose) return out;
    }
    const PolicyFinding& newest = verdict.findings[verdict.policies.size() >= 2 ? verdict.policies.size() - 2 : 0];
    if (newest.external.empty()) {
        paragraph("The wheel requires no external shared libraries! :)");
    } else {
        paragraph("The following external shared libraries are required by the wheel:");
        out += external_json(newest.external).dump(4) + "\n";
    }
    std::size_t overall = policy_index(verdict, verdict.overall_tag);
    for (std::size_t p = overall; p-- > 0;) {
        const PolicyFinding& finding = verdict.findings[p];
        const std::string& name = verdict.policies[p].name;
        if (!finding.external.empty()) {
            paragraph(fmt::format("In order to achieve the tag platform tag '{}' the following shared library "
                                  "dependencies will need to be eliminated:", name));
            std::vector<std::string> names;
            for (const auto& [library, path] : finding.external) names.push_back(library);
            paragraph(fmt::format("{}", fmt::join(names, ", ")));
        }
        if (!finding.blacklisted.empty()) {
            paragraph(fmt::format("In order to achieve the tag platform tag '{}' the following black-listed symbol "
                                  "dependencies will need to be eliminated:", name));
            for (const auto& [library, symbols] : finding.blacklisted)
                paragraph(fmt::format("From {}: {}", library, fmt::join(symbols, ", ")));
        }
    }
    return out;
}
}  // namespace

std::string abi3_text(const Abi3Report& report) {
    std::vector<std::string> problems;
    if (report.abi3t_since)
        problems.push_back(fmt::format("abi3t exists from CPython {} on (PEP 803: an earlier one is reserved)",
                                       *report.abi3t_since));
    for (const Abi3Extension& e : report.extensions) {
        if (!e.violates()) continue;
        std::vector<std::string> parts;
        if (e.misnamed) parts.push_back("is not named *.abi3t.so, so free-threaded CPython does not import it");
        if (!e.outside.empty()) parts.push_back(fmt::format("uses {}, outside the stable ABI", fmt::join(e.outside, ", ")));
        if (!e.newer.empty()) {
            std::vector<std::string> newer;
            for (const auto& [symbol, version] : e.newer) newer.push_back(fmt::format("{} ({})", symbol, version));
            parts.push_back(fmt::format("uses {}, newer than {}, so it needs {} {}", fmt::join(newer, ", "),
                                        report.minimum, report.tag, e.needs));
        }
        problems.push_back(fmt::format("{} {}", e.path, fmt::join(parts, " and ")));
    }
    if (problems.empty())
        return fmt::format("Its extensions use only the stable ABI of CPython {}, as its {} tag promises.", report.minimum,
                           report.tag);
    return fmt::format("Its {} tag promises the stable ABI of CPython {}, but: {}.", report.tag, report.minimum,
                       fmt::join(problems, "; "));
}

std::string show_text(const Verdict& verdict, bool verbose) {
    std::string out = policy_text(verdict, verbose);
    if (verdict.abi3) out += "\n" + wrap(abi3_text(*verdict.abi3));
    const Verdict::ExecutableStacks& stacks = verdict.executable_stack;
    if (stacks.empty()) return out;
    std::vector<std::string> files;
    for (const std::string& member : stacks.members) files.push_back(member);
    for (const auto& [soname, path] : stacks.libraries) files.push_back(fmt::format("{} ({}, to be grafted)", soname, path));
    out += "\n" + wrap(fmt::format("These files ask for an executable stack, which glibc 2.41 and later refuse to load "
                                    "(\"cannot enable executable stack as shared object requires\"): {}. repair "
                                    "--clear-execstack clears the request.", fmt::join(files, ", ")));
    return out;
}

}  // namespace aw
