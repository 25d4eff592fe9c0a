"""rpath-set: a seeded property test over link-flag variants (the program must still run, and
readelf and eu-elflint must report nothing new), a host-library dlopen corpus, foreign and
big-endian files checked with readelf, and clean refusals."""
import itertools
import json
import os
import random
import re
import shutil
import subprocess
from pathlib import Path

from elfkit import Elf64, dynamic_tags, host_library_sample
from wheelkit import BIN, StageTest

PADDING = "$ORIGIN/libs:/" + "p" * 40  # room for the edits to come
MAIN = '#include <stdio.h>\nint dep_value(void);\nint main(void) { printf("%d\\n", dep_value()); return 0; }\n'
DEP = "int dep_value(void) { return 42; }\n"
CASES = int(os.environ.get("RPATH_SET_CASES", "240"))
# Cross compilers and qemu-user programs (Debian's gcc-<triple> and qemu-user).
CROSS_TARGETS = [("i686-linux-gnu", "qemu-i386"), ("aarch64-linux-gnu", "qemu-aarch64"),
                 ("powerpc64-linux-gnu", "qemu-ppc64"), ("s390x-linux-gnu", "qemu-s390x")]
# The library under its link name and the names edits may give it (pypa auditwheel's hashed names are longer).
LIBRARY_NAMES = ["libdepA.so", "libdepB.so", "libdep-0a1b2c3d.so", "libdep-with-a-much-longer-grafted-name-9f8e7d6c.so"]


def supported(flag):
    probe = subprocess.run(["gcc", "-shared", "-fPIC", f"-Wl,{flag}", "-x", "c", "/dev/null", "-o", "/dev/null"],
                           capture_output=True)
    return probe.returncode == 0


def link_variants():
    """Flag combinations: page size, separate code, relro, binding, hash style, relr, PIE."""
    axes = [["-z,max-page-size=0x1000", "-z,max-page-size=0x10000"], ["-z,separate-code", "-z,noseparate-code"],
            ["-z,relro", "-z,norelro"], ["-z,now", "-z,lazy"], ["--hash-style=gnu", "--hash-style=sysv", "--hash-style=both"]]
    relr = ["-z,pack-relative-relocs"] if supported("-z,pack-relative-relocs") else []
    for combo in itertools.product(*axes, [True, False], [False] + ([True] if relr else [])):
        *flags, pie, pack = combo
        yield [f"-Wl,{f}" for f in flags] + (["-Wl,-z,pack-relative-relocs"] if pack else []), pie


LONGER_INTERPRETER = "the program's interpreter under a longer path"
# A map file renaming dep_value one way and back (patchelf's --rename-dynamic-symbols format),
# given to the program and the library alike, so the program still finds the library's function.
RENAME_MAP = "the map file renaming dep_value"
PT_NULL, PT_GNU_STACK = 0, 0x6474E551


def longer_interpreter(program):
    """/lib64/ld-linux-x86-64.so.2 as /lib64/../lib64/ld-linux-x86-64.so.2: the same loader, a
    path too long for .interp (qemu-user resolves it below its -L root the same way)."""
    headers = subprocess.run(["readelf", "-lW", str(program)], capture_output=True, text=True, check=True).stdout
    interpreter = Path(re.search(r"Requesting program interpreter: ([^\]]+)\]", headers).group(1))
    return f"{interpreter.parent}/../{interpreter.parent.name}/{interpreter.name}"


def diagnostics(path):
    """What readelf and eu-elflint complain about (program header numbers left out: a new
    segment renumbers those after it)."""
    readelf = subprocess.run(["readelf", "-a", "-W", str(path)], capture_output=True, text=True)
    lint = subprocess.run(["eu-elflint", "--gnu-ld", str(path)], capture_output=True, text=True)
    # elflint does not know the resolution cache's note (--build-resolution-cache): not a complaint.
    complaints = [line for line in (lint.stdout + lint.stderr).splitlines(keepends=True)
                  if "note type 1671982262 with owner name 'NixOS'" not in line]
    return readelf.returncode, readelf.stderr, re.sub(r"phdr\[\d+\]", "phdr[N]", "".join(complaints) or "No errors\n")


class ProgramAndLibrary(StageTest):
    """Builds a program and the library it needs, and runs rpath-set and the program."""

    def rpath_set(self, *args, expect=0, stdin=None):
        return self.run_stage("rpath-set", *args, expect=expect, stdin=stdin)

    def build(self, directory, flags, pie, cc="gcc"):
        directory.mkdir(parents=True)
        (directory / "dep.c").write_text(DEP)
        (directory / "main.c").write_text(MAIN)
        libs = directory / "libs"
        libs.mkdir()
        subprocess.run([cc, "-g", "-shared", "-fPIC", "-o", str(libs / "libdepA.so"), str(directory / "dep.c"),
                        "-Wl,-soname,libdepA.so", f"-Wl,-rpath,{PADDING}", *flags], check=True, capture_output=True)
        subprocess.run([cc, "-g", "-pie" if pie else "-no-pie", "-fPIE" if pie else "-fno-pie", "-o",
                        str(directory / "main"), str(directory / "main.c"), f"-L{libs}", "-ldepA",
                        f"-Wl,-rpath,{PADDING}", *flags], check=True, capture_output=True)
        for name in LIBRARY_NAMES[1:]:
            shutil.copy(libs / "libdepA.so", libs / name)

    def run_main(self, directory, runner=()):
        env = {"PATH": "/usr/bin:/bin", "LD_BIND_NOW": "1"}
        return subprocess.run([*runner, str(directory / "main")], capture_output=True, text=True, env=env)



class RpathSet(ProgramAndLibrary):
    def apply_random_edits(self, rng, directory, work):
        """Copies `directory` to `work` and applies a random edit sequence; returns the edits."""
        shutil.copytree(directory, work)
        main_edits, lib_edits = self.random_edits(rng)
        (work / "rename.map").write_text("dep_value dep_value_renamed\ndep_value_renamed dep_value\n")
        markers = {LONGER_INTERPRETER: longer_interpreter(work / "main"), RENAME_MAP: str(work / "rename.map")}
        main_edits = [[markers.get(word, word) for word in edits] for edits in main_edits]
        lib_edits = [[markers.get(word, word) for word in edits] for edits in lib_edits]
        for edits in main_edits:
            self.rpath_set(*edits, work / "main")
        for edits in lib_edits:
            for name in LIBRARY_NAMES:  # every name the program may now load it by
                self.rpath_set(*edits, work / "libs" / name)
        return main_edits, lib_edits

    def assert_nothing_new(self, work, directory, main_before, lib_before):
        self.assertEqual(diagnostics(work / "main")[:2], main_before[:2])
        self.assertEqual(diagnostics(work / "libs/libdepA.so")[:2], lib_before[:2])
        for target, before in ((work / "main", main_before), (work / "libs/libdepA.so", lib_before)):
            self.assertEqual(diagnostics(target)[2].replace(str(work), ""), before[2].replace(str(directory), ""))

    def random_edits(self, rng):
        """Successive rewrites of the program and of the library (each a list of arguments),
        some fitting in place and some needing room, that keep the program able to run."""
        def long_rpath():
            return "$ORIGIN/libs:/" + "/".join(rng.choice(["opt", "x" * rng.randint(1, 30), "lib64", "y"])
                                               for _ in range(rng.randint(1, 6)))
        main, lib = [], []
        for _ in range(rng.randint(1, 5)):
            choice = rng.randrange(20)
            if choice == 0:
                main.append(["--set-rpath", rng.choice(["$ORIGIN/libs", "${ORIGIN}/libs", "$ORIGIN/libs:/nowhere"])])
            elif choice == 1:
                main.append(["--force-rpath", "--set-rpath", long_rpath()])
            elif choice == 2:
                main.append(["--set-rpath", long_rpath()])
            elif choice == 3:
                main.append(["--replace-needed", "libdepA.so", rng.choice(LIBRARY_NAMES[1:])])
            elif choice == 4:
                lib.append(["--set-soname", rng.choice(LIBRARY_NAMES)])
            elif choice == 5:
                lib.append(["--force-rpath", "--set-rpath", "$ORIGIN:/" + "z" * rng.randint(1, 80)])
            elif choice == 6:
                lib.append(["--remove-rpath"])
            elif choice == 7:
                main.append(["--set-soname", "main-" + "s" * rng.randint(1, 40)])
            elif choice == 8:
                (main if rng.randrange(2) else lib).append(["--strip"])
            elif choice == 9:
                main.append(["--add-needed", rng.choice(["libm.so.6", "libdepB.so"])])
            elif choice == 10:
                (main if rng.randrange(2) else lib).append(["--add-rpath", "/" + "a" * rng.randint(1, 50)])
            elif choice == 11:
                main.append(["--shrink-rpath", *rng.choice([[], ["--allowed-rpath-prefixes", "/usr:/opt"]])])
            elif choice == 12:
                main.append([rng.choice(["--set-execstack", "--clear-execstack"])])
                lib.append(["--clear-execstack"])  # glibc 2.41's dlopen refuses a library asking for it
            elif choice == 13:
                main.append(["--set-interpreter", LONGER_INTERPRETER])
            elif choice == 14:
                (main if rng.randrange(2) else lib).append(["--set-os-abi", rng.choice(["linux", "sysv"])])
            elif choice == 15:
                (main if rng.randrange(2) else lib).append(["--add-debug-tag"])
            elif choice == 16:
                lib.append(["--no-default-lib"])  # its libc is loaded by the program before its needs are
            elif choice == 17:
                main.append(["--rename-dynamic-symbols", RENAME_MAP])
                lib.append(["--rename-dynamic-symbols", RENAME_MAP])
            elif choice == 18:
                main.append(["--build-resolution-cache"])
            else:
                main.append(["--page-size", "65536", "--set-rpath", long_rpath()])
        return main, lib

    def test_property_random_layouts_and_edits(self):
        rng = random.Random(20261124)
        variants = list(link_variants())
        rng.shuffle(variants)
        built = []  # 32-bit programs run under qemu in the next test
        for index, (flags, pie) in enumerate(variants[:24]):
            directory = self.tmp / f"v{index}"
            self.build(directory, flags, pie)
            self.assertEqual(self.run_main(directory).stdout, "42\n")
            built.append((directory, flags, pie, diagnostics(directory / "main"), diagnostics(directory / "libs/libdepA.so")))
        for case in range(CASES):
            directory, flags, pie, main_before, lib_before = built[case % len(built)]
            work = self.tmp / f"case{case}"
            main_edits, lib_edits = self.apply_random_edits(rng, directory, work)
            with self.subTest(case=case, flags=flags, pie=pie, main=main_edits, lib=lib_edits):
                result = self.run_main(work)
                self.assertEqual((result.returncode, result.stdout), (0, "42\n"), result.stderr)
                self.assert_nothing_new(work, directory, main_before, lib_before)
            shutil.rmtree(work)

    def test_property_other_architectures_under_qemu(self):
        """The same property for i686, aarch64 (64 KiB pages) and big-endian ppc64 and s390x
        programs, built with Debian's cross compilers and run under qemu-user."""
        rng = random.Random(20261125)
        ran = []
        for triple, qemu in CROSS_TARGETS:
            cc = f"{triple}-gcc"
            if not shutil.which(cc) or not shutil.which(qemu) or not Path(f"/usr/{triple}/lib").is_dir():
                print(f"\n    skipped {triple}: {cc}, {qemu} or /usr/{triple} is not installed")
                continue
            runner = (qemu, "-L", f"/usr/{triple}")
            variants = [(["-Wl,-z,max-page-size=0x10000", "-Wl,-z,separate-code", "-Wl,-z,relro", "-Wl,-z,now"], True),
                        (["-Wl,-z,max-page-size=0x10000", "-Wl,-z,noseparate-code", "-Wl,-z,norelro"], False),
                        (["-Wl,-z,max-page-size=0x1000", "-Wl,--hash-style=both"], True)]
            for index, (flags, pie) in enumerate(variants):
                directory = self.tmp / f"{triple}-v{index}"
                self.build(directory, flags, pie, cc=cc)
                self.assertEqual(self.run_main(directory, runner).stdout, "42\n")
                before = (diagnostics(directory / "main"), diagnostics(directory / "libs/libdepA.so"))
                for case in range(max(CASES // 24, 4)):
                    work = self.tmp / f"{triple}-case{index}-{case}"
                    main_edits, lib_edits = self.apply_random_edits(rng, directory, work)
                    with self.subTest(target=triple, flags=flags, pie=pie, main=main_edits, lib=lib_edits):
                        result = self.run_main(work, runner)
                        self.assertEqual((result.returncode, result.stdout), (0, "42\n"), result.stderr)
                        self.assert_nothing_new(work, directory, *before)
                    shutil.rmtree(work)
            ran.append(triple)
        if not ran:
            self.skipTest("no cross compiler with qemu-user is installed")

    def test_host_libraries_still_load(self):
        """Each library that dlopens gets a long search path, a new SONAME, its libc.so.6 renamed
        to a copy under a longer name and its symbols stripped; it must still dlopen (make stress
        runs every library). The edit must not change what the library finds, whatever the host
        has installed: the new path is a prefix of missing directories before the library's own
        entries ($ORIGIN expanded for where it was, since the copy lies elsewhere), of the same
        kind (a RUNPATH stays a RUNPATH: an RPATH would also be searched for its dependencies)."""
        sample = host_library_sample("/usr/lib/x86_64-linux-gnu/lib*.so.*", seed=3, default=60)
        loader = "import ctypes, sys\ntry:\n    ctypes.CDLL(sys.argv[1])\nexcept OSError:\n    sys.exit(3)\n"
        renamed = "libc-renamed-by-rpath-set-0a1b2c3d.so.6"
        # Only the renamed copy is on the library path: an edited copy named like a system
        # library there would be loaded by the python running the check itself.
        (self.tmp / "path").mkdir()
        (self.tmp / "edited").mkdir()
        os.symlink(os.path.realpath("/lib/x86_64-linux-gnu/libc.so.6"), self.tmp / "path" / renamed)
        env = dict(os.environ, LD_LIBRARY_PATH=str(self.tmp / "path"))
        loaded_before = passed = 0
        for path in sample:
            if subprocess.run(["python3", "-c", loader, path], capture_output=True).returncode != 0:
                continue
            loaded_before += 1
            copy = self.tmp / "edited" / Path(path).name
            shutil.copy(path, copy)
            own = dynamic_tags(path)
            kind = ["--force-rpath"] if "RUNPATH" not in own else []
            origin = os.path.dirname(os.path.realpath(path))
            entries = [re.sub(r"\$(ORIGIN\b|\{ORIGIN\})", origin, e) for e in (own.get("RUNPATH") or own.get("RPATH") or [])]
            search = ":".join(["$ORIGIN/../a/long/path/for/grafted/libraries.libs", "/opt/x", *entries])
            self.rpath_set(*kind, "--set-rpath", search, "--set-soname", "lib-new-soname-0a1b2c3d-" + Path(path).name,
                           "--replace-needed", "libc.so.6", renamed, "--strip", copy)
            with self.subTest(library=path):
                self.assertEqual(dynamic_tags(copy).get("RUNPATH" if not kind else "RPATH"), [search])
                loaded = subprocess.run(["python3", "-c", loader, str(copy)], capture_output=True, env=env)
                self.assertEqual(loaded.returncode, 0, loaded.stderr)
                passed += loaded.returncode == 0
            copy.unlink()
        print(f"\n    host corpus: {passed} of {loaded_before} libraries that dlopen before dlopen after the edits")
        self.assertEqual(passed, loaded_before)

    def test_foreign_and_big_endian_files(self):
        from wheelkit import shared_wheels
        if not shared_wheels():
            self.skipTest("../shared/wheels is absent: no foreign-architecture files")
        for wheel, records, workdir in self.unpacked_shared_wheels("--elf-only"):
            for member in (r for r in records if r["kind"] == "member" and r["elf"]):
                path = workdir / member["path"]
                with self.subTest(wheel=wheel.name, member=member["path"]):
                    needed = self.rpath_set("--print-needed", path).stdout.split()
                    readelf = subprocess.run(["readelf", "-d", "-W", str(path)], capture_output=True, text=True).stdout
                    self.assertEqual(needed, [line.split("[")[1].rstrip("]") for line in readelf.splitlines() if "(NEEDED)" in line])
                    if "libc.so.6" in needed:
                        self.rpath_set("--replace-needed", "libc.so.6", "libc.so.7", "--remove-rpath", path)
                        after = subprocess.run(["readelf", "-d", "-V", "-W", str(path)], capture_output=True, text=True)
                        self.assertIn("Shared library: [libc.so.7]", after.stdout)
                        self.assertNotIn("libc.so.6", after.stdout, "the version needs follow the rename")
                        self.assertEqual(after.stderr, "")
                    # Growth: a new segment laid out for this file's machine, page size and byte order.
                    before = diagnostics(path)
                    rpath = "$ORIGIN/../" + wheel.name.split("-")[0] + ".libs:/a/long/path/that/cannot/fit/in/place"
                    self.rpath_set("--force-rpath", "--set-rpath", rpath, "--set-soname", "grown-0a1b2c3d.so", path)
                    self.assertEqual(self.rpath_set("--print-rpath", "--print-soname", path).stdout,
                                     f"grown-0a1b2c3d.so\n{rpath}\n")
                    self.assertEqual(diagnostics(path)[:2], before[:2])
                    self.assertEqual(diagnostics(path)[2], before[2], "eu-elflint sees nothing new")
                    # Stripping it then: what eu-elflint says is some of what it said (section numbers change).
                    self.rpath_set("--strip", path)
                    self.assertEqual(self.rpath_set("--print-rpath", path).stdout, f"{rpath}\n")
                    self.assertEqual(diagnostics(path)[:2], before[:2])
                    number = lambda text: set(re.sub(r"\[\s*\d+\]", "[N]", text).splitlines())  # noqa: E731
                    self.assertLessEqual(number(diagnostics(path)[2]) - {"No errors"}, number(before[2]))

    def test_strip_drops_what_strip_s_drops_with_the_other_edits(self):
        directory = self.tmp / "v"
        self.build(directory, [], True)
        for target in (directory / "main", directory / "libs/libdepA.so"):
            reference = self.tmp / "reference"
            subprocess.run(["strip", "-s", "-o", str(reference), str(target)], check=True)
            before = target.stat().st_size
            self.rpath_set("--strip", target)
            names = lambda path: re.findall(r"^\s*\[\s*\d+\]\s+(\S*)", subprocess.run(  # noqa: E731
                ["readelf", "-S", "-W", str(path)], capture_output=True, text=True, check=True).stdout, re.M)
            self.assertEqual(names(target), names(reference))
            self.assertLess(target.stat().st_size, before)
            self.assertEqual(diagnostics(target), diagnostics(reference))
            mtime = target.stat().st_mtime_ns
            self.rpath_set("--strip", target)
            self.assertEqual(target.stat().st_mtime_ns, mtime, "nothing left to strip: not rewritten")
        self.assertEqual(self.run_main(directory).stdout, "42\n")
        # Together with growth, on a file grown before (our segment is rebuilt after the new end).
        target = directory / "main"
        self.rpath_set("--force-rpath", "--set-rpath", "$ORIGIN/libs:/" + "q" * 200, target)
        shutil.copy(directory / "libs/libdepA.so", self.tmp / "lib-unstripped.so")
        shutil.copy(self.tmp / "lib-unstripped.so", directory / "libs/libdepA.so")
        self.rpath_set("--strip", "--set-soname", "libdepA.so", "--force-rpath", "--set-rpath", "$ORIGIN/" + "r" * 100,
                       directory / "libs/libdepA.so")
        self.assertEqual(self.run_main(directory).stdout, "42\n")
        self.assertEqual(diagnostics(directory / "libs/libdepA.so")[:2], (0, ""))

    def test_refusals_leave_the_file_alone(self):
        directory = self.tmp / "v"
        self.build(directory, [], True)
        (directory / "text.so").write_text("not an ELF file\n")
        before = sorted(p.name for p in directory.iterdir())
        result = self.rpath_set("--remove-rpath", directory / "text.so", expect=1)
        self.assertIn("not an ELF file", result.stderr)
        self.assertEqual(len(result.stderr.splitlines()), 1)
        self.assertEqual((directory / "text.so").read_text(), "not an ELF file\n")
        self.assertEqual(sorted(p.name for p in directory.iterdir()), before, "no temporary file is left")
        static = directory / "static"
        subprocess.run(["gcc", "-static", "-o", str(static), "-x", "c", "-"], input=b"int main(void){return 0;}\n",
                       check=True, capture_output=True)
        self.assertIn("no dynamic section", self.rpath_set("--remove-rpath", static, expect=1).stderr)
        self.assertIn("option --replace-needed needs OLD NEW", self.rpath_set("--replace-needed", "x", expect=2).stderr)
        # Found by the fuzzer: a table reaching past the end of the file would take in the bytes a
        # new segment appends.
        truncated = directory / "truncated.so"
        data = (directory / "libs/libdepA.so").read_bytes()
        truncated.write_bytes(data[: len(data) - 100])  # the section headers are last
        result = self.rpath_set("--set-soname", "libdep-0a1b2c3d-longer-name.so", truncated, expect=1)
        self.assertIn("its section headers at", result.stderr)
        self.assertIn("lie past the end of its", result.stderr)
        self.assertEqual(truncated.read_bytes(), data[: len(data) - 100])
        from elfkit import Elf64
        import struct
        # A huge memory size would put an executable's new segment (whose offset follows its
        # address, when its program headers move: here a longer interpreter keeps them from staying
        # in place) terabytes into the file: refused. A shared object's goes at the end of the file,
        # and so does an executable's whose program headers stay where they are.
        longer = ("--set-interpreter", "/lib64/" + "x" * 100)
        for name, source, patch, message in (("two-dynamic", "libs/libdepA.so", "type", "more than one PT_DYNAMIC"),
                                             ("huge-memsz", "main", "memsz", "segment sizes are implausible")):
            crafted = directory / f"{name}.so"
            elf = Elf64(directory / source)
            headers = list(elf.program_headers())
            if patch == "type":  # a PT_NOTE (or any non-load header) becomes a second PT_DYNAMIC
                at = next(at for at, h in headers if h[0] not in (1, 2))
                struct.pack_into("<I", elf.data, at, 2)
            else:  # the last PT_LOAD claims 2**47 bytes of memory
                at = [at for at, h in headers if h[0] == 1][-1]
                struct.pack_into("<Q", elf.data, at + 40, 1 << 47)
            elf.save(crafted)
            before = crafted.read_bytes()
            result = self.rpath_set("--set-soname", "libdep-0a1b2c3d-longer-name.so", *longer, crafted, expect=1)
            self.assertIn(message, result.stderr)
            self.assertEqual(crafted.read_bytes(), before)
        self.rpath_set("--set-soname", "libdep-0a1b2c3d-longer-name.so", directory / "huge-memsz.so")
        self.assertLess((directory / "huge-memsz.so").stat().st_size, (directory / "main").stat().st_size + (1 << 20))
        elf = Elf64(directory / "libs/libdepA.so")
        at = [at for at, h in elf.program_headers() if h[0] == 1][-1]
        struct.pack_into("<Q", elf.data, at + 40, 1 << 47)
        elf.save(directory / "huge-bss.so")
        self.rpath_set("--set-soname", "libdep-0a1b2c3d-longer-name.so", directory / "huge-bss.so")
        self.assertLess((directory / "huge-bss.so").stat().st_size, (directory / "libs/libdepA.so").stat().st_size + (1 << 20))

    def test_a_shared_object_grows_by_what_is_added_whatever_its_bss(self):
        """A library with 16 MiB of .bss that needs a longer RPATH and SONAME than fit: its new
        segment goes at the end of the file (patchelf's way for libraries), not 16 MiB on as the
        address would put it; the program still loads it and reads the .bss. The program itself
        keeps its first segment's bias (AT_PHDR on kernels before 5.18)."""
        directory = self.tmp / "bss"
        directory.mkdir()
        (directory / "big.c").write_text("static char big[16 << 20];\nint dep_value(void) { big[1 << 23] = 40; "
                                         "return big[1 << 23] + 2; }\n")
        (directory / "main.c").write_text(MAIN)
        libs = directory / "libs"
        libs.mkdir()
        library = libs / "libdepA.so"
        subprocess.run(["gcc", "-shared", "-fPIC", "-o", str(library), str(directory / "big.c"), "-Wl,-soname,libdepA.so"],
                       check=True)
        subprocess.run(["gcc", "-o", str(directory / "main"), str(directory / "main.c"), f"-L{libs}", "-ldepA",
                        "-Wl,-rpath,$ORIGIN/libs"], check=True)
        before = library.stat().st_size
        rpath, soname = "$ORIGIN/" + "long/" * 200, "libdepA.so"
        self.rpath_set("--set-rpath", rpath, "--set-soname", soname, library)
        self.assertEqual(self.rpath_set("--print-rpath", library).stdout, rpath + "\n")
        # What was added (about 1 KB of strings, the dynamic table, the program headers) plus at
        # most one page of alignment: not the 16 MiB of .bss.
        self.assertLess(library.stat().st_size, before + len(rpath) + 8192 + 65536)
        ran = self.run_main(directory)
        self.assertEqual((ran.returncode, ran.stdout.strip()), (0, "42"), ran.stderr)

    def test_a_program_grows_by_what_is_added_whatever_its_bss(self):
        """A program with 16 MiB of .bss whose RUNPATH must grow (cmake's, ninja's in their wheels):
        its program headers stay at e_phoff, where kernels before 5.18 look for them, and grow there,
        .interp and the first notes moving into the new segment, which goes at the end of the file:
        it grows by about what is added, as patchelf 0.19's does (4 KiB), not by its .bss. PIE and
        not, on each architecture a cross compiler and qemu-user are here for (16 MiB before)."""
        source = self.tmp / "big.c"
        source.write_text('#include <stdio.h>\nchar big[16 << 20];\nint main(int argc, char **argv) {\n'
                          '    (void)argv; big[argc << 20] = 42; printf("%d\\n", big[1 << 20]); return 0;\n}\n')
        rpath = "$ORIGIN/" + "long/" * 200
        targets = [("gcc", ())] + [(f"{triple}-gcc", (qemu, "-L", f"/usr/{triple}")) for triple, qemu in CROSS_TARGETS
                                   if shutil.which(f"{triple}-gcc") and shutil.which(qemu)]

        def program_headers_at(program):
            header = subprocess.run(["readelf", "-hW", str(program)], capture_output=True, text=True, check=True).stdout
            return re.search(r"Start of program headers:\s+(\d+)", header).group(1)
        for cc, runner in targets:
            for pie in ("-pie", "-no-pie"):
                with self.subTest(cc=cc, pie=pie):
                    program = self.tmp / f"{cc}{pie}"
                    subprocess.run([cc, pie, "-O1", "-o", str(program), str(source)], check=True)
                    before = program.stat().st_size
                    at = program_headers_at(program)
                    self.rpath_set("--set-rpath", rpath, program)
                    self.assertEqual(self.rpath_set("--print-rpath", program).stdout, rpath + "\n")
                    self.assertLess(program.stat().st_size, before + len(rpath) + 8192 + 65536)
                    self.assertEqual(program_headers_at(program), at, "the program headers moved")
                    ran = subprocess.run([*runner, str(program)], capture_output=True, text=True)
                    self.assertEqual((ran.returncode, ran.stdout), (0, "42\n"), ran.stderr)
                    lint = subprocess.run(["eu-elflint", "--gnu-ld", str(program)], capture_output=True, text=True)
                    self.assertEqual(lint.stdout.strip(), "No errors", lint.stdout)

    def test_repeated_edits_do_not_grow_the_file(self):
        directory = self.tmp / "v"
        self.build(directory, [], True)
        target = directory / "main"
        sizes = []
        for round_ in range(6):
            rpath = "$ORIGIN/libs:/" + ("first/long/path/" if round_ % 2 else "second/longer/path/than/that/") * 3
            self.rpath_set("--force-rpath", "--set-rpath", rpath, "--replace-needed", "libdepA.so",
                           LIBRARY_NAMES[3] if round_ % 2 else LIBRARY_NAMES[2], target)
            sizes.append(target.stat().st_size)
            self.assertEqual(self.run_main(directory).stdout, "42\n")
            # As patchelf leaves it: the section headers (after .shstrtab) still end the file,
            # placed again after the new segment rather than left behind it.
            self.assertEqual(Elf64(target).section_table_end(), sizes[-1], f"round {round_}")
            sections = subprocess.run(["readelf", "-SW", str(target)], capture_output=True, text=True)
            self.assertEqual(sections.stderr, "", f"round {round_}")
        self.assertEqual(len(set(sizes[2:])), 1, f"the file keeps growing: {sizes}")
        self.assertEqual(subprocess.run(["readelf", "-lW", str(target)], capture_output=True, text=True).stdout.count("LOAD"),
                         subprocess.run(["readelf", "-lW", str(directory / "libs/libdepB.so")], capture_output=True,
                                        text=True).stdout.count("LOAD") + 1, "one added segment, not one per edit")

    def test_full_dynamic_table_moves(self):
        from elfkit import Elf64
        directory = self.tmp / "v"
        directory.mkdir()
        (directory / "dep.c").write_text(DEP)
        (directory / "main.c").write_text(MAIN)
        (directory / "libs").mkdir()
        subprocess.run(["gcc", "-shared", "-fPIC", "-o", str(directory / "libs/libdepA.so"), str(directory / "dep.c")], check=True)
        subprocess.run(["gcc", "-o", str(directory / "main"), str(directory / "main.c"), f"-L{directory / 'libs'}", "-ldepA"],
                       check=True)
        elf = Elf64(directory / "main")
        nulls = [offset for offset, tag, _ in elf.dynamic() if tag == 0]
        for offset in nulls[:-1]:
            elf.set_entry(offset, 21, 0)  # DT_DEBUG: harmless, and the table has no spare slot left
        elf.save()
        lint_before = diagnostics(directory / "main")
        self.rpath_set("--set-rpath", "$ORIGIN/libs", directory / "main")
        headers = subprocess.run(["readelf", "-lW", str(directory / "main")], capture_output=True, text=True).stdout
        dynamic_line = next(line for line in headers.splitlines() if line.strip().startswith("DYNAMIC"))
        self.assertNotEqual(int(dynamic_line.split()[1], 16), nulls[0] - 16 * (len(elf.dynamic()) - len(nulls)),
                            "the dynamic table moved")
        result = self.run_main(directory)
        self.assertEqual((result.returncode, result.stdout), (0, "42\n"), result.stderr)
        self.assertEqual(diagnostics(directory / "main"), lint_before, "readelf and eu-elflint see nothing new")

    def test_record_stream_edits_a_wheel(self):
        import sys
        from wheelkit import records_of, spam_wheel
        wheel = spam_wheel(self.tmp)
        unpacked = self.run_stage("whl-unpack", "--elf-only", wheel).stdout
        extension = next(r["path"] for r in records_of(unpacked) if r["kind"] == "member" and r["elf"])
        edit = {"kind": "elf_edit", "path": extension, "force_rpath": True,
                "set_rpath": "$ORIGIN/../spam.libs:/a/path/long/enough/to/need/a/new/segment/of/its/own"}
        edited = self.rpath_set(stdin=unpacked + json.dumps(edit) + "\n").stdout
        self.assertEqual(records_of(edited)[-1], {"kind": "elf_edited", "path": extension, "changed": True})
        packed = records_of(self.run_stage("whl-pack", "-w", self.tmp / "out", stdin=edited).stdout)[-1]
        venv = self.tmp / "venv"
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
        site = next((venv / "lib").glob("python3*/site-packages"))
        subprocess.run(["unzip", "-q", packed["path"], "-d", str(site)], check=True)
        run = subprocess.run([str(venv / "bin/python"), "-c", "import spam; print(spam.add(40, 2))"],
                             capture_output=True, text=True, cwd=self.tmp)
        self.assertEqual(run.stdout, "42\n", run.stderr)
        self.assertEqual(self.rpath_set("--print-rpath", site / extension).stdout, edit["set_rpath"] + "\n")
        bad = dict(edit, path="../escape.so")
        result = self.rpath_set(stdin=unpacked + json.dumps(bad) + "\n", expect=1)
        self.assertIn("must lie inside the work directory", result.stderr)

    def test_contradicting_or_malformed_edits_are_refused_before_writing(self):
        from wheelkit import records_of, spam_wheel
        unpacked = self.run_stage("whl-unpack", "--elf-only", spam_wheel(self.tmp)).stdout
        extension = next(r["path"] for r in records_of(unpacked) if r["kind"] == "member" and r["elf"])
        target = Path(records_of(unpacked)[0]["workdir"]) / extension
        before = target.read_bytes()
        for edit, message in (({"replace_needed": [["libc.so.6", "x.so"]], "remove_needed": ["libc.so.6"]},
                               "libc.so.6 is both removed and replaced"),
                              ({"set_rpath": "$ORIGIN", "remove_rpath": True}, "the RPATH is both set and removed"),
                              ({"strip": "yes"}, 'record of kind "elf_edit": "strip" must be true or false'),
                              ({"remove_needed": "libc.so.6"},
                               'record of kind "elf_edit": "remove_needed" must be a list of strings'),
                              ({"remove_needed": [""]}, "remove_needed must not be empty")):
            with self.subTest(edit=edit):
                record = dict({"kind": "elf_edit", "path": extension}, **edit)
                result = self.rpath_set(stdin=unpacked + json.dumps(record) + "\n", expect=1)
                self.assertIn(message, result.stderr)
                self.assertEqual(len(result.stderr.splitlines()), 1, result.stderr)
                self.assertEqual(target.read_bytes(), before)
        cli = self.rpath_set("--set-rpath", "x", "--remove-rpath", target, expect=2)
        self.assertIn("the RPATH is both set and removed", cli.stderr)
        self.assertEqual(target.read_bytes(), before)
        shutil.rmtree(records_of(unpacked)[0]["workdir"])

    def test_unchanged_files_are_not_rewritten_and_output_goes_elsewhere(self):
        directory = self.tmp / "v"
        self.build(directory, [], True)
        target = directory / "main"
        os.chmod(target, 0o750)
        inode = target.stat().st_ino
        self.rpath_set("--replace-needed", "libnothere.so", "libelse.so", target)
        self.assertEqual(target.stat().st_ino, inode, "a file that needs no change is not rewritten")
        out = directory / "edited"
        self.rpath_set("--set-rpath", "$ORIGIN/libs", "--output", out, target)
        self.assertEqual(self.rpath_set("--print-rpath", out).stdout, "$ORIGIN/libs\n")
        self.assertEqual(self.rpath_set("--print-rpath", target).stdout, PADDING + "\n")
        self.rpath_set("--set-rpath", "$ORIGIN/libs", target)
        self.assertNotEqual(target.stat().st_ino, inode)
        self.assertEqual(target.stat().st_mode & 0o777, 0o750, "the mode is kept")


def readelf(*args):
    result = subprocess.run(["readelf", "-W", *map(str, args)], capture_output=True, check=True)
    return result.stdout.decode(errors="replace")


class PatchelfCommandLine(ProgramAndLibrary):
    """patchelf's other options, each checked with readelf (and the program still running)."""

    def setUp(self):
        super().setUp()
        self.directory = self.tmp / "v"
        self.build(self.directory, [], True)
        self.main = self.directory / "main"

    def assert_runs(self):
        result = self.run_main(self.directory)
        self.assertEqual((result.returncode, result.stdout), (0, "42\n"), result.stderr)

    def test_interpreter_printed_set_in_place_and_moved(self):
        before = re.search(r"interpreter: ([^\]]+)\]", readelf("-l", self.main)).group(1)
        self.assertEqual(self.rpath_set("--print-interpreter", self.main).stdout, before + "\n")
        longer = longer_interpreter(self.main)
        self.rpath_set("--set-interpreter", longer, self.main)
        self.assertIn(f"interpreter: {longer}]", readelf("-l", self.main))
        self.assert_runs()
        self.rpath_set("--interpreter", before, "--set-rpath", "$ORIGIN/libs:/" + "r" * 300, self.main)  # rebuilt
        self.assertIn(f"interpreter: {before}]", readelf("-l", self.main))
        self.assert_runs()
        library = self.directory / "libs/libdepA.so"
        error = self.rpath_set("--set-interpreter", before, library, expect=1).stderr
        self.assertIn("no PT_INTERP", error)

    def test_needed_and_run_path_edits(self):
        self.rpath_set("--add-needed", "libm.so.6", "--add-needed", "libdepB.so", self.main)
        self.assertEqual(dynamic_tags(self.main)["NEEDED"][:3], ["libm.so.6", "libdepB.so", "libdepA.so"])
        self.rpath_set("--add-rpath", "/opt/extra", self.main)
        self.assertEqual(dynamic_tags(self.main)["RUNPATH"], [PADDING + ":/opt/extra"])
        self.assert_runs()
        self.rpath_set("--shrink-rpath", self.main)  # /ppp... and /opt/extra hold nothing it needs
        self.assertEqual(dynamic_tags(self.main)["RUNPATH"], ["$ORIGIN/libs"])
        absolute = str(self.directory / "libs")
        self.rpath_set("--set-rpath", f"/usr/lib:{absolute}", self.main)
        self.rpath_set("--shrink-rpath", "--allowed-rpath-prefixes", "/usr:/nowhere", self.main)
        self.assertEqual(dynamic_tags(self.main)["RUNPATH"], [""], "the libs directory is not under a prefix")

    def test_dynamic_flags_stack_and_os_abi(self):
        from elfkit import loader_list
        libc_directory = os.path.dirname(loader_list(self.main)["libc.so.6"])
        self.rpath_set("--add-debug-tag", "--no-default-lib", self.main)
        self.assertIn("libc.so.6: cannot open", self.run_main(self.directory).stderr, "no default directory is searched")
        env = {"PATH": "/usr/bin:/bin", "LD_LIBRARY_PATH": libc_directory}
        dynamic = readelf("-d", self.main)
        self.assertEqual(dynamic.count("(DEBUG)"), 1)
        self.assertRegex(dynamic, r"\(FLAGS_1\)\s+Flags:.*NODEFLIB")
        self.rpath_set("--add-debug-tag", self.main)
        self.assertEqual(readelf("-d", self.main).count("(DEBUG)"), 1, "DT_DEBUG is added once")
        for flag, shown, printed in (("--set-execstack", "RWE", "X"), ("--clear-execstack", "RW ", "-")):
            self.rpath_set(flag, self.main)
            self.assertRegex(readelf("-l", self.main), rf"GNU_STACK(\s+0x0+){{5}}\s+{shown}")
            self.assertEqual(self.rpath_set("--print-execstack", self.main).stdout, f"execstack: {printed}\n")
        self.assertEqual(self.rpath_set("--print-os-abi", self.main).stdout, "System V\n")
        self.rpath_set("--set-os-abi", "FreeBSD", self.main)
        self.assertIn("UNIX - FreeBSD", readelf("-h", self.main))
        self.rpath_set("--set-os-abi", "linux", self.main)
        self.assertEqual(self.rpath_set("--print-os-abi", self.main).stdout, "Linux\n")
        self.rpath_set("--set-os-abi", "sysv", self.main)
        result = subprocess.run([str(self.main)], capture_output=True, text=True, env=env)
        self.assertEqual(result.stdout, "42\n", result.stderr)
        self.assertEqual(self.rpath_set("--set-os-abi", "plan9", self.main, expect=2).returncode, 2)

    def test_a_missing_stack_header_is_added(self):
        """In a spare PT_NULL entry, or as one more program header (the table moves)."""
        from elfkit import Elf64
        library = self.directory / "libs/libdepA.so"
        for name, spare in (("libdepB.so", PT_NULL), ("libdep-0a1b2c3d.so", 0x6fff1234)):  # an OS type loaders ignore
            target = self.directory / "libs" / name
            elf = Elf64(library)
            elf.retype_program_header(PT_GNU_STACK, spare)
            elf.save(target)
            count = readelf("-l", target).count("\n  ")
            self.assertEqual(self.rpath_set("--print-execstack", target).stdout, "execstack: ?\n")
            self.rpath_set("--clear-execstack", target)
            self.assertRegex(readelf("-l", target), r"GNU_STACK(\s+0x0+){5}\s+RW ")
            self.assertEqual(readelf("-l", target).count("\n  ") > count, spare != PT_NULL)
        self.rpath_set("--replace-needed", "libdepA.so", "libdep-0a1b2c3d.so", self.main)
        self.assert_runs()

    def test_page_size_file_values_version_and_debug(self):
        self.rpath_set("--page-size", "0x10000", "--set-rpath", "$ORIGIN/libs:/" + "p" * 300, self.main)
        loads = re.findall(r"LOAD\s.*\s(0x[0-9a-f]+)$", readelf("-l", self.main), re.M)
        self.assertEqual(loads[-1], "0x10000")
        self.assert_runs()
        value = self.tmp / "rpath.txt"
        value.write_text("$ORIGIN/libs")
        self.rpath_set("--set-rpath", f"@{value}", self.main)
        self.assertEqual(dynamic_tags(self.main)["RUNPATH"], ["$ORIGIN/libs"])
        self.assertIn("rpath-set 0.1.0", self.rpath_set("--version").stdout)
        debug = self.rpath_set("--debug", "--no-sort", "--set-soname", "x", self.main).stderr
        self.assertEqual(debug, f"rpath-set --set-soname x {self.main}: changed\n")

    def test_alone_on_a_terminal_or_with_nothing_on_stdin_is_a_usage_error(self):
        for stdin in ({"stdin": subprocess.DEVNULL}, {"input": ""}):
            result = subprocess.run([str(BIN / "rpath-set")], capture_output=True, text=True, **stdin)
            self.assertEqual(result.returncode, 2)
            self.assertIn("no FILE and no records on standard input", result.stderr)


class RenameDynamicSymbols(StageTest):
    """--rename-dynamic-symbols renames .dynsym names; the hash tables are rebuilt, so the loader
    still finds every renamed function, with each hash style, with relocations that now point
    at reordered symbols, and with --strip in the same rewrite."""

    COUNT = 40

    def build(self, directory, hash_style):
        directory.mkdir()
        functions = "".join(f"int f{i}(void) {{ return {i}; }}\n" for i in range(self.COUNT))
        calls = " + ".join(f"f{i}()" for i in range(self.COUNT))
        (directory / "lib.c").write_text(functions + "int keep_me(void) { return 1000; }\n")
        (directory / "main.c").write_text('#include <stdio.h>\n' + "".join(f"int f{i}(void);\n" for i in range(self.COUNT))
                                          + f'int keep_me(void);\nint main(void) {{ printf("%d\\n", {calls} + keep_me()); }}\n')
        style = f"-Wl,--hash-style={hash_style}"
        subprocess.run(["gcc", "-g", "-shared", "-fPIC", style, "-o", str(directory / "libmany.so"), str(directory / "lib.c")],
                       check=True)
        subprocess.run(["gcc", "-g", style, "-o", str(directory / "main"), str(directory / "main.c"), f"-L{directory}",
                        "-lmany", "-Wl,-rpath,$ORIGIN"], check=True)
        (directory / "map").write_text("".join(f"f{i} f{i}_renamed_{'x' * i}\n" for i in range(self.COUNT)))
        (directory / "back").write_text("".join(f"f{i}_renamed_{'x' * i} f{i}\n" for i in range(self.COUNT)))

    def run_main(self, directory):
        env = {"PATH": "/usr/bin:/bin", "LD_BIND_NOW": "1"}
        return subprocess.run([str(directory / "main")], capture_output=True, text=True, env=env)

    def symbols(self, path):
        out = subprocess.run(["nm", "-D", str(path)], capture_output=True, text=True, check=True).stdout
        return sorted(line.split()[-1] for line in out.splitlines())

    def test_renamed_programs_run_and_renaming_back_restores_the_names(self):
        expected = f"{sum(range(self.COUNT)) + 1000}\n"
        for style in ("gnu", "sysv", "both"):
            with self.subTest(hash_style=style):
                directory = self.tmp / style
                self.build(directory, style)
                before = self.symbols(directory / "libmany.so")
                extra = ["--strip"] if style == "both" else []
                for target in ("libmany.so", "main"):
                    self.run_stage("rpath-set", "--rename-dynamic-symbols", directory / "map", *extra, directory / target)
                renamed = self.symbols(directory / "libmany.so")
                self.assertIn("f7_renamed_xxxxxxx", renamed)
                self.assertNotIn("f7", renamed)
                self.assertIn("keep_me", renamed)
                result = self.run_main(directory)
                self.assertEqual(result.stdout, expected, result.stderr)
                self.assertIn("No errors", subprocess.run(["eu-elflint", "--gnu-ld", str(directory / "libmany.so")],
                                                          capture_output=True, text=True).stdout)
                self.run_stage("rpath-set", "--rename-dynamic-symbols", directory / "back", directory / "libmany.so")
                self.assertEqual(self.symbols(directory / "libmany.so"), before)

    def test_map_file_mistakes_are_refused(self):
        directory = self.tmp / "v"
        self.build(directory, "gnu")
        for text, error in (("f1\n", "map:1: the line has one name; a line is OLD NEW"),
                            ("f1 a\nf1 b\n", "map:2: name 'f1' appears twice"),
                            ("f1@V a\n", "map:1: name 'f1@V' contains '@'")):
            (directory / "map").write_text(text)
            result = self.run_stage("rpath-set", "--rename-dynamic-symbols", directory / "map", directory / "libmany.so",
                                    expect=1)
            self.assertEqual(result.stderr, f"rpath-set: error: {directory / error}\n")
        (directory / "map").write_text("not_a_symbol other\n")
        self.run_stage("rpath-set", "--rename-dynamic-symbols", directory / "map", "--set-rpath", "/x", directory / "main")
        self.assertEqual(dynamic_tags(directory / "main")["RUNPATH"], ["/x"])


class ResolutionCache(ProgramAndLibrary):
    """--build-resolution-cache writes NixOS's loader cache note, which an edit of the DT_NEEDED
    names or the run path drops and any other edit keeps, checked with readelf."""

    def setUp(self):
        super().setUp()
        self.directory = self.tmp / "v"
        self.build(self.directory, [], True)
        self.main = self.directory / "main"
        self.libs = self.directory / "libs"

    def note(self, path):
        sections = readelf("-S", path)
        if ".note.nixos.ldcache" not in sections:
            return None
        self.assertRegex(sections, r"\.note\.nixos\.ldcache\s+NOTE\s.*\sA\s", "an allocated note")
        self.assertIn("NixOS", readelf("-n", path))
        return readelf("-p", ".note.nixos.ldcache", path)

    def test_built_kept_carried_and_dropped(self):
        self.rpath_set("--set-rpath", f"{self.libs}:$ORIGIN/libs", self.main)
        self.rpath_set("--build-resolution-cache", self.main)
        note = self.note(self.main)
        self.assertIn(f"={self.libs}/libdepA.so", note)
        self.assertIn("?$ORIGIN/libs", note)
        self.assertRegex(readelf("-l", self.main), r"\n   \d\d     \.note\.nixos\.ldcache \n", "a PT_NOTE of its own")
        self.assertEqual(self.run_main(self.directory).stdout, "42\n")
        self.rpath_set("--build-resolution-cache", self.main)  # up to date: nothing changes
        self.assertEqual(readelf("-S", self.main).count(".note.nixos.ldcache"), 1)
        self.rpath_set("--set-soname", "a-long-soname-" + "s" * 200, "--remove-needed", "libabsent.so", self.main)
        self.assertEqual(self.note(self.main), note, "kept, and carried into the rebuilt segment")
        self.assertEqual(self.run_main(self.directory).stdout, "42\n")
        self.rpath_set("--add-needed", "libdepB.so", self.main)
        self.assertIsNone(self.note(self.main), "a new DT_NEEDED makes it stale")
        self.assertEqual(self.run_main(self.directory).stdout, "42\n")
        self.rpath_set("--set-rpath", str(self.libs), "--build-resolution-cache", self.main)
        self.assertIn(f"={self.libs}/libdepB.so", self.note(self.main))
        self.rpath_set("--set-rpath", "$ORIGIN/libs", self.main)  # in place: the note's bytes, header and section go
        self.assertIsNone(self.note(self.main))
        self.assertEqual(self.run_main(self.directory).stdout, "42\n")
        self.assertIn("No errors", subprocess.run(["eu-elflint", "--gnu-ld", str(self.main)], capture_output=True,
                                                  text=True).stdout)

    def test_nothing_to_record_warns_and_a_different_note_is_refused(self):
        self.rpath_set("--remove-rpath", self.main)
        result = self.rpath_set("--build-resolution-cache", self.main)
        self.assertEqual(result.stderr, f"rpath-set: warning: {self.main}: --build-resolution-cache: no DT_NEEDED entries "
                                        "or run path to resolve; no cache written\n")
        self.assertIsNone(self.note(self.main))
        stale = self.tmp / "stale"
        stale.write_bytes(b"stale")
        subprocess.run(["objcopy", "--add-section", f".note.nixos.ldcache={stale}", str(self.main)], check=True)
        self.rpath_set("--set-rpath", str(self.libs), self.main, expect=1)  # not the last section: refused
        error = self.rpath_set("--build-resolution-cache", self.main, expect=1).stderr
        self.assertIn("a resolution cache note is already present", error)
        self.assertEqual(self.rpath_set("--force-rpath", "--build-resolution-cache", self.main, expect=2).returncode, 2)
