"""elf-deps: every search-order rule on ELF files compiled here, checked against
glibc's loader (ld.so --list) where the host loader can judge."""
import json
import os
import re
import shutil
import struct
import subprocess
import zipfile

from elfkit import Elf64, compile_shared, host_library_sample, loader_list
from wheelkit import BIN, StageTest, make_wheel, records_of, spam_wheel

DT_RPATH, DT_RUNPATH, DT_NEEDED = 15, 29, 1


class ElfDepsTest(StageTest):
    def tree(self, path, *args, env=None, cwd=None, expect=0):
        result = subprocess.run([str(BIN / "elf-deps"), "--format", "json", *map(str, args), str(path)],
                                capture_output=True, text=True, env=env or self.env, cwd=cwd)
        self.assertEqual(result.returncode, expect, result.stderr)
        if expect != 0:
            return result
        libraries = json.loads(result.stdout)["libraries"]
        return {name: (os.path.realpath(os.path.join(cwd or ".", lib["realpath"])) if lib["realpath"] else None)
                for name, lib in libraries.items()}

    def assert_matches_loader(self, path, env=None, cwd=None, args=()):
        ours = self.tree(path, *args, env=env, cwd=cwd)
        theirs = loader_list(path, cwd=cwd, env=env or self.env)
        for soname, realpath in theirs.items():
            self.assertEqual(ours.get(soname, "missing"), realpath, f"{soname} of {path}")
        return ours

    def chain(self, rpath_flags, *, inner_dir="libs"):
        """ext.so -> libone.so -> libtwo.so, both libraries in <tmp>/<inner_dir>."""
        libs = self.tmp / inner_dir
        compile_shared(libs / "libtwo.so", "two")
        compile_shared(libs / "libone.so", "one", needs=[(libs, "two")])
        return compile_shared(self.tmp / "ext.so", "ext", *rpath_flags, needs=[(libs, "one")])


class SearchOrder(ElfDepsTest):
    def test_rpath_is_inherited_by_dependencies(self):
        ext = self.chain(["-Wl,--disable-new-dtags", "-Wl,-rpath,$ORIGIN/libs"])
        tree = self.assert_matches_loader(ext)
        self.assertEqual(tree["libtwo.so"], str(self.tmp / "libs/libtwo.so"))

    def test_runpath_is_not_inherited(self):
        ext = self.chain(["-Wl,--enable-new-dtags", "-Wl,-rpath,${ORIGIN}/libs"])
        tree = self.assert_matches_loader(ext)
        self.assertEqual(tree["libone.so"], str(self.tmp / "libs/libone.so"))
        self.assertIsNone(tree["libtwo.so"])

    def test_rpath_ignored_when_runpath_present(self):
        ext = self.chain(["-Wl,--enable-new-dtags", "-Wl,-rpath,$ORIGIN/libs"])
        elf = Elf64(ext)
        entries = elf.dynamic()
        runpath = next(value for _, tag, value in entries if tag == DT_RUNPATH)
        spare = [offset for offset, tag, _ in entries if tag == 0][0]
        elf.set_entry(spare, DT_RPATH, runpath + len("$ORIGIN/"))  # RPATH "libs", relative to the cwd
        elf.save()
        decoy = self.tmp / "elsewhere"
        compile_shared(decoy / "libs/libone.so", "one", value=7)
        tree = self.assert_matches_loader(ext, cwd=decoy)
        self.assertEqual(tree["libone.so"], str(self.tmp / "libs/libone.so"))

    def test_library_path_variables(self):
        ext = self.chain([])
        other = self.tmp / "other"
        compile_shared(other / "libone.so", "one", needs=[(self.tmp / "libs", "two")], value=5)
        env = dict(self.env, LD_LIBRARY_PATH=f"{self.tmp / 'libs'}")
        tree = self.assert_matches_loader(ext, env=env)
        self.assertEqual(tree["libtwo.so"], str(self.tmp / "libs/libtwo.so"))
        env["AUDITWHEEL_LD_LIBRARY_PATH"] = str(other)
        self.assertEqual(self.tree(ext, env=env)["libone.so"], str(other / "libone.so"))
        # --add-path comes first; --ldpaths drops LD_LIBRARY_PATH but keeps AUDITWHEEL_LD_LIBRARY_PATH.
        self.assertEqual(self.tree(ext, "--add-path", self.tmp / "libs", env=env)["libone.so"],
                         str(self.tmp / "libs/libone.so"))
        plain = dict(self.env, LD_LIBRARY_PATH=str(self.tmp / "libs"))
        self.assertIsNone(self.tree(ext, "--ldpaths", "/nonexistent", env=plain)["libone.so"])

    def test_ldpaths_replace_system_directories(self):
        ext = self.chain([])
        tree = self.tree(ext, "--ldpaths", f"{self.tmp / 'libs'}")
        self.assertEqual(tree["libtwo.so"], str(self.tmp / "libs/libtwo.so"))
        self.assertIsNone(self.tree(ext, "--ldpaths", "")["libone.so"])

    def test_ld_so_conf_includes_in_a_sysroot(self):
        root = self.tmp / "root"
        (root / "etc/conf.d").mkdir(parents=True)
        (root / "etc/ld.so.conf").write_text("# comment\ninclude conf.d/*.conf\n/opt/first # trailing\n")
        (root / "etc/conf.d/b.conf").write_text("/opt/b\n")
        (root / "etc/conf.d/a.conf").write_text("include /etc/conf.d/b.conf\n/opt/a\n")
        compile_shared(root / "opt/b/libtwo.so", "two")
        compile_shared(root / "opt/first/libtwo.so", "two", value=9)
        compile_shared(root / "opt/a/libone.so", "one", needs=[(root / "opt/b", "two")])
        ext = compile_shared(self.tmp / "ext.so", "ext", needs=[(root / "opt/a", "one")])
        os.symlink("/opt/a/libone.so", root / "opt/first/libone-link.so")  # absolute link inside the root
        tree = self.tree(ext, "--root", root)
        self.assertEqual(tree["libone.so"], str(root / "opt/a/libone.so"))
        self.assertEqual(tree["libtwo.so"], str(root / "opt/b/libtwo.so"), "glob order: a.conf includes b.conf first")
        self.assertIsNone(self.tree(ext)["libone.so"], "found only inside the root")

    def test_incompatible_and_unreadable_candidates_are_skipped(self):
        ext = self.chain(["-Wl,--disable-new-dtags", "-Wl,-rpath,$ORIGIN/foreign:$ORIGIN/junk:$ORIGIN/libs"])
        foreign = Elf64(self.tmp / "libs/libone.so")
        struct.pack_into("<H", foreign.data, 18, 183)  # EM_AARCH64
        (self.tmp / "foreign").mkdir()
        foreign.save(self.tmp / "foreign/libone.so")
        (self.tmp / "junk").mkdir()
        (self.tmp / "junk/libtwo.so").write_text("/* GNU ld script */ INPUT(libtwo.so.1)\n")
        result = subprocess.run([str(BIN / "elf-deps"), "--format", "json", str(ext)], capture_output=True, text=True)
        self.assertEqual(result.returncode, 0, result.stderr)
        libraries = json.loads(result.stdout)["libraries"]
        self.assertEqual(libraries["libone.so"]["realpath"], str(self.tmp / "libs/libone.so"))
        self.assertEqual(libraries["libtwo.so"]["realpath"], str(self.tmp / "libs/libtwo.so"))
        self.assertIn(f"skipping candidate library {self.tmp / 'junk/libtwo.so'}: not an ELF file", result.stderr)
        self.assert_matches_loader(ext)

    def test_realpaths_follow_only_the_last_components_links_as_pypa_auditwheel(self):
        """pypa auditwheel reports the library where its search found it with the links of the
        file name followed, but not those of the folders (on Debian 12: libffi at
        /lib/x86_64-linux-gnu/libffi.so.8.1.2, where /lib links to usr/lib)."""
        real = self.tmp / "usr/lib"
        compile_shared(real / "libone.so.1.0", "one", soname="libone.so")
        os.symlink("libone.so.1.0", real / "libone.so")
        os.symlink("usr/lib", self.tmp / "lib")  # a merged /usr's /lib
        ext = compile_shared(self.tmp / "ext/_e.so", "e", needs=[(real, "one")])
        result = subprocess.run([str(BIN / "elf-deps"), "--format", "json", "--ldpaths", str(self.tmp / "lib"), str(ext)],
                                capture_output=True, text=True)
        self.assertEqual(result.returncode, 0, result.stderr)
        library = json.loads(result.stdout)["libraries"]["libone.so"]
        self.assertEqual((library["path"], library["realpath"]),
                         (str(self.tmp / "lib/libone.so"), str(self.tmp / "lib/libone.so.1.0")))

    def test_thirty_two_bit_library_skipped_for_a_64_bit_requester(self):
        cc32 = "i686-linux-gnu-gcc"  # Debian's gcc-i686-linux-gnu (make check installs it when it can)
        if not shutil.which(cc32):
            self.skipTest(f"{cc32} is not installed: no 32-bit libraries to build")
        ext = self.chain(["-Wl,--disable-new-dtags", "-Wl,-rpath,$ORIGIN/lib32:$ORIGIN/libs"])
        compile_shared(self.tmp / "lib32/libone.so", "one", cc=cc32)
        self.assertEqual(self.assert_matches_loader(ext)["libone.so"], str(self.tmp / "libs/libone.so"))
        lib32 = compile_shared(self.tmp / "only32/libmain32.so", "main32", "-Wl,-rpath,$ORIGIN/../lib32", cc=cc32,
                               needs=[(self.tmp / "lib32", "one")])
        records = records_of(self.run_stage("elf-deps", lib32).stdout)
        self.assertEqual((records[0]["class"], records[0]["machine"]), (32, "i686"))
        self.assertEqual(records[0]["libraries"][0]["realpath"], str(self.tmp / "lib32/libone.so"))

    def test_not_found_cycles_and_libpython(self):
        libs = self.tmp / "libs"
        compile_shared(libs / "libb.so", "b", source="int b_value(void) { return 2; }\n")
        compile_shared(libs / "liba.so", "a", needs=[(libs, "b")])
        compile_shared(libs / "libb.so", "b", needs=[(libs, "a")])  # now a and b need each other
        python = compile_shared(libs / "libpython3.11.so", "python3.11")
        ext = compile_shared(self.tmp / "ext.so", "ext", "-Wl,--disable-new-dtags", "-Wl,-rpath,$ORIGIN/libs",
                             needs=[(libs, "a"), (libs, "python3.11")])
        (libs / "libb.so").unlink()
        result = self.run_stage("elf-deps", ext)
        elf = records_of(result.stdout)[0]
        by_name = {lib["soname"]: lib for lib in elf["libraries"]}
        self.assertIsNone(by_name["libb.so"]["realpath"])
        self.assertEqual(by_name["libpython3.11.so"].get("skipped"), "libpython")
        self.assertIsNone(by_name["libpython3.11.so"]["realpath"], "never resolved, though it is there")
        self.assertTrue(python.exists())
        compile_shared(libs / "libb.so", "b", needs=[(libs, "a")])
        self.assertEqual(self.tree(ext)["libb.so"], str(libs / "libb.so"))  # the cycle ends


class Facts(ElfDepsTest):
    def test_facts_of_an_extension_and_an_executable(self):
        wheel = spam_wheel(self.tmp)
        with zipfile.ZipFile(wheel) as z:
            name = next(n for n in z.namelist() if n.endswith(".so"))
            z.extract(name, self.tmp)
        record = records_of(self.run_stage("elf-deps", self.tmp / name).stdout)[0]
        self.assertTrue(record["python_extension"])
        self.assertEqual((record["type"], record["libc"], record["gnu_stack"]), ("shared object", "glibc", "rw"))
        main = self.tmp / "main.c"
        main.write_text("int main(void) { return 0; }\n")
        for flags, kind in ((["-pie", "-fPIE"], "pie executable"), (["-no-pie"], "executable")):
            subprocess.run(["gcc", *flags, "-o", str(self.tmp / "main"), str(main)], check=True)
            record = records_of(self.run_stage("elf-deps", self.tmp / "main").stdout)[0]
            self.assertEqual(record["type"], kind)
            self.assertEqual(record["interpreter"], "/lib64/ld-linux-x86-64.so.2")
            self.assertFalse(record["python_extension"])

    def test_musl_extension(self):
        ext = compile_shared(self.tmp / "_m.cpython-311-x86_64-linux-musl.so", "m", cc="musl-gcc")
        record = records_of(self.run_stage("elf-deps", ext).stdout)[0]
        self.assertEqual(record["libc"], "musl")
        self.assertIn("libc.so", record["needed"])
        libc = next(lib for lib in record["libraries"] if lib["soname"] == "libc.so")
        self.assertIsNotNone(libc["realpath"], "found through /etc/ld-musl-x86_64.path")

    def test_foreign_architectures_read_like_readelf(self):
        for wheel, records, workdir in self.unpacked_shared_wheels("--elf-only"):
            deps = records_of(self.run_stage("elf-deps", stdin="\n".join(json.dumps(r) for r in records)).stdout)
            for elf in (r for r in deps if r["kind"] == "elf"):
                with self.subTest(wheel=wheel.name, member=elf["path"]):
                    header = subprocess.run(["readelf", "-h", str(workdir / elf["path"])], capture_output=True,
                                            text=True, check=True).stdout
                    self.assertIn(f"ELF{elf['class']}", header)
                    self.assertIn("little endian" if elf["byte_order"] == "little" else "big endian", header)
                    self.assertNotIn("error", elf)
                    raw = (workdir / elf["path"]).read_bytes()[:20]
                    e_machine, = struct.unpack_from("<H" if raw[5] == 1 else ">H", raw, 18)
                    self.assertEqual(elf["e_machine"], e_machine)
                    tag_arch = wheel.name.rsplit("-", 1)[1][: -len(".whl")].removeprefix("linux_")
                    expected = {"armv5l": "arm", "armv6l": "arm", "armv7l": "arm", "mips64": "mips64el"}.get(tag_arch, tag_arch)
                    if tag_arch != "any" and "android" not in wheel.name and "manylinux" not in tag_arch:
                        self.assertEqual(elf["machine"], expected)

    def test_pipeline_marks_libraries_in_the_wheel(self):
        libs = self.tmp / "build/pkg/.libs"
        compile_shared(libs / "libtwo.so", "two")
        ext = compile_shared(self.tmp / "build/pkg/_ext.so", "ext", "-Wl,-rpath,$ORIGIN/.libs", needs=[(libs, "two")])
        wheel = make_wheel(self.tmp, name="pkg", tag="cp311-cp311-linux_x86_64", purelib=False, files=[
            ("pkg/_ext.so", ext.read_bytes(), 0o755), ("pkg/.libs/libtwo.so", (libs / "libtwo.so").read_bytes(), 0o755),
            ("pkg/__init__.py", b"", 0o644)])
        unpacked = self.unpack(wheel, "--elf-only")
        out = records_of(self.run_stage("elf-deps", stdin=unpacked).stdout)
        self.assertEqual([r["kind"] for r in out[:len(records_of(unpacked))]],
                         [r["kind"] for r in records_of(unpacked)], "input records pass through first, in order")
        library = next(r for r in out if r["kind"] == "library" and r["soname"] == "libtwo.so")
        self.assertTrue(library["in_wheel"])
        self.assertEqual(library["member"], "pkg/.libs/libtwo.so")
        self.assertEqual(sorted(library["needed_by"]), ["pkg/.libs/libtwo.so", "pkg/_ext.so"][1:])
        libc = next(r for r in out if r["kind"] == "library" and r["soname"] == "libc.so.6")
        self.assertFalse(libc["in_wheel"])
        self.assertEqual(sorted(libc["needed_by"]), ["pkg/.libs/libtwo.so", "pkg/_ext.so"])
        shutil.rmtree(records_of(unpacked)[0]["workdir"])


LIBPYTHON = re.compile(r"libpython\d+\.\d+m?\.so(\.\d+)*$")


class Differential(ElfDepsTest):
    def test_host_libraries_resolve_as_ld_so_does(self):
        """Every library ld.so lists resolves to the same file, but for the rule elf-deps(1)
        documents: libpython is never resolved (as pypa auditwheel), so it stays unresolved and
        what ld.so finds only through it is absent."""
        compared = 0
        for path in host_library_sample("/usr/lib/x86_64-linux-gnu/*.so*", seed=7, default=60):
            theirs = loader_list(path)
            if not theirs:
                continue  # not something ld.so lists (a static archive, a script)
            with self.subTest(library=path):
                ours = self.tree(path)
                through_libpython = set()
                for soname, realpath in theirs.items():
                    if LIBPYTHON.match(soname):
                        self.assertIsNone(ours.get(soname, "missing"), f"{soname} of {path} is left unresolved")
                        through_libpython |= set(loader_list(realpath)) if realpath else set()
                for soname, realpath in theirs.items():
                    if LIBPYTHON.match(soname) or (soname not in ours and soname in through_libpython):
                        continue
                    self.assertEqual(ours.get(soname, "missing"), realpath, f"{soname} of {path}")
                compared += 1
        self.assertGreater(compared, 20)


class HostileElf(ElfDepsTest):
    def one_line_error(self, path):
        result = self.run_stage("elf-deps", path, expect=1)
        lines = result.stderr.splitlines()
        self.assertEqual(len(lines), 1, result.stderr)
        self.assertTrue(lines[0].startswith(f"elf-deps: error: {path}"), lines[0])
        return lines[0]

    def test_truncated_files(self):
        lib = compile_shared(self.tmp / "libx.so", "x")
        data = lib.read_bytes()
        for size in (0, 10, 63, 64, 200, 1000, len(data) // 2, len(data) - 100):
            with self.subTest(size=size):
                cut = self.tmp / f"cut{size}.so"
                cut.write_bytes(data[:size])
                result = self.run_stage("elf-deps", cut, expect=None)
                self.assertIn(result.returncode, (0, 1), result.stderr)
                if result.returncode == 1:
                    self.assertEqual(len(result.stderr.splitlines()), 1, result.stderr)

    def test_bogus_offsets_and_string_indices(self):
        lib = compile_shared(self.tmp / "libx.so", "x", needs=[])
        elf = Elf64(lib)
        needed = next(offset for offset, tag, _ in elf.dynamic() if tag == DT_NEEDED)
        elf.set_entry(needed, DT_NEEDED, 0x7FFFFFFF)
        elf.save(self.tmp / "huge-index.so")
        self.assertIn("DT_NEEDED string index 2147483647 is past the string table", self.one_line_error(self.tmp / "huge-index.so"))
        elf = Elf64(lib)
        at = next(at for at, h in elf.program_headers() if h[0] == 2)
        struct.pack_into("<Q", elf.data, at + 8, 1 << 40)  # PT_DYNAMIC p_offset far past the end
        elf.save(self.tmp / "far-dynamic.so")
        self.assertIn("PT_DYNAMIC is outside the file", self.one_line_error(self.tmp / "far-dynamic.so"))

    def test_unreadable_members_give_records_with_the_error(self):
        """A member whose header cannot be real is not extracted (whl-unpack says why in its member
        record); one whose header holds but whose dynamic table does not gets an elf record with
        the error. Either way the stage goes on."""
        lib = compile_shared(self.tmp / "libx.so", "x")
        elf = Elf64(lib)
        at = next(at for at, h in elf.program_headers() if h[0] == 2)
        struct.pack_into("<Q", elf.data, at + 8, 1 << 40)  # PT_DYNAMIC p_offset far past the end
        elf.save(self.tmp / "far-dynamic.so")
        data = lib.read_bytes()
        wheel = make_wheel(self.tmp, name="pkg", files=[("pkg/_x.so", data[: len(data) // 2], 0o755),
                                                        ("pkg/_y.so", (self.tmp / "far-dynamic.so").read_bytes(), 0o755)])
        unpacked = self.unpack(wheel)
        member = next(r for r in records_of(unpacked) if r["kind"] == "member" and r["path"] == "pkg/_x.so")
        self.assertIn("not a valid ELF header: its section headers", member["elf_error"])
        result = self.run_stage("elf-deps", stdin=unpacked)
        elfs = [r for r in records_of(result.stdout) if r["kind"] == "elf"]
        self.assertEqual([e["path"] for e in elfs], ["pkg/_y.so"])
        self.assertIn("PT_DYNAMIC is outside the file", elfs[0]["error"])
        # Named in the wheel, not by the temporary folder it was unpacked into.
        self.assertIn(f"elf-deps: warning: {wheel.name}: member pkg/_y.so: PT_DYNAMIC is outside the file", result.stderr)
        workdir = records_of(unpacked)[0]["workdir"]
        self.assertNotIn(workdir, result.stderr + elfs[0]["error"])
        shutil.rmtree(workdir)


X86_64_PLATFORM = {"_elf_osabi": "ELFOSABI_SYSV", "_elf_class": 64, "_elf_little_endian": True, "_elf_machine": "EM_X86_64",
                   "_base_arch": "<Architecture.x86_64: 'x86_64'>", "_ext_arch": None, "_error_msg": None}


class LddtreeCommand(ElfDepsTest):
    def test_tree_and_json(self):
        ext = self.chain(["-Wl,--disable-new-dtags", "-Wl,-rpath,$ORIGIN/libs"])
        text = subprocess.run([str(BIN / "auditwheel"), "lddtree", str(ext)], capture_output=True, text=True, check=True)
        lines = text.stdout.splitlines()
        self.assertEqual(lines[0], str(ext))
        self.assertEqual(lines[1], f"    libone.so => {self.tmp / 'libs/libone.so'}")
        self.assertEqual(lines[2], f"        libtwo.so => {self.tmp / 'libs/libtwo.so'}")
        result = subprocess.run([str(BIN / "auditwheel"), "lddtree", "--json", "--ldpaths", "/nonexistent", str(ext)],
                                capture_output=True, text=True, check=True)
        tree = json.loads(result.stdout)
        self.assertEqual(list(tree), ["interpreter", "libc", "path", "realpath", "platform", "needed", "rpath", "runpath",
                                      "libraries"])
        self.assertEqual(tree["libc"], "<Libc.GLIBC: 'glibc'>")
        self.assertEqual(tree["rpath"], [str(self.tmp / "libs")])
        self.assertEqual(tree["platform"], X86_64_PLATFORM)
        self.assertEqual(tree["libraries"]["libone.so"],
                         {"soname": "libone.so", "path": str(self.tmp / "libs/libone.so"),
                          "realpath": str(self.tmp / "libs/libone.so"), "platform": X86_64_PLATFORM,
                          "needed": ["libtwo.so", "libc.so.6"]})
        # pypa's walk order: depth first, each library where first reached.
        self.assertEqual(list(tree["libraries"]), ["libone.so", "libtwo.so", "libc.so.6"])
        self.assertEqual(tree["libraries"]["libc.so.6"],
                         {"soname": "libc.so.6", "path": None, "realpath": None, "platform": None, "needed": []},
                         "--ldpaths replaced the system directories")

    def test_json_as_pypa_auditwheel_prints_it(self):
        """Facts of pypa auditwheel 6.8.1's lddtree JSON (its _get_platform, its walk): the path as
        given, normalised as a Python Path; the interpreter entered first with the program's own
        platform and no needs; the x86-64 ISA level a file declares; pyelftools' names."""
        program = self.tmp / "prog"
        subprocess.run(["gcc", "-o", str(program), "-x", "c", "-"], input="int main(void) { return 0; }\n", text=True,
                       check=True)
        result = subprocess.run([str(BIN / "auditwheel"), "lddtree", "--json", f"{self.tmp}/./prog"],
                                capture_output=True, text=True, check=True)
        tree = json.loads(result.stdout)
        self.assertEqual((tree["path"], tree["realpath"]), (str(program), str(program)))
        interpreter = os.path.basename(tree["interpreter"])
        self.assertEqual(list(tree["libraries"])[0], interpreter)
        self.assertEqual(tree["libraries"][interpreter]["platform"], X86_64_PLATFORM)
        self.assertEqual(tree["libraries"][interpreter]["needed"], [])
        self.assertEqual(tree["libraries"]["libc.so.6"]["platform"]["_elf_osabi"], "ELFOSABI_LINUX")
        if subprocess.run(["gcc", "-march=x86-64-v3", "-mneeded", "-c", "-x", "c", "/dev/null", "-o",
                           str(self.tmp / "probe.o")], capture_output=True).returncode == 0:
            lib = compile_shared(self.tmp / "libv3.so", "v3", "-march=x86-64-v3", "-mneeded")
            tree = json.loads(subprocess.run([str(BIN / "auditwheel"), "lddtree", "--json", str(lib)], capture_output=True,
                                             text=True, check=True).stdout)
            self.assertEqual(tree["platform"]["_ext_arch"], "<Architecture.x86_64_v3: 'x86_64_v3'>")
            self.assertIsNone(tree["interpreter"])

    def test_usage_errors(self):
        for args, message in ((["--bogus", "x"], "unknown option '--bogus'"), ([], "expected one FILE"),
                              (["a", "b"], "expected one FILE"), (["--ldpaths"], "--ldpaths needs a value")):
            result = subprocess.run([str(BIN / "auditwheel"), "lddtree", *args], capture_output=True, text=True)
            self.assertEqual(result.returncode, 2, args)
            self.assertIn(message, result.stderr)
        missing = subprocess.run([str(BIN / "auditwheel"), "lddtree", str(self.tmp / "missing")], capture_output=True,
                                 text=True)
        self.assertEqual(missing.returncode, 1)
        # The wrapper's stages name the command the user typed.
        self.assertEqual(missing.stderr, f"auditwheel: error: {self.tmp / 'missing'}: cannot open: No such file or directory\n")
