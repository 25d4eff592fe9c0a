#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "edit/elf_edit_record.hpp"
#include "elf/elf_record.hpp"
#include "elf/symvers_record.hpp"
#include "graft/graft_plan.hpp"
#include "protocol/record_kinds.hpp"
#include "protocol/wheel_record.hpp"
#include "wheel/member_record.hpp"
#include "wheel/wheel_metadata.hpp"

// Every kind a stage reads: what its codec writes keeps to the protocol's table and reads back
// into what writes the same record again.
BOOST_AUTO_TEST_SUITE(record_codecs)

namespace {
aw::Record as_record(const aw::Json& json) {
    const aw::KindSpec* spec = aw::find_kind(json.at("kind").get<std::string>());
    BOOST_REQUIRE(spec != nullptr);
    aw::check_record_fields(json, *spec);  // throws when the writer breaks the table
    return aw::Record{json, json.dump(), "line 1"};
}

template <typename Value, typename Read>
void round_trips(const Value& value, Read read) {
    aw::Json json = aw::record_json(value);
    BOOST_TEST(aw::record_json(read(as_record(json))) == json, json.dump());
}

aw::ElfIdent ident() {
    aw::ElfIdent ident;
    ident.elf_class = 32;
    ident.byte_order = aw::ByteOrder::big;
    ident.e_machine = 22;
    ident.machine = "s390";
    ident.os_abi = 3;
    return ident;
}
}  // namespace

BOOST_AUTO_TEST_CASE(the_wheel_and_member_records) {
    aw::WheelRecord wheel;
    wheel.path = "/src/pkg-1.0-1-cp311-cp311-linux_s390x.whl";
    wheel.filename = "pkg-1.0-1-cp311-cp311-linux_s390x.whl";
    wheel.name = "pkg";
    wheel.dist_version = "1.0";
    wheel.build = "1";
    wheel.python_tags = wheel.abi_tags = {"cp311"};
    wheel.platform_tags = {"linux_s390x"};
    wheel.file_size = 1234;
    wheel.file_mtime_ns = -5;
    wheel.dist_info = "pkg-1.0.dist-info";
    wheel.metadata = aw::Json{{"Wheel-Version", "1.0"}, {"Tag", {"cp311-cp311-linux_s390x"}}};
    wheel.workdir = "/tmp/w";
    wheel.elf_only = true;
    round_trips(wheel, aw::read_wheel_record);

    aw::MemberRecord member{"pkg/_x.so", 10, 0755, "ab", "sha256=q", false, ident(), std::nullopt};
    round_trips(member, aw::read_member_record);
    member.elf = std::nullopt;
    member.elf_error = "not a valid ELF header";
    round_trips(member, aw::read_member_record);
}

BOOST_AUTO_TEST_CASE(the_elf_library_and_symvers_records) {
    aw::ElfRecord elf;
    elf.path = "pkg/_x.so";
    elf.file = "/tmp/w/pkg/_x.so";
    elf.ident = ident();
    elf.e_flags = 0x5000400;
    elf.type = "shared object";
    elf.soname = "_x.so";
    elf.needed = {"libdep.so.1"};
    elf.included = {"libplugin.so"};
    elf.rpath = {"$ORIGIN"};
    elf.python_extension = true;
    elf.gnu_stack = "rw";
    elf.libc = "glibc";
    elf.libraries = {{"libdep.so.1", "/p/libdep.so.1", "/p/libdep.so.1.0", {"libc.so.6"}, false, std::nullopt, std::nullopt},
                     {"libpython3.11.so.1.0", std::nullopt, std::nullopt, {}, false, std::nullopt, "libpython"}};
    round_trips(elf, aw::read_elf_record);
    round_trips(aw::ElfRecord{"pkg/_y.so", "/tmp/w/pkg/_y.so", "truncated", {}, 0, "", {}, {}, {}, {}, {}, {}, false, {}, false,
                              {}, {}},
                aw::read_elf_record);

    aw::LibraryRecord library{"libdep.so.1", "/p/libdep.so.1", "/p/libdep.so.1.0", true, false, std::nullopt,
                              {"libc.so.6"}, true, {"pkg/_x.so"}, std::nullopt};
    round_trips(library, aw::read_library_record);

    aw::SymversRecord symvers{"pkg/_x.so", "member", "/tmp/w/pkg/_x.so", std::nullopt, {}};
    symvers.versions.required["libc.so.6"]["GLIBC_2.17"] = {"memcpy"};
    symvers.versions.undefined = {"memcpy"};
    symvers.versions.x86_isa_needed = 3;
    symvers.versions.pyfpe = true;
    round_trips(symvers, aw::read_symvers_record);
}

BOOST_AUTO_TEST_CASE(the_graft_plan_retag_and_elf_edit_records) {
    aw::GraftPlan plan{"pkg-1.0-cp311-cp311-linux_x86_64.whl", "manylinux_2_17_x86_64",
                       {"manylinux_2_17_x86_64", "manylinux2014_x86_64"},
                       {{"libdep.so.1", "/p/libdep.so.1.0"}, {"libplugin.so", "/p/libplugin.so"}},
                       {{"pkg/_x.so", {"libdep.so.1"}}}, {{"pkg/_x.so", {"libpython3.11.so.1.0"}}}, {"libplugin.so"}};
    round_trips(plan, aw::read_graft_plan);
    round_trips(aw::Retag{{"manylinux_2_17_x86_64"}, {"linux_x86_64"}}, aw::read_retag);
    aw::DynamicEdits edits;
    edits.add_needed = {"libz.so.1"};
    edits.executable_stack = false;
    round_trips(aw::ElfEditRecord{"pkg/_x.so", edits}, aw::read_elf_edit_record);
}

BOOST_AUTO_TEST_SUITE_END()
