"""make cross-check: the distribution of every architecture cibuildwheel builds on (make dist-all),
run under qemu-user, answers as the x86_64 one does.

No binfmt handler is registered (the kernel is shared): each foreign program is started through
its qemu-<arch> explicitly, the multi-call program of a distribution standing behind a shim that
does so. On the same wheel, with the same library paths, --version, every stage's --help, show
(text and --json), repair and each stage's records must be the same as the x86_64 programs',
byte for byte; the wrapper also runs in a root of that architecture's busybox-static (every
command one of its applets under qemu), and a wheel repaired by the aarch64 programs imports in
Debian's arm64 python3 under qemu. 32-bit (i686, armv7l) and big-endian (s390x) programs are
where width and byte-order bugs show. make cross-check sets AW_DIST_ROOT and AW_CROSS_ARCHES."""
import json
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

from elfkit import compile_shared
from wheelkit import DATA, ROOT, SHARED_WHEELS, StageTest, build_dep_libraries, make_wheel, records_of

DIST_ROOT = Path(os.environ["AW_DIST_ROOT"]).resolve() if os.environ.get("AW_DIST_ROOT") else None
# "arch:qemu:triplet:debian" words, from tools/dist/dist.mk's table.
ARCHES = {fields[0]: dict(zip(("qemu", "triplet", "debian"), fields[1:]))
          for fields in (word.split(":") for word in os.environ.get("AW_CROSS_ARCHES", "").split())}
HOST = os.uname().machine
STAGES = ("whl-unpack", "elf-deps", "elf-symvers", "policy-check", "lib-graft", "rpath-set", "whl-pack")
EXTENSION = "int dep_value(void);\nvoid *PyInit__dep(void) { return (void *)(long)dep_value(); }\n"


def foreign_arches():
    return [arch for arch in ARCHES if arch != HOST]


class CrossArchitectures(StageTest):
    def setUp(self):
        if DIST_ROOT is None or not ARCHES:
            self.skipTest("make cross-check runs these (it builds every architecture's distribution first)")
        super().setUp()
        self.reference = self.runnable(HOST)

    def runnable(self, arch) -> Path:
        """A bin folder of `arch`'s distribution that runs here: the tree's own for the host, else a
        copy whose auditwheel-stages is a shim starting the real one under qemu-<arch>."""
        tree = DIST_ROOT / arch / "tree"
        if not (tree / "bin/auditwheel-stages").is_file():
            self.fail(f"{tree}: make dist ARCH={arch} has not run")
        if arch == HOST:
            return tree / "bin"
        top = self.tmp / f"tree-{arch}"
        (top / "bin").mkdir(parents=True, exist_ok=True)
        if not (top / "share").exists():
            (top / "share").symlink_to(tree / "share")
        for program in (tree / "bin").iterdir():
            if program.name != "auditwheel-stages":
                shutil.copy2(program, top / "bin" / program.name)
        shim = top / "bin/auditwheel-stages"
        shim.write_text(f'#!/bin/sh\nexec {shutil.which(ARCHES[arch]["qemu"])} {tree}/bin/auditwheel-stages "$@"\n')
        shim.chmod(0o755)
        return top / "bin"

    def both(self, arch, env, busybox):
        """(bin folder, command prefix, environment) of the reference and of `arch`'s distribution,
        which runs in `arch`'s busybox root when `busybox` is given (busybox()'s answer)."""
        foreign_env = dict(env, PATH=busybox[1]) if busybox else env
        return [(self.reference, (), env), (self.runnable(arch), busybox[0] if busybox else (), foreign_env)]

    def assert_same(self, arch, argv, env=None, busybox=None):
        """`argv` run by bin/auditwheel (or a stage: argv[0]) of the host's and of `arch`'s
        distribution: the same status and output, each one's own folder written as <tree>."""
        results = []
        for bin_dir, prefix, run_env in self.both(arch, env or self.env, busybox):
            run = subprocess.run([*prefix, str(bin_dir / argv[0]), *map(str, argv[1:])], capture_output=True,
                                 text=True, env=run_env)
            results.append((run.returncode, run.stdout.replace(str(bin_dir.parent), "<tree>"),
                            run.stderr.replace(str(bin_dir.parent), "<tree>")))
        self.assertEqual(results[1], results[0], f"{arch}: {argv}")
        return results[0]

    def repaired_alike(self, arch, wheel, *options, env=None, busybox=None):
        """Repairs `wheel` with both distributions into one folder in turn: the same messages and
        the same wheel bytes. Returns the reference's result and the folder."""
        out = self.tmp / "out"
        answers, wheels = [], []
        for bin_dir, prefix, run_env in self.both(arch, env or self.env, busybox):
            shutil.rmtree(out, ignore_errors=True)
            run = subprocess.run([*prefix, str(bin_dir / "auditwheel"), "repair", "-w", str(out), *map(str, options),
                                  str(wheel)], capture_output=True, text=True, env=run_env)
            answers.append((run.returncode, run.stdout, run.stderr))
            wheels.append({p.name: p.read_bytes() for p in out.iterdir()} if out.exists() else {})
        self.assertEqual(answers[1], answers[0], f"{arch}: repair {wheel.name}")
        self.assertEqual(wheels[1], wheels[0], f"{arch}: repair {wheel.name} wrote other bytes")
        return answers[0], out

    def test_version_and_every_stages_help(self):
        for arch in foreign_arches():
            with self.subTest(arch=arch):
                code, out, _ = self.assert_same(arch, ["auditwheel", "--version"])
                self.assertEqual(code, 0)
                self.assertIn("installed at <tree>/bin", out)
                for stage in STAGES:
                    self.assertEqual(self.assert_same(arch, [stage, "--help"])[0], 0)

    def test_each_distribution_is_tagged_as_its_own_show_says_and_needs_the_kernel_the_readme_gives(self):
        readme = (ROOT / "README.md").read_text()
        for arch in ARCHES:
            with self.subTest(arch=arch):
                (wheel,) = (ROOT / "dist").glob(f"auditwheel_cpp-*-py3-none-*_{arch}.whl")
                tags = wheel.name.removesuffix(".whl").split("-")[-1].split(".")
                shown = subprocess.run([str(self.runnable(arch) / "auditwheel"), "show", "--json", str(wheel)],
                                       capture_output=True, text=True, env=self.env)
                self.assertEqual(json.loads(shown.stdout)["overall_tag"], tags[0], shown.stderr)
                text = " ".join(subprocess.run([str(self.runnable(arch) / "auditwheel"), "show", str(wheel)],
                                               capture_output=True, text=True, env=self.env).stdout.split())
                self.assertIn(f'also consistent with the platform tag "{tags[-1]}"', text)
                notes = subprocess.run(["readelf", "-nW", str(DIST_ROOT / arch / "tree/bin/auditwheel-stages")],
                                       capture_output=True, text=True, check=True).stdout
                kernel = re.search(r"OS: Linux, ABI: (\d+\.\d+)", notes).group(1)
                self.assertIn(f"| {arch} | `{'.'.join(tags)}` | `auditwheel-cpp-", readme)
                self.assertRegex(readme, rf"\| {arch} \|[^\n]*\| {re.escape(kernel)} \|")

    def test_the_shared_wheels_of_each_architecture(self):
        if not SHARED_WHEELS.is_dir():
            self.skipTest("../shared/wheels is absent: no third-party wheels")
        for arch in foreign_arches():
            wheels = sorted(w for w in SHARED_WHEELS.rglob("*.whl") if f"_{arch}" in w.name)
            self.assertTrue(wheels, f"no shared wheel of {arch}")
            for wheel in wheels:
                with self.subTest(arch=arch, wheel=wheel.name):
                    self.assert_same(arch, ["auditwheel", "show", wheel])
                    self.assert_same(arch, ["auditwheel", "show", "--json", wheel])
                    self.repaired_alike(arch, wheel)

    def built_wheel(self, arch, directory: Path) -> Path:
        """A wheel of `arch` built here with its cross compiler: an extension needing libdep.so.1,
        which needs libdep2.so.1, both in directory/private (no Python headers of the
        architecture are needed: the extension only exports PyInit__dep)."""
        cc = f"{ARCHES[arch]['triplet']}-gcc"
        private = directory / "private"
        private.mkdir(parents=True)
        build_dep_libraries(private, cc=cc)
        extension = compile_shared(directory / "_dep.so", "_dep", "-Wl,--no-as-needed", "-lc", needs=[(private, "dep")],
                                   cc=cc, source=EXTENSION)
        files = [("foo/__init__.py", b"from ._dep import value\n", 0o644), ("foo/_dep.so", extension.read_bytes(), 0o755)]
        return make_wheel(directory, name="foo", tag=f"cp311-cp311-linux_{arch}", purelib=False, files=files)

    def test_a_wheel_built_here_is_shown_and_repaired_alike_stage_by_stage(self):
        for arch in foreign_arches():
            with self.subTest(arch=arch):
                wheel = self.built_wheel(arch, self.tmp / arch)
                env = dict(self.env, LD_LIBRARY_PATH=str(self.tmp / arch / "private"))
                self.assert_same(arch, ["auditwheel", "show", wheel], env=env)
                (code, _, err), out = self.repaired_alike(arch, wheel, env=env)
                self.assertEqual(code, 0, err)
                with zipfile.ZipFile(next(out.iterdir())) as z:
                    self.assertEqual(sorted(n.split("-")[0] for n in z.namelist() if n.startswith("foo.libs/l")),
                                     ["foo.libs/libdep", "foo.libs/libdep2"])
                self.assert_same_records(arch, wheel, env)

    def assert_same_records(self, arch, wheel, env):
        """Each stage's records, run by hand as auditwheel repair runs them, in the same folders."""
        policies = DIST_ROOT / HOST / "tree/share/auditwheel/policies"
        steps = [["whl-unpack", "--elf-only", "--dest", self.tmp / "work", wheel], ["elf-deps"], ["elf-symvers"],
                 ["policy-check", "--policies", policies, "--plat", "auto"], ["lib-graft"], ["rpath-set"],
                 ["whl-pack", "-w", self.tmp / "packed"]]
        streams = []
        for bin_dir in (self.reference, self.runnable(arch)):
            shutil.rmtree(self.tmp / "work", ignore_errors=True)
            shutil.rmtree(self.tmp / "packed", ignore_errors=True)
            stream, outputs = "", []
            for step in steps:
                run = subprocess.run([str(bin_dir / step[0]), *map(str, step[1:])], input=stream, capture_output=True,
                                     text=True, env=env)
                self.assertEqual(run.returncode, 0, f"{arch}: {step[0]}: {run.stderr}")
                stream = run.stdout
                outputs.append(records_of(stream))
            outputs.append((self.tmp / "packed" / records_of(stream)[-1]["filename"]).read_bytes())
            streams.append(outputs)
        for step, reference, foreign in zip(steps + [["the wheel"]], *streams):
            self.assertEqual(foreign, reference, f"{arch}: {step[0]}'s records differ")

    def test_the_wrapper_runs_in_a_busybox_root_of_each_architecture(self):
        """The wrapper run by that architecture's busybox ash, every command it runs one of busybox's
        applets (each a host script starting busybox under qemu: a foreign program cannot be
        exec'd without binfmt), the stages under qemu."""
        if not SHARED_WHEELS.is_dir():
            self.skipTest("../shared/wheels is absent: no third-party wheels")
        for arch in foreign_arches():
            with self.subTest(arch=arch):
                busybox = self.busybox(arch)
                if busybox is None:
                    continue
                wheel = sorted(w for w in SHARED_WHEELS.rglob("*.whl") if f"_{arch}" in w.name)[0]
                self.assert_same(arch, ["auditwheel", "show", "--json", wheel], busybox=busybox)
                self.repaired_alike(arch, wheel, busybox=busybox)

    def busybox(self, arch):
        """((qemu, busybox, "sh"), PATH of its applets as shims) for `arch`'s busybox-static from
        Debian, or, where Debian 12 has none (riscv64), built from Debian's busybox source."""
        root = DIST_ROOT / arch / "roots/busybox"
        fetched = subprocess.CompletedProcess((), 1, "", "") if (root / ".built-busybox").exists() else subprocess.run(
            ["sh", str(ROOT / "tools/dist/sysroot.sh"), ARCHES[arch]["debian"], str(root), "busybox-static"],
            capture_output=True, text=True)
        if fetched.returncode != 0:
            built = subprocess.run(["sh", str(ROOT / "tools/dist/source-build.sh"), "busybox", str(DIST_ROOT / "sources"),
                                    str(root), ARCHES[arch]["triplet"]], capture_output=True, text=True)
            self.assertEqual(built.returncode, 0, f"{arch}: busybox: {fetched.stderr}{built.stderr}")
        qemu, busybox = shutil.which(ARCHES[arch]["qemu"]), root / "bin/busybox"
        applets = self.tmp / f"busybox-{arch}/applets"
        applets.mkdir(parents=True)
        names = subprocess.run([qemu, str(busybox), "--list"], capture_output=True, text=True, check=True).stdout.split()
        for name in names:
            (applets / name).write_text(f'#!/bin/sh\nexec {qemu} {busybox} {name} "$@"\n')
            (applets / name).chmod(0o755)
        return (qemu, str(busybox), "sh"), str(applets)

    def test_a_wheel_repaired_by_the_aarch64_programs_imports_in_debians_arm64_python(self):
        if "aarch64" not in ARCHES:
            self.skipTest("aarch64 is not among the architectures built")
        root = DIST_ROOT / "aarch64/roots/python"
        fetched = subprocess.run(["sh", str(ROOT / "tools/dist/sysroot.sh"), "arm64", str(root), "python3.11-minimal",
                                  "libpython3.11-minimal", "libpython3.11-dev", "libc6", "zlib1g",
                                  "libexpat1"], capture_output=True, text=True)
        if fetched.returncode != 0:
            self.skipTest(f"Debian's arm64 python3.11 could not be fetched: {fetched.stderr.strip()[-300:]}")
        private = self.tmp / "private"
        private.mkdir()
        build_dep_libraries(private, cc="aarch64-linux-gnu-gcc")
        extension = self.tmp / "_dep.cpython-311-aarch64-linux-gnu.so"
        # Python.h's pyconfig.h includes <aarch64-linux-gnu/python3.11/pyconfig.h>: the root's include
        # folder is searched for it last, after the cross compiler's own C library headers.
        subprocess.run(["aarch64-linux-gnu-gcc", "-shared", "-fPIC", f"-I{root}/usr/include/python3.11",
                        f"-idirafter{root}/usr/include", "-o", str(extension),
                        str(DATA / "dep_ext.c"), f"-L{private}", "-ldep"], check=True)
        wheel = make_wheel(self.tmp, name="foo", tag="cp311-cp311-linux_aarch64", purelib=False,
                           files=[("foo/__init__.py", b"from ._dep import value\n", 0o644),
                                  (f"foo/{extension.name}", extension.read_bytes(), 0o755)])
        repaired = subprocess.run([str(self.runnable("aarch64") / "auditwheel"), "repair", "-w", str(self.tmp / "out"),
                                   str(wheel)], capture_output=True, text=True, env=dict(self.env, LD_LIBRARY_PATH=str(private)))
        self.assertEqual(repaired.returncode, 0, repaired.stderr)
        shutil.rmtree(private)
        with zipfile.ZipFile(next((self.tmp / "out").iterdir())) as z:
            z.extractall(self.tmp / "site")
            for info in z.infolist():
                os.chmod(self.tmp / "site" / info.filename, info.external_attr >> 16 & 0o777 or 0o644)
        ran = subprocess.run([shutil.which("qemu-aarch64"), "-L", str(root), str(root / "usr/bin/python3.11"), "-c",
                              f"import sys; sys.path.insert(0, {str(self.tmp / 'site')!r}); import foo; print(foo.value())"],
                             capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"})
        self.assertEqual((ran.returncode, ran.stdout), (0, "42\n"), ran.stderr)
