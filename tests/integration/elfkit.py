"""Helpers to compile small ELF files for the tests and to patch them (little-endian ELF64)."""
import glob
import os
import random
import re
import struct
import subprocess
from pathlib import Path

LIB_SOURCE = "int {name}_value(void) {{ return {value}; }}\n"


def compile_shared(out: Path, name: str, *flags: str, needs=(), value=1, cc="gcc", source=None, soname=None) -> Path:
    """A shared library exporting `<name>_value` (using libc, as real code does), calling the
    `<lib>_value` of each library in `needs` ((dir, libname) pairs; dots in names become '_').
    Its SONAME is its file name unless `soname` is given."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    src = out.parent / f"{out.name}.c"
    symbol = lambda lib: lib.replace(".", "_")  # noqa: E731
    calls = "".join(f"int {symbol(n)}_value(void);\n" for _, n in needs)
    body = source or ("#include <unistd.h>\n" + calls + f"int {symbol(name)}_value(void) {{ return {value}"
                      + "".join(f" + {symbol(n)}_value()" for _, n in needs) + " + (getpid() < 0); }\n")
    src.write_text(body)
    link = []
    for directory, lib in needs:
        link += [f"-L{directory}", f"-l{lib}"]
    subprocess.run([cc, "-shared", "-fPIC", "-o", str(out), str(src), *link, *flags, f"-Wl,-soname,{soname or out.name}"],
                   check=True, capture_output=True)
    src.unlink()
    return out


def loader_list(path: Path, cwd=None, env=None) -> dict:
    """{soname: realpath or None} as glibc's own loader resolves `path` (ld.so --list)."""
    result = subprocess.run(["/lib64/ld-linux-x86-64.so.2", "--list", str(path)], capture_output=True, text=True,
                            cwd=cwd, env=env)
    libraries = {}
    for line in result.stdout.splitlines():
        match = re.match(r"\s*(\S+) => (not found|\S+)", line)
        if match:
            found = match.group(2)
            libraries[match.group(1)] = None if found == "not found" else os.path.realpath(os.path.join(cwd or ".", found))
    return libraries


def dynamic_tags(path: Path) -> dict:
    """{tag: [values]} of NEEDED, SONAME, RPATH and RUNPATH, as readelf shows them."""
    out = subprocess.run(["readelf", "-dW", str(path)], capture_output=True, text=True, check=True).stdout
    tags = {}
    for tag, value in re.findall(r"\((NEEDED|SONAME|RPATH|RUNPATH)\)\s+[^\[]*\[(.*)\]", out):
        tags.setdefault(tag, []).append(value)
    return tags


def host_library_sample(pattern: str, seed: int, default: int) -> list:
    """A seeded sample of the host's regular files matching `pattern` (links left out). The
    machine decides what is there, so the tests that use it assert only what holds for any
    library; AW_HOST_SAMPLE sets the size (0: every file, as make stress runs it)."""
    candidates = sorted(p for p in glob.glob(pattern) if not os.path.islink(p))
    count = int(os.environ.get("AW_HOST_SAMPLE", default))
    return candidates if count <= 0 else random.Random(seed).sample(candidates, min(count, len(candidates)))


class Elf64:
    """Just enough of a little-endian ELF64 file to patch its dynamic section in tests."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.data = bytearray(self.path.read_bytes())
        self.phoff, = struct.unpack_from("<Q", self.data, 0x20)
        self.phentsize, self.phnum = struct.unpack_from("<HH", self.data, 0x36)

    def section_table_end(self):
        """Where the section header table ends (e_shoff + e_shnum * e_shentsize)."""
        shoff, = struct.unpack_from("<Q", self.data, 0x28)
        shentsize, shnum = struct.unpack_from("<HH", self.data, 0x3a)
        return shoff + shnum * shentsize

    def program_headers(self):
        for i in range(self.phnum):
            at = self.phoff + i * self.phentsize
            yield at, struct.unpack_from("<IIQQQQQQ", self.data, at)

    def dynamic_offset(self):
        return next(h[2] for at, h in self.program_headers() if h[0] == 2)

    def dynamic(self):
        """[(offset of the entry, tag, value)] up to and including the first DT_NULL run."""
        offset, entries = self.dynamic_offset(), []
        while offset + 16 <= len(self.data):
            tag, value = struct.unpack_from("<qQ", self.data, offset)
            entries.append((offset, tag, value))
            if tag == 0 and len([e for e in entries if e[1] == 0]) > 1:
                break
            offset += 16
        return entries

    def retype_program_header(self, old_type, new_type):
        at = next(at for at, h in self.program_headers() if h[0] == old_type)
        struct.pack_into("<I", self.data, at, new_type)

    def set_entry(self, offset, tag, value):
        struct.pack_into("<qQ", self.data, offset, tag, value)

    def save(self, path=None):
        Path(path or self.path).write_bytes(bytes(self.data))
