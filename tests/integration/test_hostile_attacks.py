"""Attacks that used to get through (issue 10): each feeds hostile input and checks the one-line
error, the exit status, and that nothing was written, changed or left behind."""
import json
import os
import shutil
import signal
import stat
import struct
import subprocess
import time
import zipfile
import zlib
from pathlib import Path

from elfkit import Elf64, compile_shared
from wheelkit import BIN, StageTest, build_dep_libraries, dep_wheel, make_wheel, record_digest, records_of, spam_wheel

LONG_RPATH = "$ORIGIN/../pkg.libs:/a/path/long/enough/to/need/a/new/segment/of/its/own/" + "x" * 40


def snapshot(directory: Path) -> dict:
    """{relative path: (type, size, bytes or None)} of everything under `directory`, dotfiles included."""
    found = {}
    for root, dirs, files in os.walk(directory):
        for name in dirs + files:
            path = Path(root) / name
            info = path.lstat()
            body = path.read_bytes() if stat.S_ISREG(info.st_mode) else None
            found[str(path.relative_to(directory))] = (stat.S_IFMT(info.st_mode), body)
    return found


class Untrusted(StageTest):
    # The lines of pypa's log that show or a failing repair may print before its error (auditwheel(1)).
    REPAIR_LOG = ("Repairing ", "Excluding ", "Skip ", "setting architecture to ", "setting libc to ",
                  "Wheel is eligible ", "Grafting: ", "Setting RPATH: ", "Grafted ", "Stripping symbols from ")

    def assert_one_error(self, result, stage, status, *texts):
        """Exit `status`, warnings (and the repair log so far) at most before exactly one
        "<stage>: error:" line holding `texts`."""
        self.assertEqual(result.returncode, status, result.stderr)
        *warnings, error = result.stderr.splitlines() or [""]
        for line in warnings:
            self.assertTrue(": warning: " in line or line.startswith(self.REPAIR_LOG), result.stderr)
        self.assertTrue(error.startswith(f"{stage}: error: "), result.stderr)
        for text in texts:
            self.assertIn(text, error)
        return error

    def tool(self, name, *args, stdin=None, env=None, timeout=60):
        return self.says_where_in_user_terms(subprocess.run([str(BIN / name), *map(str, args)], input=stdin,
                                                            capture_output=True, text=True, env=env or self.env,
                                                            timeout=timeout))

    def library(self, directory=None):
        directory = directory or self.tmp / "lib"
        return compile_shared(directory / "libx.so", "x", "-Wl,-rpath,$ORIGIN")


class HeaderFields(Untrusted):
    """Item 1: an e_phentsize below the class's program header size made the growth path write
    past its buffer (glibc aborted; the input was already replaced)."""

    def bad_entry_size(self, value):
        elf = Elf64(self.library())
        struct.pack_into("<H", elf.data, 0x36, value)
        path = self.tmp / f"phentsize-{value}.so"
        elf.save(path)
        return path

    def test_rpath_set_refuses_a_short_program_header_entry(self):
        for value in (0, 1, 8, 32):
            with self.subTest(e_phentsize=value):
                path = self.bad_entry_size(value)
                before = snapshot(self.tmp)
                result = self.tool("rpath-set", "--force-rpath", "--set-rpath", LONG_RPATH, path)
                self.assert_one_error(result, "rpath-set", 1, str(path), "e_phentsize is", "56 bytes of a 64-bit program header")
                out = self.tool("rpath-set", "--set-rpath", LONG_RPATH, "--output", self.tmp / "o.so", path)
                self.assert_one_error(out, "rpath-set", 1, "e_phentsize")
                self.assertEqual(snapshot(self.tmp), before, "the input changed or something was left")

    def test_elf_readers_and_repair_refuse_it_in_a_wheel(self):
        path = self.bad_entry_size(8)
        for stage in ("elf-deps", "elf-symvers"):
            with self.subTest(stage=stage):
                self.assert_one_error(self.tool(stage, path), stage, 1, "e_phentsize")
        wheel = make_wheel(self.tmp, name="pkg", tag="cp311-cp311-linux_x86_64", purelib=False,
                           files=[("pkg/_x.cpython-311-x86_64-linux-gnu.so", path.read_bytes(), 0o755)])
        out = self.tmp / "wheelhouse"
        result = self.tool("auditwheel", "repair", "-w", out, wheel)
        self.assertNotEqual(result.returncode, 0)
        self.assertNotIn(result.returncode, (-signal.SIGABRT, 128 + signal.SIGABRT), result.stderr)
        self.assertIn("e_phentsize", result.stderr)
        self.assertFalse(out.exists() and any(out.iterdir()), "a wheel was written")
        self.assert_nothing_left()


class Outputs(Untrusted):
    """Items 2 and 3: an --output that is not a regular file is written into, never renamed
    over; the input of a copy is never opened for writing, whatever the order of the options."""

    def test_options_after_the_file_and_output_leave_the_input_alone(self):
        lib = self.library()
        before, inode = lib.read_bytes(), lib.stat().st_ino
        copy = self.tmp / "copy.so"
        self.assertEqual(self.tool("rpath-set", "--set-rpath", "$ORIGIN/r", lib, "--output", copy).returncode, 0)
        self.assertEqual((lib.read_bytes(), lib.stat().st_ino), (before, inode))
        self.assertEqual(self.tool("rpath-set", "--print-rpath", copy).stdout, "$ORIGIN/r\n")
        self.assertEqual(self.tool("rpath-set", lib, "--print-soname").stdout, "libx.so\n")

    def test_a_device_output_stays_a_device(self):
        lib = self.library()
        if os.getuid() == 0:
            device = self.tmp / "null"
            os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
            result = self.tool("rpath-set", "--set-rpath", LONG_RPATH, "--output", device, lib)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertTrue(stat.S_ISCHR(device.lstat().st_mode), "the device was replaced")
            self.assertEqual(sorted(os.listdir(self.tmp)), ["lib", "null", "stage-tmp"])
        fifo = self.tmp / "fifo"
        os.mkfifo(fifo)
        no_reader = self.tool("rpath-set", "--set-rpath", "$ORIGIN", "--output", fifo, lib, timeout=20)
        self.assert_one_error(no_reader, "rpath-set", 1, str(fifo), "no process reads")
        reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
        time.sleep(0.2)
        written = self.tool("rpath-set", "--set-rpath", "$ORIGIN/through/a/fifo", "--output", fifo, lib, timeout=20)
        data = reader.communicate(timeout=20)[0]
        self.assertEqual(written.returncode, 0, written.stderr)
        (self.tmp / "read.so").write_bytes(data)
        self.assertEqual(self.tool("rpath-set", "--print-rpath", self.tmp / "read.so").stdout, "$ORIGIN/through/a/fifo\n")
        self.assertTrue(stat.S_ISFIFO(fifo.lstat().st_mode))

    def test_an_in_place_edit_through_a_link_edits_its_target(self):
        lib = self.library()
        link = self.tmp / "lib" / "libx.so.1"
        os.symlink("libx.so", link)
        self.assertEqual(self.tool("rpath-set", "--set-rpath", LONG_RPATH, link).returncode, 0)
        self.assertTrue(link.is_symlink(), "the link was replaced by a file")
        self.assertEqual(self.tool("rpath-set", "--print-rpath", lib).stdout, LONG_RPATH + "\n")

    def test_whl_pack_refuses_an_output_that_is_not_a_regular_file(self):
        wheel = make_wheel(self.tmp, files=[("demo/__init__.py", b"", 0o644)])
        records = self.run_stage("whl-unpack", wheel).stdout
        out = self.tmp / "wheelhouse"
        out.mkdir()
        fifo = out / wheel.name
        os.mkfifo(fifo)
        result = self.tool("whl-pack", "-w", out, stdin=records, timeout=20)
        self.assert_one_error(result, "whl-pack", 1, str(fifo), "is a FIFO")
        self.assertEqual(os.listdir(out), [wheel.name])
        self.assertTrue(stat.S_ISFIFO(fifo.lstat().st_mode))


class Fifos(Untrusted):
    """Item 4: every stage that reads a named file refuses a FIFO at once instead of waiting."""

    def test_no_stage_waits_on_a_fifo(self):
        fifo = self.tmp / "x-1.0-py3-none-any.whl"
        os.mkfifo(fifo)
        for argv, stage in ((["auditwheel", "lddtree", fifo], "auditwheel"), (["elf-deps", fifo], "elf-deps"),
                            (["elf-symvers", fifo], "elf-symvers"), (["rpath-set", "--print-rpath", fifo], "rpath-set"),
                            (["rpath-set", "--set-rpath", "x", fifo], "rpath-set"), (["whl-unpack", fifo], "whl-unpack")):
            with self.subTest(argv=argv[:-1]):
                self.assert_one_error(self.tool(*argv, timeout=20), stage, 1, "is a FIFO, not a regular file")
        for command in ("show", "repair"):
            result = self.tool("auditwheel", command, fifo, timeout=20)
            self.assertNotEqual(result.returncode, 0)
            self.assertEqual(len(result.stderr.splitlines()), 1, result.stderr)
        self.assert_nothing_left()


def stored_member_containing(outer: str, inner: str, inner_data: bytes) -> bytes:
    """A zip whose stored member `outer` holds, as its data, the whole local entry of `inner`:
    two central entries pointing into the same bytes (the shape of an overlapping zip bomb)."""
    def local(name, data):
        return struct.pack("<IHHHHHIIIHH", 0x04034b50, 20, 0, 0, 0, 0x21, zlib.crc32(data), len(data), len(data),
                           len(name), 0) + name.encode() + data

    def central(name, data, offset):
        return struct.pack("<IHHHHHHIIIHHHHHII", 0x02014b50, 0x0314, 20, 0, 0, 0, 0x21, zlib.crc32(data), len(data),
                           len(data), len(name), 0, 0, 0, 0, 0o100644 << 16, offset) + name.encode()

    inner_entry = local(inner, inner_data)
    outer_entry = local(outer, inner_entry)
    inner_offset = len(outer_entry) - len(inner_entry) + 0
    directory = central(outer, inner_entry, 0) + central(inner, inner_data, 30 + len(outer))
    assert inner_offset == 30 + len(outer)
    end = struct.pack("<IHHHHIIH", 0x06054b50, 0, 0, 2, 2, len(directory), len(outer_entry), 0)
    return outer_entry + directory + end


class ZipBombs(Untrusted):
    """Item 5: entries whose data overlap are refused, as Python's zipfile does."""

    def test_overlapping_entries_are_refused(self):
        body = stored_member_containing("demo/outer.bin", "demo/inner.bin", b"\0" * 4096)
        self.assertEqual(zipfile.ZipFile(__import__("io").BytesIO(body)).read("demo/inner.bin"), b"\0" * 4096)
        wheel = make_wheel(self.tmp, files=[("demo/__init__.py", b"", 0o644)])
        # Put the two overlapping entries in front of a real wheel's entries.
        with zipfile.ZipFile(wheel) as z:
            members = [(i, z.read(i)) for i in z.infolist()]
        overlapping = self.tmp / "bomb.zip"
        overlapping.write_bytes(body)
        with zipfile.ZipFile(overlapping, "a") as z:
            for info, data in members:
                z.writestr(info, data)
        bomb = self.tmp / "bomb-1.0-py3-none-any.whl"
        overlapping.rename(bomb)
        for args in ((), ("--elf-only",)):
            result = self.tool("whl-unpack", *args, bomb)
            self.assert_one_error(result, "whl-unpack", 1, "member demo/inner.bin overlaps member demo/outer.bin",
                                  "zip bomb")
        for command in ("show", "repair"):
            result = self.tool("auditwheel", command, bomb)
            self.assertNotEqual(result.returncode, 0)
            self.assertIn("overlaps", result.stderr)
        self.assert_nothing_left()


class AmbiguousArchives(Untrusted):
    """Found by review: archives that name one central directory to libzip and another to the
    reader whose offsets whl-unpack and whl-pack read, so that what is checked is not what is copied."""

    def split(self, wheel):
        """(the bytes before the central directory, the central directory, its entry count)."""
        data = wheel.read_bytes()
        eocd = data.rindex(b"PK\x05\x06")
        count, size, start = struct.unpack_from("<HII", data, eocd + 10)
        return data[:start], data[start:start + size], count

    def eocd(self, count, size, start, comment=b""):
        return b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, count, count, size, start, len(comment)) + comment

    def assert_refused(self, wheel, *texts):
        dest = self.tmp / "dest"
        result = self.tool("whl-unpack", "--dest", dest, wheel)
        self.assert_one_error(result, "whl-unpack", 1, *texts)
        self.assertFalse(dest.exists())

    def wheel(self):
        return make_wheel(self.tmp, files=[("pkg/__init__.py", b"print('checked')\n", 0o644)])

    def test_a_zip64_record_naming_another_central_directory_is_refused(self):
        wheel = self.wheel()
        members, central, count = self.split(wheel)
        copy_at = len(members) + len(central)  # a second copy of the directory, for the zip64 record
        record_at = copy_at + len(central)
        record = b"PK\x06\x06" + struct.pack("<QHHIIQQQQ", 44, 45, 45, 0, 0, count, count, len(central), copy_at)
        locator = b"PK\x06\x07" + struct.pack("<IQI", 0, record_at, 1)
        wheel.write_bytes(members + central + central + record + locator + self.eocd(count, len(central), len(members)))
        self.assert_refused(wheel, "name different central directories", "ambiguous")

    def test_a_second_end_record_in_the_comment_is_refused(self):
        wheel = self.wheel()
        members, central, count = self.split(wheel)
        copy_at = len(members) + len(central) + 22  # the directory again, inside the first record's comment
        hidden = central + self.eocd(count, len(central), copy_at)
        wheel.write_bytes(members + central + self.eocd(count, len(central), len(members), hidden))
        self.assert_refused(wheel, "more than one end-of-central-directory record", "ambiguous")


class RawCopies(Untrusted):
    """Item 6: repair extracts only ELF members and copies the rest raw; a raw copy still checks
    the CRC, the size and RECORD's hash of what it copies."""

    def setUp(self):
        super().setUp()
        self.private = self.tmp / "private"
        self.private.mkdir()
        build_dep_libraries(self.private)

    def corrupt(self, wheel, name, *, crc=False, size=None):
        data = bytearray(wheel.read_bytes())
        from test_hostile_wheels import central_entries
        for entry, central, local in central_entries(bytes(data)):
            if entry != name:
                continue
            if crc:
                for at in (local + 14, central + 16):
                    data[at] ^= 0xFF
            if size is not None:
                data[local + 22:local + 26] = struct.pack("<I", size)
                data[central + 24:central + 28] = struct.pack("<I", size)
        wheel.write_bytes(bytes(data))
        return wheel

    @staticmethod
    def rewrite_record(wheel, change):
        with zipfile.ZipFile(wheel) as z:
            members = [(i, z.read(i)) for i in z.infolist()]
        wheel.unlink()
        with zipfile.ZipFile(wheel, "w") as z:
            for info, data in members:
                z.writestr(info, change(data) if info.filename.endswith("/RECORD") else data)
        return wheel

    def test_corrupt_members_never_reach_the_output(self):
        text = b"data that is not an ELF file\n" * 40
        name = "foo/data.txt"
        no_size = lambda record: record.replace(f",{len(text)}\r\n".encode(), b",\r\n").replace(f",{len(text)}\n".encode(), b",\n")
        lying_hash = lambda record: record.replace(record_digest(text).encode(), record_digest(b"other").encode())
        cases = {"crc": (dict(crc=True), None, "CRC"),
                 "crc, stored": (dict(crc=True), None, "CRC"),  # read raw, its CRC checked by us
                 # whl-unpack compares the sizes with RECORD's; without one in RECORD the copy finds it
                 "size": (dict(size=10), None, "RECORD says 1160 bytes, the archive holds 10"),
                 "size, no RECORD size": (dict(size=10), no_size, "inflates past its declared size of 10 bytes"),
                 "RECORD hash": ({}, lying_hash, "sha256 does not match RECORD")}
        for case, (damage, record_change, message) in cases.items():
            with self.subTest(case=case):
                directory = self.tmp / case.replace(" ", "-").replace(",", "")
                directory.mkdir()
                method = zipfile.ZIP_STORED if "stored" in case else zipfile.ZIP_DEFLATED
                wheel = dep_wheel(directory, self.private, (name, text, 0o644, method))
                if record_change:
                    self.rewrite_record(wheel, record_change)
                self.assert_refused(self.corrupt(wheel, name, **damage), name, message)

    def assert_refused(self, wheel, name, message):
        out = self.tmp / "wheelhouse"
        env = dict(self.env, LD_LIBRARY_PATH=str(self.private))
        result = subprocess.run([str(BIN / "auditwheel"), "repair", "-w", str(out), str(wheel)], capture_output=True,
                                text=True, env=env)
        error = self.assert_one_error(result, "auditwheel", 1, name, message)
        self.assertIn(wheel.name, error)
        self.assertEqual(sorted(os.listdir(out)) if out.exists() else [], [], "something was written")
        self.assert_nothing_left()


class WrapperSignals(Untrusted):
    """Item 7: TERM, HUP and INT sent to the wrapper's PID (as timeout, CI runners and kill do)
    stop the running stage at once; the wrapper removes what was written and exits 128+signal.
    After kill -9, leftovers are dot-named and the next run removes them."""

    def slow_repair(self, out, **popen):
        """A repair whose whl-pack takes seconds: the extension it strips (so compresses anew, at
        level 9) carries 96 MiB of text in a section of its own (random words: libdeflate makes
        short work of random bytes, not of text at level 9)."""
        lib = self.library()
        blob = self.tmp / "blob"
        words = [os.urandom(6).hex()[:2 + i % 7] for i in range(4096)]
        block = " ".join(words[b % 4096] for b in os.urandom(1 << 18)).encode()[:1 << 20]
        blob.write_bytes(block * 96)
        subprocess.run(["objcopy", "--add-section", f".blob={blob}", str(lib)], check=True)
        wheel = make_wheel(self.tmp, name="slow", tag="cp311-cp311-linux_x86_64", purelib=False,
                           files=[("slow/_x.cpython-311-x86_64-linux-gnu.so", lib.read_bytes(), 0o755)])
        return subprocess.Popen([str(BIN / "auditwheel"), "repair", "--strip", "-z", "9", "-w", str(out), str(wheel)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=self.env, text=True, **popen)

    def wait_for_stage(self, process, stage):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            children = subprocess.run(["ps", "-o", "args=", "--ppid", str(process.pid)], capture_output=True,
                                      text=True).stdout
            if stage in children:
                return
            time.sleep(0.02)
        self.fail(f"{stage} never started")

    def test_a_signal_to_the_wrapper_stops_the_repair(self):
        for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
            with self.subTest(signal=sig.name):
                out = self.tmp / f"out-{sig.name}"
                process = self.slow_repair(out, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
                self.wait_for_stage(process, "whl-pack")
                started = time.monotonic()
                process.send_signal(sig)
                _, err = process.communicate(timeout=30)
                self.assertLess(time.monotonic() - started, 5, "the repair went on")
                self.assertEqual(process.returncode, 128 + sig, err)
                self.assertEqual(sorted(os.listdir(out)) if out.exists() else [], [], "something was written")
                self.assert_nothing_left()

    def test_leftovers_of_kill_9_are_hidden_and_removed_by_the_next_run(self):
        out = self.tmp / "out"
        process = self.slow_repair(out, start_new_session=True)
        self.wait_for_stage(process, "whl-pack")
        time.sleep(0.3)
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate(timeout=30)
        left = os.listdir(out)
        self.assertTrue(all(name.startswith(".") for name in left), left)
        self.assertEqual(list(out.glob("*.whl")), [])
        an_hour_ago = time.time() - 3600  # a staging directory is stale once its lock is free and it is quiet
        for name in left:
            os.utime(out / name, (an_hour_ago, an_hour_ago))
        wheel = make_wheel(self.tmp, files=[("demo/__init__.py", b"", 0o644)])
        result = self.tool("auditwheel", "repair", "--allow-pure-python-wheel", "-w", out, wheel)
        self.assertEqual(result.returncode, 0, result.stderr)
        records = self.run_stage("whl-unpack", wheel).stdout
        self.run_stage("whl-pack", "-w", out, stdin=records)
        self.assertEqual(sorted(os.listdir(out)), [wheel.name], "stale temporary files stay")
        self.assertEqual(os.listdir(self.stage_tmp), [], "the killed run's scratch directory stays")


class TerminalEscapes(Untrusted):
    """Item 8: names from a wheel or an ELF file never reach the terminal raw."""

    def test_control_characters_are_escaped_in_every_message(self):
        # libzip reads a name with ESC or BEL as CP437 and turns those into glyphs; CR, LF and
        # TAB it keeps, so those are what a member name can carry to the terminal.
        for name, shown in (("demo/\x1b]0;owned\x07.py", None), ("demo/over\rwritten\n\t.py", "demo/over\\x0dwritten\\x0a\\x09.py")):
            wheel = make_wheel(self.tmp, files=[("demo/__init__.py", b"", 0o644)],
                               record_rows=[("demo/__init__.py", record_digest(b""), "0")],
                               extra_entries=[(zipfile.ZipInfo(name), b"x")])
            result = self.tool("whl-unpack", wheel)
            self.assertEqual(result.returncode, 0, result.stderr)
            subprocess.run(["rm", "-rf", records_of(result.stdout)[0]["workdir"]], check=True)
            for line in result.stderr.splitlines():
                self.assertNotRegex(line, "[\x00-\x1f\x7f]")
            if shown:
                self.assertIn(shown, result.stderr)
        lib = compile_shared(self.tmp / "needs/libn.so", "n", "-Wl,--no-as-needed", f"-L{self.tmp / 'needs'}")
        elf = Elf64(lib)
        needed = next(v for _, t, v in elf.dynamic() if t == 1)
        strtab_address = next(v for _, t, v in elf.dynamic() if t == 5)
        offset = next(h[2] + strtab_address - h[3] for _, h in elf.program_headers()
                      if h[0] == 1 and h[3] <= strtab_address < h[3] + h[5])
        old = elf.data[offset + needed:elf.data.index(b"\0", offset + needed)]
        elf.data[offset + needed:offset + needed + len(old)] = (b"\x1b[2J" + old)[:len(old)]
        elf.save()
        wheel = make_wheel(self.tmp, name="esc", tag="cp311-cp311-linux_x86_64", purelib=False,
                           files=[("esc/_e.cpython-311-x86_64-linux-gnu.so", lib.read_bytes(), 0o755)])
        for command in ("show", "repair"):
            result = self.tool("auditwheel", command, wheel)
            self.assertNotRegex(result.stdout + result.stderr, "\x1b", command)
            self.assertIn("\\x1b[2J", result.stdout + result.stderr, command)


class OneLineErrors(Untrusted):
    """Item 9: an unusable TMPDIR, over-long names, broken ELF members in show, and a stdout
    that cannot be written each give one clear line."""

    def test_an_unusable_tmpdir_falls_back(self):
        wheel = spam_wheel(self.tmp)
        (self.tmp / "file").write_text("")
        for tmpdir in (self.tmp / "missing", self.tmp / "file"):
            with self.subTest(tmpdir=tmpdir):
                result = self.tool("auditwheel", "show", wheel, env=dict(self.env, TMPDIR=str(tmpdir)))
                self.assertEqual(result.returncode, 0, result.stderr)
                self.assertEqual(result.stderr, "setting libc to glibc\n", "pypa's log line, nothing about TMPDIR")
                result = self.tool("whl-unpack", wheel, env=dict(self.env, TMPDIR=str(tmpdir)))
                self.assertEqual(result.returncode, 0, result.stderr)
                subprocess.run(["rm", "-rf", records_of(result.stdout)[0]["workdir"]], check=True)

    def test_a_name_too_long_for_the_file_system(self):
        name = "demo/" + "n" * 300 + ".py"
        wheel = make_wheel(self.tmp, files=[(name, b"x = 1\n", 0o644)])
        error = self.assert_one_error(self.tool("whl-unpack", wheel), "whl-unpack", 1, "member demo/nnn",
                                      "too long for the file system")
        self.assertNotIn("internal error", error)
        self.assert_nothing_left()

    def test_show_names_the_broken_member_in_an_error(self):
        lib = compile_shared(self.tmp / "libb.so", "b").read_bytes()
        wheel = make_wheel(self.tmp, name="broken", tag="cp311-cp311-linux_x86_64", purelib=False,
                           files=[("broken/_b.cpython-311-x86_64-linux-gnu.so", lib[:len(lib) // 3], 0o755)])
        result = self.tool("auditwheel", "show", wheel)
        self.assertEqual(result.returncode, 1)
        self.assertRegex(result.stderr.splitlines()[-1], r"^auditwheel: error: .*broken/_b\.cpython", result.stderr)

    def test_an_unwritable_stdout_is_an_error(self):
        wheel = spam_wheel(self.tmp)
        lib = self.library()
        for argv in (["auditwheel", "show", wheel], ["auditwheel", "show", "--json", wheel],
                     ["auditwheel", "lddtree", lib], ["rpath-set", "--print-needed", lib]):
            with self.subTest(argv=argv[:-1]):
                with open("/dev/full", "w") as full:
                    result = subprocess.run([str(BIN / argv[0]), *map(str, argv[1:])], stdout=full,
                                            stderr=subprocess.PIPE, text=True, env=self.env)
                self.assert_one_error(result, argv[0], 1, "cannot write to standard output")


class UnboundedWork(Untrusted):
    """Item 10: repeated warnings are capped, RECORD is bounded by the archive, and a member
    that only starts like ELF is not extracted with --elf-only."""

    def test_bogus_record_rows(self):
        rows = [("demo/__init__.py", record_digest(b""), "0")] + [(f"demo/ghost{i}.py", "", "") for i in range(5000)]
        wheel = make_wheel(self.tmp, files=[("demo/__init__.py", b"", 0o644)], record_rows=rows)
        self.assert_one_error(self.tool("whl-unpack", wheel), "whl-unpack", 1, "RECORD", "more than")
        rows = [("demo/__init__.py", record_digest(b""), "0")] + [(f"demo/g{i}.py", "", "") for i in range(40)]
        files = [("demo/__init__.py", b"", 0o644)] + [(f"demo/pad{i}.py", b"", 0o644) for i in range(40)]
        wheel = make_wheel(self.tmp, name="cap", files=files, record_rows=rows)
        result = self.tool("whl-unpack", wheel)
        self.assertEqual(result.returncode, 0, result.stderr)
        lines = result.stderr.splitlines()
        self.assertLess(len(lines), 25, result.stderr)
        self.assertIn("and 30 more", result.stderr)
        subprocess.run(["rm", "-rf", records_of(result.stdout)[0]["workdir"]], check=True)

    def test_an_elf_looking_member_of_zeros_is_not_extracted(self):
        zeros = b"\x7fELF\x02\x01\x01" + b"\0" * (64 << 20)
        wheel = make_wheel(self.tmp, name="z", tag="cp311-cp311-linux_x86_64", purelib=False,
                           files=[("z/_z.cpython-311-x86_64-linux-gnu.so", zeros, 0o755), ("z/__init__.py", b"", 0o644)])
        result = self.tool("whl-unpack", "--elf-only", wheel)
        self.assertEqual(result.returncode, 0, result.stderr)
        member = next(r for r in records_of(result.stdout) if r["kind"] == "member" and r["path"].endswith(".so"))
        self.assertEqual((member["extracted"], member["elf"]), (False, None))
        self.assertIn("not a valid ELF header", result.stderr)
        workdir = Path(records_of(result.stdout)[0]["workdir"])
        self.assertFalse((workdir / member["path"]).exists())
        subprocess.run(["rm", "-rf", str(workdir)], check=True)


class LenientDistInfo(Untrusted):
    """Item 11: a dist-info of another distribution, a file named like the dist-info directory,
    and a script move onto an existing member are refused."""

    def test_the_dist_info_must_be_the_wheels(self):
        wheel = make_wheel(self.tmp, name="other", version="2.0", files=[("pkg/__init__.py", b"", 0o644)])
        renamed = wheel.rename(self.tmp / "pkg-1.0-py3-none-any.whl")
        self.assert_one_error(self.tool("whl-unpack", renamed), "whl-unpack", 1,
                              "other-2.0.dist-info", "does not belong to pkg 1.0")
        fine = make_wheel(self.tmp, name="Foo.Bar", version="1.0", files=[("foo/__init__.py", b"", 0o644)])
        fine = fine.rename(self.tmp / "foo_bar-1.0-py3-none-any.whl")
        result = self.tool("whl-unpack", fine)
        self.assertEqual(result.returncode, 0, "names compare as PEP 503 normalises them: " + result.stderr)
        subprocess.run(["rm", "-rf", records_of(result.stdout)[0]["workdir"]], check=True)

    def test_a_file_named_like_the_dist_info_directory(self):
        # The first also clashes with the directory of that name; the second only looks like one.
        for name, message in (("demo-1.0.dist-info", "demo-1.0.dist-info"),
                              ("other-2.0.dist-info", "member other-2.0.dist-info is a file named like a .dist-info directory")):
            with self.subTest(name=name):
                wheel = make_wheel(self.tmp, files=[("demo/__init__.py", b"", 0o644)])
                with zipfile.ZipFile(wheel, "a") as z:
                    z.writestr(name, b"not a directory")
                for args in ((), ("--elf-only",)):
                    self.assert_one_error(self.tool("whl-unpack", *args, wheel), "whl-unpack", 1, message)
                self.assert_nothing_left()

    def test_a_script_never_replaces_an_existing_member(self):
        private = self.tmp / "private"
        private.mkdir()
        build_dep_libraries(private)
        program = self.tmp / "prog"
        subprocess.run(["gcc", "-o", str(program), "-x", "c", "-", f"-L{private}", f"-Wl,-rpath-link,{private}", "-ldep"],
                       input=b"int dep_value(void); int main(void) { return dep_value() != 42; }\n", check=True)
        wheel = dep_wheel(self.tmp, private, ("foo-1.0.data/scripts/prog", program.read_bytes(), 0o755),
                          ("foo.scripts/prog", b"#!/bin/sh\necho mine\n", 0o755))
        out = self.tmp / "wheelhouse"
        result = self.tool("auditwheel", "repair", "-w", out, wheel, env=dict(self.env, LD_LIBRARY_PATH=str(private)))
        self.assert_one_error(result, "auditwheel", 1, "foo.scripts/prog", "exists")
        self.assertEqual(sorted(os.listdir(out)) if out.exists() else [], [])
        self.assert_nothing_left()


class FuzzFindings(Untrusted):
    """What make fuzz found, each fed again."""

    def assert_soname_edit_refused(self, lib, *phrases):
        """rpath-set --set-soname on `lib` fails with one error holding `phrases` and writes nothing."""
        before = snapshot(self.tmp)
        result = self.tool("rpath-set", "--set-soname", "libfuzzed-0a1b2c3d.so", lib)
        self.assert_one_error(result, "rpath-set", 1, *phrases)
        self.assertEqual(snapshot(self.tmp), before)

    def test_a_huge_section_alignment_is_refused_by_strip(self):
        """rpath_set_fuzz: --strip lays out the unmapped sections anew at their sh_addralign; one of
        2^45 asked for that much padding (ASan: allocation-size-too-big)."""
        lib = self.library()
        data = bytearray(lib.read_bytes())
        shoff, = struct.unpack_from("<Q", data, 0x28)
        shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3a)
        names_at = struct.unpack_from("<Q", data, shoff + shstrndx * shentsize + 0x18)[0]
        for index in range(shnum):
            header = shoff + index * shentsize
            name_offset, = struct.unpack_from("<I", data, header)
            if data[names_at + name_offset:].startswith(b".comment\0"):
                struct.pack_into("<Q", data, header + 0x30, 1 << 45)
        lib.write_bytes(bytes(data))
        before = snapshot(self.tmp)
        result = self.tool("rpath-set", "--strip", "--set-rpath", LONG_RPATH, lib)
        self.assert_one_error(result, "rpath-set", 1, "section .comment has an implausible alignment of 35184372088832 bytes")
        self.assertEqual(snapshot(self.tmp), before)

    def test_a_string_table_size_that_wraps_around_is_refused(self):
        """rpath_set_fuzz: a DT_STRSZ near 2^64 made DT_STRTAB's offset + size wrap around to a small
        number, which passed the bounds check (std::length_error: terminate)."""
        lib = self.library()
        elf = Elf64(lib)
        strtab = next(v for _, t, v in elf.dynamic() if t == 5)
        offset = next(h[2] + strtab - h[3] for _, h in elf.program_headers() if h[0] == 1 and h[3] <= strtab < h[3] + h[5])
        slot = next(at for at, t, _ in elf.dynamic() if t == 10)  # DT_STRSZ
        elf.set_entry(slot, 10, (1 << 64) - offset + 16)
        elf.save()
        self.assert_soname_edit_refused(lib, "DT_STRTAB", "runs past the end of the file")
        for stage in ("elf-deps", "elf-symvers"):
            with self.subTest(stage=stage):
                result = self.tool(stage, lib)
                self.assertIn(result.returncode, (0, 1), result.stderr)
                self.assertNotIn("internal error", result.stderr)

    def test_a_string_table_over_the_elf_header_is_refused(self):
        """rpath_set_fuzz: a DT_STRTAB at offset 1 passed every bounds check; growing the file then
        zeroed the old string table there, and with it the ELF header (a file that was no ELF file,
        written without an error)."""
        lib = self.library()
        elf = Elf64(lib)
        first_load = next(h for _, h in elf.program_headers() if h[0] == 1 and h[2] == 0)
        slot = next(at for at, t, _ in elf.dynamic() if t == 5)  # DT_STRTAB
        elf.set_entry(slot, 5, first_load[3] + 1)
        elf.save()
        self.assert_soname_edit_refused(lib, "DT_STRTAB", "overlaps the ELF header")

    def test_a_segment_with_more_file_bytes_than_memory_is_refused(self):
        """rpath_set_fuzz: a PT_LOAD whose p_filesz exceeded its p_memsz (the gABI forbids it) reached
        past the address where the new segment went, so the new DT_STRTAB read back as that
        segment's bytes: a garbled soname, written without an error."""
        lib = self.library()
        elf = Elf64(lib)
        at, load = [(at, h) for at, h in elf.program_headers() if h[0] == 1][-1]
        self.assertLessEqual(load[2] + load[6] + 16, len(elf.data))
        struct.pack_into("<Q", elf.data, at + 0x20, load[6] + 16)  # p_filesz
        elf.save()
        self.assert_soname_edit_refused(lib, "PT_LOAD", "the file size may not be larger")

    def test_a_32_bit_segment_reaching_past_4_gib_is_refused(self):
        """rpath_set_fuzz: a 32-bit PT_LOAD at 0xfffff002 ends past 4 GiB; the new segment went after
        it, its address wrapped to 0 in the 32-bit field, onto the first segment, and the new DT_STRTAB
        read the old bytes there: an empty soname, written without an error."""
        cc32 = "i686-linux-gnu-gcc"  # Debian's gcc-i686-linux-gnu (make check installs it when it can)
        if not shutil.which(cc32):
            self.skipTest(f"{cc32} is not installed: no 32-bit library to build")
        lib = compile_shared(self.tmp / "lib32/libx.so", "x", cc=cc32)
        data = bytearray(lib.read_bytes())
        phoff, = struct.unpack_from("<I", data, 0x1c)
        phentsize, phnum = struct.unpack_from("<HH", data, 0x2a)
        loads = [phoff + i * phentsize for i in range(phnum) if struct.unpack_from("<I", data, phoff + i * phentsize)[0] == 1]
        struct.pack_into("<I", data, loads[1] + 8, 0xfffff002)  # p_vaddr of the second PT_LOAD
        lib.write_bytes(bytes(data))
        self.assert_soname_edit_refused(lib, "the new segment", "would lie past the 32-bit address space")

    def test_a_fractional_or_huge_number_in_a_record_is_refused(self):
        """records_fuzz: a number field holding 7.37e77 reached nlohmann's get<uint64_t>, a
        conversion with undefined behaviour (UBSan); each such field is now checked."""
        wheel = make_wheel(self.tmp, files=[("demo/__init__.py", b"", 0o644)])
        lines = self.run_stage("whl-unpack", wheel).stdout.splitlines()
        first = json.loads(lines[0])
        for value in (7.37e77, -1, 1.5):
            with self.subTest(size=value):
                first["file"]["size"] = value
                stream = "\n".join([json.dumps(first)] + lines[1:]) + "\n"
                result = self.tool("whl-pack", "-w", self.tmp / "out", stdin=stream)
                self.assert_one_error(result, "whl-pack", 1, '"file": "size" must be a whole number')
        subprocess.run(["rm", "-rf", first["workdir"]], check=True)
