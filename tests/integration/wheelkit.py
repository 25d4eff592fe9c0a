"""Helpers for the integration tests: build wheels, run stages, inspect zips."""
import base64
import csv
import hashlib
import io
import json
import os
import shutil
import struct
import subprocess
import sys
import sysconfig
import tempfile
import unittest
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("AW_BUILD", ROOT / "build")).resolve()
BIN = BUILD / "bin"
DATA = ROOT / "tests" / "data"
SHARED_WHEELS = ROOT.parent / "shared" / "wheels"


def record_digest(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def records_of(text: str) -> list:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def shared_wheels() -> list:
    """Every wheel in ../shared/wheels; the caller skips when there are none."""
    return sorted(SHARED_WHEELS.rglob("*.whl")) if SHARED_WHEELS.is_dir() else []


def python_tag() -> str:
    return f"cp{sys.version_info.major}{sys.version_info.minor}"


def platform_tag() -> str:
    return sysconfig.get_platform().replace("-", "_").replace(".", "_")


def make_wheel(directory: Path, name="demo", version="1.0", tag="py3-none-any", files=(), *,
               purelib=True, record_rows=None, extra_entries=()) -> Path:
    """Writes a wheel with zipfile. `files` holds (arcname, bytes, mode[, method]); RECORD
    is generated unless `record_rows` replaces it; `extra_entries` (ZipInfo,
    bytes) are written as they are, after everything else."""
    dist_info = f"{name}-{version}.dist-info"
    wheel_text = (f"Wheel-Version: 1.0\nGenerator: wheelkit\nRoot-Is-Purelib: {'true' if purelib else 'false'}\n"
                  f"Tag: {tag}\n\n").encode()
    members = list(files) + [
        (f"{dist_info}/METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode(), 0o644),
        (f"{dist_info}/WHEEL", wheel_text, 0o644),
    ]
    if record_rows is None:
        record_rows = [(m[0], record_digest(m[1]), str(len(m[1]))) for m in members] + [(f"{dist_info}/RECORD", "", "")]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(record_rows)
    members.append((f"{dist_info}/RECORD", out.getvalue().encode(), 0o644))
    path = Path(directory) / f"{name}-{version}-{tag}.whl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for arcname, data, mode, *method in members:
            info = zipfile.ZipInfo(arcname, date_time=(2024, 5, 6, 7, 8, 10))
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = method[0] if method else zipfile.ZIP_DEFLATED
            z.writestr(info, data)
        for info, data in extra_entries:
            z.writestr(info, data)
    return path


def build_extension(directory: Path, source: Path = DATA / "spam.c", module="_spam", cc="gcc") -> Path:
    include = sysconfig.get_paths()["include"]
    out = Path(directory) / (module + sysconfig.get_config_var("EXT_SUFFIX"))
    subprocess.run([cc, "-shared", "-fPIC", "-O1", f"-I{include}", "-o", str(out), str(source)], check=True)
    return out


def spam_wheel(directory: Path) -> Path:
    """A platform wheel with a real extension module and a package around it."""
    extension = build_extension(directory)
    tag = f"{python_tag()}-{python_tag()}-{platform_tag()}"
    files = [
        ("spam/__init__.py", b"from ._spam import add\n", 0o644),
        (f"spam/{extension.name}", extension.read_bytes(), 0o755),
        ("spam/data/table.txt", b"1 2 3\n" * 1000, 0o644),
        ("spam/data/stored.bin", bytes(range(256)) * 64, 0o644, zipfile.ZIP_STORED),
        ("spam-1.0.data/scripts/spam-hello", b"#!python\nprint('hello')\n", 0o755),
    ]
    return make_wheel(directory, name="spam", version="1.0", tag=tag, files=files, purelib=False)


def build_dep_libraries(private: Path, cc="gcc"):
    """libdep.so.1 (file libdep.so.1.0, with a stale RUNPATH) needing libdep2.so.1 (file
    libdep2.so.1.2.3), with their development symlinks, in `private`; dep_value() is 42."""
    from elfkit import compile_shared
    compile_shared(private / "libdep2.so.1.2.3", "dep2", value=40, soname="libdep2.so.1", cc=cc)
    for link in ("libdep2.so.1", "libdep2.so"):
        os.symlink("libdep2.so.1.2.3", private / link)
    compile_shared(private / "libdep.so.1.0", "dep", "-Wl,-rpath,/nonexistent/path", value=2,
                   needs=[(private, "dep2")], soname="libdep.so.1", cc=cc)
    for link in ("libdep.so.1", "libdep.so"):
        os.symlink("libdep.so.1.0", private / link)


def build_dep_extension(directory: Path, module="_dep", *flags, function="dep_value", cc="gcc") -> bytes:
    """tests/data/dep_ext.c as extension `module`, whose value() returns `function`()."""
    out = Path(directory) / f"{module}-{cc}{sysconfig.get_config_var('EXT_SUFFIX')}"
    out.parent.mkdir(parents=True, exist_ok=True)
    include = sysconfig.get_paths()["include"]
    subprocess.run([cc, "-shared", "-fPIC", f"-I{include}", f"-DMODULE={module}", f"-DDEP_FUNCTION={function}",
                    "-o", str(out), str(DATA / "dep_ext.c"), *flags], check=True, capture_output=True)
    return out.read_bytes()


def dep_wheel(directory: Path, private: Path, *extra_files, ext_flags=(), version="1.0") -> Path:
    """foo: a package whose extension _dep needs libdep.so.1 from `private`."""
    ext = build_dep_extension(Path(directory) / "build", "_dep", f"-L{private}", "-ldep", *ext_flags)
    files = [("foo/__init__.py", b"from ._dep import value\n", 0o644),
             (f"foo/_dep{sysconfig.get_config_var('EXT_SUFFIX')}", ext, 0o755), *extra_files]
    tag = f"{python_tag()}-{python_tag()}-linux_x86_64"
    return make_wheel(directory, name="foo", version=version, tag=tag, purelib=False, files=files)


def stored_bytes(wheel: Path, name: str) -> bytes:
    """A member's bytes as stored in the archive (compressed, not inflated)."""
    with zipfile.ZipFile(wheel) as z:
        info = z.getinfo(name)
    with open(wheel, "rb") as f:
        f.seek(info.header_offset)
        header = f.read(30)
        name_length, extra_length = struct.unpack("<HH", header[26:30])
        f.seek(info.header_offset + 30 + name_length + extra_length)
        return f.read(info.compress_size)


class StageTest(unittest.TestCase):
    """Gives each test a scratch directory, and a TMPDIR for the stages so a
    test can tell that nothing was left behind."""

    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="aw-test-"))
        self.stage_tmp = self.tmp / "stage-tmp"
        self.stage_tmp.mkdir()
        self.env = dict(os.environ, TMPDIR=str(self.stage_tmp))
        self.env.pop("SOURCE_DATE_EPOCH", None)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def run_stage(self, stage, *args, stdin=None, env=None, expect=0):
        result = subprocess.run([str(BIN / stage), *map(str, args)], input=stdin, capture_output=True, text=True,
                                env=env or self.env)
        if expect is not None:
            self.assertEqual(result.returncode, expect, f"{stage} {args}: {result.stderr}")
        return self.says_where_in_user_terms(result)

    def says_where_in_user_terms(self, result):
        """No warning or error names the temporary folders the stages unpack into (under the
        test's TMPDIR): a diagnostic names the wheel and the member, or a file the user gave."""
        for line in (result.stderr or "").splitlines():
            if ": error: " in line or ": warning: " in line:
                self.assertNotIn(str(self.stage_tmp), line, "a diagnostic names a temporary folder")
        return result

    def unpack(self, wheel, *args):
        return self.run_stage("whl-unpack", *args, wheel).stdout

    def pack(self, records, *args, env=None):
        out = self.run_stage("whl-pack", *args, stdin=records, env=env)
        return records_of(out.stdout)[-1]

    def round_trip(self, wheel, out_dir, unpack_args=(), pack_args=(), env=None):
        return self.pack(self.unpack(wheel, *unpack_args), "-w", out_dir, *pack_args, env=env)

    def unpacked_shared_wheels(self, *unpack_args):
        """(wheel, records, work directory) for each wheel in ../shared/wheels, skipping the
        test when there are none; each work directory is removed after its turn."""
        wheels = shared_wheels()
        if not wheels:
            self.skipTest("../shared/wheels is absent: no third-party wheels")
        for wheel in wheels:
            records = records_of(self.unpack(wheel, *unpack_args))
            workdir = Path(records[0]["workdir"])
            try:
                yield wheel, records, workdir
            finally:
                shutil.rmtree(workdir, ignore_errors=True)

    def assert_nothing_left(self):
        self.assertEqual(sorted(os.listdir(self.stage_tmp)), [], "temporary files left behind")

    def assert_valid_wheel(self, wheel: Path):
        """RECORD lists every file with its right hash and comes last; zip
        readers agree the archive is sound."""
        with zipfile.ZipFile(wheel) as z:
            self.assertIsNone(z.testzip())
            names = z.namelist()
            self.assertEqual(len(names), len(set(names)))
            record_name = names[-1]
            self.assertTrue(record_name.endswith(".dist-info/RECORD"), names)
            rows = list(csv.reader(io.StringIO(z.read(record_name).decode())))
            files = [n for n in names if not n.endswith("/")]
            self.assertEqual([r[0] for r in rows], files)
            for path, digest, size in rows[:-1]:
                data = z.read(path)
                self.assertEqual(digest, record_digest(data), path)
                self.assertEqual(size, str(len(data)), path)
            self.assertEqual(rows[-1][1:], ["", ""])
        result = subprocess.run(["unzip", "-tq", str(wheel)], capture_output=True, text=True)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def install_in_fresh_venv(self, wheel: Path) -> Path:
        """A new venv (under the test's scratch directory) with `wheel` installed by pip."""
        venv = self.tmp / "venv"
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pip = subprocess.run([str(venv / "bin/python"), "-m", "pip", "install", "--no-index", "--no-deps", "-q",
                              str(wheel)], capture_output=True, text=True)
        self.assertEqual(pip.returncode, 0, pip.stdout + pip.stderr)
        return venv

    def file_contents(self, wheel: Path) -> dict:
        with zipfile.ZipFile(wheel) as z:
            return {n: z.read(n) for n in z.namelist() if not n.endswith("/") and not n.endswith("/RECORD")}
