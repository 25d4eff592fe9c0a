"""Seed corpora for the fuzz targets, made from real inputs: the shared wheels (when ../shared
exists), the host's libraries, and the records the stages write for those wheels.
usage: seeds.py BUILD_DIR SEEDS_DIR"""
import glob
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAX_SEED = 1 << 20  # the targets' -max_len


def main(build: Path, seeds: Path):
    shutil.rmtree(seeds, ignore_errors=True)  # made anew: the records name this run's work directories
    wheels = sorted(p for p in glob.glob(str(ROOT.parent / "shared/wheels/**/*.whl"), recursive=True)
                    if os.path.getsize(p) <= MAX_SEED)
    if not wheels:
        print("seeds.py: ../shared/wheels is missing: seeding with the host's libraries only")
    host = [p for pattern in ("/usr/lib/x86_64-linux-gnu/libz.so.1.*", "/usr/lib/x86_64-linux-gnu/libm.so.6",
                              "/usr/lib/x86_64-linux-gnu/libffi.so.8.*", "/bin/true")
            for p in glob.glob(pattern) if os.path.getsize(p) <= MAX_SEED]
    for path in wheels:
        add(seeds / "wheel", Path(path).read_bytes())
        with zipfile.ZipFile(path) as z:
            for info in z.infolist():
                if info.file_size > MAX_SEED:
                    continue
                data = z.read(info)
                if data.startswith(b"\x7fELF"):
                    add(seeds / "elf", data)
                    add(seeds / "rpath_set", data)
                elif info.filename.endswith((".dist-info/RECORD", ".dist-info/WHEEL", ".dist-info/METADATA")):
                    add(seeds / "text", data)
        add(seeds / "records", stage_records(build, Path(path)))
    for path in host:
        add(seeds / "elf", Path(path).read_bytes())
        add(seeds / "rpath_set", Path(path).read_bytes())
    for target in ("elf", "rpath_set", "wheel", "text", "records"):
        (seeds / target).mkdir(parents=True, exist_ok=True)
        print(f"seeds.py: {target}: {len(os.listdir(seeds / target))} seeds")


def stage_records(build: Path, wheel: Path) -> bytes:
    """The stream after policy-check and lib-graft, as auditwheel repair makes it."""
    bin_dir = build / "bin"
    with tempfile.TemporaryDirectory() as scratch:
        stream = run([bin_dir / "whl-unpack", "--elf-only", "--dest", Path(scratch) / "w", wheel], b"")
        for stage in (["elf-deps"], ["elf-symvers"],
                      ["policy-check", "--policies", build / "share/auditwheel/policies", "--plat", "auto"],
                      ["lib-graft"]):
            out = run([bin_dir / stage[0], *stage[1:]], stream)
            if not out:
                break
            stream = out
    return stream


def run(argv, stdin: bytes) -> bytes:
    result = subprocess.run([str(a) for a in argv], input=stdin, capture_output=True)
    return result.stdout if result.returncode == 0 else b""


def add(directory: Path, data: bytes):
    if not data:
        return
    directory.mkdir(parents=True, exist_ok=True)
    (directory / hashlib.sha1(data).hexdigest()).write_bytes(data)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
