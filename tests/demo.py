"""make demo: build a wheel from this project's sample sources (tests/data: an extension
needing a library that needs another, both built into a private directory), audit it with
`auditwheel show`, repair it with `auditwheel repair`, then install the repaired wheel into a
fresh venv and import it with the private directory gone."""
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "integration"))
from wheelkit import BIN, build_dep_libraries, dep_wheel  # noqa: E402


def step(text):
    print(f"\n== {text}", flush=True)


def run(argv, **kwargs):
    print("$ " + " ".join(str(a) for a in argv), flush=True)
    return subprocess.run([str(a) for a in argv], check=True, text=True, **kwargs)


def query(*argv):
    return subprocess.run([str(a) for a in argv], check=True, text=True, capture_output=True).stdout


def main():
    demo = Path(sys.argv[1] if len(sys.argv) > 1 else "build").resolve() / "demo"
    wheelhouse = demo / "wheelhouse"
    shutil.rmtree(wheelhouse, ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix="aw-demo-") as scratch:
        scratch = Path(scratch)
        private = scratch / "private"
        private.mkdir()
        step("build libdep.so.1 -> libdep2.so.1 into a private directory, and a wheel whose extension needs them")
        build_dep_libraries(private)
        wheel = dep_wheel(scratch, private)
        print(f"{private}: {' '.join(sorted(os.listdir(private)))}")
        print(wheel.name)
        env = dict(os.environ, LD_LIBRARY_PATH=str(private))

        step("auditwheel show: the platform tag the wheel can have, and what it needs from outside")
        run([BIN / "auditwheel", "show", wheel], env=env)

        step("auditwheel repair: graft the libraries, rewrite the ELF files, retag")
        run([BIN / "auditwheel", "repair", "-w", wheelhouse, wheel], env=env)
        repaired = next(wheelhouse.glob("*.whl"))
        with zipfile.ZipFile(repaired) as z:
            for info in z.infolist():
                print(f"  {info.filename:50} {info.file_size:>7} bytes")
            z.extractall(scratch / "repaired")
        for member in sorted((scratch / "repaired").glob("foo*/*.so*")):
            relative = member.relative_to(scratch / "repaired")
            needed = query(BIN / "rpath-set", "--print-needed", member).split()
            rpath = query(BIN / "rpath-set", "--print-rpath", member).strip()
            print(f"  {relative}: needs {', '.join(needed)}; rpath {rpath or '(none)'}")

        step("auditwheel show on the repaired wheel")
        run([BIN / "auditwheel", "show", repaired])

        step("install it into a fresh venv and import it, with the private directory deleted")
        venv = scratch / "venv"
        run([sys.executable, "-m", "venv", venv])
        run([venv / "bin/python", "-m", "pip", "install", "-q", "--no-index", "--no-deps", repaired])
        shutil.rmtree(private)
        clean = {k: v for k, v in os.environ.items() if k != "LD_LIBRARY_PATH"}
        run([venv / "bin/python", "-c", "import foo; print('foo.value() =', foo.value())"], env=clean, cwd=scratch)

        step("the auditwheel wrapper")
        run([BIN / "auditwheel", "--version"])
    print(f"\ndemo done: {repaired}")


if __name__ == "__main__":
    main()
