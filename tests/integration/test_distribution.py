"""make dist: the static programs, their wheel and their tarball, run where auditwheel runs.

Each place runs show and repair on a wheel built here (an extension needing a private library
that needs another) and must give what the build tree gives: the same show --json and a repaired
wheel of the same bytes. The places: a venv the wheel was pip-installed into (also through a
link to its auditwheel), the unpacked tarball, a root holding only busybox-static (the userland
shape of Alpine, with and without musl's libc in /lib) and a Debian 11 root made by debootstrap.
The roots need root (chroot) and, for Debian 11 and busybox-static, Debian's mirror; without
them those tests skip saying so. make check sets AW_DIST_TREE, AW_DIST_WHEEL and AW_DIST_TARBALL."""
import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

from wheelkit import BIN, ROOT, StageTest, build_dep_libraries, dep_wheel

TREE = Path(os.environ["AW_DIST_TREE"]).resolve() if os.environ.get("AW_DIST_TREE") else None
WHEEL = Path(os.environ.get("AW_DIST_WHEEL", "/nonexistent")).resolve()
TARBALL = Path(os.environ.get("AW_DIST_TARBALL", "/nonexistent")).resolve()
ROOTS = TREE.parent / "roots" if TREE else None
MIRROR = "http://deb.debian.org/debian"


def readelf(*args) -> str:
    return subprocess.run(["readelf", *map(str, args)], capture_output=True, text=True, check=True).stdout


class Portable(StageTest):
    def setUp(self):
        if TREE is None:
            self.skipTest("make dist has not run (make check runs it and sets AW_DIST_TREE)")
        super().setUp()
        self.private = self.tmp / "private"
        self.private.mkdir()
        build_dep_libraries(self.private)
        self.wheel = dep_wheel(self.tmp, self.private)
        self.expected = self.answers(BIN / "auditwheel", self.tmp / "expected")

    def answers(self, auditwheel, out: Path, runner=(), out_inside=None, env=None):
        """(show --json, the repaired wheel's name and bytes) from `auditwheel`, run through `runner`
        (a chroot, in which `out` is `out_inside`; the wheel and the libraries have their paths)."""
        command = [*runner, str(auditwheel)]
        env = env or self.env
        show = subprocess.run([*command, "show", "--json", str(self.wheel)], capture_output=True, text=True,
                              env=dict(env, LD_LIBRARY_PATH=str(self.private)))
        self.assertEqual(show.returncode, 0, show.stderr)
        repair = subprocess.run([*command, "repair", "--add-path", str(self.private), "-w", str(out_inside or out),
                                 str(self.wheel)], capture_output=True, text=True, env=env)
        self.assertEqual(repair.returncode, 0, repair.stderr)
        (written,) = out.iterdir()
        return json.loads(show.stdout), written.name, written.read_bytes()

    def test_the_program_is_static_and_the_archives_are_reproducible(self):
        program = TREE / "bin/auditwheel-stages"
        self.assertNotIn("INTERP", readelf("-lW", program))
        self.assertNotIn("(NEEDED)", readelf("-dW", program))
        for args, said in (((), "no stage given"), (("whl-nope", "x"), 'no stage named "whl-nope"')):
            result = subprocess.run([str(program), *args], capture_output=True, text=True)
            self.assertEqual((result.returncode, result.stdout), (2, ""))
            self.assertEqual(result.stderr.count("\n"), 1, result.stderr)
            self.assertTrue(result.stderr.startswith(f"auditwheel-stages: error: {said}"), result.stderr)
        link = self.tmp / "rpath-set"
        link.symlink_to(program)
        printed = subprocess.run([str(link), "--print-soname", str(self.private / "libdep.so.1.0")],
                                 capture_output=True, text=True)
        self.assertEqual((printed.returncode, printed.stdout), (0, "libdep.so.1\n"), printed.stderr)
        for option, built in (("--out", WHEEL), ("--tarball", TARBALL)):
            again = self.tmp / ("again-" + built.name)
            args = ["--platforms", WHEEL.name.split("-")[-1].removesuffix(".whl")] if option == "--out" else []
            subprocess.run([sys.executable, str(ROOT / "tools/dist/make-wheel.py"), "--tree", str(TREE), "--version",
                            WHEEL.name.split("-")[1], *args, option, str(again)], check=True)
            self.assertEqual(again.read_bytes(), built.read_bytes(), f"{built.name} is not reproducible")

    def test_our_show_agrees_with_the_wheels_tag(self):
        tags = WHEEL.name.removesuffix(".whl").split("-")[-1].split(".")
        shown = subprocess.run([str(BIN / "auditwheel"), "show", "--json", str(WHEEL)], capture_output=True, text=True,
                               env=self.env)
        self.assertEqual(json.loads(shown.stdout)["overall_tag"], tags[0], shown.stderr)
        text = " ".join(subprocess.run([str(BIN / "auditwheel"), "show", str(WHEEL)], capture_output=True,
                                       text=True, env=self.env).stdout.split())
        self.assertIn(f'also consistent with the platform tag "{tags[-1]}"', text)
        with zipfile.ZipFile(WHEEL) as z:
            wheel_text = next(z.read(n).decode() for n in z.namelist() if n.endswith(".dist-info/WHEEL"))
        self.assertEqual([line.split("-")[-1] for line in wheel_text.splitlines() if line.startswith("Tag: ")], tags)

    def test_pip_installs_it_and_it_runs_from_the_venv_and_through_a_link(self):
        venv = self.install_in_fresh_venv(WHEEL)
        for name in ("whl-unpack", "elf-deps", "elf-symvers", "policy-check", "lib-graft", "rpath-set", "whl-pack"):
            usage = subprocess.run([name, "--help"], capture_output=True, text=True,
                                   env=dict(self.env, PATH=f"{venv}/bin:/usr/bin:/bin"))
            self.assertEqual(usage.returncode, 0, usage.stderr)
            self.assertTrue(usage.stdout.startswith(f"usage: {name}"), usage.stdout)
            script = (venv / "bin" / name).read_text()
            self.assertNotIn("@STAGE@", script)
            self.assertIn(f"(see {name}(1))", script)
        self.assertTrue((venv / "share/man/man1/auditwheel.1").is_file())
        self.assertTrue((venv / "share/man/man7/auditwheel-records.7").is_file())
        self.assertEqual(self.answers(venv / "bin/auditwheel", self.tmp / "venv-out"), self.expected)
        link = self.tmp / "home-bin/auditwheel"
        link.parent.mkdir()
        link.symlink_to(venv / "bin/auditwheel")
        self.assertEqual(self.answers(link, self.tmp / "link-out"), self.expected)

    def test_the_tarball_runs_where_it_is_unpacked(self):
        with tarfile.open(TARBALL) as archive:
            archive.extractall(self.tmp / "unpacked", **({"filter": "tar"} if hasattr(tarfile, "tar_filter") else {}))
        (top,) = (self.tmp / "unpacked").iterdir()
        self.assertEqual(self.answers(top / "bin/auditwheel", self.tmp / "tar-out"), self.expected)

    def make_root(self, name) -> Path:
        """A root under the test's scratch folder holding the tree at /opt/auditwheel, /dev/null, /tmp,
        and the test's wheel and private libraries where they are on the host."""
        if os.geteuid() != 0:
            self.skipTest("chroot needs root")
        root = self.tmp / name
        (root / "dev").mkdir(parents=True)
        subprocess.run(["mknod", "-m", "666", str(root / "dev/null"), "c", "1", "3"], check=True)
        (root / "tmp").mkdir(mode=0o1777)
        shutil.copytree(TREE, root / "opt/auditwheel", symlinks=True)
        shutil.copytree(self.private, root / self.private.relative_to("/"), symlinks=True)
        shutil.copy2(self.wheel, root / self.wheel.relative_to("/"))
        return root

    def in_root(self, root):
        (root / "out").mkdir()
        return self.answers("/opt/auditwheel/bin/auditwheel", root / "out", runner=("chroot", str(root)),
                            out_inside="/out", env=dict(self.env, TMPDIR="/tmp"))

    def busybox(self) -> Path:
        """Debian's busybox-static, downloaded once into the roots cache (never installed: it
        conflicts with busybox)."""
        program = ROOTS / "busybox/bin/busybox"
        if not program.exists():
            download = ROOTS / "download"
            download.mkdir(parents=True, exist_ok=True)
            got = subprocess.run(["apt-get", "download", "busybox-static"], cwd=download, capture_output=True, text=True)
            debs = sorted(download.glob("busybox-static_*.deb"))
            if got.returncode != 0 or not debs:
                self.skipTest(f"busybox-static could not be downloaded: {got.stderr.strip()[-200:]}")
            subprocess.run(["dpkg-deb", "-x", str(debs[-1]), str(ROOTS / "busybox")], check=True)
        return program

    def busybox_root(self, name) -> Path:
        root = self.make_root(name)
        (root / "bin").mkdir()
        shutil.copy2(self.busybox(), root / "bin/busybox")
        applets = subprocess.run([str(root / "bin/busybox"), "--list"], capture_output=True, text=True, check=True)
        for applet in applets.stdout.split():
            if not (root / "bin" / applet).exists():
                (root / "bin" / applet).symlink_to("busybox")
        return root

    def test_it_runs_in_a_root_with_busybox_and_no_libc(self):
        root = self.busybox_root("busybox")
        self.assertFalse(list(root.rglob("libc.so*")))
        self.assertEqual(self.in_root(root), self.expected)

    def test_a_musl_root_is_told_by_its_libc_as_pypa_auditwheel_does(self):
        """Alpine's shape: busybox and musl's libc as /lib/libc.musl-x86_64.so.1, run to learn its
        version; a wheel of static programs then defaults to musl ("defaulting to musl"), as pypa
        auditwheel's Libc.detect decides, and show offers the oldest manylinux tag as well."""
        musl = Path("/usr/lib/x86_64-linux-musl/libc.so")
        if not musl.is_file():
            self.skipTest("musl is not installed (Debian's musl package)")
        root = self.busybox_root("alpine")
        (root / "lib").mkdir()
        shutil.copy2(musl, root / "lib/libc.musl-x86_64.so.1")
        shutil.copy2(WHEEL, root / WHEEL.name)
        shown = subprocess.run(["chroot", str(root), "/opt/auditwheel/bin/auditwheel", "show", f"/{WHEEL.name}"],
                               capture_output=True, text=True, env=dict(self.env, TMPDIR="/tmp"))
        self.assertEqual(shown.returncode, 0, shown.stderr)
        self.assertIn("couldn't detect wheel libc, defaulting to musl", shown.stderr)
        text = " ".join(shown.stdout.split())
        self.assertIn('consistent with the following platform tag: "musllinux_1_2_x86_64"', text)
        self.assertIn('also consistent with the platform tag "manylinux_2_5_x86_64"', text)

    def test_it_runs_in_debian_11(self):
        cached = ROOTS / "bullseye"
        if not (cached / "etc/debian_version").exists():
            if os.geteuid() != 0 or not shutil.which("debootstrap"):
                self.skipTest("a Debian 11 root needs root and debootstrap")
            shutil.rmtree(cached, ignore_errors=True)
            made = subprocess.run(["debootstrap", "--variant=minbase", "bullseye", str(cached), MIRROR],
                                  capture_output=True, text=True)
            if made.returncode != 0:
                shutil.rmtree(cached, ignore_errors=True)
                self.skipTest(f"debootstrap bullseye failed: {made.stdout.strip()[-300:]}")
        self.assertTrue((cached / "etc/debian_version").read_text().startswith("11."))
        root = self.make_root("bullseye")
        subprocess.run(["cp", "-a", "--no-clobber", f"{cached}/.", str(root)], check=True)
        self.assertEqual(self.in_root(root), self.expected)
