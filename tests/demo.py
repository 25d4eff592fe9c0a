"""make demo: build a wheel from this project's sample extension (tests/data/spam.c),
audit it with `auditwheel show`, run it through the wheel stages, install the result and
import it. `auditwheel repair` joins this demo when lib-graft lands."""
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "integration"))
from wheelkit import BIN, records_of, spam_wheel  # noqa: E402


def step(text):
    print(f"\n== {text}", flush=True)


def run(argv, **kwargs):
    print("$ " + " ".join(str(a) for a in argv), flush=True)
    return subprocess.run([str(a) for a in argv], check=True, text=True, **kwargs)


def main():
    demo = Path(sys.argv[1] if len(sys.argv) > 1 else "build").resolve() / "demo"
    demo.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="aw-demo-") as scratch:
        scratch = Path(scratch)
        step("build a wheel from tests/data/spam.c")
        wheel = spam_wheel(scratch)
        print(wheel.name)

        step("auditwheel show: which platform tag the wheel can have, and why")
        run([BIN / "auditwheel", "show", wheel])

        step("whl-unpack --elf-only: check the wheel, extract only what analysis reads")
        records = run([BIN / "whl-unpack", "--elf-only", wheel], capture_output=True).stdout
        parsed = records_of(records)
        print(f"wheel record: name={parsed[0]['name']} version={parsed[0]['dist_version']} "
              f"platform={parsed[0]['tags']['platform']} workdir={parsed[0]['workdir']}")
        for member in parsed[1:]:
            elf = member["elf"]
            kind = f"ELF {elf['class']}-bit {elf['byte_order']} {elf['machine']}" if elf else "data"
            print(f"  {member['path']:45} {member['size']:>7} bytes  {member['mode']}  "
                  f"{'extracted' if member['extracted'] else 'left in the zip'}  {kind}")

        step("whl-pack: write the wheel back (unchanged members copied without recompressing)")
        out = run([BIN / "whl-pack", "-w", demo / "wheelhouse"], input=records, capture_output=True).stdout
        output = records_of(out)[-1]
        print(json.dumps(output))

        step("install the packed wheel into a fresh venv and import it")
        venv = scratch / "venv"
        run([sys.executable, "-m", "venv", venv])
        run([venv / "bin/python", "-m", "pip", "install", "-q", "--no-index", "--no-deps", output["path"]])
        run([venv / "bin/python", "-c", "import spam; print('spam.add(2, 40) =', spam.add(2, 40))"])

        step("the auditwheel wrapper")
        run([BIN / "auditwheel", "--version"])
    print(f"\ndemo done: {output['path']}")


if __name__ == "__main__":
    main()
