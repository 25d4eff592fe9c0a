// The SBOM's pieces: purl quoting, apk's and dpkg's answers, the document's order.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "graft/sbom.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <unistd.h>

BOOST_AUTO_TEST_SUITE(sbom)

BOOST_AUTO_TEST_CASE(purls_quote_as_python_does) {
    BOOST_TEST(aw::purl_quote("foo-1.0-cp311-cp311-manylinux_2_17_x86_64.whl") ==
               "foo-1.0-cp311-cp311-manylinux_2_17_x86_64.whl");
    BOOST_TEST(aw::purl_quote("a b+c/d~e") == "a%20b%2Bc/d~e");
    BOOST_TEST(aw::purl_quote("\xc3\xa9") == "%C3%A9");
}

BOOST_AUTO_TEST_CASE(package_purls_quote_name_and_version_as_the_purl_spec) {
    // pypa auditwheel's SBOM for Debian 12's libxml2 (packageurl's quoting: ':' stays, '+' and '/' do not).
    aw::PackageOwner owner{"deb", "debian", "libxml2", "2.9.14+dfsg-1.3~deb12u6"};
    BOOST_TEST(owner.purl() == "pkg:deb/debian/libxml2@2.9.14%2Bdfsg-1.3~deb12u6");
    aw::PackageOwner epoch{"deb", "debian", "lib/x", "1:2.3"};
    BOOST_TEST(epoch.purl() == "pkg:deb/debian/lib%2Fx@1:2.3");
}

BOOST_AUTO_TEST_CASE(apk_owners_split_name_and_version) {
    auto owner = aw::apk_owner("/usr/lib/libgfortran.so.5.0.0 is owned by libgfortran-12.2.1_git20220924-r10\n");
    BOOST_REQUIRE(owner.has_value());
    BOOST_TEST(owner->first == "libgfortran");
    BOOST_TEST(owner->second == "12.2.1_git20220924-r10");
    owner = aw::apk_owner("/x is owned by py3-foo-bar-1.0-r0");
    BOOST_REQUIRE(owner.has_value());
    BOOST_TEST(owner->first == "py3-foo-bar");
    BOOST_TEST(!aw::apk_owner("ERROR: /x: Could not find owner package").has_value());
}

BOOST_AUTO_TEST_CASE(os_release_ids_lose_their_quotes) {
    std::string path = (std::filesystem::temp_directory_path() / ("aw-os-release-" + std::to_string(::getpid()))).string();
    std::ofstream(path) << "NAME=\"AlmaLinux\"\nID=\"almalinux\"\nID_LIKE=\"rhel\"\n";
    BOOST_TEST(aw::os_release_id(path).value_or("") == "almalinux");
    std::ofstream(path) << "NAME=x\n";
    BOOST_TEST(!aw::os_release_id(path).has_value());
    std::remove(path.c_str());
}

BOOST_AUTO_TEST_CASE(the_document_lists_libraries_in_path_order) {
    aw::SbomInput input{"foo", "1.0", "foo-1.0-cp311-cp311-manylinux_2_17_x86_64.whl", "0.1.0", {}};
    input.libraries.push_back({"/usr/lib/libz.so.1.2.13", {"deb", "debian", "zlib1g", "1:1.2.13"}});
    input.libraries.push_back({"/usr/lib/libffi.so.8.1.2", {"deb", "debian", "libffi8", "3.4.4-1"}});
    aw::Json document = aw::cyclonedx_sbom(input);
    BOOST_TEST(document["specVersion"] == "1.4");
    std::string wheel = "pkg:pypi/foo@1.0?file_name=foo-1.0-cp311-cp311-manylinux_2_17_x86_64.whl";
    BOOST_TEST(document["metadata"]["component"]["purl"] == wheel);
    BOOST_TEST(document["components"].size() == 3u);
    BOOST_TEST(document["components"][1]["purl"] == "pkg:deb/debian/libffi8@3.4.4-1");
    BOOST_TEST(document["components"][2]["purl"] == "pkg:deb/debian/zlib1g@1:1.2.13");
    std::string ref = document["components"][1]["bom-ref"];
    BOOST_TEST(ref.starts_with("pkg:deb/debian/libffi8@3.4.4-1#"));
    BOOST_TEST(ref.size() == std::string("pkg:deb/debian/libffi8@3.4.4-1#").size() + 64);
    BOOST_TEST(document["dependencies"][0]["ref"] == wheel);
    BOOST_TEST(document["dependencies"][0]["dependsOn"][0] == ref);
    BOOST_TEST(document["dependencies"].size() == 3u);
    BOOST_TEST(document["metadata"]["tools"][0]["name"] == "C++ auditwheel, matching pypa auditwheel 6.8.1");
    std::swap(input.libraries[0], input.libraries[1]);
    BOOST_TEST(aw::cyclonedx_sbom(input).dump() == document.dump());
}

// dpkg's file lists answer as dpkg-query -S: the package named by the list file, ":arch" and all;
// a path two packages list belongs to neither; a path no list names is missing.
BOOST_AUTO_TEST_CASE(dpkg_file_lists_name_the_owner) {
    namespace fs = std::filesystem;
    fs::path info = fs::temp_directory_path() / ("aw-dpkg-" + std::to_string(::getpid()));
    fs::create_directories(info);
    std::ofstream(info / "libffi8:amd64.list") << "/.\n/usr\n/usr/lib/x86_64-linux-gnu/libffi.so.8.1.2\n";
    std::ofstream(info / "zlib1g.list") << "/usr\n/lib/x86_64-linux-gnu/libz.so.1.2.13";  // no final newline
    std::ofstream(info / "zlib1g.md5sums") << "/usr/lib/x86_64-linux-gnu/libnot.so\n";     // not a list
    auto owners = aw::dpkg_list_owners(info.string(), {"/usr/lib/x86_64-linux-gnu/libffi.so.8.1.2",
                                                       "/lib/x86_64-linux-gnu/libz.so.1.2.13", "/usr",
                                                       "/usr/lib/x86_64-linux-gnu/libnot.so"});
    fs::remove_all(info);
    BOOST_TEST(owners.size() == 2u);
    BOOST_TEST(owners["/usr/lib/x86_64-linux-gnu/libffi.so.8.1.2"] == "libffi8:amd64");
    BOOST_TEST(owners["/lib/x86_64-linux-gnu/libz.so.1.2.13"] == "zlib1g");
    BOOST_TEST(aw::dpkg_list_owners("/nonexistent/info", {"/usr"}).empty());
}

// dpkg's status file names versions as dpkg-query -W does, under the names of the packages' lists.
BOOST_AUTO_TEST_CASE(dpkg_status_names_versions_as_dpkg_query) {
    auto versions = aw::dpkg_status_versions(
        "Package: libffi8\nStatus: install ok installed\nArchitecture: amd64\nMulti-Arch: same\n"
        "Version: 3.4.4-1\nDescription: Foreign Function Interface library runtime\n"
        " Version: 9.9 is a continuation line, not a field\n\n"
        "Package: libxml2\nStatus: install ok installed\nArchitecture: amd64\nVersion: 2.9.14+dfsg-1.3~deb12u6\n\n"
        "Package: gone\nStatus: purge ok not-installed\nArchitecture: amd64\nVersion: 1.0\n\n"
        "Package: epoch\nStatus: install ok installed\nArchitecture: all\nVersion:  1:2.3-4 \n");  // no final blank line
    BOOST_TEST(versions.size() == 5u);
    BOOST_TEST(versions["libffi8:amd64"] == "3.4.4-1");
    BOOST_TEST(!versions.contains("libffi8"));  // a Multi-Arch: same list is always "name:arch"
    BOOST_TEST(versions["libxml2"] == "2.9.14+dfsg-1.3~deb12u6");
    BOOST_TEST(versions["libxml2:amd64"] == "2.9.14+dfsg-1.3~deb12u6");
    BOOST_TEST(versions["epoch"] == "1:2.3-4");
    BOOST_TEST(!versions.contains("gone:amd64"));
}

// On a host with dpkg, every installed package's version is what dpkg-query -W prints.
BOOST_AUTO_TEST_CASE(dpkg_status_agrees_with_dpkg_query_on_this_host) {
    std::ifstream status("/var/lib/dpkg/status");
    FILE* query = ::popen("dpkg-query -W -f='${Package}:${Architecture} ${Version} ${db:Status-Status}\\n' 2>/dev/null", "r");
    if (!status || query == nullptr) {
        if (query != nullptr) ::pclose(query);
        BOOST_TEST_MESSAGE("skipped: no dpkg on this host");
        return;
    }
    std::string text((std::istreambuf_iterator<char>(status)), {});
    auto versions = aw::dpkg_status_versions(text);
    std::size_t compared = 0;
    char line[4096];
    while (std::fgets(line, sizeof line, query) != nullptr) {
        std::string entry(line);
        entry.pop_back();
        std::size_t first = entry.find(' '), last = entry.rfind(' ');
        if (entry.substr(last + 1) == "not-installed" || first == last) continue;
        BOOST_TEST(versions[entry.substr(0, first)] == entry.substr(first + 1, last - first - 1), entry);
        ++compared;
    }
    ::pclose(query);
    BOOST_TEST_MESSAGE("compared " << compared << " packages with dpkg-query");
}

BOOST_AUTO_TEST_SUITE_END()
