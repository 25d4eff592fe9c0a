"""make bench: time and peak memory of the wheel I/O stages on a large generated wheel.

Prints figures; it asserts nothing about time (speed is measured, never tested)."""
import hashlib
import json
import os
import shlex
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
import zipfile
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "integration"))
from elfkit import compile_shared  # noqa: E402
from wheelkit import BIN, build_dep_extension, build_dep_libraries, dep_wheel, make_wheel, python_tag, record_digest  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from debian_wheels import PACKAGES as DEBIAN_PACKAGES, debian_wheels  # noqa: E402

MiB = 1 << 20


def generate_wheel(directory: Path, total_mib: int) -> Path:
    """At least total_mib on disk: incompressible blobs stored, text deflated, a few ELF files."""
    path = directory / f"big-1.0-cp311-cp311-linux_{os.uname().machine}.whl"
    rows = []
    with zipfile.ZipFile(path, "w") as z:
        def add(name, data, method):
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.external_attr = 0o100644 << 16
            info.compress_type = method
            z.writestr(info, data)
            rows.append(f"{name},{record_digest(data)},{len(data)}")
        for i in range(total_mib // 16 + 1):
            add(f"big/data/blob{i:03}.bin", os.urandom(16 * MiB), zipfile.ZIP_STORED)
        text = b"".join(b"line %d of a fairly ordinary text file\n" % i for i in range(400000))
        for i in range(2):
            add(f"big/text/file{i:03}.txt", text, zipfile.ZIP_DEFLATED)
        for i, lib in enumerate(["/bin/ls", "/bin/cp", "/bin/mv"]):
            add(f"big/_ext{i}.so", Path(lib).read_bytes(), zipfile.ZIP_DEFLATED)
        dist = "big-1.0.dist-info"
        add(f"{dist}/WHEEL", b"Wheel-Version: 1.0\nRoot-Is-Purelib: false\nTag: cp311-cp311-linux_x86_64\n", zipfile.ZIP_DEFLATED)
        rows.append(f"{dist}/RECORD,,")
        z.writestr(f"{dist}/RECORD", "\n".join(rows) + "\n")
    return path


def generate_many_members(directory: Path, count: int) -> Path:
    """A wheel of `count` small text files in nested packages."""
    path = directory / "many-1.0-py3-none-any.whl"
    rows = []
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for i in range(count):
            name = f"many/p{i % 50:02}/m{i:06}.py"
            data = b"value = %d\n" % i
            z.writestr(name, data)
            rows.append(f"{name},{record_digest(data)},{len(data)}")
        z.writestr("many-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        rows += ["many-1.0.dist-info/WHEEL,,", "many-1.0.dist-info/RECORD,,"]
        z.writestr("many-1.0.dist-info/RECORD", "\n".join(rows) + "\n")
    return path


def python_zip_round_trip(wheel: Path, directory: Path) -> float:
    """Seconds to extract `wheel` into `directory` and deflate it all into a new zip: the least a
    Python tool that unpacks and repacks (as pypa auditwheel does) spends."""
    start = time.monotonic()
    with zipfile.ZipFile(wheel) as z:
        z.extractall(directory)
    with zipfile.ZipFile(directory.with_suffix(".whl"), "w", zipfile.ZIP_DEFLATED) as out:
        for path in sorted(directory.rglob("*")):
            if path.is_file():
                out.write(path, path.relative_to(directory))
    return time.monotonic() - start


def timed(argv, stdin_path=None, stdout_path=None):
    """Runs argv under GNU time (a small parent, so the peak RSS is the
    stage's own) with files for stdin/stdout; returns (seconds, peak RSS MiB)."""
    stdin = open(stdin_path) if stdin_path else subprocess.DEVNULL
    stdout = open(stdout_path, "w") if stdout_path else subprocess.DEVNULL
    result = subprocess.run(["/usr/bin/time", "-f", "%e %M", *map(str, argv)], stdin=stdin, stdout=stdout,
                            stderr=subprocess.PIPE, text=True)
    if result.returncode != 0:
        sys.exit(f"bench: {argv[0]} failed: {result.stderr}")
    seconds, kib = result.stderr.split()[-2:]
    return float(seconds), int(kib) / 1024


# The summary make bench ends with: one row per work, ours beside pypa auditwheel's.
SUMMARY = []


def summarize(work, pypa_s, ours_s, goal=None, memory=None, floor=None):
    """A row of the closing table: `goal` is the ratio to reach (pypa's time over ours),
    `memory` (MiB) the largest anonymous memory (heap, stacks: mapped files not counted) of any
    of our processes during that work, against the 64 MiB budget; `floor` (s) the least time the
    work can take on this machine (show_floor, repair_floor), so that a goal out of reach says so."""
    SUMMARY.append((work, pypa_s, ours_s, goal, memory, floor))


def print_summary():
    print(f"\n{'work':46} {'pypa s':>7} {'ours s':>7} {'ratio':>6} {'goal':>6} {'anon MiB':>8} {'floor s':>7}  met")
    out_of_reach = []
    for work, pypa_s, ours_s, goal, memory, floor in SUMMARY:
        ratio = pypa_s / ours_s if pypa_s else None
        verdicts = []
        if goal:
            verdicts.append("?" if ratio is None else "yes" if ratio >= goal else "NO")
            if ratio is not None and ratio < goal and floor and pypa_s / floor < goal:
                out_of_reach.append(f"{work}: at its floor here, {floor * 1000:.0f} ms, pypa's time would be "
                                    f"{pypa_s / floor:.0f}x ours, short of {goal}x")
        if memory is not None:
            verdicts.append("yes" if memory <= 64 else "NO")
        print(f"{work[:46]:46} {pypa_s or float('nan'):7.2f} {ours_s:7.3f} "
              f"{'' if ratio is None else f'{ratio:.1f}x':>6} {'' if goal is None else f'>={goal}x':>6} "
              f"{'' if memory is None else f'{memory:.0f}':>8} {'' if floor is None else f'{floor:.3f}':>7}  "
              f"{'/'.join(verdicts) or '-'}")
    if not any(row[1] for row in SUMMARY):
        print("(pypa auditwheel not run: set AW_PYPA_SRC to its src/; the ratios are then unknown)")
    for line in out_of_reach:
        print(f"out of reach on this machine: {line}")


SHOW_STAGES = ("whl-unpack", "elf-deps", "elf-symvers", "policy-check")


def show_floor(stage_command):
    """The least a show takes here however little its stages do: the wrapper's shell, its scratch
    directory and named pipes (mktemp, mkfifo, rm -rf), and its four stages started at once, as
    the wrapper starts them, each only starting (--help); stage_command(name) is a stage's argv.
    Starting a process is the machine's cost: on a VM where the cpuid instruction traps, glibc's
    start-up alone takes most of a millisecond."""
    stages = " ".join(f"{shlex.join(map(str, stage_command(stage)))} --help >/dev/null &" for stage in SHOW_STAGES)
    script = f'd=$(mktemp -d) && mkfifo "$d/unpacked" "$d/deps" "$d/symvers" && {{ {stages} wait; }} && rm -rf "$d"'
    return fastest(["sh", "-c", script], 10)


def show_stage_work(wheel: Path, scratch: Path, stage_command, policies: Path):
    """What show does beyond its floor: each stage run alone on its input, fastest of 20, less its
    start-up alone (--help), in ms. On show's data path each stage waits for the one before."""
    work = scratch / "show-stages"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    arguments = {"whl-unpack": ["--elf-only", "--dest", work / "wheel", wheel], "elf-deps": [], "elf-symvers": [],
                 "policy-check": ["--log", "--policies", policies]}
    inputs, previous = {}, None
    for stage in SHOW_STAGES:
        inputs[stage] = previous
        previous = work / f"{stage}.jsonl"
        with open(inputs[stage] or os.devnull) as stdin, open(previous, "w") as stdout:
            subprocess.run([*map(str, stage_command(stage)), *map(str, arguments[stage])], stdin=stdin, stdout=stdout,
                           stderr=subprocess.DEVNULL, check=True)
    fresh = lambda: shutil.rmtree(work / "wheel", ignore_errors=True)  # noqa: E731 (whl-unpack's --dest must not exist)
    return {stage: 1000 * (fastest([*stage_command(stage), *arguments[stage]], 20, stdin_path=inputs[stage],
                                   before=fresh if stage == "whl-unpack" else None)
                           - fastest([*stage_command(stage), "--help"], 20))
            for stage in SHOW_STAGES}


def print_show_costs(label, wheel: Path, scratch: Path, stage_command, policies: Path):
    """Prints show's floor and its stages' work with `label`'s programs; returns the floor (s)."""
    floor = show_floor(stage_command)
    work = show_stage_work(wheel, scratch, stage_command, policies)
    print(f"  {label}: floor (the wrapper's scratch directory and pipes, its stages only starting) "
          f"{floor * 1000:.1f} ms; each stage's work beyond its start-up: "
          + ", ".join(f"{stage} {ms:.1f} ms" for stage, ms in work.items()))
    return floor


def repair_floor(wheel: Path, scratch: Path):
    """The least a repair of `wheel`, whose bytes are nearly all copied unchanged, takes here
    whatever the program: every byte must be hashed (SHA-256, for RECORD) and written to the new
    wheel, which libzip runs through zlib's CRC-32 as it writes a stored member; the two may at
    best share the cores. Timed, fastest of 3, with the same libraries (hashlib's OpenSSL, zlib)."""
    def hash_all():
        digest = hashlib.sha256()
        with open(wheel, "rb") as f:
            while block := f.read(MiB):
                digest.update(block)

    def copy_all():
        crc = 0
        with open(wheel, "rb") as f, open(scratch / "floor-copy", "wb") as out:
            while block := f.read(MiB):
                crc = zlib.crc32(block, crc)
                out.write(block)
        (scratch / "floor-copy").unlink()

    def best(work):
        times = []
        for _ in range(3):
            start = time.monotonic()
            work()
            times.append(time.monotonic() - start)
        return min(times)

    hashing, copying = best(hash_all), best(copy_all)
    cores = len(os.sched_getaffinity(0))
    floor = max(hashing, copying, (hashing + copying) / cores)
    print(f"its floor here: SHA-256 of every byte {hashing:.2f} s, CRC-32 and writing {copying:.2f} s; "
          f"on {cores} cores, at best {floor:.2f} s")
    return floor


def fastest(argv, runs, env=None, before=None, stdin_path=None):
    """The shortest wall time of `runs` runs of argv (output discarded, standard input from
    `stdin_path` when given); `before` runs ahead of each."""
    best = None
    for _ in range(runs):
        if before:
            before()
        stdin = open(stdin_path) if stdin_path else subprocess.DEVNULL
        start = time.monotonic()
        result = subprocess.run([*map(str, argv)], stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        elapsed = time.monotonic() - start
        if stdin_path:
            stdin.close()
        if result.returncode != 0:
            sys.exit(f"bench: {argv[0]} failed: {result.stderr.decode()[-500:]}")
        best = elapsed if best is None else min(best, elapsed)
    return best


def descendants(pid):
    """pid and every process below it, from /proc's children lists."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as f:
                    queue += [int(child) for child in f.read().split()]
        except OSError:
            pass
    return found


def measured(argv, env=None):
    """Runs argv; returns (seconds, the largest RssAnon of any process of its tree, sampled every
    5 ms, in MiB): the memory a process owns, without the files it maps (rpath-set maps what it
    rewrites, whl-pack what it deflates)."""
    start = time.monotonic()
    process = subprocess.Popen([*map(str, argv)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    peak = 0
    while process.poll() is None:
        for pid in descendants(process.pid):
            try:
                with open(f"/proc/{pid}/status") as f:
                    for line in f:
                        if line.startswith("RssAnon:"):
                            peak = max(peak, int(line.split()[1]))
            except OSError:
                pass
        time.sleep(0.005)
    seconds = time.monotonic() - start
    error = process.stderr.read().decode()
    if process.returncode != 0:
        sys.exit(f"bench: {argv[0]} failed: {error[-500:]}")
    return seconds, peak / 1024


def host_libraries():
    """Every regular ELF shared library under /usr/lib and /lib (the system's own)."""
    found = set()
    for top in ("/usr/lib", "/lib"):
        for directory, _, names in os.walk(top):
            for name in names:
                path = os.path.join(directory, name)
                if ".so" not in name or os.path.islink(path) or not os.path.isfile(path):
                    continue
                with open(path, "rb") as f:
                    if f.read(4) == b"\x7fELF":
                        found.add(os.path.realpath(path))
    return sorted(found)


def bench_elf_analysis(scratch: Path):
    libraries = host_libraries()
    listing = scratch / "libraries.txt"
    listing.write_text("\n".join(libraries) + "\n")
    start = time.monotonic()
    total = 0
    for path in libraries:
        with open(path, "rb") as f:
            total += len(f.read())
    read_once = time.monotonic() - start
    print(f"\nhost libraries: {len(libraries)} ELF shared objects, {total / MiB:.0f} MiB")
    print(f"  read each once (page cache warm):   {read_once:.2f} s")
    for stage in ("elf-deps", "elf-symvers"):
        seconds, rss = timed(["/bin/sh", "-c", f'xargs -d "\\n" {BIN / stage} < {listing} > /dev/null 2>&1'])
        print(f"  {stage + ' on all of them:':34} {seconds:.2f} s ({seconds / read_once:.1f}x reading them), peak {rss:.0f} MiB")


def bench_rewrite(scratch: Path):
    """A typical repair plan (new SONAME, a renamed DT_NEEDED, a new RPATH) on 1,000 libraries:
    rpath-set in one process over a record stream, against one patchelf run per file."""
    import json
    import shutil as sh
    if sh.which("patchelf") is None:
        print("\nrpath-set vs patchelf: skipped (install Debian's patchelf to compare)")
        return
    libraries = [p for p in host_libraries() if "/x86_64-linux-gnu/" in p][:1000]
    ours, theirs = scratch / "ours", scratch / "theirs"
    plans = []
    for directory in (ours, theirs):
        directory.mkdir()
    for index, path in enumerate(libraries):
        name = f"lib{index:04}.so"
        for directory in (ours, theirs):
            sh.copy(path, directory / name)
        plans.append((name, [f"lib{index:04}-0a1b2c3d.so", "libc.so.6", "libc-0a1b2c3d.so.6",
                             "$ORIGIN/../package.libs"]))
    # The wheel record whl-unpack would write for such a work directory (its required fields).
    stream = [json.dumps({"kind": "wheel", "version": 1, "path": "bench-1.0-py3-none-linux_x86_64.whl",
                          "filename": "bench-1.0-py3-none-linux_x86_64.whl", "name": "bench",
                          "dist_info": "bench-1.0.dist-info", "workdir": str(ours),
                          "tags": {"python": ["py3"], "abi": ["none"], "platform": ["linux_x86_64"]},
                          "file": {"size": 0, "mtime_ns": 0}})]
    for name, (soname, old, new, rpath) in plans:
        stream.append(json.dumps({"kind": "elf_edit", "path": name, "set_soname": soname,
                                  "replace_needed": [[old, new]], "set_rpath": rpath, "force_rpath": True}))
    (scratch / "edits.jsonl").write_text("\n".join(stream) + "\n")
    t_ours, _ = timed([BIN / "rpath-set"], stdin_path=scratch / "edits.jsonl")
    start = time.monotonic()
    for name, (soname, old, new, rpath) in plans:
        subprocess.run(["patchelf", "--set-soname", soname, "--replace-needed", old, new, "--force-rpath",
                        "--set-rpath", rpath, str(theirs / name)], check=True, capture_output=True)
    t_theirs = time.monotonic() - start
    print(f"\nrepair plan on {len(plans)} libraries: rpath-set {t_ours:.2f} s (one process), "
          f"patchelf {t_theirs:.2f} s (one run per file, as pypa auditwheel 6.8 runs it)")


def bench_repair(scratch: Path, total_mib: int):
    """auditwheel repair of a wheel of `total_mib` data whose extension needs two libraries
    (grafted, renamed, RPATH set): the whole pipeline, with what a Python tool must at least do
    (extract and rewrite the zip) beside it."""
    private = scratch / "private"
    private.mkdir()
    build_dep_libraries(private)
    blobs = [(f"foo/data/blob{i:03}.bin", os.urandom(16 * MiB), 0o644, zipfile.ZIP_STORED)
             for i in range(total_mib // 16 + 1)]
    wheel = dep_wheel(scratch, private, *blobs)
    env = dict(os.environ, LD_LIBRARY_PATH=str(private))
    out = scratch / "repaired"
    clear = lambda: shutil.rmtree(out, ignore_errors=True)  # noqa: E731
    seconds = fastest([BIN / "auditwheel", "repair", "-w", out, wheel], 3, env, clear)
    clear()
    _, memory = measured([BIN / "auditwheel", "repair", "-w", out, wheel], env)
    pypa = pypa_auditwheel()
    theirs = fastest([*pypa[0], "repair", "-w", out, wheel], 3, dict(pypa[1], LD_LIBRARY_PATH=str(private)), clear) if pypa else None
    clear()
    python_io = python_zip_round_trip(wheel, scratch / "repair-py")
    print(f"\nauditwheel repair, {wheel.stat().st_size / MiB:.0f} MiB wheel, 2 libraries grafted, fastest of 3: "
          f"{seconds:.2f} s (pypa auditwheel {theirs or float('nan'):.2f} s), largest anonymous memory {memory:.1f} MiB; "
          f"python zipfile extract + rewrite alone: {python_io:.2f} s")
    summarize(f"repair, the {wheel.stat().st_size / MiB:.0f} MiB wheel (2 grafted)", theirs, seconds, 50, memory,
              repair_floor(wheel, scratch))


def timed_repairs(wheel: Path, private: Path, out: Path, work: str):
    """`auditwheel repair` of `wheel`, whose libraries are in `private`: ours (time and largest
    anonymous memory) and, when available, pypa auditwheel's (time and its own); prints them and
    adds the row `work` to the summary."""
    pypa = pypa_auditwheel()
    runs = [("ours", [str(BIN / "auditwheel")], os.environ)] + ([("pypa", *pypa)] if pypa else [])
    seconds = {}
    said = []
    for label, command, env in runs:
        seconds[label], memory = measured([*command, "repair", "-w", out / label, wheel],
                                          dict(env, LD_LIBRARY_PATH=str(private)))
        said.append(f"{label} {seconds[label]:.2f} s, largest anonymous memory {memory:.0f} MiB")
        if label == "ours":
            ours_memory = memory
        shutil.rmtree(out / label)
    print(f"\n{work}: " + "; ".join(said) + ("" if pypa else " (set AW_PYPA_SRC to compare with pypa auditwheel)"))
    summarize(work, seconds.get("pypa"), seconds["ours"], None, ours_memory)


def bench_hundred_libraries(scratch: Path):
    """A wheel whose extension needs one library that needs 100 others (all private, all grafted,
    all renamed): the shape where per-library costs add up (pypa auditwheel runs patchelf several
    times per library)."""
    private = scratch / "hundred"
    names = [f"l{i:03}" for i in range(100)]
    for name in names:
        compile_shared(private / f"lib{name}.so", name)
    compile_shared(private / "libhub.so", "hub", needs=[(private, name) for name in names])
    extension = build_dep_extension(scratch / "hundred-build", "_dep", f"-L{private}", "-lhub", function="hub_value")
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    wheel = make_wheel(scratch, name="hundred", tag=f"{python_tag()}-{python_tag()}-linux_x86_64", purelib=False,
                       files=[("hundred/__init__.py", b"from ._dep import value\n", 0o644),
                              (f"hundred/_dep{suffix}", extension, 0o755)])
    timed_repairs(wheel, private, scratch / "hundred", "repair grafting 101 libraries")


def bench_many_cores(scratch: Path):
    """whl-pack deflating 192 MiB that does not compress with --threads 64, the cores of a large
    CI runner (each deflate thread holds chunks): its memory must stay within the budget anyway."""
    wheel = make_wheel(scratch, name="noise", tag="py3-none-any", purelib=True, files=[("noise/blob.bin", b"x", 0o644)])
    work, records = scratch / "noise-work", scratch / "noise.jsonl"
    with open(records, "w") as out:
        subprocess.run([BIN / "whl-unpack", "--dest", work, wheel], stdout=out, check=True)
    (work / "noise/blob.bin").write_bytes(os.urandom(192 * MiB))
    seconds, memory = measured(["sh", "-c", f'"$0" --threads 64 -w "$1" <"$2" >/dev/null',
                                BIN / "whl-pack", scratch / "noise-out", records])
    print(f"\nwhl-pack --threads 64, 192 MiB that does not compress: {seconds:.2f} s, peak anonymous {memory:.1f} MiB")
    summarize("whl-pack --threads 64, 192 MiB of noise", None, seconds, memory=memory)


def bench_large_wheel(scratch: Path, total_mib: int):
    """A wheel of `total_mib` whose extension is three quarters of it and links a private library
    (the shape of torch and CUDA wheels; pypa auditwheel's issue #545): the extension is edited,
    so it is rewritten and deflated again. Time and peak memory, which must not grow with it."""
    private = scratch / "large-private"
    private.mkdir()
    build_dep_libraries(private)
    extension = scratch / "large-build" / f"_dep{sysconfig.get_config_var('EXT_SUFFIX')}"
    extension.parent.mkdir()
    extension.write_bytes(build_dep_extension(scratch / "large-build", "_dep", f"-L{private}", "-ldep"))
    payload = scratch / "payload"
    with open(payload, "wb") as out:  # half random, half text: a compiled library's mix
        for i in range(total_mib * 3 // 4 // 16):
            out.write(os.urandom(16 * MiB) if i % 2 else b"".join(b"kernel %08d of a large model\n" % j
                                                                  for j in range(16 * MiB // 30)))
    subprocess.run(["objcopy", "--add-section", f".payload={payload}", str(extension)], check=True)
    payload.unlink()
    blobs = [(f"foo/data/blob{i:03}.bin", os.urandom(16 * MiB), 0o644, zipfile.ZIP_STORED) for i in range(total_mib // 4 // 16)]
    wheel = make_wheel(scratch, name="foo", tag=f"{python_tag()}-{python_tag()}-linux_x86_64", purelib=False,
                       files=[("foo/__init__.py", b"from ._dep import value\n", 0o644),
                              (f"foo/{extension.name}", extension.read_bytes(), 0o755, zipfile.ZIP_STORED), *blobs])
    extension.unlink()
    timed_repairs(wheel, private, scratch / "large",
                  f"repair, {wheel.stat().st_size / MiB:.0f} MiB wheel, {total_mib * 3 // 4} MiB extension")
    wheel.unlink()


def pypa_auditwheel():
    """pypa auditwheel to compare with, when AW_PYPA_SRC names a checkout's src/ (e.g. of
    `git archive 6.8.1` of github.com/pypa/auditwheel, with an auditwheel-6.8.1.dist-info/METADATA
    beside it) run by Debian's python3 with python3-pyelftools and python3-packaging, and a
    patchelf >= 0.14.5 on PATH; else None."""
    source = os.environ.get("AW_PYPA_SRC")
    if not source:
        return None
    env = dict(os.environ, PYTHONPATH=source)
    probe = subprocess.run(["/usr/bin/python3", "-m", "auditwheel", "--version"], capture_output=True, text=True, env=env)
    return (["/usr/bin/python3", "-m", "auditwheel"], env) if probe.returncode == 0 else None


def bench_debian_wheels(scratch: Path):
    """Repairs of the nine wheels tests/debian_wheels.py lays out from Debian's own extension
    packages (2 to 34 grafted libraries each), ours and, when available, pypa auditwheel's."""
    missing = [package for package, *_ in DEBIAN_PACKAGES
               if subprocess.run(["dpkg", "-s", package], capture_output=True).returncode != 0]
    if missing:
        print(f"\nnine Debian wheels: skipped ({' '.join(missing)} not installed; make bench-deps installs them)")
        return
    directory = scratch / "debian"
    directory.mkdir()
    pypa = pypa_auditwheel()
    totals = {"ours": 0.0, "pypa": 0.0}
    sizes = {"ours": 0, "pypa": 0}  # of the repaired wheels, which issue 15 allows 1 % above pypa's
    print(f"\n{'repair':34} {'ours s':>7} {'pypa s':>7} {'ours MB':>8} {'pypa MB':>8}")
    for wheel in debian_wheels(directory):
        row, size = {}, {}
        runs = [("ours", [str(BIN / "auditwheel")], None)] + ([("pypa", *pypa)] if pypa else [])
        for label, command, env in runs:
            out = scratch / f"debian-{label}"
            start = time.monotonic()
            subprocess.run([*command, "repair", "-w", str(out), str(wheel)], check=True, capture_output=True, env=env)
            row[label] = time.monotonic() - start
            totals[label] += row[label]
            size[label] = sum(repaired.stat().st_size for repaired in out.iterdir())
            sizes[label] += size[label]
            shutil.rmtree(out)
        print(f"{wheel.name[:34]:34} {row['ours']:7.2f} {row.get('pypa', float('nan')):7.2f} "
              f"{size['ours'] / 1e6:8.2f} {size.get('pypa', float('nan')) / 1e6:8.2f}")
    ratio = f", {totals['pypa'] / totals['ours']:.1f}x" if pypa else " (set AW_PYPA_SRC to compare with pypa auditwheel)"
    print(f"{'all nine':34} {totals['ours']:7.2f} {totals['pypa'] if pypa else float('nan'):7.2f} "
          f"{sizes['ours'] / 1e6:8.2f} {sizes['pypa'] / 1e6 if pypa else float('nan'):8.2f}{ratio}")
    if pypa:
        print(f"our repaired wheels are {100 * (sizes['ours'] / sizes['pypa'] - 1):+.1f} % the size of pypa's (allowed: +1 %)")
    summarize("repair, nine Debian wheels (one run each)", totals["pypa"] if pypa else None, totals["ours"], 10)


def main():
    total = int(os.environ.get("BENCH_WHEEL_MIB", "300"))
    scratch = Path(tempfile.mkdtemp(prefix="aw-bench-"))
    try:
        wheel = generate_wheel(scratch, total)
        size = wheel.stat().st_size / MiB
        print(f"wheel: {wheel.name}, {size:.0f} MiB on disk")
        records = scratch / "records.jsonl"
        rows = []
        for label, extra in (("full", []), ("--elf-only", ["--elf-only"])):
            t_unpack, rss_unpack = timed([BIN / "whl-unpack", *extra, wheel], stdout_path=records)
            t_pack, rss_pack = timed([BIN / "whl-pack", "-w", scratch / "out"], stdin_path=records,
                                     stdout_path=scratch / "out.jsonl")
            output = json.loads(Path(scratch / "out.jsonl").read_text().splitlines()[-1])
            rows.append((label, t_unpack, rss_unpack, t_pack, rss_pack, output["copied"], output["compressed"]))
            Path(output["path"]).unlink()
        python_round_trip = python_zip_round_trip(wheel, scratch / "py")
        print(f"{'mode':12} {'unpack s':>9} {'unpack MiB':>10} {'pack s':>7} {'pack MiB':>9} {'raw copies':>10} {'deflated':>8}")
        for label, tu, ru, tp, rp, copied, compressed in rows:
            print(f"{label:12} {tu:9.2f} {ru:10.1f} {tp:7.2f} {rp:9.1f} {copied:10} {compressed:8}")
        print(f"python zipfile extract + rewrite (what a Python tool does): {python_round_trip:.2f} s")
        t_show = fastest([BIN / "auditwheel", "show", wheel], 10)
        _, rss_show = timed([BIN / "auditwheel", "show", "--json", wheel], stdout_path=scratch / "show.json")
        pypa = pypa_auditwheel()
        pypa_show = fastest([*pypa[0], "show", wheel], 3, pypa[1]) if pypa else None
        elf_bytes = sum(len(Path(lib).read_bytes()) for lib in ["/bin/ls", "/bin/cp", "/bin/mv"])
        print(f"auditwheel show on it, fastest of 10: {t_show * 1000:.1f} ms (pypa auditwheel, fastest of 3: "
              f"{(pypa_show or float('nan')) * 1000:.0f} ms), peak {rss_show:.1f} MiB "
              f"(it reads the {elf_bytes / 1024:.0f} KiB of ELF members, not the {size:.0f} MiB wheel)")
        floor = print_show_costs("build tree", wheel, scratch, lambda stage: [BIN / stage],
                                 BIN.parent / "share/auditwheel/policies")
        summarize(f"show, the {size:.0f} MiB wheel", pypa_show, t_show, 50, floor=floor)
        if dist := os.environ.get("AW_DIST_TREE"):
            t_dist = fastest([Path(dist) / "bin/auditwheel", "show", wheel], 10)
            print(f"auditwheel show with make dist's static programs (what pip installs), fastest of 10: "
                  f"{t_dist * 1000:.1f} ms")
            floor = print_show_costs("static", wheel, scratch, lambda stage: [Path(dist) / "bin/auditwheel-stages", stage],
                                     Path(dist) / "share/auditwheel/policies")
            summarize(f"show, the {size:.0f} MiB wheel, static (make dist)", pypa_show, t_dist, 50, floor=floor)
        many = generate_many_members(scratch, 20000)
        t_unpack, _ = timed([BIN / "whl-unpack", many], stdout_path=records)
        t_pack, _ = timed([BIN / "whl-pack", "-w", scratch / "out"], stdin_path=records, stdout_path=scratch / "out.jsonl")
        print(f"20,000 small members: unpack {t_unpack:.2f} s, pack {t_pack:.2f} s")
        peak = max(max(r[2], r[4]) for r in rows)
        print(f"peak RSS of any stage: {peak:.1f} MiB ({'within' if peak < 64 else 'OVER'} the 64 MiB budget)")
        bench_elf_analysis(scratch)
        bench_rewrite(scratch)
        bench_repair(scratch, total)
        bench_hundred_libraries(scratch)
        bench_many_cores(scratch)
        if large := int(os.environ.get("BENCH_LARGE_MIB", "2048")):
            bench_large_wheel(scratch, large)
        bench_debian_wheels(scratch)
        print_summary()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
