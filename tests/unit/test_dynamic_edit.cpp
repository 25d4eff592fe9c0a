// rpath-set's engine, called directly: string placement, the new segment's
// layout rule, header fields, the planned file and its writer, and whole
// edits of a real ELF file (this test program, copied) read back through the
// project's own ELF reader.
#define BOOST_TEST_DYN_LINK
#include "base/file_io.hpp"
#include "edit/dynamic_edit.hpp"
#include "edit/elf_edit_record.hpp"
#include "edit/elf_encode.hpp"
#include "edit/elf_layout.hpp"
#include "edit/elf_rewrite.hpp"
#include "edit/resolution_cache.hpp"
#include "edit/segment_growth.hpp"
#include "edit/string_placement.hpp"
#include "elf/elf_file.hpp"

#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {
// A scratch copy of this test program: a real dynamic ELF file of the host's class.
class ProgramCopy {
public:
    ProgramCopy() {
        char pattern[] = "/tmp/aw-unit-XXXXXX";
        directory_ = ::mkdtemp(pattern);
        path_ = directory_ + "/program";
        fs::copy_file(fs::read_symlink("/proc/self/exe"), path_);
    }
    ~ProgramCopy() { fs::remove_all(directory_); }
    const std::string& path() const { return path_; }
    std::string sibling(const std::string& name) const { return directory_ + "/" + name; }

private:
    std::string directory_, path_;
};

std::vector<unsigned char> bytes_of(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

aw::Bytes as_bytes(const std::string& text) { return {reinterpret_cast<const unsigned char*>(text.data()), text.size()}; }

// A Layout of a file that is `table` (which must outlive it), its .dynstr (and nothing else refers to it).
aw::Layout layout_with_strings(const std::string& table) {
    aw::Layout layout;
    layout.file = aw::ElfBytes(as_bytes(table), aw::ByteOrder::little, "x.so");
    layout.elf_class = ELFCLASS64;
    layout.strtab_offset = 0;
    layout.strtab_size = table.size();
    return layout;
}

// A placer over `table` after an edit that drops the reference at `released` and keeps the one at `kept`.
aw::StringPlacer placer_after_release(const std::string& table, std::uint64_t released, std::uint64_t kept) {
    aw::StringPlacer strings(layout_with_strings(table));
    strings.release(released);
    strings.keep(kept);
    return strings;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(dynamic_edit)

BOOST_AUTO_TEST_CASE(strings_are_reused_then_overwritten_then_appended) {
    const std::string table("\0libfoo.so.1\0libbar.so\0/old/rpath\0", 34);
    aw::StringPlacer strings(layout_with_strings(table));
    BOOST_TEST(strings.at(1) == "libfoo.so.1");
    strings.release(23);  // /old/rpath goes
    strings.keep(1);
    strings.keep(13);
    BOOST_TEST(strings.place("libbar.so") == 13u);  // reused
    BOOST_TEST(strings.place("bar.so") == 16u);     // a suffix of a kept string is reused too
    BOOST_TEST(strings.place("/new") == 23u);       // overwrites the released one
    BOOST_TEST(strings.appended().empty());
    std::uint64_t appended = strings.place("a string longer than any room");
    BOOST_TEST(appended == table.size());
    BOOST_TEST(strings.appended() == std::string("a string longer than any room\0", 30));
    BOOST_TEST(strings.place("a string longer than any room") == appended);  // placed once
    BOOST_CHECK_THROW(strings.at(table.size()), aw::Error);
}

BOOST_AUTO_TEST_CASE(a_string_sharing_its_end_with_a_kept_one_is_never_overwritten) {
    // "libbar.so" at 1; a kept reference points at "bar.so" inside it (linkers merge suffixes).
    const std::string table("\0libbar.so\0", 11);
    aw::StringPlacer strings = placer_after_release(table, 1, 4);
    BOOST_TEST(strings.place("libnew.so") == table.size());  // appended, not written over libbar.so
    BOOST_TEST(strings.table() == std::vector<unsigned char>(table.begin(), table.end()));
}

BOOST_AUTO_TEST_CASE(a_released_string_is_erased_and_erased_room_is_reused) {
    const std::string table("\0/old/rpath\0XXXX\0kept\0", 22);
    aw::StringPlacer strings = placer_after_release(table, 1, 18);
    BOOST_TEST(strings.place("/a/longer/one") == 1u);  // the old RPATH and an earlier edit's room, joined
    BOOST_TEST(strings.place("/x") == table.size());   // what is left is too short
    BOOST_TEST(strings.appended() == std::string("/x\0", 3));
    aw::StringPlacer removal = placer_after_release(table, 1, 18);
    const std::string erased("\0XXXXXXXXXX\0XXXX\0kept\0", 22);
    BOOST_TEST(removal.table() == std::vector<unsigned char>(erased.begin(), erased.end()));
}

BOOST_AUTO_TEST_CASE(a_patch_inside_an_earlier_one_changes_its_bytes) {
    aw::Patches patches(aw::ByteOrder::little);
    patches.put(0x10, {1, 2, 3, 4, 5, 6, 7, 8});  // a table rewritten whole
    patches.put(0x12, {9, 9});                     // then a field inside it
    BOOST_TEST(patches.all().size() == 1u);
    BOOST_TEST(patches.all().at(0x10) == std::vector<unsigned char>({1, 2, 9, 9, 5, 6, 7, 8}));
    patches.put(0x0e, std::vector<unsigned char>(12, 0));  // one that covers it replaces it
    BOOST_TEST(patches.all().size() == 1u);
    BOOST_TEST(patches.all().at(0x0e).size() == 12u);
    BOOST_CHECK_THROW(patches.put(0x18, {1, 1, 1, 1}), aw::Error);  // part of one: a bug, refused
}

BOOST_AUTO_TEST_CASE(the_resolution_cache_records_found_libraries_and_directories_left_to_the_loader) {
    ProgramCopy scratch;
    fs::create_directories(scratch.sibling("plain"));
    fs::create_directories(scratch.sibling("hw/glibc-hwcaps"));
    std::ofstream(scratch.sibling("plain/liba.so")) << "";
    std::string run_path = "$ORIGIN/x::" + scratch.sibling("plain") + ":" + scratch.sibling("hw");
    std::string why;
    std::optional<std::string> descriptor = aw::resolution_cache_descriptor({"liba.so", "libb.so", "/abs/libc.so"}, run_path, why);
    BOOST_REQUIRE(descriptor);
    std::string a = "?$ORIGIN/x:=" + scratch.sibling("plain/liba.so") + ":?" + scratch.sibling("hw");
    std::string b = "?$ORIGIN/x:?" + scratch.sibling("hw");
    BOOST_TEST(*descriptor == "liba.so" + std::string(1, '\0') + a + '\0' + "libb.so" + '\0' + b + '\0' + '\0');
    BOOST_TEST(!aw::resolution_cache_descriptor({"libb.so"}, scratch.sibling("plain"), why));
    BOOST_TEST(why == "no libraries resolved against the run path");
    BOOST_TEST(!aw::resolution_cache_descriptor({}, run_path, why));
    BOOST_TEST(why == "no DT_NEEDED entries or run path to resolve");
    std::vector<unsigned char> note = aw::encode_resolution_cache("x", aw::ByteOrder::big);
    BOOST_TEST(note == std::vector<unsigned char>({0, 0, 0, 6, 0, 0, 0, 1, 0x63, 0xa8, 0x6c, 0xb6, 'N', 'i', 'x', 'O', 'S', 0,
                                                   0, 0, 'x', 0, 0, 0}));
}

BOOST_AUTO_TEST_CASE(without_section_headers_nothing_is_overwritten) {
    const std::string table("\0/old/rpath\0", 12);
    aw::Layout layout = layout_with_strings(table);
    layout.references_known = false;
    aw::StringPlacer strings(layout);
    strings.release(1);
    BOOST_TEST(strings.place("/new") == table.size());
}

BOOST_AUTO_TEST_CASE(the_new_segment_is_congruent_and_past_every_segment) {
    GElf_Phdr text{PT_LOAD, PF_R | PF_X, 0, 0x400000, 0x400000, 0x1000, 0x1000, 0x10000};
    GElf_Phdr data{PT_LOAD, PF_R | PF_W, 0x1000, 0x411000, 0x411000, 0x200, 0x1005000, 0x10000};  // 16 MiB of .bss
    for (aw::Loader loader : {aw::Loader::kernel, aw::Loader::dynamic_loader}) {
        aw::Placement placement = aw::place_new_segment({text, data}, 0x1234, loader);
        BOOST_TEST(placement.alignment == 0x10000u);
        BOOST_TEST(placement.offset % placement.alignment == placement.address % placement.alignment);
        BOOST_TEST(placement.address >= data.p_vaddr + data.p_memsz);
        BOOST_TEST(placement.offset >= 0x1234u);
    }
    // An executable keeps the first segment's bias (AT_PHDR on kernels before 5.18): its file
    // grows by the .bss; a shared object's segment goes at the end of the file.
    aw::Placement executable = aw::place_new_segment({text, data}, 0x1234, aw::Loader::kernel);
    BOOST_TEST(executable.address - executable.offset == text.p_vaddr - text.p_offset);
    aw::Placement shared = aw::place_new_segment({text, data}, 0x1234, aw::Loader::dynamic_loader);
    BOOST_TEST(shared.offset == 0x10000u);
}

BOOST_AUTO_TEST_CASE(header_fields_are_the_structs_and_patches_keep_the_byte_order) {
    aw::Layout is64, is32;
    is64.elf_class = ELFCLASS64;
    is32.elf_class = ELFCLASS32;
    BOOST_TEST(aw::header_field(is64, aw::HeaderField::phoff).offset == 0x20u);
    BOOST_TEST(aw::header_field(is64, aw::HeaderField::phoff).size == 8u);
    BOOST_TEST(aw::header_field(is32, aw::HeaderField::phoff).offset == 0x1cu);
    BOOST_TEST(aw::header_field(is32, aw::HeaderField::shstrndx).offset == 0x32u);
    BOOST_TEST(aw::header_field(is64, aw::HeaderField::shnum).offset == 0x3cu);
    aw::Patches big(aw::ByteOrder::big), little(aw::ByteOrder::little);
    big.put_field({0, 4}, 0x01020304);
    little.put_field({8, 2}, 0x0506);
    BOOST_TEST(big.all().at(0) == (std::vector<unsigned char>{1, 2, 3, 4}));
    BOOST_TEST(little.all().at(8) == (std::vector<unsigned char>{6, 5}));
}

BOOST_AUTO_TEST_CASE(the_writer_applies_patches_then_places_pieces_with_zeros_between) {
    ProgramCopy scratch;
    const std::string original_text = "0123456789";
    aw::RewritePlan plan(aw::Patches(aw::ByteOrder::little));
    plan.patches.put(2, {'a', 'b'});
    plan.patches.put(8, {'z', 'z', 'z'});  // past `keep`: the pieces replace that part
    plan.keep = 6;
    plan.place(8, {'X'});
    plan.place_original(10, as_bytes(original_text).subspan(0, 3));
    BOOST_CHECK_THROW(plan.place(12, {'Y'}), aw::Error);  // would overlap the planned end
    BOOST_TEST(plan.end() == 13u);
    std::string output = scratch.sibling("written");
    aw::write_rewrite(output, as_bytes(original_text), plan, 0100644);
    std::vector<unsigned char> expected{'0', '1', 'a', 'b', '4', '5', 0, 0, 'X', 0, '0', '1', '2'};
    BOOST_TEST(bytes_of(output) == expected);
}

BOOST_AUTO_TEST_CASE(edits_in_place_read_back_and_unchanged_files_are_not_rewritten) {
    ProgramCopy program;
    aw::ElfFacts before = aw::read_elf_facts(program.path());
    aw::DynamicEdits nothing;
    BOOST_TEST(!aw::apply_dynamic_edits(program.path(), nothing, program.path()));
    aw::DynamicEdits edits;
    edits.set_rpath = "$ORIGIN";
    edits.force_rpath = true;
    std::string output = program.sibling("edited");
    BOOST_TEST(aw::apply_dynamic_edits(program.path(), edits, output));
    aw::ElfFacts after = aw::read_elf_facts(output);
    BOOST_TEST(after.rpath == std::vector<std::string>{"$ORIGIN"});
    BOOST_TEST(after.runpath.empty());
    BOOST_TEST(after.needed == before.needed);
    BOOST_TEST(bytes_of(program.path()) == bytes_of(fs::read_symlink("/proc/self/exe")));  // the input only read
}

BOOST_AUTO_TEST_CASE(growth_moves_dynstr_into_one_new_segment_and_repeats_do_not_stack) {
    ProgramCopy program;
    aw::ElfImage original(program.path());
    aw::Layout before = aw::read_layout(original);
    aw::DynamicEdits edits;
    edits.set_soname = std::string(3000, 's');
    edits.set_rpath = "/a/very/long/rpath/" + std::string(4000, 'r');
    BOOST_TEST(aw::apply_dynamic_edits(program.path(), edits, program.path()));
    aw::ElfImage grown(program.path());
    aw::Layout once = aw::read_layout(grown);
    BOOST_TEST(once.program_headers.size() == before.program_headers.size() + 1);
    BOOST_TEST(once.strtab_offset >= before.strtab_offset + before.strtab_size);
    BOOST_TEST(once.strtab_size > before.strtab_size + 7000);
    aw::ElfFacts facts = aw::read_elf_facts(program.path());
    BOOST_TEST(*facts.soname == *edits.set_soname);
    BOOST_TEST(facts.runpath == std::vector<std::string>{*edits.set_rpath});

    edits.set_rpath = "/another/" + std::string(9000, 'q');
    BOOST_TEST(aw::apply_dynamic_edits(program.path(), edits, program.path()));
    aw::ElfImage again(program.path());
    aw::Layout twice = aw::read_layout(again);
    BOOST_TEST(twice.program_headers.size() == once.program_headers.size());  // rebuilt, not stacked
    BOOST_TEST(aw::read_elf_facts(program.path()).runpath == std::vector<std::string>{*edits.set_rpath});
}

BOOST_AUTO_TEST_CASE(strip_removes_the_symbol_table_and_keeps_the_file_readable) {
    ProgramCopy program;
    aw::ElfImage file(program.path());
    aw::Layout layout = aw::read_layout(file);
    bool has_symtab = false;
    for (const aw::Section& section : layout.sections) has_symtab |= section.header.sh_type == SHT_SYMTAB;
    BOOST_REQUIRE(has_symtab);  // the unit tests are built with -g and not stripped
    aw::DynamicEdits edits;
    edits.strip = true;
    std::string output = program.sibling("stripped");
    BOOST_TEST(aw::apply_dynamic_edits(program.path(), edits, output));
    aw::ElfImage stripped(output);
    aw::Layout after = aw::read_layout(stripped);
    for (const aw::Section& section : after.sections) {
        BOOST_TEST(section.header.sh_type != SHT_SYMTAB);
        BOOST_TEST(!section.name.starts_with(".debug"));
    }
    BOOST_TEST(stripped.bytes().size() < file.bytes().size());
    BOOST_TEST(aw::read_elf_facts(output).needed == aw::read_elf_facts(program.path()).needed);
}

BOOST_AUTO_TEST_CASE(the_record_codec_round_trips_and_refuses_contradictions) {
    aw::DynamicEdits edits;
    edits.set_soname = "libx-01234567.so";
    edits.replace_needed = {{"liba.so.1", "liba-89abcdef.so.1"}};
    edits.set_rpath = "$ORIGIN/../x.libs";
    edits.force_rpath = true;
    aw::Json json = aw::record_json(aw::ElfEditRecord{"pkg/_x.so", edits});
    auto read = [](const aw::Json& value) { return aw::read_elf_edit_record(aw::Record{value, value.dump(), "line 1"}); };
    aw::ElfEditRecord back = read(json);
    BOOST_TEST(back.path == "pkg/_x.so");
    BOOST_TEST(aw::record_json(back) == json);
    BOOST_TEST(aw::edit_command_line("pkg/_x.so", edits) ==
               "rpath-set --set-soname libx-01234567.so --replace-needed liba.so.1 liba-89abcdef.so.1 --force-rpath "
               "--set-rpath '$ORIGIN/../x.libs' pkg/_x.so");
    json["remove_rpath"] = true;
    BOOST_CHECK_THROW(read(json), aw::Error);
    json.erase("remove_rpath");
    json["replace_needed"] = aw::Json::array({aw::Json::array({"only-one"})});
    BOOST_CHECK_THROW(read(json), aw::Error);
    json.erase("replace_needed");
    json["path"] = "../outside.so";
    BOOST_CHECK_THROW(read(json), aw::Error);
}

BOOST_AUTO_TEST_CASE(errors_keep_the_file_apart_from_the_detail) {
    ProgramCopy program;
    std::ofstream(program.sibling("empty"));
    try {
        aw::DynamicEdits edits;
        edits.set_rpath = "x";
        aw::apply_dynamic_edits(program.sibling("empty"), edits, program.sibling("out"));
        BOOST_FAIL("an empty file was edited");
    } catch (const aw::FileError& error) {
        BOOST_TEST(error.file() == program.sibling("empty"));
        BOOST_TEST(error.detail() == "not an ELF file (empty)");
        BOOST_TEST(aw::describe_at(aw::Where{"pkg.whl", "member", "pkg/_x.so"}, error) ==
                   "pkg.whl: member pkg/_x.so: not an ELF file (empty)");
    }
    BOOST_TEST(!fs::exists(program.sibling("out")));
}

BOOST_AUTO_TEST_SUITE_END()
