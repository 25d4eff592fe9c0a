// lib-graft's naming and RPATH rules, called directly.
#define BOOST_TEST_DYN_LINK
#include "graft/graft.hpp"

#include <boost/test/unit_test.hpp>

namespace {
using Strings = std::vector<std::string>;

aw::ElfIdent x86_64() {
    aw::ElfIdent ident;
    ident.elf_class = 64;
    ident.byte_order = aw::ByteOrder::little;
    ident.machine = "x86_64";
    return ident;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(graft)

BOOST_AUTO_TEST_CASE(grafted_names_split_at_the_first_dot_and_are_stable) {
    BOOST_TEST(aw::grafted_file_name("libdep.so.1.0", "2a223fc5") == "libdep-2a223fc5.so.1.0");
    BOOST_TEST(aw::grafted_file_name("libgfortran.so.5.0.0", "040039e1") == "libgfortran-040039e1.so.5.0.0");
    BOOST_TEST(aw::grafted_file_name("libdep-2a223fc5.so.1.0", "2a223fc5") == "libdep-2a223fc5.so.1.0");
    BOOST_TEST(aw::grafted_file_name("noext", "01234567") == "noext-01234567");
}

BOOST_AUTO_TEST_CASE(rpaths_are_relative_to_the_file) {
    BOOST_TEST(aw::origin_relative_rpath("foo/_ext.so", "foo.libs") == "$ORIGIN/../foo.libs");
    BOOST_TEST(aw::origin_relative_rpath("_ext.so", "foo.libs") == "$ORIGIN/foo.libs");
    BOOST_TEST(aw::origin_relative_rpath("a/b/c/x.so", "foo.libs") == "$ORIGIN/../../../foo.libs");
}

BOOST_AUTO_TEST_CASE(only_entries_inside_the_wheel_are_kept) {
    Strings entries{"$ORIGIN/sub", "/usr/local/lib", "${ORIGIN}/../../outside", "relative/dir", "",
                    "$ORIGIN/../foo.libs", "/work/wheel/pkg/abs", "$ORIGIN/sub", "$ORIGIN/$LIB", "/work/wheelx"};
    BOOST_TEST(aw::rpath_entries_inside_wheel(entries, "foo/_ext.so", x86_64(), "/work/wheel") ==
               (Strings{"$ORIGIN/sub", "$ORIGIN/../foo.libs", "/work/wheel/pkg/abs", "$ORIGIN/$LIB"}));
    BOOST_TEST(aw::rpath_entries_inside_wheel({"$ORIGIN"}, "_ext.so", x86_64(), "/work/wheel/") == Strings{"$ORIGIN"});
}

BOOST_AUTO_TEST_CASE(scripts_are_executables_of_the_data_scripts_directory) {
    BOOST_TEST(aw::is_wheel_script("foo-1.0.data/scripts/prog"));
    BOOST_TEST(!aw::is_wheel_script("foo-1.0.data/scripts/sub/prog"));
    BOOST_TEST(!aw::is_wheel_script("foo-1.0.data/purelib/prog"));
    BOOST_TEST(!aw::is_wheel_script("foo/scripts/prog"));
    BOOST_TEST(!aw::is_wheel_script("prog"));
}

BOOST_AUTO_TEST_CASE(the_shim_runs_the_moved_program) {
    std::string shim = aw::script_shim("foo.scripts/it's \"odd\"");
    BOOST_TEST(shim.starts_with("#!python\n"));
    BOOST_TEST(shim.find(R"("foo.scripts/it's \"odd\"")") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
