"""elf-symvers: versions and symbols checked against binutils readelf, ISA levels
from -march/-mneeded builds, markers, hostile version tables, the pipeline."""
import json
import re
import shutil
import struct
import subprocess
from pathlib import Path

from elfkit import compile_shared, host_library_sample
from wheelkit import StageTest, make_wheel, records_of


def readelf_bindings(path):
    """({file: {version}}, {symbol: version}) for undefined versioned symbols, per binutils."""
    info = subprocess.run(["readelf", "-V", "-W", str(path)], capture_output=True, text=True).stdout
    needs, current = {}, None
    in_needs = False
    for line in info.splitlines():
        if line.startswith("Version needs section"):
            in_needs = True
            continue
        if in_needs and re.match(r"^\S", line) and not line.startswith(" "):
            in_needs = False
        if not in_needs:
            continue
        file = re.search(r"File: (\S+)", line)
        if file:
            current = needs.setdefault(file.group(1), set())
        name = re.search(r"Name: (\S+)", line)
        if name and current is not None:
            current.add(name.group(1))
    symbols = {}
    syms = subprocess.run(["readelf", "--dyn-syms", "-W", str(path)], capture_output=True, text=True).stdout
    for line in syms.splitlines():
        match = re.match(r"\s*\d+:\s+\S+\s+\d+\s+\S+\s+\S+\s+\S+\s+UND\s+(\S+)@(\S+?)(?:\s+\(\d+\))?$", line)
        if match:
            symbols.setdefault(match.group(1), set()).add(match.group(2))  # a name may be bound to several versions
    return needs, symbols


class SymversBase(StageTest):
    def symvers(self, *files, expect=0):
        result = self.run_stage("elf-symvers", *files, expect=expect)
        return records_of(result.stdout) if expect == 0 else result

    def assert_agrees_with_readelf(self, path, record):
        needs, symbols = readelf_bindings(path)
        ours = {file: set(versions) for file, versions in record["versions"].items()}
        self.assertEqual(ours, needs, path)
        for file, versions in record["versions"].items():
            for version, names in versions.items():
                for name in names:
                    self.assertIn(version, symbols.get(name, set()), f"{path}: {name}")


class SymbolVersionsTest(SymversBase):
    def test_versions_and_symbols_of_a_built_library(self):
        source = ("#include <string.h>\n#include <math.h>\n"
                  "void copy(char *d, const char *s, size_t n) { memcpy(d, s, n); }\n"
                  "double root(double x) { return sqrt(x) + strlen(\"x\"); }\n"
                  "extern void maybe(void) __attribute__((weak));\n"
                  "void call(void) { if (maybe) maybe(); }\n")
        lib = compile_shared(self.tmp / "libv.so", "v", "-lm", "-fno-builtin", source=source)
        record = self.symvers(lib)[0]
        self.assertEqual(record["versions"]["libc.so.6"]["GLIBC_2.14"], ["memcpy"])
        self.assertIn("2.14", record["namespaces"]["GLIBC"])
        self.assertIn("memcpy", record["undefined"])
        self.assertNotIn("maybe", record["undefined"], "weak undefined symbols are not listed")
        self.assertFalse(record["ucs2"] or record["pyfpe"])
        self.assert_agrees_with_readelf(lib, record)

    def test_host_libraries_agree_with_readelf(self):
        for path in host_library_sample("/usr/lib/x86_64-linux-gnu/*.so*", seed=11, default=40):
            result = self.run_stage("elf-symvers", path, expect=None)
            if result.returncode != 0:
                self.assertIn("not an ELF file", result.stderr)  # linker scripts
                continue
            with self.subTest(library=path):
                self.assert_agrees_with_readelf(path, records_of(result.stdout)[0])

    def test_foreign_wheels_agree_with_readelf(self):
        for wheel, records, workdir in self.unpacked_shared_wheels("--elf-only"):
            out = records_of(self.run_stage("elf-symvers", stdin="\n".join(json.dumps(r) for r in records)).stdout)
            for record in (r for r in out if r["kind"] == "symvers"):
                with self.subTest(wheel=wheel.name, member=record["path"]):
                    self.assertEqual(record["origin"], "member")
                    self.assert_agrees_with_readelf(workdir / record["path"], record)

    def test_isa_levels(self):
        probe = subprocess.run(["gcc", "-march=x86-64-v2", "-mneeded", "-c", "-x", "c", "/dev/null", "-o",
                                str(self.tmp / "probe.o")], capture_output=True)
        if probe.returncode != 0:
            self.skipTest("gcc here does not support -mneeded")
        levels = {"x86-64": None, "x86-64-v2": "x86-64-v2", "x86-64-v3": "x86-64-v3", "x86-64-v4": "x86-64-v4"}
        for march, expected in levels.items():
            with self.subTest(march=march):
                flags = [f"-march={march}"] + (["-mneeded"] if expected else [])
                lib = compile_shared(self.tmp / f"lib{march}.so", "isa", *flags)
                record = self.symvers(lib)[0]
                level = record["x86_isa"]["level"] if record["x86_isa"] else None
                self.assertEqual(level, expected, "a baseline build carries no ISA_1_NEEDED property")
                if expected:
                    self.assertEqual(record["x86_isa"]["needed"] & ~1, {"x86-64-v2": 2, "x86-64-v3": 6, "x86-64-v4": 14}[expected])

    def test_old_python_markers(self):
        # As a Python 2 narrow-unicode build: the UCS2 function resolved against libpython
        # at link time (so typed FUNC); PyFPE_jbuf left unresolved (NOTYPE).
        stub = compile_shared(self.tmp / "stub/libpython2.7.so", "stub",
                              source="int PyUnicodeUCS2_FromString(const char *s) { return s != 0; }\n")
        source = ("extern int PyFPE_jbuf; int PyUnicodeUCS2_FromString(const char *);\n"
                  "int f(void) { return PyFPE_jbuf + PyUnicodeUCS2_FromString(\"x\"); }\n")
        lib = compile_shared(self.tmp / "libold.so", "old", f"-L{stub.parent}", "-lpython2.7", source=source)
        record = self.symvers(lib)[0]
        self.assertTrue(record["ucs2"])
        self.assertTrue(record["pyfpe"])

    def test_pipeline_reads_members_and_external_libraries(self):
        lib = compile_shared(self.tmp / "build/pkg/_ext.so", "ext", "-lm", source="#include <math.h>\ndouble f(double x) { return cos(x); }\n")
        wheel = make_wheel(self.tmp, name="pkg", tag="cp311-cp311-linux_x86_64", purelib=False,
                           files=[("pkg/_ext.so", lib.read_bytes(), 0o755), ("pkg/__init__.py", b"", 0o644)])
        unpacked = self.unpack(wheel, "--elf-only")
        deps = self.run_stage("elf-deps", stdin=unpacked).stdout
        out = records_of(self.run_stage("elf-symvers", stdin=deps).stdout)
        self.assertEqual(out[: len(records_of(deps))], records_of(deps), "records pass through unchanged")
        symvers = [r for r in out if r["kind"] == "symvers"]
        self.assertEqual(symvers[0]["path"], "pkg/_ext.so")
        self.assertIn("libm.so.6", symvers[0]["versions"])
        libraries = {Path(r["path"]).name for r in symvers if r["origin"] == "library"}
        self.assertTrue({"libm.so.6", "libc.so.6"} <= libraries, libraries)
        shutil.rmtree(records_of(unpacked)[0]["workdir"])


class HostileVersionTables(SymversBase):
    def verneed(self, lib):
        """(offset, size, strtab size) of .gnu.version_r in a little-endian ELF64 file."""
        data = lib.read_bytes()
        shoff, = struct.unpack_from("<Q", data, 0x28)
        shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
        for i in range(shnum):
            _, kind, _, _, offset, size = struct.unpack_from("<IIQQQQ", data, shoff + i * shentsize)
            if kind == 0x6FFFFFFE:
                return offset, size
        raise AssertionError("no .gnu.version_r")

    def test_corrupt_entries_are_refused_or_bounded(self):
        lib = compile_shared(self.tmp / "libh.so", "h", source="#include <string.h>\nsize_t f(const char *s) { return strlen(s); }\n")
        offset, _ = self.verneed(lib)
        cases = {
            "file-name": (offset + 4, struct.pack("<I", 0x7FFFFFFF)),     # vn_file
            "aux-past-end": (offset + 8, struct.pack("<I", 0x7FFFFFF0)),  # vn_aux
            "next-loops": (offset + 12, struct.pack("<I", 0)),             # vn_next = 0 ends the chain
            "count-huge": (offset + 2, struct.pack("<H", 0xFFFF)),         # vn_cnt
        }
        for name, (at, patch) in cases.items():
            with self.subTest(case=name):
                data = bytearray(lib.read_bytes())
                data[at:at + len(patch)] = patch
                bad = self.tmp / f"lib-{name}.so"
                bad.write_bytes(bytes(data))
                result = self.run_stage("elf-symvers", bad, expect=None)
                self.assertEqual(result.returncode, 0 if name in ("next-loops", "count-huge") else 1, result.stderr)
                if result.returncode:
                    self.assertEqual(len(result.stderr.splitlines()), 1, result.stderr)
                    self.assertTrue(result.stderr.startswith(f"elf-symvers: error: {bad}: .gnu.version_r:"), result.stderr)
