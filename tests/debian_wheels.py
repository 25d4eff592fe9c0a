"""Wheels laid out from Debian's own Python extension packages (numpy, scipy, lxml, h5py, Pillow,
psycopg2, pyzmq, PyYAML, cryptography): the files each package installs under dist-packages, as a
cp311 linux_x86_64 wheel whose extensions need Debian's shared libraries, which a repair grafts
(2 to 34 of them). make bench repairs them when the packages are installed (make bench-deps
installs them), beside pypa auditwheel when AW_PYPA_SRC names its source."""
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "integration"))
from wheelkit import make_wheel  # noqa: E402

DIST_PACKAGES = "/usr/lib/python3/dist-packages/"
# Debian package, the wheel's distribution name and version, its top-level folders.
PACKAGES = [
    ("python3-numpy", "numpy", "1.24.2", ["numpy"]),
    ("python3-scipy", "scipy", "1.10.1", ["scipy"]),
    ("python3-lxml", "lxml", "4.9.2", ["lxml"]),
    ("python3-h5py-serial", "h5py", "3.7.0", ["h5py"]),
    ("python3-pil", "Pillow", "9.4.0", ["PIL"]),
    ("python3-psycopg2", "psycopg2", "2.9.5", ["psycopg2"]),
    ("python3-zmq", "pyzmq", "24.0.1", ["zmq"]),
    ("python3-yaml", "PyYAML", "6.0", ["yaml", "_yaml"]),
    ("python3-cryptography", "cryptography", "38.0.4", ["cryptography"]),
]


def installed_files(package: str) -> list:
    listed = subprocess.run(["dpkg", "-L", package], capture_output=True, text=True, check=True).stdout.split("\n")
    return [Path(line) for line in listed if line.startswith(DIST_PACKAGES)]


def lay_out(directory: Path, package: str, name: str, version: str, tops: list) -> Path:
    files = []
    for path in sorted(installed_files(package)):
        relative = str(path)[len(DIST_PACKAGES):]
        if relative.split("/")[0] in tops and path.is_file() and not path.is_symlink():
            files.append((relative, path.read_bytes(), 0o755 if path.suffix == ".so" else 0o644))
    return make_wheel(directory, name=name, version=version, tag="cp311-cp311-linux_x86_64", files=files, purelib=False)


def debian_wheels(directory: Path) -> list:
    """The nine wheels, laid out in `directory` (which must exist)."""
    return [lay_out(directory, *entry) for entry in PACKAGES]
