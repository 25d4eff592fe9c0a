"""rpath-set: a seeded property test over link-flag variants (the program must still run, and
readelf and eu-elflint must report nothing new), a host-library dlopen corpus, foreign and
big-endian files checked with readelf, and clean refusals."""
import glob
import itertools
import os
import random
import shutil
import subprocess
from pathlib import Path

from wheelkit import BIN, StageTest

PADDING = "$ORIGIN/libs:/" + "p" * 40  # room for the edits to come
MAIN = '#include <stdio.h>\nint dep_value(void);\nint main(void) { printf("%d\\n", dep_value()); return 0; }\n'
DEP = "int dep_value(void) { return 42; }\n"
CASES = int(os.environ.get("RPATH_SET_CASES", "240"))


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


def diagnostics(path):
    """What readelf and eu-elflint complain about."""
    readelf = subprocess.run(["readelf", "-a", "-W", str(path)], capture_output=True, text=True)
    lint = subprocess.run(["eu-elflint", "--gnu-ld", str(path)], capture_output=True, text=True)
    return readelf.returncode, readelf.stderr, lint.stdout + lint.stderr


class RpathSet(StageTest):
    def rpath_set(self, *args, expect=0):
        return self.run_stage("rpath-set", *args, expect=expect)

    def build(self, directory, flags, pie):
        directory.mkdir(parents=True)
        (directory / "dep.c").write_text(DEP)
        (directory / "main.c").write_text(MAIN)
        libs = directory / "libs"
        libs.mkdir()
        subprocess.run(["gcc", "-shared", "-fPIC", "-o", str(libs / "libdepA.so"), str(directory / "dep.c"),
                        "-Wl,-soname,libdepA.so", f"-Wl,-rpath,{PADDING}", *flags], check=True, capture_output=True)
        subprocess.run(["gcc", "-pie" if pie else "-no-pie", "-fPIE" if pie else "-fno-pie", "-o",
                        str(directory / "main"), str(directory / "main.c"), f"-L{libs}", "-ldepA",
                        f"-Wl,-rpath,{PADDING}", *flags], check=True, capture_output=True)
        shutil.copy(libs / "libdepA.so", libs / "libdepB.so")

    def run_main(self, directory):
        env = {"PATH": "/usr/bin:/bin", "LD_BIND_NOW": "1"}
        return subprocess.run([str(directory / "main")], capture_output=True, text=True, env=env)

    def random_edits(self, rng):
        """Edits that fit in place, ending with the program still able to find its library."""
        main, lib = [], []
        for _ in range(rng.randint(1, 4)):
            choice = rng.randrange(6)
            if choice == 0:
                main += ["--set-rpath", rng.choice(["$ORIGIN/libs", "${ORIGIN}/libs", "$ORIGIN/libs:/nowhere"])]
            elif choice == 1:
                main += ["--force-rpath", "--set-rpath", "$ORIGIN/libs"]
            elif choice == 2:
                main += ["--replace-needed", "libdepA.so", "libdepB.so"]
            elif choice == 3:
                lib += ["--set-soname", rng.choice(["libdepB.so", "libdepC.so"])]
            elif choice == 4:
                lib += ["--remove-rpath"]
            else:
                lib += ["--force-rpath"]
        return main, lib

    def test_property_random_layouts_and_edits(self):
        rng = random.Random(20261124)
        variants = list(link_variants())
        rng.shuffle(variants)
        built = []
        for index, (flags, pie) in enumerate(variants[:24]):
            directory = self.tmp / f"v{index}"
            self.build(directory, flags, pie)
            self.assertEqual(self.run_main(directory).stdout, "42\n")
            built.append((directory, flags, pie, diagnostics(directory / "main"), diagnostics(directory / "libs/libdepA.so")))
        for case in range(CASES):
            directory, flags, pie, main_before, lib_before = built[case % len(built)]
            work = self.tmp / f"case{case}"
            shutil.copytree(directory, work)
            main_edits, lib_edits = self.random_edits(rng)
            for edits, target in ((main_edits, work / "main"), (lib_edits, work / "libs/libdepA.so")):
                if edits:
                    self.rpath_set(*edits, target)
            # The library runs under both names; the copy under the new name gets the same edits.
            if lib_edits:
                self.rpath_set(*lib_edits, work / "libs/libdepB.so")
            with self.subTest(case=case, flags=flags, pie=pie, main=main_edits, lib=lib_edits):
                result = self.run_main(work)
                self.assertEqual((result.returncode, result.stdout), (0, "42\n"), result.stderr)
                self.assertEqual(diagnostics(work / "main")[:2], main_before[:2])
                self.assertEqual(diagnostics(work / "libs/libdepA.so")[:2], lib_before[:2])
                self.assertEqual(diagnostics(work / "main")[2].replace(str(work), ""),
                                 main_before[2].replace(str(directory), ""))
            shutil.rmtree(work)

    def test_host_libraries_still_load(self):
        candidates = sorted(p for p in glob.glob("/usr/lib/x86_64-linux-gnu/lib*.so.*") if not os.path.islink(p))
        sample = random.Random(3).sample(candidates, min(80, len(candidates)))
        loader = "import ctypes, sys\ntry:\n    ctypes.CDLL(sys.argv[1])\nexcept OSError:\n    sys.exit(3)\n"
        loaded_before = edited = 0
        for path in sample:
            if subprocess.run(["python3", "-c", loader, path], capture_output=True).returncode != 0:
                continue
            loaded_before += 1
            copy = self.tmp / Path(path).name
            shutil.copy(path, copy)
            # Remove RPATHs and rename libc.so.6 to a same-length copy that exists beside it.
            result = self.rpath_set("--remove-rpath", "--replace-needed", "libc.so.6", "libc.so.X", copy, expect=None)
            if result.returncode != 0:
                self.assertIn("rpath-set: error:", result.stderr)
                copy.unlink()
                continue
            edited += 1
            env = dict(os.environ, LD_LIBRARY_PATH=str(self.tmp))
            (self.tmp / "libc.so.X").unlink(missing_ok=True)
            os.symlink(os.path.realpath("/lib/x86_64-linux-gnu/libc.so.6"), self.tmp / "libc.so.X")
            with self.subTest(library=path):
                loaded = subprocess.run(["python3", "-c", loader, str(copy)], capture_output=True, env=env)
                self.assertEqual(loaded.returncode, 0, loaded.stderr)
            copy.unlink()
        self.assertGreater(edited, loaded_before // 2, "most libraries take these edits in place")

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

    def test_refusals_leave_the_file_alone(self):
        directory = self.tmp / "v"
        self.build(directory, [], True)
        target = directory / "main"
        before = target.read_bytes()
        result = self.rpath_set("--set-rpath", "$ORIGIN/" + "q" * 200, target, expect=1)
        self.assertIn("no room for", result.stderr)
        self.assertEqual(len(result.stderr.splitlines()), 1)
        self.assertEqual(target.read_bytes(), before)
        self.assertEqual(sorted(p.name for p in directory.iterdir()), ["dep.c", "libs", "main", "main.c"])
        (directory / "text.so").write_text("not an ELF file\n")
        self.assertIn("not an ELF file", self.rpath_set("--remove-rpath", directory / "text.so", expect=1).stderr)
        static = directory / "static"
        subprocess.run(["gcc", "-static", "-o", str(static), "-x", "c", "-"], input=b"int main(void){return 0;}\n",
                       check=True, capture_output=True)
        self.assertIn("no dynamic section", self.rpath_set("--remove-rpath", static, expect=1).stderr)
        self.assertIn("--replace-needed takes two names", self.rpath_set("--replace-needed", "x", expect=2).stderr)

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
