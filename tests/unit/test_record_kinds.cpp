#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "protocol/record_kinds.hpp"

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>

BOOST_AUTO_TEST_SUITE(record_kinds)

namespace {
// Every field name of a kind, nested ones as "parent.child".
void flatten(const std::vector<aw::FieldSpec>& fields, const std::string& prefix, std::set<std::string>& names) {
    for (const aw::FieldSpec& field : fields) {
        std::string name = prefix + std::string(field.name);
        names.insert(name);
        flatten(field.fields, name + ".", names);
    }
}

// The field names each ".SS kind (owner)" section of auditwheel-records(7) lists in its .TP
// entries (the words of the line after each .TP).
std::map<std::string, std::set<std::string>> man_page_fields() {
    std::ifstream in("man/auditwheel-records.7");  // tests run from the project root
    BOOST_REQUIRE(in);
    std::map<std::string, std::set<std::string>> fields;
    std::string line, kind;
    bool after_tp = false;
    const std::regex section(R"(^\.SS ([a-z_]+) \()"), name(R"([a-z][a-z0-9_.]*)");
    while (std::getline(in, line)) {
        std::smatch match;
        if (line.starts_with(".SH")) kind.clear();
        if (std::regex_search(line, match, section)) kind = match[1];
        if (!kind.empty() && after_tp && (line.starts_with(".B ") || line.starts_with(".BR "))) {
            std::string words = line.substr(line.find(' ') + 1);
            for (auto it = std::sregex_iterator(words.begin(), words.end(), name); it != std::sregex_iterator(); ++it)
                fields[kind].insert(it->str());
        }
        after_tp = line == ".TP";
    }
    return fields;
}

aw::Record record(const std::string& text) {
    return aw::Record{aw::Json::parse(text), text, "standard input: line 7"};
}

std::string error_of(const std::string& text) {
    try {
        aw::RecordFields fields(record(text));
    } catch (const aw::Error& error) {
        return error.what();
    }
    return "";
}
}  // namespace

BOOST_AUTO_TEST_CASE(the_man_page_lists_every_field_of_every_kind_and_no_other) {
    std::map<std::string, std::set<std::string>> man = man_page_fields();
    std::set<std::string> kinds;
    for (const aw::KindSpec& spec : aw::record_kinds()) {
        kinds.insert(std::string(spec.kind));
        std::set<std::string> names;
        flatten(spec.fields, "", names);
        BOOST_TEST(names == man[std::string(spec.kind)], "the fields of " << spec.kind);
    }
    for (const auto& [kind, names] : man) BOOST_TEST(kinds.count(kind), "the man page's kind " << kind);
}

BOOST_AUTO_TEST_CASE(a_missing_or_mistyped_field_is_one_error_naming_the_line_kind_and_field) {
    BOOST_TEST(error_of(R"({"kind":"elf_edited","path":"a.so"})") ==
               "standard input: line 7: record of kind \"elf_edited\" has no \"changed\" field");
    BOOST_TEST(error_of(R"({"kind":"elf_edited","path":"a.so","changed":"yes"})") ==
               "standard input: line 7: record of kind \"elf_edited\": \"changed\" must be true or false");
    BOOST_TEST(error_of(R"({"kind":"graft_plan","wheel":"w","policy":"p","tags":[],"members":[],"remove_needed":[],)"
                        R"("libraries":[{"soname":"a"}]})") ==
               "standard input: line 7: record of kind \"graft_plan\": \"libraries\" has no \"realpath\" field");
    // The error form of elf records needs only path, file and error; an unknown field is let by.
    BOOST_TEST(error_of(R"({"kind":"elf","path":"a.so","file":"/w/a.so","error":"truncated","mine":1})").empty());
}

BOOST_AUTO_TEST_CASE(fields_are_read_by_the_names_the_table_lists) {
    aw::Record edited = record(R"({"kind":"elf_edited","path":"a.so","changed":true,"note":"mine"})");
    aw::RecordFields fields(edited);
    BOOST_TEST(fields.text("path") == "a.so");
    BOOST_TEST(fields.flag("changed"));
    BOOST_CHECK_THROW(static_cast<void>(fields.text("pth")), std::logic_error);
    BOOST_CHECK_THROW(static_cast<void>(fields.text("changed")), std::logic_error);
    BOOST_CHECK_THROW(static_cast<void>(fields.has("note")), std::logic_error);
    aw::Record retag = record(R"({"kind":"retag","add":["manylinux_2_17_x86_64"]})");
    BOOST_TEST(aw::RecordFields(retag).texts("remove").empty());
}

BOOST_AUTO_TEST_CASE(a_record_written_against_the_table_is_a_bug) {
    std::ostringstream out;
    aw::RecordWriter writer(out);
    BOOST_CHECK_THROW(writer.emit(aw::Json{{"kind", "elf_edited"}, {"path", "a.so"}}), std::logic_error);
    writer.emit(aw::Json{{"kind", "note"}, {"anything", 1}});  // a kind of the user's own
    writer.emit(aw::Json{{"kind", "elf_edited"}, {"path", "a.so"}, {"changed", false}});
    BOOST_TEST(out.str().find("\"changed\":false") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
