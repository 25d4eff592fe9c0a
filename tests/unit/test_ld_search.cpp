#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "elf/dependency_tree.hpp"
#include "elf/ld_search.hpp"

#include <elf.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using Strings = std::vector<std::string>;

namespace {
// A scratch directory tree, removed at the end of the test.
struct Scratch {
    Scratch() {
        std::string pattern = (fs::temp_directory_path() / "aw-unit-XXXXXX").string();
        root = mkdtemp(pattern.data());
    }
    ~Scratch() { fs::remove_all(root); }
    void write(const std::string& relative, const std::string& text) const {
        fs::create_directories((fs::path(root) / relative).parent_path());
        std::ofstream(fs::path(root) / relative) << text;
    }
    std::string root;
};

aw::ElfIdent ident(int elf_class, const char* machine, std::uint16_t e_machine, std::uint8_t os_abi = 0) {
    aw::ElfIdent id;
    id.elf_class = elf_class;
    id.byte_order = aw::ByteOrder::little;
    id.machine = machine;
    id.e_machine = e_machine;
    id.os_abi = os_abi;
    return id;
}

aw::ElfFacts facts_with(std::optional<std::string> interpreter, Strings needed) {
    aw::ElfFacts facts;
    facts.interpreter = std::move(interpreter);
    facts.needed = std::move(needed);
    return facts;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(ld_search)

BOOST_AUTO_TEST_CASE(expands_every_token_form) {
    auto x86_64 = ident(64, "x86_64", EM_X86_64);
    BOOST_TEST(aw::expand_dynamic_tokens("$ORIGIN/../lib:${ORIGIN}", "/w/pkg", x86_64) == "/w/pkg/../lib:/w/pkg");
    BOOST_TEST(aw::expand_dynamic_tokens("/opt/$LIB/${PLATFORM}", "/w", x86_64) == "/opt/lib64/x86_64");
    BOOST_TEST(aw::expand_dynamic_tokens("/opt/${LIB}", "/w", ident(32, "i686", EM_386)) == "/opt/lib");
    BOOST_TEST(aw::expand_dynamic_tokens("/plain", "/w", x86_64) == "/plain");
}

BOOST_AUTO_TEST_CASE(splits_search_paths_keeping_empty_entries) {
    BOOST_TEST(aw::split_search_path("a::b") == (Strings{"a", "", "b"}));
    BOOST_TEST(aw::split_search_path("") == Strings{""});
}

BOOST_AUTO_TEST_CASE(reads_ld_so_conf_with_includes_once_and_in_order) {
    Scratch scratch;
    scratch.write("etc/ld.so.conf", "include /etc/ld.so.conf.d/*.conf\n/usr/local/lib # local\nhwcap 0 nosegneg\n");
    scratch.write("etc/ld.so.conf.d/b.conf", "/opt/b\n/opt/shared\n");
    scratch.write("etc/ld.so.conf.d/a.conf", "# first by name\n/opt/a\ninclude b.conf\n/opt/shared\n");
    BOOST_TEST(aw::read_ld_so_conf(scratch.root) == (Strings{"/opt/a", "/opt/b", "/opt/shared", "/usr/local/lib"}),
               boost::test_tools::per_element());
    BOOST_TEST(aw::read_ld_so_conf(scratch.root, "/etc/missing.conf").empty());
}

BOOST_AUTO_TEST_CASE(reads_the_musl_path_file_or_its_defaults) {
    Scratch scratch;
    BOOST_TEST(aw::musl_system_path(scratch.root, "aarch64") == (Strings{"/lib", "/usr/local/lib", "/usr/lib"}));
    scratch.write("etc/ld-musl-armhf.path", "/x:/y\n/z\n\n");
    BOOST_TEST(aw::musl_system_path(scratch.root, "arm") == (Strings{"/x", "/y", "/z"}));
}

BOOST_AUTO_TEST_CASE(default_directories_follow_the_target) {
    BOOST_TEST(aw::glibc_default_dirs("aarch64", 64) ==
               (Strings{"/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib"}));
    BOOST_TEST(aw::glibc_default_dirs("EM_999", 32) == (Strings{"/lib", "/usr/lib"}));
}

BOOST_AUTO_TEST_CASE(resolves_links_inside_a_root) {
    Scratch scratch;
    scratch.write("usr/lib/libz.so.1.2.13", "");
    fs::create_directory_symlink("usr/lib", fs::path(scratch.root) / "lib");
    fs::create_symlink("/usr/lib/libz.so.1.2.13", fs::path(scratch.root) / "usr/lib/libz.so.1");
    fs::create_symlink("loop", fs::path(scratch.root) / "usr/lib/loop");
    BOOST_TEST(aw::resolve_in_root(scratch.root + "/lib/libz.so.1", scratch.root).value() ==
               scratch.root + "/usr/lib/libz.so.1.2.13");
    BOOST_TEST(!aw::resolve_in_root(scratch.root + "/lib/missing.so", scratch.root).has_value());
    BOOST_TEST(!aw::resolve_in_root(scratch.root + "/usr/lib/loop", scratch.root).has_value());
    BOOST_TEST(aw::resolve_in_root(scratch.root + "/lib/../lib/libz.so.1.2.13", "/").value() ==
               fs::canonical(scratch.root + "/usr/lib/libz.so.1.2.13").string());
}

BOOST_AUTO_TEST_CASE(detects_the_c_library) {
    BOOST_TEST(aw::detect_libc(facts_with("/lib/ld-musl-x86_64.so.1", {}), "x").value() == "musl");
    BOOST_TEST(aw::detect_libc(facts_with("/lib64/ld-linux-x86-64.so.2", {}), "x").value() == "glibc");
    BOOST_TEST(aw::detect_libc(facts_with(std::nullopt, {"libm.so.6", "libc.so.6"}), "x").value() == "glibc");
    BOOST_TEST(aw::detect_libc(facts_with(std::nullopt, {"libc.musl-x86_64.so.1"}), "x").value() == "musl");
    BOOST_TEST(aw::detect_libc(facts_with(std::nullopt, {"libc.so"}), "x").value() == "musl");
    BOOST_TEST(aw::detect_libc(facts_with(std::nullopt, {}), "_x.cpython-312-x86_64-linux-musl.so").value() == "musl");
    BOOST_TEST(aw::detect_libc(facts_with(std::nullopt, {}), "_x.cpython-311-x86_64-linux-gnu.so").value() == "glibc");
    BOOST_TEST(!aw::detect_libc(facts_with(std::nullopt, {}), "_x.cpython-310-x86_64-linux-gnu.so").has_value());
    BOOST_TEST(!aw::detect_libc(facts_with(std::nullopt, {"libfoo.so"}), "libbar.so").has_value());
}

BOOST_AUTO_TEST_CASE(loadability_follows_class_order_machine_and_os_abi) {
    auto x86_64 = ident(64, "x86_64", EM_X86_64);
    BOOST_TEST(aw::is_loadable_by(x86_64, ident(64, "x86_64", EM_X86_64, ELFOSABI_GNU)));
    BOOST_TEST(!aw::is_loadable_by(x86_64, ident(32, "i686", EM_386)));
    BOOST_TEST(!aw::is_loadable_by(x86_64, ident(64, "aarch64", EM_AARCH64)));
    BOOST_TEST(!aw::is_loadable_by(x86_64, ident(64, "x86_64", EM_X86_64, ELFOSABI_FREEBSD)));
    auto big = x86_64;
    big.byte_order = aw::ByteOrder::big;
    BOOST_TEST(!aw::is_loadable_by(x86_64, big));
}

BOOST_AUTO_TEST_CASE(recognises_libpython) {
    for (const char* name : {"libpython3.11.so.1.0", "libpython2.7.so", "libpython3.6m.so.1", "libpython3.14t.so.1.0",
                             "libpython3.13td.so.1.0", "libpython3.7dm.so.1.0"})
        BOOST_TEST(aw::is_libpython(name), name);
    for (const char* name : {"libpython3.so", "libpython3.11.a", "libpython-dev.so", "xlibpython3.11.so",
                             "libpython3.14x.so.1.0", "libpython3.14mt.so"})
        BOOST_TEST(!aw::is_libpython(name), name);
}

BOOST_AUTO_TEST_SUITE_END()
