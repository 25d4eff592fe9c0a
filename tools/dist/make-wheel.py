"""make dist: the wheel (or the tarball) of the static install tree.

The tree is what `make dist` lays out: bin/ (auditwheel, auditwheel-stages and the stage scripts)
and share/ (auditwheel/policies, man/). In the wheel, bin/ goes to <name>.data/scripts (pip puts it
on PATH) and share/ to <name>.data/data/share (pip puts it under the same prefix, where the
wrapper looks: bin/../share/auditwheel/policies). Both archives are byte-identical from run to run:
sorted entries, dates from SOURCE_DATE_EPOCH (or 1980-01-01), modes 755 or 644, no owner names.
"""
import argparse
import base64
import csv
import gzip
import hashlib
import io
import os
import sys
import tarfile
import time
import zipfile
from pathlib import Path

DISTRIBUTION = "auditwheel_cpp"
SUMMARY = "Audit and repair Linux wheels (manylinux, musllinux): a C++ drop-in for pypa auditwheel"
EPOCH_1980 = 315532800


def source_date() -> int:
    return max(int(os.environ.get("SOURCE_DATE_EPOCH", EPOCH_1980)), EPOCH_1980)


def tree_entries(tree: Path) -> list:
    """[(relative path, bytes or None for a directory, mode)] of the tree, sorted; links refused."""
    entries = []
    for path in sorted(tree.rglob("*")):
        relative = path.relative_to(tree).as_posix()
        if path.is_symlink():
            sys.exit(f"make-wheel: {path}: a link cannot go into a wheel")
        if path.is_dir():
            entries.append((relative, None, 0o755))
        elif path.is_file():
            entries.append((relative, path.read_bytes(), 0o755 if os.access(path, os.X_OK) else 0o644))
    return entries


def record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def wheel_members(tree: Path, version: str, platforms: str) -> list:
    data = f"{DISTRIBUTION}-{version}.data"
    dist_info = f"{DISTRIBUTION}-{version}.dist-info"
    members = []
    for relative, content, mode in tree_entries(tree):
        if content is None:
            continue
        top, _, rest = relative.partition("/")
        if top == "bin":
            members.append((f"{data}/scripts/{rest}", content, mode))
        elif top == "share":
            members.append((f"{data}/data/share/{rest}", content, mode))
        else:
            sys.exit(f"make-wheel: {relative}: only bin/ and share/ go into the wheel")
    metadata = (f"Metadata-Version: 2.1\nName: {DISTRIBUTION.replace('_', '-')}\nVersion: {version}\n"
                f"Summary: {SUMMARY}\n\n"
                "Static programs: auditwheel (show, repair, lddtree) and its stages whl-unpack, elf-deps,\n"
                "elf-symvers, policy-check, lib-graft, rpath-set and whl-pack; see auditwheel(1).\n")
    tags = "".join(f"Tag: py3-none-{platform}\n" for platform in platforms.split("."))
    wheel = f"Wheel-Version: 1.0\nGenerator: auditwheel-cpp make dist\nRoot-Is-Purelib: false\n{tags}"
    members += [(f"{dist_info}/METADATA", metadata.encode(), 0o644), (f"{dist_info}/WHEEL", wheel.encode(), 0o644)]
    rows = io.StringIO()
    writer = csv.writer(rows, lineterminator="\n")
    writer.writerows((name, record_hash(content), len(content)) for name, content, _ in members)
    writer.writerow((f"{dist_info}/RECORD", "", ""))
    return members + [(f"{dist_info}/RECORD", rows.getvalue().encode(), 0o644)]


def write_atomically(out: Path, write):
    """Writes through a temporary name beside `out`, renamed only once complete."""
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    try:
        with open(partial, "wb") as stream:
            write(stream)
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)


def write_wheel(out: Path, members: list):
    date = time.gmtime(source_date())[:6]

    def write(stream):
        with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
            for name, content, mode in members:
                info = zipfile.ZipInfo(name, date_time=date)
                info.external_attr = (0o100000 | mode) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, content, compresslevel=9)

    write_atomically(out, write)


def write_tarball(out: Path, tree: Path, top: str):
    def write(stream):
        with gzip.GzipFile(filename="", mode="wb", fileobj=stream, mtime=0) as packed:
            with tarfile.open(fileobj=packed, mode="w", format=tarfile.GNU_FORMAT) as archive:
                for relative, content, mode in tree_entries(tree):
                    info = tarfile.TarInfo(f"{top}/{relative}")
                    info.mode, info.mtime, info.uid, info.gid, info.uname, info.gname = mode, source_date(), 0, 0, "", ""
                    if content is None:
                        info.type = tarfile.DIRTYPE
                        archive.addfile(info)
                    else:
                        info.size = len(content)
                        archive.addfile(info, io.BytesIO(content))

    write_atomically(out, write)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", type=Path, required=True)
    parser.add_argument("--version", required=True)
    parser.add_argument("--platforms", help="the wheel's platform tags, '.'-separated")
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--out", type=Path, help="write the wheel here")
    group.add_argument("--tarball", type=Path, help="write a .tar.gz of the tree here instead")
    args = parser.parse_args()
    if args.tarball:
        write_tarball(args.tarball, args.tree, f"auditwheel-cpp-{args.version}")
    elif not args.platforms:
        parser.error("a wheel needs --platforms")
    else:
        write_wheel(args.out, wheel_members(args.tree, args.version, args.platforms))


if __name__ == "__main__":
    main()
