"""auditwheel repair end to end: wheels built here from tests/data, repaired, inspected with
readelf, installed into a fresh venv and run with the private library directory gone."""
import glob
import hashlib
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sysconfig
import time
import zipfile
from pathlib import Path
from urllib.parse import quote

from elfkit import compile_shared, dynamic_tags
from wheelkit import BIN, DATA, SHARED_WHEELS, StageTest, build_dep_extension, build_dep_libraries, dep_wheel, make_wheel, python_tag

from test_auditwheel_show import SCHEMA, validate  # noqa: E402

EXT_SUFFIX = sysconfig.get_config_var("EXT_SUFFIX")

# ../shared/wheels repaired with --plat auto: the platform tags of the output, or (exit status,
# message) of the refusal, derived from the behaviour file (sections 1.6, 2.12-2.14, 5.2):
# cross-architecture repairs need nothing grafted; libpython is removed, not grafted; PyFPE
# keeps show at linux but is not a repair check, so auto repairs to the newest policy.
SHARED_REPAIRS = {
    "glibc/testsimple-0.0.1-cp313-cp313-linux_x86_64.whl": "manylinux1_x86_64.manylinux_2_5_x86_64",
    "glibc/testsimple-0.0.1-cp313-cp313-linux_i686.whl": "manylinux1_i686.manylinux_2_5_i686",
    "glibc/testsimple-0.0.1-cp313-cp313-linux_aarch64.whl": "manylinux2014_aarch64.manylinux_2_17_aarch64",
    "glibc/testsimple-0.0.1-cp313-cp313-linux_armv7l.whl": "manylinux2014_armv7l.manylinux_2_17_armv7l",
    "glibc/testsimple-0.0.1-cp313-cp313-linux_ppc64le.whl": "manylinux2014_ppc64le.manylinux_2_17_ppc64le",
    "glibc/testsimple-0.0.1-cp313-cp313-linux_s390x.whl": "manylinux2014_s390x.manylinux_2_17_s390x",
    "glibc/testsimple-0.0.1-cp313-cp313-linux_riscv64.whl": "manylinux_2_31_riscv64",
    "glibc/testsimple-0.0.1-cp313-cp313-linux_armv5l.whl": (1, "Invalid binary wheel"),
    "glibc/testsimple-0.0.1-cp313-cp313-linux_mips64.whl": (1, "Invalid binary wheel"),
    "musllinux_1_2/testsimple-0.0.1-cp312-cp312-linux_x86_64.whl": "musllinux_1_2_x86_64",
    "musllinux_1_2/testsimple-0.0.1-cp312-cp312-linux_i686.whl": "musllinux_1_2_i686",
    "musllinux_1_2/testsimple-0.0.1-cp312-cp312-linux_aarch64.whl": "musllinux_1_2_aarch64",
    # armv6l files are ARM: judged as armv7l, whose linux tag is the one replaced.
    "musllinux_1_2/testsimple-0.0.1-cp312-cp312-linux_armv6l.whl": "linux_armv6l.musllinux_1_2_armv7l",
    "musllinux_1_2/testsimple-0.0.1-cp312-cp312-linux_armv7l.whl": "musllinux_1_2_armv7l",
    "musllinux_1_2/testsimple-0.0.1-cp312-cp312-linux_ppc64le.whl": "musllinux_1_2_ppc64le",
    "musllinux_1_2/testsimple-0.0.1-cp312-cp312-linux_riscv64.whl": "musllinux_1_2_riscv64",
    "musllinux_1_2/testsimple-0.0.1-cp312-cp312-linux_s390x.whl": "musllinux_1_2_s390x",
    "musllinux_1_2/testsimple-0.0.1-cp310-cp310-linux_x86_64.whl": (1, "couldn't detect libc"),
    "python_mscl-67.0.1.0-cp313-cp313-manylinux2014_aarch64.whl": "manylinux2014_aarch64.manylinux_2_31_aarch64",
    "cffi-1.5.0-cp27-none-linux_x86_64.whl": (2, "UCS2 build of Python"),
    "fpewheel-0.0.0-cp35-cp35m-linux_x86_64.whl": "manylinux_2_41_x86_64",
    "android/spam-0.1.0-cp313-cp313-android_24_arm64_v8a.whl": (1, 'required library "libc++_shared.so" could not be located'),
    "plumbum-1.6.8-py2.py3-none-any.whl": (1, "does not look like a platform wheel"),
}
# pypa auditwheel 6.8.1's log of `repair --plat auto` of each shared wheel on a Debian 12 x86_64
# host (its INFO and WARNING lines, logger prefixes dropped; "W " marks a WARNING; written
# wheel names without their folder).
SHARED_REPAIR_LOGS = {
    'android/spam-0.1.0-cp313-cp313-android_24_arm64_v8a.whl': (
        'Repairing spam-0.1.0-cp313-cp313-android_24_arm64_v8a.whl',
        'Skip libpython3.13.so resolution',
    ),
    'cffi-1.5.0-cp27-none-linux_x86_64.whl': (
        'Repairing cffi-1.5.0-cp27-none-linux_x86_64.whl',
        'Skip libpython2.7.so.1.0 resolution',
        'setting libc to glibc',
    ),
    'fpewheel-0.0.0-cp35-cp35m-linux_x86_64.whl': (
        'Repairing fpewheel-0.0.0-cp35-cp35m-linux_x86_64.whl',
        'setting libc to glibc',
        'Previous filename tags: linux_x86_64',
        'New filename tags: manylinux_2_41_x86_64',
        'Previous WHEEL info tags: cp35-cp35m-linux_x86_64',
        'New WHEEL info tags: cp35-cp35m-manylinux_2_41_x86_64',
        'Fixed-up wheel written to fpewheel-0.0.0-cp35-cp35m-manylinux_2_41_x86_64.whl',
    ),
    'glibc/testsimple-0.0.1-cp313-cp313-linux_aarch64.whl': (
        'Repairing testsimple-0.0.1-cp313-cp313-linux_aarch64.whl',
        'setting libc to glibc',
        'Previous filename tags: linux_aarch64',
        'New filename tags: manylinux_2_17_aarch64, manylinux2014_aarch64',
        'Previous WHEEL info tags: cp313-cp313-linux_aarch64',
        'New WHEEL info tags: cp313-cp313-manylinux_2_17_aarch64, cp313-cp313-manylinux2014_aarch64',
        'Fixed-up wheel written to testsimple-0.0.1-cp313-cp313-manylinux2014_aarch64.manylinux_2_17_aarch64.whl',
    ),
    'glibc/testsimple-0.0.1-cp313-cp313-linux_armv5l.whl': (
        "W couldn't guess architecture for platform tag 'linux_armv5l'",
        'W The architecture could not be deduced from the wheel filename',
        'Repairing testsimple-0.0.1-cp313-cp313-linux_armv5l.whl',
        'W ignoring: testsimple.cpython-313-arm-linux-gnueabi.so with unknown architecture',
        'This does not look like a platform wheel, no ELF executable or shared library file (including compiled Python C extension) found in the wheel archive',
    ),
    'glibc/testsimple-0.0.1-cp313-cp313-linux_armv7l.whl': (
        'Repairing testsimple-0.0.1-cp313-cp313-linux_armv7l.whl',
        'setting libc to glibc',
        'Previous filename tags: linux_armv7l',
        'New filename tags: manylinux_2_17_armv7l, manylinux2014_armv7l',
        'Previous WHEEL info tags: cp313-cp313-linux_armv7l',
        'New WHEEL info tags: cp313-cp313-manylinux_2_17_armv7l, cp313-cp313-manylinux2014_armv7l',
        'Fixed-up wheel written to testsimple-0.0.1-cp313-cp313-manylinux2014_armv7l.manylinux_2_17_armv7l.whl',
    ),
    'glibc/testsimple-0.0.1-cp313-cp313-linux_i686.whl': (
        'Repairing testsimple-0.0.1-cp313-cp313-linux_i686.whl',
        'setting libc to glibc',
        'Previous filename tags: linux_i686',
        'New filename tags: manylinux_2_5_i686, manylinux1_i686',
        'Previous WHEEL info tags: cp313-cp313-linux_i686',
        'New WHEEL info tags: cp313-cp313-manylinux_2_5_i686, cp313-cp313-manylinux1_i686',
        'Fixed-up wheel written to testsimple-0.0.1-cp313-cp313-manylinux1_i686.manylinux_2_5_i686.whl',
    ),
    'glibc/testsimple-0.0.1-cp313-cp313-linux_mips64.whl': (
        "W couldn't guess architecture for platform tag 'linux_mips64'",
        'W The architecture could not be deduced from the wheel filename',
        'Repairing testsimple-0.0.1-cp313-cp313-linux_mips64.whl',
        'W ignoring: testsimple.cpython-311-mips64el-linux-gnuabi64.so with unknown architecture',
        'This does not look like a platform wheel, no ELF executable or shared library file (including compiled Python C extension) found in the wheel archive',
    ),
    'glibc/testsimple-0.0.1-cp313-cp313-linux_ppc64le.whl': (
        'Repairing testsimple-0.0.1-cp313-cp313-linux_ppc64le.whl',
        'setting libc to glibc',
        'Previous filename tags: linux_ppc64le',
        'New filename tags: manylinux_2_17_ppc64le, manylinux2014_ppc64le',
        'Previous WHEEL info tags: cp313-cp313-linux_ppc64le',
        'New WHEEL info tags: cp313-cp313-manylinux_2_17_ppc64le, cp313-cp313-manylinux2014_ppc64le',
        'Fixed-up wheel written to testsimple-0.0.1-cp313-cp313-manylinux2014_ppc64le.manylinux_2_17_ppc64le.whl',
    ),
    'glibc/testsimple-0.0.1-cp313-cp313-linux_riscv64.whl': (
        'Repairing testsimple-0.0.1-cp313-cp313-linux_riscv64.whl',
        'setting libc to glibc',
        'Previous filename tags: linux_riscv64',
        'New filename tags: manylinux_2_31_riscv64',
        'Previous WHEEL info tags: cp313-cp313-linux_riscv64',
        'New WHEEL info tags: cp313-cp313-manylinux_2_31_riscv64',
        'Fixed-up wheel written to testsimple-0.0.1-cp313-cp313-manylinux_2_31_riscv64.whl',
    ),
    'glibc/testsimple-0.0.1-cp313-cp313-linux_s390x.whl': (
        'Repairing testsimple-0.0.1-cp313-cp313-linux_s390x.whl',
        'setting libc to glibc',
        'Previous filename tags: linux_s390x',
        'New filename tags: manylinux_2_17_s390x, manylinux2014_s390x',
        'Previous WHEEL info tags: cp313-cp313-linux_s390x',
        'New WHEEL info tags: cp313-cp313-manylinux_2_17_s390x, cp313-cp313-manylinux2014_s390x',
        'Fixed-up wheel written to testsimple-0.0.1-cp313-cp313-manylinux2014_s390x.manylinux_2_17_s390x.whl',
    ),
    'glibc/testsimple-0.0.1-cp313-cp313-linux_x86_64.whl': (
        'Repairing testsimple-0.0.1-cp313-cp313-linux_x86_64.whl',
        'setting libc to glibc',
        'Previous filename tags: linux_x86_64',
        'New filename tags: manylinux_2_5_x86_64, manylinux1_x86_64',
        'Previous WHEEL info tags: cp313-cp313-linux_x86_64',
        'New WHEEL info tags: cp313-cp313-manylinux_2_5_x86_64, cp313-cp313-manylinux1_x86_64',
        'Fixed-up wheel written to testsimple-0.0.1-cp313-cp313-manylinux1_x86_64.manylinux_2_5_x86_64.whl',
    ),
    'musllinux_1_2/testsimple-0.0.1-cp310-cp310-linux_x86_64.whl': (
        'Repairing testsimple-0.0.1-cp310-cp310-linux_x86_64.whl',
    ),
    'musllinux_1_2/testsimple-0.0.1-cp312-cp312-linux_aarch64.whl': (
        'Repairing testsimple-0.0.1-cp312-cp312-linux_aarch64.whl',
        'setting libc to musl',
        "W can't determine musl libc version, latest known version will be used.",
        'Previous filename tags: linux_aarch64',
        'New filename tags: musllinux_1_2_aarch64',
        'Previous WHEEL info tags: cp312-cp312-linux_aarch64',
        'New WHEEL info tags: cp312-cp312-musllinux_1_2_aarch64',
        'Fixed-up wheel written to testsimple-0.0.1-cp312-cp312-musllinux_1_2_aarch64.whl',
    ),
    'musllinux_1_2/testsimple-0.0.1-cp312-cp312-linux_armv6l.whl': (
        "W couldn't guess architecture for platform tag 'linux_armv6l'",
        'W The architecture could not be deduced from the wheel filename',
        'Repairing testsimple-0.0.1-cp312-cp312-linux_armv6l.whl',
        'setting architecture to armv7l',
        'setting libc to musl',
        "W can't determine musl libc version, latest known version will be used.",
        'Previous filename tags: linux_armv6l',
        'New filename tags: linux_armv6l, musllinux_1_2_armv7l',
        'Previous WHEEL info tags: cp312-cp312-linux_armv6l',
        'New WHEEL info tags: cp312-cp312-linux_armv6l, cp312-cp312-musllinux_1_2_armv7l',
        'Fixed-up wheel written to testsimple-0.0.1-cp312-cp312-linux_armv6l.musllinux_1_2_armv7l.whl',
    ),
    'musllinux_1_2/testsimple-0.0.1-cp312-cp312-linux_armv7l.whl': (
        'Repairing testsimple-0.0.1-cp312-cp312-linux_armv7l.whl',
        'setting libc to musl',
        "W can't determine musl libc version, latest known version will be used.",
        'Previous filename tags: linux_armv7l',
        'New filename tags: musllinux_1_2_armv7l',
        'Previous WHEEL info tags: cp312-cp312-linux_armv7l',
        'New WHEEL info tags: cp312-cp312-musllinux_1_2_armv7l',
        'Fixed-up wheel written to testsimple-0.0.1-cp312-cp312-musllinux_1_2_armv7l.whl',
    ),
    'musllinux_1_2/testsimple-0.0.1-cp312-cp312-linux_i686.whl': (
        'Repairing testsimple-0.0.1-cp312-cp312-linux_i686.whl',
        'setting libc to musl',
        "W can't determine musl libc version, latest known version will be used.",
        'Previous filename tags: linux_i686',
        'New filename tags: musllinux_1_2_i686',
        'Previous WHEEL info tags: cp312-cp312-linux_i686',
        'New WHEEL info tags: cp312-cp312-musllinux_1_2_i686',
        'Fixed-up wheel written to testsimple-0.0.1-cp312-cp312-musllinux_1_2_i686.whl',
    ),
    'musllinux_1_2/testsimple-0.0.1-cp312-cp312-linux_ppc64le.whl': (
        'Repairing testsimple-0.0.1-cp312-cp312-linux_ppc64le.whl',
        'setting libc to musl',
        "W can't determine musl libc version, latest known version will be used.",
        'Previous filename tags: linux_ppc64le',
        'New filename tags: musllinux_1_2_ppc64le',
        'Previous WHEEL info tags: cp312-cp312-linux_ppc64le',
        'New WHEEL info tags: cp312-cp312-musllinux_1_2_ppc64le',
        'Fixed-up wheel written to testsimple-0.0.1-cp312-cp312-musllinux_1_2_ppc64le.whl',
    ),
    'musllinux_1_2/testsimple-0.0.1-cp312-cp312-linux_riscv64.whl': (
        'Repairing testsimple-0.0.1-cp312-cp312-linux_riscv64.whl',
        'setting libc to musl',
        "W can't determine musl libc version, latest known version will be used.",
        'Previous filename tags: linux_riscv64',
        'New filename tags: musllinux_1_2_riscv64',
        'Previous WHEEL info tags: cp312-cp312-linux_riscv64',
        'New WHEEL info tags: cp312-cp312-musllinux_1_2_riscv64',
        'Fixed-up wheel written to testsimple-0.0.1-cp312-cp312-musllinux_1_2_riscv64.whl',
    ),
    'musllinux_1_2/testsimple-0.0.1-cp312-cp312-linux_s390x.whl': (
        'Repairing testsimple-0.0.1-cp312-cp312-linux_s390x.whl',
        'setting libc to musl',
        "W can't determine musl libc version, latest known version will be used.",
        'Previous filename tags: linux_s390x',
        'New filename tags: musllinux_1_2_s390x',
        'Previous WHEEL info tags: cp312-cp312-linux_s390x',
        'New WHEEL info tags: cp312-cp312-musllinux_1_2_s390x',
        'Fixed-up wheel written to testsimple-0.0.1-cp312-cp312-musllinux_1_2_s390x.whl',
    ),
    'musllinux_1_2/testsimple-0.0.1-cp312-cp312-linux_x86_64.whl': (
        'Repairing testsimple-0.0.1-cp312-cp312-linux_x86_64.whl',
        'setting libc to musl',
        "W can't determine musl libc version, latest known version will be used.",
        'Previous filename tags: linux_x86_64',
        'New filename tags: musllinux_1_2_x86_64',
        'Previous WHEEL info tags: cp312-cp312-linux_x86_64',
        'New WHEEL info tags: cp312-cp312-musllinux_1_2_x86_64',
        'Fixed-up wheel written to testsimple-0.0.1-cp312-cp312-musllinux_1_2_x86_64.whl',
    ),
    'plumbum-1.6.8-py2.py3-none-any.whl': (
        'W The architecture could not be deduced from the wheel filename',
        'Repairing plumbum-1.6.8-py2.py3-none-any.whl',
        'This does not look like a platform wheel, no ELF executable or shared library file (including compiled Python C extension) found in the wheel archive',
    ),
    'python_mscl-67.0.1.0-cp313-cp313-manylinux2014_aarch64.whl': (
        'Repairing python_mscl-67.0.1.0-cp313-cp313-manylinux2014_aarch64.whl',
        'Skip libpython3.13.so.1.0 resolution',
        'W Removing libpython3.13.so.1.0 dependency from python_mscl/_mscl.so. Linking with libpython is forbidden for manylinux/musllinux wheels.',
        'Previous filename tags: manylinux2014_aarch64',
        'New filename tags: manylinux2014_aarch64, manylinux_2_31_aarch64',
        'Previous WHEEL info tags: cp313-cp313-manylinux2014_aarch64',
        'New WHEEL info tags: cp313-cp313-manylinux2014_aarch64, cp313-cp313-manylinux_2_31_aarch64',
        'Fixed-up wheel written to python_mscl-67.0.1.0-cp313-cp313-manylinux2014_aarch64.manylinux_2_31_aarch64.whl',
    ),
}
HASHED = r"[0-9a-f]{8}"


def short_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:8]


class RepairTest(StageTest):
    def setUp(self):
        super().setUp()
        self.private = self.tmp / "private"
        self.tag = f"{python_tag()}-{python_tag()}-linux_x86_64"

    def auditwheel(self, *args, env=None, expect=0, cwd=None):
        result = subprocess.run([str(BIN / "auditwheel"), *map(str, args)], capture_output=True, text=True,
                                env=env or self.env, cwd=cwd)
        if expect is not None:
            self.assertEqual(result.returncode, expect, f"auditwheel {args}: {result.stderr}")
        return self.says_where_in_user_terms(result)

    def private_env(self):
        return dict(self.env, LD_LIBRARY_PATH=str(self.private))

    def build_libraries(self, cc="gcc"):
        build_dep_libraries(self.private, cc)

    def extension(self, module="_dep", *flags, function="dep_value") -> bytes:
        return build_dep_extension(self.tmp / "build", module, *flags, function=function)

    def program(self, cc="gcc") -> bytes:
        out = self.tmp / "build" / "prog"
        out.parent.mkdir(exist_ok=True)
        subprocess.run([cc, "-o", str(out), str(DATA / "dep_prog.c"), f"-L{self.private}", "-ldep",
                        f"-Wl,-rpath-link,{self.private}"], check=True, capture_output=True)
        return out.read_bytes()

    def foo_wheel(self, *extra_files, ext_flags=()):
        return dep_wheel(self.tmp, self.private, *extra_files, ext_flags=ext_flags)

    def repair(self, wheel, *args, env=None, wheel_dir=None):
        wheel_dir = wheel_dir or self.tmp / "wheelhouse"
        self.auditwheel("repair", "-w", wheel_dir, *args, wheel, env=env or self.private_env())
        written = sorted(Path(wheel_dir).iterdir())
        self.assertEqual(len(written), 1, written)
        self.assert_valid_wheel(written[0])
        return written[0]

    def extract(self, wheel: Path) -> Path:
        out = self.tmp / ("x-" + wheel.name)
        with zipfile.ZipFile(wheel) as z:
            z.extractall(out)
            for info in z.infolist():
                if not info.is_dir():
                    os.chmod(out / info.filename, info.external_attr >> 16 & 0o777)
        return out

    def run_installed(self, wheel: Path, code: str) -> str:
        """Installs `wheel` into a fresh venv and runs `code` there with the private
        libraries gone and no LD_LIBRARY_PATH."""
        venv = self.install_in_fresh_venv(wheel)
        shutil.rmtree(self.private)
        env = {k: v for k, v in self.env.items() if k != "LD_LIBRARY_PATH"}
        run = subprocess.run([str(venv / "bin/python"), "-c", code], capture_output=True, text=True, env=env,
                             cwd=self.tmp)
        self.assertEqual(run.returncode, 0, run.stderr)
        return run.stdout


class Repair(RepairTest):
    def test_a_private_library_chain_is_grafted_and_loads_from_the_wheel(self):
        self.build_libraries()
        original = self.foo_wheel()
        before = original.read_bytes()
        repaired = self.repair(original)
        self.assertEqual(original.read_bytes(), before, "the input wheel changed")
        self.assertEqual(repaired.name, f"foo-1.0-{python_tag()}-{python_tag()}-manylinux1_x86_64.manylinux_2_5_x86_64.whl")
        tree = self.extract(repaired)
        dep = f"libdep-{short_hash(self.private / 'libdep.so.1.0')}.so.1.0"
        dep2 = f"libdep2-{short_hash(self.private / 'libdep2.so.1.2.3')}.so.1.2.3"
        self.assertEqual(sorted(os.listdir(tree / "foo.libs")), [dep, dep2])
        self.assertFalse((tree / "foo-1.0.dist-info/sboms").exists(), "no package owns them: no SBOM")
        self.assertEqual(dynamic_tags(tree / f"foo/_dep{EXT_SUFFIX}"),
                         {"NEEDED": [dep], "RPATH": ["$ORIGIN/../foo.libs"]})
        self.assertEqual(dynamic_tags(tree / "foo.libs" / dep),
                         {"NEEDED": [dep2, "libc.so.6"], "SONAME": [dep], "RPATH": ["$ORIGIN"]})
        self.assertEqual(dynamic_tags(tree / "foo.libs" / dep2), {"NEEDED": ["libc.so.6"], "SONAME": [dep2]})
        with zipfile.ZipFile(repaired) as z:
            wheel_text = z.read("foo-1.0.dist-info/WHEEL").decode()
        py = python_tag()
        self.assertIn(f"Tag: {py}-{py}-manylinux_2_5_x86_64\nTag: {py}-{py}-manylinux1_x86_64\n", wheel_text)
        self.assertEqual(self.run_installed(repaired, "import foo; print(foo.value())"), "42\n")
        self.assert_nothing_left()

    def test_add_path_finds_libraries_without_ld_library_path(self):
        self.build_libraries()
        repaired = self.repair(self.foo_wheel(), "--add-path", self.private, env=self.env)
        self.assertEqual(len(os.listdir(self.extract(repaired) / "foo.libs")), 2)

    def test_relative_library_paths_are_read_from_the_current_folder(self):
        # As ld.so reads them (LD_LIBRARY_PATH=build/lib in CI scripts); an empty LD_LIBRARY_PATH
        # entry is the current folder to glibc's ld.so. pypa auditwheel 6.8.1 fails ("could not be
        # located"): it reads them from the temporary folder it unpacked the wheel into.
        self.build_libraries()
        wheel = self.foo_wheel()
        base = {k: v for k, v in self.env.items() if k not in ("LD_LIBRARY_PATH", "AUDITWHEEL_LD_LIBRARY_PATH")}
        forms = {
            "LD_LIBRARY_PATH": ((), dict(base, LD_LIBRARY_PATH="private"), self.tmp),
            "AUDITWHEEL_LD_LIBRARY_PATH": ((), dict(base, AUDITWHEEL_LD_LIBRARY_PATH="./build/../private"), self.tmp),
            "empty entry": ((), dict(base, LD_LIBRARY_PATH="/nonexistent::"), self.private),
            "--add-path": (("--add-path", "private"), base, self.tmp),
            "--ldpaths": (("--ldpaths", "private:/lib/x86_64-linux-gnu"), base, self.tmp),
        }
        for index, (form, (options, env, cwd)) in enumerate(forms.items()):
            with self.subTest(form=form):
                if form != "--add-path":  # a repair option only, as in pypa auditwheel
                    shown = json.loads(self.auditwheel("show", "--json", *options, wheel, env=env, cwd=cwd).stdout)
                    self.assertEqual(shown["external_libs"]["libdep.so.1"], str(self.private / "libdep.so.1.0"))
                out = self.tmp / f"out{index}"
                self.auditwheel("repair", "-w", out, *options, wheel, env=env, cwd=cwd)
                (repaired,) = out.iterdir()
                self.assertEqual(len(os.listdir(self.extract(repaired) / "foo.libs")), 2)

    def test_an_rpath_layout_keeps_no_path_outside_the_wheel(self):
        self.build_libraries()
        # Found through the extension's own RUNPATH (which libdep2's users do not inherit: use it directly).
        ext = self.extension("_dep", f"-L{self.private}", "-ldep2", f"-Wl,-rpath,{self.private}",
                             "-Wl,--enable-new-dtags", function="dep2_value")
        wheel = make_wheel(self.tmp, name="foo", tag=self.tag, purelib=False,
                           files=[("foo/__init__.py", b"from ._dep import value\n", 0o644),
                                  (f"foo/_dep{EXT_SUFFIX}", ext, 0o755)])
        repaired = self.repair(wheel, env=self.env)
        tree = self.extract(repaired)
        tags = dynamic_tags(tree / f"foo/_dep{EXT_SUFFIX}")
        self.assertEqual(tags["RPATH"], ["$ORIGIN/../foo.libs"])
        self.assertNotIn("RUNPATH", tags)
        self.assertEqual(self.run_installed(repaired, "import foo; print(foo.value())"), "40\n")

    def test_internal_rpath_and_two_top_level_packages_share_one_library_directory(self):
        self.build_libraries()
        internal = compile_shared(self.tmp / "build/libinternal.so", "internal", value=0,
                                  needs=[(self.private, "dep")])
        ext_a = self.extension("_a", f"-L{internal.parent}", "-linternal", "-Wl,-rpath,$ORIGIN/lib:/opt/elsewhere",
                               function="internal_value")
        ext_b = self.extension("_b", f"-L{self.private}", "-ldep")
        files = [("pkga/__init__.py", b"from ._a import value\n", 0o644), (f"pkga/_a{EXT_SUFFIX}", ext_a, 0o755),
                 ("pkga/lib/libinternal.so", internal.read_bytes(), 0o755),
                 ("pkgb/__init__.py", b"from ._b import value\n", 0o644), (f"pkgb/_b{EXT_SUFFIX}", ext_b, 0o755)]
        repaired = self.repair(make_wheel(self.tmp, name="foo", tag=self.tag, purelib=False, files=files))
        tree = self.extract(repaired)
        self.assertEqual(sorted(p.name for p in tree.iterdir() if p.name.endswith(".libs")), ["foo.libs"])
        self.assertEqual(len(os.listdir(tree / "foo.libs")), 2)
        self.assertEqual(dynamic_tags(tree / f"pkga/_a{EXT_SUFFIX}")["RPATH"], ["$ORIGIN/lib:$ORIGIN/../foo.libs"])
        self.assertEqual(dynamic_tags(tree / "pkga/lib/libinternal.so")["RPATH"], ["$ORIGIN/../../foo.libs"])
        self.assertEqual(dynamic_tags(tree / f"pkgb/_b{EXT_SUFFIX}")["RPATH"], ["$ORIGIN/../foo.libs"])
        out = self.run_installed(repaired, "import pkga, pkgb; print(pkga.value(), pkgb.value())")
        self.assertEqual(out, "42 42\n")

    def test_a_script_executable_moves_beside_its_libraries_behind_a_shim(self):
        self.build_libraries()
        prog = self.program()
        plain = compile_shared(self.tmp / "build/plain", "plain")  # an ELF script with no external library
        wheel = self.foo_wheel(("foo-1.0.data/scripts/prog", prog, 0o755),
                               ("foo-1.0.data/scripts/plain", plain.read_bytes(), 0o755))
        repaired = self.repair(wheel)
        self.assertIn("manylinux_2_34_x86_64", repaired.name)  # a program linked here needs GLIBC_2.34
        tree = self.extract(repaired)
        shim = (tree / "foo-1.0.data/scripts/prog").read_bytes()
        self.assertTrue(shim.startswith(b"#!python\n"), shim)
        self.assertIn(b'"foo.scripts/prog"', shim)
        self.assertEqual((tree / "foo-1.0.data/scripts/plain").read_bytes(), plain.read_bytes())
        self.assertEqual(dynamic_tags(tree / "foo.scripts/prog")["RPATH"], ["$ORIGIN/../foo.libs"])
        with zipfile.ZipFile(repaired) as z:
            modes = {i.filename: i.external_attr >> 16 & 0o777 for i in z.infolist()}
        self.assertEqual(modes["foo-1.0.data/scripts/prog"], 0o755)
        self.assertEqual(modes["foo.scripts/prog"], 0o755)
        out = self.run_installed(repaired, "import subprocess, sys, os; "
                                 "print(subprocess.run([os.path.join(os.path.dirname(sys.executable), 'prog')], "
                                 "capture_output=True, text=True, check=True).stdout, end='')")
        self.assertEqual(out, "42\n")

    def test_a_musl_executable_is_repaired_to_musllinux_and_runs(self):
        if not shutil.which("musl-gcc"):
            self.skipTest("musl-gcc is not installed")
        self.build_libraries(cc="musl-gcc")
        prog = self.program(cc="musl-gcc")
        # An extension for a musl CPython (its -linux-musl suffix tells its libc): this glibc
        # Python cannot import it, so its edits are checked with readelf; the program runs.
        extension = f"foo/_dep.cpython-{python_tag()[2:]}-x86_64-linux-musl.so"
        ext = build_dep_extension(self.tmp / "build", "_dep", f"-L{self.private}", "-ldep", cc="musl-gcc")
        wheel = make_wheel(self.tmp, name="foo", tag="py3-none-linux_x86_64", purelib=False,
                           files=[("foo-1.0.data/scripts/prog", prog, 0o755), (extension, ext, 0o755)])
        # Debian's musl-gcc links "libc.so", which no musllinux policy lists (musl's loader
        # answers any libc.* itself): keep it out, as a Debian user of pypa auditwheel must.
        repaired = self.repair(wheel, "--exclude", "libc.so")
        self.assertEqual(repaired.name, "foo-1.0-py3-none-musllinux_1_2_x86_64.whl")
        tree = self.extract(repaired)
        dep = f"libdep-{short_hash(self.private / 'libdep.so.1.0')}.so.1.0"
        self.assertEqual(dynamic_tags(tree / extension), {"NEEDED": [dep, "libc.so"], "RPATH": ["$ORIGIN/../foo.libs"]})
        shutil.rmtree(self.private)
        run = subprocess.run([str(tree / "foo.scripts/prog")], capture_output=True, text=True,
                             env={k: v for k, v in self.env.items() if k != "LD_LIBRARY_PATH"})
        self.assertEqual((run.returncode, run.stdout), (0, "42\n"), run.stderr)

    def test_each_exclude_form_keeps_the_library_and_its_dependencies_out(self):
        self.build_libraries()
        wheel = self.foo_wheel()
        for index, pattern in enumerate(("libdep.so.1", "libdep.so.[0-9]", "libdep*", f"{self.private}/*")):
            with self.subTest(pattern=pattern):
                repaired = self.repair(wheel, "--exclude", pattern, wheel_dir=self.tmp / f"out{index}")
                tree = self.extract(repaired)
                self.assertFalse((tree / "foo.libs").exists())
                self.assertEqual(dynamic_tags(tree / f"foo/_dep{EXT_SUFFIX}"), {"NEEDED": ["libdep.so.1"]})
        partial = self.repair(wheel, "--exclude", "libdep2.so.1", wheel_dir=self.tmp / "partial")
        self.assertEqual(len(os.listdir(self.extract(partial) / "foo.libs")), 1)

    def test_strip_drops_symbol_tables_of_grafted_libraries_and_members(self):
        self.build_libraries()
        wheel = self.foo_wheel(ext_flags=("-g",))
        sections = lambda path: subprocess.run(["readelf", "-S", "-W", str(path)], capture_output=True,  # noqa: E731
                                               text=True, check=True).stdout
        plain = self.extract(self.repair(wheel, wheel_dir=self.tmp / "plain"))
        self.assertIn(".symtab", sections(plain / f"foo/_dep{EXT_SUFFIX}"))
        repaired = self.repair(wheel, "--strip", wheel_dir=self.tmp / "stripped")
        tree = self.extract(repaired)
        files = [tree / f"foo/_dep{EXT_SUFFIX}", *(tree / "foo.libs").iterdir()]
        self.assertEqual(len(files), 3)
        for path in files:
            self.assertNotIn(".symtab", sections(path), path)
            self.assertNotIn(".debug_info", sections(path), path)
        # A file that grew keeps its size (the new segment's offset follows its address), but what
        # was stripped is zeros there: the wheel shrinks.
        compressed = lambda wheel: zipfile.ZipFile(wheel).getinfo(f"foo/_dep{EXT_SUFFIX}").compress_size  # noqa: E731
        self.assertLess(compressed(repaired), compressed(next((self.tmp / "plain").iterdir())))
        self.assertEqual(self.run_installed(repaired, "import foo; print(foo.value())"), "42\n")

    def test_an_executable_stack_request_is_shown_warned_about_and_cleared_on_request(self):
        """glibc 2.41 and later refuse to dlopen a library asking for an executable stack (pypa
        auditwheel's issue #634). show names the library to be grafted, a repair warns, and
        repair --clear-execstack clears the request on the grafted copy, which still loads."""
        if platform.machine() != "x86_64":
            self.skipTest("tests/data/execstack_dep.s is x86-64 assembly")
        self.private.mkdir()
        subprocess.run(["gcc", "-shared", "-o", str(self.private / "libdep.so.1"), str(DATA / "execstack_dep.s"),
                        "-Wl,-soname,libdep.so.1"], check=True, capture_output=True)
        os.symlink("libdep.so.1", self.private / "libdep.so")
        stack = lambda path: re.search(r"GNU_STACK(?:\s+\S+){5}\s+(\S+)", subprocess.run(  # noqa: E731
            ["readelf", "-lW", str(path)], capture_output=True, text=True, check=True).stdout).group(1)
        self.assertEqual(stack(self.private / "libdep.so.1"), "RWE")
        wheel = self.foo_wheel()

        shown = " ".join(self.auditwheel("show", wheel, env=self.private_env()).stdout.split())  # unwrapped
        self.assertIn("ask for an executable stack", shown)
        self.assertIn(f"libdep.so.1 ({self.private / 'libdep.so.1'}, to be grafted)", shown)
        report = json.loads(self.auditwheel("show", "--json", wheel, env=self.private_env()).stdout)
        self.assertEqual(report["executable_stack"], {"members": [], "libraries": {"libdep.so.1": str(self.private / "libdep.so.1")}})
        if SCHEMA.exists():
            checked = validate(report)
            self.assertEqual(checked.returncode, 0, checked.stderr)

        warned = self.auditwheel("repair", "-w", self.tmp / "plain", wheel, env=self.private_env())
        copy = f"foo.libs/libdep-{short_hash(self.private / 'libdep.so.1')}.so.1"
        self.assertIn(f"{copy} asks for an executable stack", warned.stderr)
        self.assertEqual(stack(self.extract(next((self.tmp / "plain").iterdir())) / copy), "RWE")

        repaired = self.repair(wheel, "--clear-execstack", wheel_dir=self.tmp / "cleared")
        tree = self.extract(repaired)
        self.assertEqual(stack(tree / copy), "RW")
        self.assertEqual(stack(tree / f"foo/_dep{EXT_SUFFIX}"), "RW")
        self.assertEqual(self.run_installed(repaired, "import foo; print(foo.value())"), "42\n")

    def test_the_repaired_wheel_is_the_same_whatever_the_number_of_threads(self):
        """whl-pack deflates a large member in 1 MiB chunks on every core (joined into one deflate
        stream): the wheel must not depend on the number of threads, and the member must inflate
        to its bytes with its CRC."""
        self.build_libraries()
        blob = self.tmp / "blob"
        blob.write_bytes(os.urandom(3 << 20) + b"".join(b"line %d of some text\n" % i for i in range(200000)))
        library = self.private / "libdep2.so.1.2.3"
        subprocess.run(["objcopy", "--add-section", f".blob={blob}", str(library)], check=True)
        wheel = self.foo_wheel()
        built = {}
        for threads in ("1", "4"):
            env = dict(self.private_env(), AUDITWHEEL_THREADS=threads)
            built[threads] = self.repair(wheel, env=env, wheel_dir=self.tmp / f"threads{threads}").read_bytes()
        self.assertEqual(built["1"], built["4"], "the wheel depends on the number of threads")
        repaired = next((self.tmp / "threads4").iterdir())
        with zipfile.ZipFile(repaired) as z:
            self.assertIsNone(z.testzip())  # every CRC matches
            grafted = next(info for info in z.infolist() if info.filename.startswith("foo.libs/libdep2"))
            self.assertGreater(grafted.file_size, 3 * (1 << 20))
            self.assertEqual(grafted.compress_type, zipfile.ZIP_DEFLATED)
            self.assertIn(blob.read_bytes(), z.read(grafted))
        for bad in ("0", "x", "-2"):
            refused = self.auditwheel("repair", "-w", self.tmp / "bad", wheel, expect=2,
                                      env=dict(self.private_env(), AUDITWHEEL_THREADS=bad))
            self.assertIn("AUDITWHEEL_THREADS must be a whole number", refused.stderr)
            flagged = subprocess.run([str(BIN / "whl-pack"), "-j", bad], capture_output=True, text=True, stdin=subprocess.DEVNULL)
            self.assertEqual((flagged.returncode, flagged.stdout), (2, ""))
            self.assertIn("--threads must be a whole number", flagged.stderr)
        self.assertEqual(self.run_installed(repaired, "import foo; print(foo.value())"), "42\n")

    def test_the_sbom_names_the_host_package_of_a_grafted_system_library(self):
        libffi = Path("/usr/lib/x86_64-linux-gnu/libffi.so.8")
        if not shutil.which("dpkg-query") or not libffi.exists():
            self.skipTest("no dpkg-query or no libffi.so.8: no Debian package to name")
        owner = subprocess.run(["dpkg-query", "-S", os.path.realpath(libffi)], capture_output=True, text=True)
        if owner.returncode != 0:
            self.skipTest(f"dpkg does not know {os.path.realpath(libffi)}")
        package = owner.stdout.split(": ")[0]
        version = subprocess.run(["dpkg-query", "-W", "-f=${Version}", package], capture_output=True, text=True,
                                 check=True).stdout
        self.build_libraries()
        wheel = self.foo_wheel(ext_flags=("-Wl,--no-as-needed", str(libffi)))
        repaired = self.repair(wheel)
        with zipfile.ZipFile(repaired) as z:
            document = json.loads(z.read("foo-1.0.dist-info/sboms/auditwheel.cdx.json"))
        wheel_purl = f"pkg:pypi/foo@1.0?file_name={repaired.name}"
        self.assertEqual(document["metadata"]["component"]["purl"], wheel_purl)
        distro = re.search(r"^ID=\"?([^\"\n]+)", Path("/etc/os-release").read_text(), re.M).group(1)
        # libdep and libdep2 belong to no package: only libffi is named.
        self.assertEqual([c["purl"] for c in document["components"]],
                         [wheel_purl, f"pkg:deb/{distro}/{package.split(':')[0]}@{quote(version, safe=':')}"])
        self.assertEqual(document["dependencies"][0]["dependsOn"], [document["components"][1]["bom-ref"]])
        # pypa's bom-ref: the purl, '#', the SHA-256 of the library's path as the search found it
        # (the path the log says it grafted from, /lib/x86_64-linux-gnu/... on a merged /usr).
        log = self.auditwheel("repair", "-w", self.tmp / "logged", wheel, env=self.private_env()).stderr
        source = re.search(r"^Grafting: (\S*libffi\S*) -> ", log, re.M).group(1)
        self.assertEqual(document["components"][1]["bom-ref"],
                         document["components"][1]["purl"] + "#" + hashlib.sha256(source.encode()).hexdigest())
        again = self.repair(wheel, wheel_dir=self.tmp / "again")
        self.assertEqual(again.read_bytes(), repaired.read_bytes(), "the SBOM is deterministic")
        self.assertEqual(self.run_installed(repaired, "import foo; print(foo.value())"), "42\n")

    def test_include_grafts_a_dlopened_library_under_its_name(self):
        self.build_libraries()
        compile_shared(self.private / "libplugin.so.1", "plugin", value=0, needs=[(self.private, "dep")])
        out = self.tmp / "build" / ("_plugin" + EXT_SUFFIX)
        out.parent.mkdir(exist_ok=True)
        include = sysconfig.get_paths()["include"]
        subprocess.run(["gcc", "-shared", "-fPIC", f"-I{include}", "-o", str(out), str(DATA / "plugin_ext.c"), "-ldl"],
                       check=True, capture_output=True)
        wheel = make_wheel(self.tmp, name="foo", tag=self.tag, purelib=False,
                           files=[("foo/__init__.py", b"from ._plugin import value\n", 0o644),
                                  (f"foo/_plugin{EXT_SUFFIX}", out.read_bytes(), 0o755)])
        plain = self.extract(self.repair(wheel, wheel_dir=self.tmp / "plain"))
        self.assertFalse((plain / "foo.libs").exists(), "nothing names the plugin: nothing grafted")
        repaired = self.repair(wheel, "--include", "libplugin.so.1")
        tree = self.extract(repaired)
        dep = f"libdep-{short_hash(self.private / 'libdep.so.1.0')}.so.1.0"
        dep2 = f"libdep2-{short_hash(self.private / 'libdep2.so.1.2.3')}.so.1.2.3"
        self.assertEqual(sorted(os.listdir(tree / "foo.libs")), sorted([dep, dep2, "libplugin.so.1"]))
        self.assertEqual(dynamic_tags(tree / "foo.libs/libplugin.so.1"),
                         {"NEEDED": [dep, "libc.so.6"], "SONAME": ["libplugin.so.1"], "RPATH": ["$ORIGIN"]})
        self.assertEqual(dynamic_tags(tree / f"foo/_plugin{EXT_SUFFIX}")["RPATH"], ["$ORIGIN/../foo.libs"])
        self.assertEqual(self.run_installed(repaired, "import foo; print(foo.value())"), "42\n")

    def test_plat_only_plat_and_no_update_tags(self):
        self.build_libraries()
        wheel = self.foo_wheel()
        py = f"foo-1.0-{python_tag()}-{python_tag()}"
        cases = [(("--plat", "manylinux_2_17_x86_64"),
                  f"{py}-manylinux1_x86_64.manylinux2014_x86_64.manylinux_2_17_x86_64.manylinux_2_5_x86_64.whl"),
                 (("--plat", "manylinux2014", "--only-plat"), f"{py}-manylinux2014_x86_64.manylinux_2_17_x86_64.whl"),
                 (("--no-update-tags",), wheel.name)]
        for index, (args, name) in enumerate(cases):
            with self.subTest(args=args):
                self.assertEqual(self.repair(wheel, *args, wheel_dir=self.tmp / f"out{index}").name, name)
        from_env = self.repair(wheel, "--only-plat", env=dict(self.private_env(), AUDITWHEEL_PLAT="manylinux_2_28_x86_64"),
                               wheel_dir=self.tmp / "env")
        self.assertEqual(from_env.name, f"{py}-manylinux_2_28_x86_64.whl")

    def test_a_repair_in_place_replaces_the_input_once_complete(self):
        """auditwheel repair -w dist dist/x.whl with an unchanged name (--no-update-tags): as pypa
        auditwheel, the repaired wheel replaces the input, by a rename once it is complete."""
        self.build_libraries()
        dist = self.tmp / "dist"
        dist.mkdir()
        wheel = self.foo_wheel()
        wheel = wheel.rename(dist / wheel.name)
        repaired = self.repair(wheel, "--no-update-tags", wheel_dir=dist)
        self.assertEqual(repaired, wheel)
        with zipfile.ZipFile(wheel) as z:
            self.assertTrue(any(name.startswith("foo.libs/") for name in z.namelist()), z.namelist())
        self.assert_nothing_left()

    def test_the_written_path_is_printed_as_it_is(self):
        """The last line names the wheel as pypa auditwheel does, quotes and backslashes unescaped."""
        self.build_libraries()
        out = self.tmp / 'out "quoted" back\\slash'
        result = self.auditwheel("repair", "-w", out, self.foo_wheel(), env=self.private_env())
        written = sorted(out.iterdir())
        self.assertEqual(result.stderr.splitlines()[-1], f"Fixed-up wheel written to {written[0]}")

    def test_the_log_says_what_pypa_auditwheel_says(self):
        """pypa auditwheel 6.8.1's log of a repair, in its order and words (repair.py, main_repair.py,
        wheeltools.py; Grafting and Setting RPATH as its README's example shows them): the wider
        tag it is eligible for, each copy, each RPATH, each file stripped, the retag, the output; and
        ours alone: how many libraries and bytes were grafted."""
        self.build_libraries()
        wheel = self.foo_wheel()
        ext = f"foo/_dep{EXT_SUFFIX}"
        out = self.tmp / "out"
        result = self.auditwheel("repair", "--plat", "manylinux_2_17_x86_64", "--strip", "-w", out, wheel,
                                 env=self.private_env())
        written = sorted(out.iterdir())[0]
        dep = f"foo.libs/libdep-{short_hash(self.private / 'libdep.so.1.0')}.so.1.0"
        dep2 = f"foo.libs/libdep2-{short_hash(self.private / 'libdep2.so.1.2.3')}.so.1.2.3"
        py = f"{python_tag()}-{python_tag()}"
        wider = "manylinux_2_5_x86_64, manylinux1_x86_64"
        self.assertEqual(result.stderr.splitlines(), [
            f"Repairing {wheel.name}",
            "Wheel is eligible for a higher priority tag. You requested manylinux_2_17_x86_64 but I have found this "
            "wheel is eligible for manylinux_2_5_x86_64.",
            f"Grafting: {self.private}/libdep.so.1.0 -> {dep}",
            f"Grafting: {self.private}/libdep2.so.1.2.3 -> {dep2}",
            f'Setting RPATH: {ext} to "$ORIGIN/../foo.libs"',
            f'Setting RPATH: {dep} to "$ORIGIN"',
            f"Grafted 2 libraries, {self.grafted_size('libdep.so.1.0', 'libdep2.so.1.2.3')}",
            f"Stripping symbols from {dep}",
            f"Stripping symbols from {dep2}",
            f"Stripping symbols from {ext}",
            "Previous filename tags: linux_x86_64",
            f"New filename tags: {wider}, manylinux_2_17_x86_64, manylinux2014_x86_64",
            f"Previous WHEEL info tags: {py}-linux_x86_64",
            "New WHEEL info tags: " + ", ".join(f"{py}-{tag}" for tag in (
                "manylinux_2_5_x86_64", "manylinux1_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64")),
            f"Fixed-up wheel written to {written}"])

    def test_verbose_adds_the_search_and_each_files_edits(self):
        """-v adds where each member's libraries were found (lddtree's text) and each file's edits as
        the rpath-set command line that makes them (pypa's DEBUG lines are its internals)."""
        self.build_libraries()
        wheel = self.foo_wheel()
        ext = f"foo/_dep{EXT_SUFFIX}"
        result = self.auditwheel("-v", "repair", "--only-plat", "-w", self.tmp / "out", wheel, env=self.private_env())
        lines = result.stderr.splitlines()
        dep = f"libdep-{short_hash(self.private / 'libdep.so.1.0')}.so.1.0"
        self.assertEqual(lines[1:3], [ext, f"    libdep.so.1 => {self.private}/libdep.so.1 ({self.private}/libdep.so.1.0)"])
        self.assertIn(f"rpath-set --replace-needed libdep.so.1 {dep} --force-rpath --set-rpath '$ORIGIN/../foo.libs' {ext}",
                      lines)
        self.assertLess(lines.index(f'Setting RPATH: {ext} to "$ORIGIN/../foo.libs"'),
                        lines.index(f"rpath-set --replace-needed libdep.so.1 {dep} --force-rpath --set-rpath "
                                    f"'$ORIGIN/../foo.libs' {ext}"))
        quiet = self.auditwheel("repair", "--only-plat", "-w", self.tmp / "out2", wheel, env=self.private_env())
        self.assertEqual([line for line in lines if not line.startswith(("rpath-set ", " ", ext))][:-1],
                         quiet.stderr.splitlines()[:-1])

    def grafted_size(self, *names) -> str:
        """The size of the private libraries `names` as the log gives it: 1024-byte units."""
        size = sum((self.private / name).stat().st_size for name in names)
        for unit in ("B", "KiB", "MiB", "GiB"):
            if size < 1024 or unit == "GiB":
                return f"{size} B" if unit == "B" else f"{size:.1f} {unit}"
            size /= 1024

    def test_an_exclude_that_matches_nothing_is_warned_about(self):
        # ROCm's --exclude librocblas.so, whose soname was librocblas.so.5: 890 MB grafted without a
        # word. pypa auditwheel 6.8.1 says nothing either.
        self.build_libraries()
        wheel = self.foo_wheel()
        result = self.auditwheel("repair", "--exclude", "libdep.so", "--exclude", "libdep2*", "-w", self.tmp / "out",
                                 wheel, env=self.private_env())
        lines = result.stderr.splitlines()
        self.assertEqual([line for line in lines if "matched no library" in line], [
            f"auditwheel: warning: {wheel.name}: --exclude libdep.so matched no library of this wheel (the nearest "
            "soname is libdep.so.1; a pattern matches a whole soname or path)"])
        self.assertIn(f"Grafted 1 library, {self.grafted_size('libdep.so.1.0')}", lines)

    def test_the_log_names_exclusions_and_the_removed_libpython(self):
        """pypa's lddtree logs "Excluding X" for each need a pattern matches (the realpath when the
        pattern matched the path) and "Skip X resolution" for libpython, once for each file whose
        needs name it, while the members are analysed; repair_wheel warns for each libpython need
        it removes."""
        self.build_libraries()
        fake_python = self.tmp / "python"
        compile_shared(fake_python / "libpython3.99.so.1.0", "python")
        wheel = self.foo_wheel(ext_flags=("-Wl,--no-as-needed", f"-L{fake_python}", "-l:libpython3.99.so.1.0"))
        ext = f"foo/_dep{EXT_SUFFIX}"
        result = self.auditwheel("repair", "--only-plat", "--plat", "manylinux_2_17_x86_64", "--exclude",
                                 f"{self.private}/libdep2*", "-w", self.tmp / "out", wheel, env=self.private_env())
        dep = f"foo.libs/libdep-{short_hash(self.private / 'libdep.so.1.0')}.so.1.0"
        self.assertEqual(result.stderr.splitlines()[:6], [
            f"Repairing {wheel.name}",
            f"Excluding {self.private}/libdep2.so.1.2.3",
            "Skip libpython3.99.so.1.0 resolution",
            f"auditwheel: warning: Removing libpython3.99.so.1.0 dependency from {ext}. Linking with libpython is "
            "forbidden for manylinux/musllinux wheels.",
            f"Grafting: {self.private}/libdep.so.1.0 -> {dep}",
            f'Setting RPATH: {ext} to "$ORIGIN/../foo.libs"'])
        self.assertEqual(result.stderr.splitlines()[6:8], [f"Grafted 1 library, {self.grafted_size('libdep.so.1.0')}",
                                                          "Previous filename tags: linux_x86_64"])

    def test_a_free_threaded_libpython_is_removed_not_grafted(self):
        # pypa auditwheel 6.8.1's LIBPYTHON_RE misses the t of CPython 3.13+'s free-threaded builds:
        # it lists libpython3.14t.so.1.0 as external and grafts it.
        self.build_libraries()
        compile_shared(self.private / "libpython3.14t.so.1.0", "python")
        wheel = self.foo_wheel(ext_flags=("-Wl,--no-as-needed", "-l:libpython3.14t.so.1.0"))
        # Listed as external, as show lists libpython3.13.so.1.0, but never resolved (pypa: its path).
        shown = json.loads(self.auditwheel("show", "--json", wheel, env=self.private_env()).stdout)
        self.assertIsNone(shown["external_libs"]["libpython3.14t.so.1.0"])
        result = self.auditwheel("repair", "-w", self.tmp / "out", wheel, env=self.private_env())
        ext = f"foo/_dep{EXT_SUFFIX}"
        self.assertIn("Skip libpython3.14t.so.1.0 resolution", result.stderr.splitlines())
        self.assertIn(f"auditwheel: warning: Removing libpython3.14t.so.1.0 dependency from {ext}. Linking with "
                      "libpython is forbidden for manylinux/musllinux wheels.", result.stderr.splitlines())
        (repaired,) = (self.tmp / "out").iterdir()
        tree = self.extract(repaired)
        self.assertEqual(sorted(n.split("-")[0] for n in os.listdir(tree / "foo.libs")), ["libdep", "libdep2"])
        self.assertNotIn("libpython3.14t.so.1.0", dynamic_tags(tree / ext)["NEEDED"])

    def test_too_low_plat_is_refused_naming_the_symbols(self):
        self.build_libraries()
        wheel = self.foo_wheel(("foo-1.0.data/scripts/prog", self.program(), 0o755))
        out = self.tmp / "wheelhouse"
        result = self.auditwheel("repair", "-w", out, "--plat", "manylinux2014_x86_64", wheel, env=self.private_env(),
                                 expect=2)
        self.assertIn("too-recent versioned symbols", result.stderr)
        self.assertIn("GLIBC_2.34", result.stderr)
        self.assertEqual(result.stderr.strip().splitlines()[0], f"Repairing {wheel.name}")
        self.assertEqual(len(result.stderr.strip().splitlines()), 2, result.stderr)
        self.assertFalse(out.exists() and os.listdir(out))
        self.assert_nothing_left()

    def test_repair_is_deterministic_and_repairing_a_repaired_wheel_changes_nothing(self):
        self.build_libraries()
        wheel = self.foo_wheel()
        first = self.repair(wheel, wheel_dir=self.tmp / "one")
        second = self.repair(wheel, wheel_dir=self.tmp / "two")
        self.assertEqual(first.read_bytes(), second.read_bytes())
        again = self.repair(first, env=self.env, wheel_dir=self.tmp / "again")
        self.assertEqual(again.name, first.name)
        self.assertEqual(self.file_contents(again), self.file_contents(first))

    def test_lib_sdir_and_compression_level(self):
        self.build_libraries()
        wheel = self.foo_wheel()
        repaired = self.repair(wheel, "-L", ".mylibs", "-z", "0")
        with zipfile.ZipFile(repaired) as z:
            infos = {i.filename: i for i in z.infolist()}
        grafted = [name for name in infos if name.startswith("foo.mylibs/") and not name.endswith("/")]
        self.assertEqual(len(grafted), 2, infos)
        self.assertTrue(all(infos[name].compress_type == zipfile.ZIP_STORED for name in grafted))
        stored = self.repair(wheel, env=dict(self.private_env(), AUDITWHEEL_ZIP_COMPRESSION_LEVEL="0"),
                             wheel_dir=self.tmp / "env")
        with zipfile.ZipFile(stored) as z:
            self.assertEqual(z.getinfo(f"foo/_dep{EXT_SUFFIX}").compress_type, zipfile.ZIP_STORED)


class Abi3(RepairTest):
    """A cp38-abi3 wheel promises the stable ABI of CPython 3.8 (pypa's abi3audit checks it;
    pypa auditwheel does not): show reports each extension's Python symbols outside it or newer
    than 3.8, repair warns, and repair --strict-abi3 refuses."""

    def abi3_wheel(self, name, *flags, tag="cp38-abi3"):
        out = self.tmp / "build" / name / "_abi.abi3.so"
        out.parent.mkdir(parents=True)
        # -lc: an extension needing no libc at all is refused as pypa auditwheel refuses it.
        subprocess.run(["gcc", "-shared", "-fPIC", f"-I{sysconfig.get_paths()['include']}", *flags, "-o", str(out),
                        str(DATA / "abi3_ext.c"), "-Wl,--no-as-needed", "-lc"], check=True, capture_output=True)
        files = [("abi/__init__.py", b"from ._abi import value\n", 0o644), ("abi/_abi.abi3.so", out.read_bytes(), 0o755)]
        (self.tmp / name).mkdir()
        return make_wheel(self.tmp / name, name="abi", tag=f"{tag}-linux_x86_64", purelib=False, files=files)

    def shown(self, wheel):
        report = json.loads(self.auditwheel("show", "--json", wheel).stdout)
        if SCHEMA.exists():
            checked = validate(report)
            self.assertEqual(checked.returncode, 0, checked.stderr)
        text = " ".join(self.auditwheel("show", wheel).stdout.split())
        return report, text

    def test_compliant_violating_and_too_old_tags(self):
        compliant = self.abi3_wheel("compliant", "-DPy_LIMITED_API=0x03080000")
        report, text = self.shown(compliant)
        self.assertEqual(report["abi3"], {"tag": "abi3", "minimum": "3.8", "abi3t_since": None, "violates": False,
                                          "extensions": [{"path": "abi/_abi.abi3.so", "outside": [], "newer": {},
                                                          "needs": "3.2", "misnamed": False}]})
        self.assertIn("use only the stable ABI of CPython 3.8", text)

        private = self.abi3_wheel("private", "-DUSE_PRIVATE")
        report, text = self.shown(private)
        self.assertTrue(report["abi3"]["violates"])
        self.assertIn("_PyObject_GetDictPtr", report["abi3"]["extensions"][0]["outside"])
        self.assertIn("abi/_abi.abi3.so uses", text)
        self.assertIn("outside the stable ABI", text)

        newer = self.abi3_wheel("newer", "-DPy_LIMITED_API=0x030B0000", "-DUSE_311")
        report, text = self.shown(newer)
        extension = report["abi3"]["extensions"][0]
        self.assertEqual((extension["outside"], extension["newer"], extension["needs"]), ([], {"PyType_GetName": "3.11"}, "3.11"))
        self.assertIn("PyType_GetName (3.11), newer than 3.8, so it needs abi3 3.11", text)

        # The same extension in a wheel that does not claim abi3: nothing changes.
        plain = self.abi3_wheel("plain", "-DUSE_PRIVATE", tag=f"{python_tag()}-{python_tag()}")
        report, text = self.shown(plain)
        self.assertNotIn("abi3", report)
        self.assertNotIn("stable ABI", text)

        warned = self.auditwheel("repair", "-w", self.tmp / "warned", private)
        self.assertIn("outside the stable ABI", warned.stderr)
        self.assertEqual(len(list((self.tmp / "warned").iterdir())), 1)
        refused = self.auditwheel("repair", "--strict-abi3", "-w", self.tmp / "refused", newer, expect=1)
        self.assertIn("--strict-abi3", refused.stderr)
        self.assertIn("PyType_GetName", refused.stderr)
        self.assertEqual([line for line in refused.stderr.splitlines() if "error:" in line],
                         [refused.stderr.strip().splitlines()[-1]], "one error line")
        self.assertFalse((self.tmp / "refused").exists() and any((self.tmp / "refused").iterdir()))
        self.auditwheel("repair", "--strict-abi3", "-w", self.tmp / "kept", compliant)
        self.assertEqual(self.run_installed(next((self.tmp / "kept").iterdir()), "import abi; print(abi.value())"), "42\n")

    def abi3t_wheel(self, name, file_name, tag):
        out = self.tmp / "build" / name / file_name
        out.parent.mkdir(parents=True)
        subprocess.run(["gcc", "-shared", "-fPIC", "-o", str(out), str(DATA / "abi3t_ext.c"), "-Wl,--no-as-needed",
                        "-lc"], check=True, capture_output=True)
        (self.tmp / name).mkdir()
        return make_wheel(self.tmp / name, name="abi", tag=f"{tag}-linux_x86_64", purelib=False,
                          files=[(f"abi/{file_name}", out.read_bytes(), 0o755)])

    def test_abi3t_wheels_are_checked_for_names_and_cpython_3_15(self):
        """PEP 803: a cp315-abi3.abi3t wheel promises the stable ABI of 3.15 to free-threaded builds
        too, which import only *.abi3t.so; its modules export PyModExport_ (PEP 793) alone, which
        pypa auditwheel 6.8.1 does not take for an extension, and abi3t exists from 3.15 on."""
        report, text = self.shown(self.abi3t_wheel("both", "_abit.abi3t.so", "cp315-abi3.abi3t"))
        self.assertEqual(report["abi3"], {"tag": "abi3.abi3t", "minimum": "3.15", "abi3t_since": None, "violates": False,
                                          "extensions": [{"path": "abi/_abit.abi3t.so", "outside": [], "newer": {},
                                                          "needs": "3.15", "misnamed": False}]})
        self.assertIn("use only the stable ABI of CPython 3.15, as its abi3.abi3t tag promises", text)

        report, text = self.shown(self.abi3t_wheel("misnamed", "_abit.abi3.so", "cp315-abi3.abi3t"))
        self.assertTrue(report["abi3"]["extensions"][0]["misnamed"])
        self.assertIn("abi/_abit.abi3.so is not named *.abi3t.so, so free-threaded CPython does not import it", text)

        early = self.abi3t_wheel("early", "_abit.abi3t.so", "cp314-abi3t")
        report, text = self.shown(early)
        self.assertEqual((report["abi3"]["abi3t_since"], report["abi3"]["extensions"][0]["newer"]),
                         ("3.15", {"Py_SIZE": "3.15"}))
        self.assertIn("Its abi3t tag promises the stable ABI of CPython 3.14, but: abi3t exists from CPython 3.15 on "
                      "(PEP 803: an earlier one is reserved); abi/_abit.abi3t.so uses Py_SIZE (3.15), newer than 3.14, "
                      "so it needs abi3t 3.15.", text)
        refused = self.auditwheel("repair", "--strict-abi3", "-w", self.tmp / "refused", early, expect=1)
        self.assertIn("--strict-abi3: Its abi3t tag promises", refused.stderr)


class SharedWheels(RepairTest):
    def test_every_shared_wheel_is_repaired_or_refused_as_pypa_auditwheel_does(self):
        wheels = sorted(SHARED_WHEELS.rglob("*.whl")) if SHARED_WHEELS.is_dir() else []
        if not wheels:
            self.skipTest("../shared/wheels is absent: no third-party wheels")
        self.assertEqual(sorted(str(w.relative_to(SHARED_WHEELS)) for w in wheels), sorted(SHARED_REPAIRS))
        for index, wheel in enumerate(wheels):
            expected = SHARED_REPAIRS[str(wheel.relative_to(SHARED_WHEELS))]
            out = self.tmp / f"out{index}"
            with self.subTest(wheel=wheel.name):
                if isinstance(expected, tuple):
                    result = self.auditwheel("repair", "-w", out, wheel, expect=expected[0])
                    self.assertIn(expected[1], result.stderr)
                    self.assertFalse(out.exists() and os.listdir(out))
                    continue
                self.auditwheel("repair", "-w", out, wheel)
                (written,) = out.iterdir()
                self.assertEqual(written.name.rsplit("-", 1)[1], expected + ".whl")
                self.assert_valid_wheel(written)
                for path in self.extract(written).rglob("*"):
                    if path.is_file() and path.read_bytes()[:4] == b"\x7fELF":
                        needed = self.run_stage("rpath-set", "--print-needed", path).stdout.split()
                        self.assertFalse([n for n in needed if n.startswith("libpython")], f"{path}: {needed}")
        self.assert_nothing_left()

    def test_every_shared_wheel_logs_what_pypa_auditwheel_logs(self):
        """The same lines in the same order as SHARED_REPAIR_LOGS, but where auditwheel(1) says we
        differ: the file-name warnings come after "Repairing" (the wrapper prints it before any
        stage runs), a wheel that is not a platform wheel ends in an error line rather than INFO,
        our warnings name the wheel, and Grafting and Setting RPATH (pypa: DEBUG) are extra."""
        wheels = sorted(SHARED_WHEELS.rglob("*.whl")) if SHARED_WHEELS.is_dir() else []
        if not wheels:
            self.skipTest("../shared/wheels is absent: no third-party wheels")
        self.assertEqual(sorted(str(w.relative_to(SHARED_WHEELS)) for w in wheels), sorted(SHARED_REPAIR_LOGS))
        for index, wheel in enumerate(wheels):
            theirs = list(SHARED_REPAIR_LOGS[str(wheel.relative_to(SHARED_WHEELS))])
            repairing = next(i for i, line in enumerate(theirs) if line.startswith("Repairing "))
            theirs = [theirs[repairing]] + theirs[:repairing] + theirs[repairing + 1:]
            theirs = [line for line in theirs if not line.startswith(("This does not look", "Invalid binary wheel"))]
            with self.subTest(wheel=wheel.name):
                result = self.auditwheel("repair", "-w", self.tmp / f"log{index}", wheel, expect=None)
                ours = []
                for line in result.stderr.splitlines():
                    if line.startswith(("auditwheel: error: ", "Grafting: ", "Setting RPATH: ")):
                        continue
                    if line.startswith(f"auditwheel: warning: {wheel.name}: "):
                        line = "W " + line.removeprefix(f"auditwheel: warning: {wheel.name}: ")
                    elif line.startswith("auditwheel: warning: "):
                        line = "W " + line.removeprefix("auditwheel: warning: ")
                    elif line.startswith("Fixed-up wheel written to "):
                        line = "Fixed-up wheel written to " + os.path.basename(line)
                    ours.append(line)
                self.assertEqual(ours, theirs)

    def test_android_grafts_into_a_runpath_and_keeps_its_name(self):
        android = SHARED_WHEELS / "android"
        if not android.is_dir():
            self.skipTest("../shared/wheels is absent: no android wheel")
        wheel = android / "spam-0.1.0-cp313-cp313-android_24_arm64_v8a.whl"
        library = android / "ldpaths/arg/libc++_shared.so"
        repaired = self.repair(wheel, "--ldpaths", library.parent, env=self.env)
        self.assertEqual(repaired.name, wheel.name)
        tree = self.extract(repaired)
        grafted = f"libc++_shared-{short_hash(library)}.so"
        self.assertEqual(os.listdir(tree / "spam.libs"), [grafted])
        tags = dynamic_tags(next(tree.glob("spam*.so")))
        self.assertEqual(tags["RUNPATH"], ["$ORIGIN/spam.libs"])
        self.assertNotIn("RPATH", tags)
        self.assertIn(grafted, tags["NEEDED"])
        self.assertTrue(any(name.startswith("libpython") for name in tags["NEEDED"]), "Android keeps libpython")
        self.assertEqual(dynamic_tags(tree / "spam.libs" / grafted).get("RUNPATH"), None)


class LibGraftStage(RepairTest):
    """lib-graft alone, on streams edited by hand: bad plans are refused with one line."""

    def planned(self):
        self.build_libraries()
        wheel = self.foo_wheel()
        unpacked = self.run_stage("whl-unpack", "--elf-only", wheel).stdout
        deps = self.run_stage("elf-deps", stdin=unpacked, env=self.private_env()).stdout
        symvers = self.run_stage("elf-symvers", stdin=deps).stdout
        records = self.run_stage("policy-check", "--plat", "auto", stdin=symvers).stdout
        return [json.loads(line) for line in records.splitlines()]

    def graft(self, records, *args, expect=0):
        return self.run_stage("lib-graft", *args, stdin="".join(json.dumps(r) + "\n" for r in records), expect=expect)

    def test_hostile_plans_are_refused(self):
        records = self.planned()
        plan_at = next(i for i, r in enumerate(records) if r["kind"] == "graft_plan")
        plan = records[plan_at]
        def source(realpath):  # libdep.so.1 copied from somewhere else
            return dict(plan, libraries=[dict(library, realpath=realpath) if library["soname"] == "libdep.so.1"
                                         else library for library in plan["libraries"]])
        cases = [
            (dict(plan, members=[{"path": "../outside.so", "graft": ["libdep.so.1"]}]), "must lie inside the wheel"),
            (source("relative/libdep.so"), "must be absolute"),
            # A library elf-deps did not find is not grafted, whatever the plan says.
            (source("/dev/zero"), "the stream has no library record of /dev/zero"),
            (source("/etc/os-release"), "the stream has no library record of /etc/os-release"),
            (dict(plan, members=[{"path": plan["members"][0]["path"], "graft": ["libnothere.so"]}]),
             "not among the libraries"),
        ]
        for bad, message in cases:
            with self.subTest(message=message):
                result = self.graft(records[:plan_at] + [bad], expect=1)
                self.assertIn(message, result.stderr)
                self.assertEqual(len(result.stderr.strip().splitlines()), 1, result.stderr)
        self.assertIn("must lie inside the wheel", self.graft(records, "-L", "/../../x", expect=1).stderr)
        self.assertIn("a second graft_plan", self.graft(records + [plan], expect=1).stderr)
        shutil.rmtree(records[0]["workdir"])

    def test_records_pass_through_and_describe_the_grafts(self):
        records = self.planned()
        out = [json.loads(line) for line in self.graft(records).stdout.splitlines()]
        self.assertEqual(out[:len(records)], records)
        kinds = [r["kind"] for r in out[len(records):]]
        self.assertEqual(kinds, ["grafted", "grafted", "elf_edit", "elf_edit", "elf_edit"])
        grafted = {r["soname"]: r for r in out if r["kind"] == "grafted"}
        self.assertEqual(grafted["libdep.so.1"]["source"], str(self.private / "libdep.so.1.0"))
        self.assertEqual(grafted["libdep.so.1"]["sha256"],
                         hashlib.sha256((self.private / "libdep.so.1.0").read_bytes()).hexdigest())
        shutil.rmtree(records[0]["workdir"])


class RepairRefusals(RepairTest):
    def test_a_library_that_cannot_be_found_fails_and_writes_nothing(self):
        self.build_libraries()
        wheel = self.foo_wheel()
        out = self.tmp / "wheelhouse"
        result = self.auditwheel("repair", "-w", out, wheel, expect=1)
        self.assertIn('required library "libdep.so.1" could not be located', result.stderr)
        self.assertFalse(out.exists() and os.listdir(out))
        self.assert_nothing_left()

    def test_pure_wheels_fail_unless_allowed_and_then_are_copied_unchanged(self):
        pure = make_wheel(self.tmp, name="pure", files=[("pure/__init__.py", b"", 0o644)])
        result = self.auditwheel("repair", "-w", self.tmp / "out", pure, expect=1)
        self.assertIn("does not look like a platform wheel", result.stderr)
        self.build_libraries()
        platform = self.foo_wheel()
        self.auditwheel("repair", "--allow-pure-python-wheel", "-w", self.tmp / "out", pure, platform,
                        env=self.private_env())
        written = sorted(os.listdir(self.tmp / "out"))
        self.assertEqual(len(written), 2, written)
        self.assertEqual((self.tmp / "out" / pure.name).read_bytes(), pure.read_bytes())
        self.assert_nothing_left()

    def test_help_lists_the_platforms_of_the_host(self):
        """As pypa auditwheel's repair --help: the host's policies, linux first, then newest first,
        each with its aliases (facts of its x86_64 glibc policy file)."""
        if platform.machine() != "x86_64" or glob.glob("/lib/libc.musl-*.so.1"):
            self.skipTest("the facts written here are those of an x86_64 glibc host")
        listed = [line for line in self.auditwheel("repair", "-h").stdout.splitlines() if line.startswith("- ")]
        self.assertEqual(listed[:2], ["- linux_x86_64", "- manylinux_2_41_x86_64"])
        self.assertEqual(listed[-3:], ["- manylinux_2_17_x86_64 (aliased by manylinux2014_x86_64)",
                                       "- manylinux_2_12_x86_64 (aliased by manylinux2010_x86_64)",
                                       "- manylinux_2_5_x86_64 (aliased by manylinux1_x86_64)"])
        self.assertEqual(len(listed), 17)

    def test_bad_options(self):
        self.build_libraries()
        wheel = self.foo_wheel()
        for args, message in ((("--patcher", "bogus"), "--patcher must be"), (("-z", "11"), "-z must be"),
                              (("--frobnicate",), "unknown option"), ((), "expected at least one WHEEL_FILE"),
                              (("--plat", "musllinux_1_2"), 'invalid --plat "musllinux_1_2"'),
                              (("--plat", "manylinux_2_17_aarch64"),
                               "with x86_64 architecture to a wheel targeting aarch64")):
            with self.subTest(args=args):
                result = self.auditwheel("repair", *args, *([wheel] if args else []), env=self.private_env(), expect=2)
                self.assertIn(message, result.stderr)
        missing = self.auditwheel("repair", self.tmp / "nothere-1.0-py3-none-any.whl", expect=2)
        self.assertIn("No such file", missing.stderr)
        none = self.auditwheel("repair", "--patcher", "none", "-w", self.tmp / "out", wheel, env=self.private_env(),
                               expect=1)
        self.assertIn("'none' patcher", none.stderr)
        from_env = self.auditwheel("repair", "-w", self.tmp / "out", wheel, expect=1,
                                   env=dict(self.private_env(), AUDITWHEEL_PATCHER="none"))
        self.assertIn("'none' patcher", from_env.stderr)
        self.auditwheel("repair", "--patcher=lief-patchelf", "-w", self.tmp / "lief", wheel, env=self.private_env())
        self.assert_nothing_left()

    def test_ctrl_c_leaves_no_partial_wheel_and_no_temporary_files(self):
        self.build_libraries()
        blobs = [(f"foo/blob{i}.bin", os.urandom(8 << 20), 0o644) for i in range(4)]
        wheel = self.foo_wheel(*blobs)
        hits = 0
        for index, delay in enumerate((0.05, 0.1, 0.2, 0.3, 0.5, 0.8)):
            out = self.tmp / f"out{index}"
            # Ctrl-C signals the terminal's whole process group: the wrapper and its stage. (SIGINT's
            # default is restored: a test run in the background inherits it ignored, as sh does.)
            process = subprocess.Popen([str(BIN / "auditwheel"), "repair", "-w", str(out), str(wheel)],
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=self.private_env(),
                                       start_new_session=True,
                                       preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
            time.sleep(delay)
            try:
                os.killpg(process.pid, signal.SIGINT)
            except ProcessLookupError:
                pass
            _, err = process.communicate(timeout=60)
            written = sorted(out.iterdir()) if out.exists() else []
            with self.subTest(delay=delay):
                if process.returncode != 0:
                    hits += 1
                    self.assertIn(process.returncode, (-signal.SIGINT, 128 + signal.SIGINT), err)
                # Nothing, or (when the signal came after whl-pack renamed it into place) the whole wheel.
                self.assertIn(len(written), (0, 1) if process.returncode else (1,))
                for path in written:
                    self.assert_valid_wheel(path)
                self.assert_nothing_left()
        self.assertGreater(hits, 0, "no interrupt arrived before the repair finished")
        self.assertEqual(wheel.read_bytes()[:4], b"PK\x03\x04")

    def test_any_path_is_safe(self):
        self.build_libraries()
        wheel = self.foo_wheel()
        for index, odd in enumerate(("with space", "quote'\"", "star*", "new\nline", "-dash")):
            with self.subTest(directory=odd):
                source_dir = self.tmp / f"in{index}" / odd
                source_dir.mkdir(parents=True)
                source = shutil.copy(wheel, source_dir / wheel.name)
                out = self.tmp / f"out{index}" / odd
                relative = Path(f"in{index}") / odd / wheel.name
                self.auditwheel("repair", "-w", out, "--", relative, env=self.private_env(), cwd=self.tmp)
                self.assertEqual(len(os.listdir(out)), 1)
                self.assertEqual(Path(source).read_bytes(), wheel.read_bytes())
        self.auditwheel("repair", "-w", "-out", "--", "-dash.whl", env=self.private_env(), cwd=self.tmp, expect=2)
        self.assert_nothing_left()
