"""Untrusted wheels and bad streams: one-line errors, non-zero exits, nothing left on disk."""
import hashlib
import io
import json
import os
import shutil
import struct
import warnings
import zipfile
from pathlib import Path

from wheelkit import StageTest, make_wheel, record_digest, records_of


def central_entries(data: bytes):
    """(name, central header offset, local header offset) of every entry."""
    end = data.rindex(b"PK\x05\x06")
    count, _, offset = struct.unpack("<HII", data[end + 10:end + 20])
    for _ in range(count):
        name_len, extra_len, comment_len = struct.unpack("<HHH", data[offset + 28:offset + 34])
        local = struct.unpack("<I", data[offset + 42:offset + 46])[0]
        yield data[offset + 46:offset + 46 + name_len].decode(), offset, local
        offset += 46 + name_len + extra_len + comment_len


def patch_member(path: Path, name: str, *, flags_or=0, size=None, headers=("local", "central")):
    """Changes a member's flags (in `headers`) or declared size (in both its local and central headers)."""
    data = bytearray(path.read_bytes())
    for entry, central, local in central_entries(bytes(data)):
        if entry != name:
            continue
        for flags_at in [at for header, at in (("local", local + 6), ("central", central + 8)) if header in headers]:
            data[flags_at:flags_at + 2] = struct.pack("<H", struct.unpack("<H", data[flags_at:flags_at + 2])[0] | flags_or)
        if size is not None:
            data[local + 22:local + 26] = struct.pack("<I", size)
            data[central + 24:central + 28] = struct.pack("<I", size)
    path.write_bytes(bytes(data))
    return path


def info(name, mode=0o100644):
    zinfo = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
    zinfo.external_attr = mode << 16
    return zinfo


class HostileWheels(StageTest):
    def assert_refused(self, wheel: Path, *expected: str):
        for args in ((), ("--dest", self.tmp / "dest")):
            result = self.run_stage("whl-unpack", *args, wheel, expect=1)
            *warnings, error = result.stderr.splitlines()
            self.assertTrue(all(w.startswith("whl-unpack: warning: ") for w in warnings), result.stderr)
            self.assertTrue(error.startswith(f"whl-unpack: error: {wheel}"), error)
            for text in expected:
                self.assertIn(text, error)
            self.assertEqual(result.stdout, "")
            self.assert_nothing_left()
            self.assertFalse((self.tmp / "dest").exists(), "--dest was left behind")
        return error

    def good(self, **kwargs):
        return make_wheel(self.tmp, files=[("demo/__init__.py", b"x = 1\n" * 100, 0o644)], **kwargs)

    def test_not_a_zip(self):
        wheel = self.tmp / "demo-1.0-py3-none-any.whl"
        wheel.write_text("this is not a zip file\n" * 20)
        self.assert_refused(wheel, "not a zip archive")

    def test_truncated(self):
        wheel = self.good()
        data = wheel.read_bytes()
        wheel.write_bytes(data[: len(data) // 2])
        self.assert_refused(wheel)

    def test_missing_file(self):
        self.assert_refused(self.tmp / "demo-1.0-py3-none-any.whl", "cannot open")

    def test_bad_file_name(self):
        wheel = self.good()
        renamed = wheel.with_name("demo-1.0.zip")
        wheel.rename(renamed)
        self.assert_refused(renamed, "not a wheel file name")

    def test_unsafe_paths(self):
        for name, reason in (("/etc/evil", "absolute path"), ("../evil.py", "'..' path component"),
                             ("demo/../../evil.py", "'..' path component"), ("demo\\..\\evil", "backslash")):
            with self.subTest(name=name):
                wheel = self.good(extra_entries=[(info(name), b"evil")])
                self.assert_refused(wheel, f"member {name}: unsafe path: {reason}")
                wheel.unlink()

    def test_links_and_devices(self):
        for mode, reason in ((0o120777, "symbolic link"), (0o020644, "device or special file"),
                             (0o010644, "device or special file")):
            with self.subTest(mode=oct(mode)):
                wheel = self.good(extra_entries=[(info("demo/link", mode), b"/etc/passwd")])
                self.assert_refused(wheel, "member demo/link", reason)
                wheel.unlink()

    def test_duplicate_names(self):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # zipfile warns about the duplicate it is told to write
            wheel = self.good(extra_entries=[(info("demo/__init__.py"), b"y = 2\n")])
        self.assert_refused(wheel, "two members of the archive have the same name")

    def test_file_and_directory_with_one_name(self):
        wheel = self.good(extra_entries=[(info("demo/x"), b"1"), (info("demo/x/y.py"), b"2")])
        self.assert_refused(wheel, "'demo/x' is both a file and a directory")

    def test_a_directory_entry_under_a_file_is_named_as_such(self):
        # Found by review: pkg/x/y/ beside a file pkg/x was "names differing only in case?".
        wheel = self.good(extra_entries=[(info("demo/x"), b"1"), (info("demo/x/y/"), b"")])
        self.assert_refused(wheel, "'demo/x' is both a file and a directory")
        wheel = self.good(extra_entries=[(info("demo/x/"), b""), (info("demo/x"), b"1")])
        self.assert_refused(wheel, "'demo/x' is both a file and a directory")

    def test_names_equal_but_for_case_or_normalization_are_warned_about(self):
        # Both are extracted here, but pip on macOS (APFS) and Windows installs one over the other.
        wheel = make_wheel(self.tmp, files=[("demo/A.py", b"a", 0o644), ("demo/a.py", b"b", 0o644),
                                            ("demo/caf\u00e9.py", b"c", 0o644), ("demo/cafe\u0301.py", b"d", 0o644)])
        result = self.run_stage("whl-unpack", wheel)
        shutil.rmtree(records_of(result.stdout)[0]["workdir"])
        self.assertEqual(result.stderr.splitlines(), [
            f"whl-unpack: warning: {wheel}: members demo/A.py and demo/a.py differ only in case or Unicode "
            "normalization: pip on macOS and Windows installs one over the other",
            f"whl-unpack: warning: {wheel}: members demo/caf\u00e9.py and demo/cafe\u0301.py differ only in case or "
            "Unicode normalization: pip on macOS and Windows installs one over the other"])

    def test_reserved_marker_name(self):
        wheel = self.good(extra_entries=[(info(".whl-unpack-workdir"), b"")])
        self.assert_refused(wheel, "reserved")

    def test_zip_bomb(self):
        wheel = patch_member(self.good(), "demo/__init__.py", size=0xFFFFFFF0)
        self.assert_refused(wheel, "member demo/__init__.py", "more than deflate can expand")

    def test_size_smaller_than_data(self):
        big = info("demo/big.txt")
        big.compress_type = zipfile.ZIP_DEFLATED
        wheel = patch_member(self.good(extra_entries=[(big, b"b" * 600)]), "demo/big.txt", size=10)
        self.assert_refused(wheel, "member demo/big.txt: inflates past its declared size of 10 bytes")

    def test_encrypted(self):
        wheel = patch_member(self.good(), "demo/__init__.py", flags_or=1)
        self.assert_refused(wheel, "member demo/__init__.py", "encrypted")

    def test_local_header_flags_must_agree_with_the_central_directory(self):
        # Found by review: libzip does not compare them; a streaming reader goes by the local header.
        for flag, headers in ((1, ("local",)), (8, ("local",)), (8, ("central",))):
            with self.subTest(flag=flag, headers=headers):
                wheel = patch_member(self.good(), "demo/__init__.py", flags_or=flag, headers=headers)
                self.assert_refused(wheel, "member demo/__init__.py: its local header's flags",
                                    "disagree with its central directory entry's")

    def written_with_data_descriptors(self) -> Path:
        """The good wheel rewritten by zipfile to a stream it cannot seek in: each member then has
        flag 3 and a data descriptor (with its signature) after its data."""
        class Unseekable(io.RawIOBase):
            def __init__(self, out):
                self.out = out

            def writable(self):
                return True

            def write(self, data):
                return self.out.write(data)

        good = self.good()
        streamed = self.tmp / "streamed" / good.name
        streamed.parent.mkdir()
        with zipfile.ZipFile(good) as source, open(streamed, "wb") as out, \
                zipfile.ZipFile(Unseekable(out), "w", zipfile.ZIP_DEFLATED) as target:
            for entry in source.infolist():
                target.writestr(entry, source.read(entry))
        return streamed

    def test_a_data_descriptor_must_agree_with_the_central_directory(self):
        wheel = self.written_with_data_descriptors()
        records = records_of(self.unpack(wheel))
        shutil.rmtree(records[0]["workdir"])
        data = bytearray(wheel.read_bytes())
        with zipfile.ZipFile(wheel) as z:
            entry = z.getinfo("demo/__init__.py")
        self.assertTrue(entry.flag_bits & 8)
        _, _, local = next(e for e in central_entries(bytes(data)) if e[0] == "demo/__init__.py")
        name_len, extra_len = struct.unpack("<HH", data[local + 26:local + 30])
        descriptor = local + 30 + name_len + extra_len + entry.compress_size
        self.assertEqual(struct.unpack("<II", data[descriptor:descriptor + 8]), (0x08074B50, entry.CRC))
        data[descriptor + 4:descriptor + 8] = struct.pack("<I", entry.CRC ^ 1)
        wheel.write_bytes(bytes(data))
        self.assert_refused(wheel, "member demo/__init__.py: its data descriptor's CRC-32 disagrees")

    def test_corrupt_data(self):
        wheel = self.good()
        data = bytearray(wheel.read_bytes())
        _, _, local = next(e for e in central_entries(bytes(data)) if e[0] == "demo/__init__.py")
        name_len, extra_len = struct.unpack("<HH", data[local + 26:local + 30])
        start = local + 30 + name_len + extra_len
        data[start + 2:start + 8] = b"\xff" * 6
        wheel.write_bytes(bytes(data))
        self.assert_refused(wheel, "member demo/__init__.py")

    def test_unsupported_compression(self):
        zinfo = info("demo/b.txt")
        zinfo.compress_type = zipfile.ZIP_BZIP2
        wheel = self.good(extra_entries=[(zinfo, b"b" * 100)])
        self.assert_refused(wheel, "member demo/b.txt", "compression method 12")

    def test_dist_info_problems(self):
        cases = {
            "none": ([("demo/__init__.py", b"", 0o644)], "exactly one top-level .dist-info directory, found 0"),
            "two": ([("other-1.0.dist-info/METADATA", b"", 0o644)], "found 2"),
        }
        none = self.tmp / "demo-1.0-py3-none-any.whl"
        with zipfile.ZipFile(none, "w") as z:
            z.writestr(info("demo/__init__.py"), b"")
        self.assert_refused(none, cases["none"][1])
        none.unlink()
        self.assert_refused(self.good(extra_entries=[(info("other-1.0.dist-info/METADATA"), b"")]), cases["two"][1])

    def test_missing_record(self):
        wheel = self.tmp / "demo-1.0-py3-none-any.whl"
        with zipfile.ZipFile(wheel, "w") as z:
            z.writestr(info("demo-1.0.dist-info/WHEEL"), b"Wheel-Version: 1.0\n")
        self.assert_refused(wheel, "demo-1.0.dist-info/RECORD is missing")

    def test_record_mismatches(self):
        body = b"x = 1\n"
        files = [("demo/__init__.py", body, 0o644)]
        meta = "demo-1.0.dist-info"
        for rows, expected in (
            ([("demo/__init__.py", record_digest(b"other"), str(len(body)))], "sha256 does not match RECORD"),
            ([("demo/__init__.py", record_digest(body), "999")], "RECORD says 999 bytes"),
            ([("demo/__init__.py", "md5=abc", str(len(body)))], "hash 'md5=abc' is not supported"),
            ([("demo/__init__.py", record_digest(body), "6", "extra")], "line 1: expected 3 fields"),
        ):
            with self.subTest(expected=expected):
                wheel = make_wheel(self.tmp, files=files, record_rows=rows + [(f"{meta}/RECORD", "", "")])
                self.assert_refused(wheel, expected)
                wheel.unlink()

    def test_sha512_record_is_verified(self):
        body = b"x = 1\n"
        import base64
        digest = "sha512=" + base64.urlsafe_b64encode(hashlib.sha512(body).digest()).rstrip(b"=").decode()
        wheel = make_wheel(self.tmp, files=[("demo/__init__.py", body, 0o644)],
                           record_rows=[("demo/__init__.py", digest, str(len(body)))])
        result = self.run_stage("whl-unpack", wheel)
        self.assertNotIn("error", result.stderr)
        shutil.rmtree(records_of(result.stdout)[0]["workdir"])
        bad = "sha512=" + base64.urlsafe_b64encode(hashlib.sha512(b"y").digest()).rstrip(b"=").decode()
        wheel.unlink()
        wheel = make_wheel(self.tmp, files=[("demo/__init__.py", body, 0o644)],
                           record_rows=[("demo/__init__.py", bad, str(len(body)))])
        self.assert_refused(wheel, "sha512 does not match RECORD")

    def test_malformed_wheel_metadata(self):
        wheel = make_wheel(self.tmp, files=[("demo/__init__.py", b"", 0o644)])
        data = {}
        with zipfile.ZipFile(wheel) as z:
            for name in z.namelist():
                data[name] = z.read(name)
        data["demo-1.0.dist-info/WHEEL"] = b"this line has no colon\n"
        wheel.unlink()
        with zipfile.ZipFile(wheel, "w") as z:
            for name, body in data.items():
                z.writestr(info(name), body)
        self.assert_refused(wheel, "WHEEL: line 1: expected 'Name: value'")

    def test_record_gaps_are_warnings(self):
        files = [("demo/__init__.py", b"", 0o644), ("demo/unlisted.py", b"u", 0o644)]
        rows = [("demo/__init__.py", record_digest(b""), "0"), ("demo/ghost.py", record_digest(b"g"), "1")]
        wheel = make_wheel(self.tmp, files=files, record_rows=rows)
        result = self.run_stage("whl-unpack", wheel)
        self.assertIn("whl-unpack: warning: ", result.stderr)
        self.assertIn("member demo/unlisted.py is not listed in RECORD", result.stderr)
        self.assertIn("RECORD lists demo/ghost.py, which is not in the archive", result.stderr)

    def test_dest_must_be_new_or_empty(self):
        dest = self.tmp / "full"
        dest.mkdir()
        (dest / "keep.txt").write_text("mine")
        result = self.run_stage("whl-unpack", "--dest", dest, self.good(), expect=1)
        self.assertIn("directory is not empty", result.stderr)
        self.assertEqual(os.listdir(dest), ["keep.txt"])

    def test_usage_errors(self):
        self.assertIn("expected exactly one WHEEL", self.run_stage("whl-unpack", expect=2).stderr)
        self.assertIn("unknown option '--bogus'; see whl-unpack --help", self.run_stage("whl-unpack", "--bogus", "x", expect=2).stderr)
        self.assertIn("usage: whl-unpack", self.run_stage("whl-unpack", "--help").stdout)


class BadStreams(StageTest):
    def assert_pack_refused(self, stdin: str, *expected: str, args=()):
        out = self.tmp / "wheelhouse"
        result = self.run_stage("whl-pack", "-w", out, *args, stdin=stdin, expect=1)
        lines = result.stderr.splitlines()
        self.assertEqual(len(lines), 1, result.stderr)
        self.assertTrue(lines[0].startswith("whl-pack: error: "), lines[0])
        for text in expected:
            self.assertIn(text, lines[0])
        self.assertEqual(result.stdout, "")
        self.assertEqual(list(out.iterdir()) if out.exists() else [], [], "partial output left behind")

    def records(self):
        wheel = make_wheel(self.tmp, files=[("demo/__init__.py", b"", 0o644)])
        return wheel, self.unpack(wheel)

    def test_empty_and_malformed_streams(self):
        self.assert_pack_refused("", 'no "wheel" record')
        _, records = self.records()
        lines = records.splitlines()
        self.assert_pack_refused("\n".join(lines[:2] + ["{not json"] + lines[2:]), "line 3: not a JSON record")
        first = json.loads(lines[0])
        first["version"] = 99
        self.assert_pack_refused(json.dumps(first) + "\n", "line 1: protocol version 99 is not supported")
        self.assert_pack_refused(records + lines[0] + "\n", "more than one wheel")

    def test_packing_over_the_input_replaces_it_only_once_complete(self):
        wheel, records = self.records()
        before = wheel.read_bytes()
        workdir = Path(records_of(records)[0]["workdir"])
        (workdir / "demo-1.0.dist-info/WHEEL").unlink()
        result = self.run_stage("whl-pack", "-w", wheel.parent, stdin=records, expect=1)
        self.assertIn("WHEEL is missing from the work directory", result.stderr)
        self.assertEqual(wheel.read_bytes(), before, "a failed pack touched the input")
        wheel, records = self.records()
        inode = wheel.stat().st_ino
        (Path(records_of(records)[0]["workdir"]) / "demo/new.py").write_text("x = 1\n")
        self.run_stage("whl-pack", "-w", wheel.parent, stdin=records)
        self.assertNotEqual(wheel.stat().st_ino, inode, "the new wheel was not renamed over the input")
        with zipfile.ZipFile(wheel) as z:
            self.assertIn("demo/new.py", z.namelist())
        self.assertEqual(sorted(p.name for p in wheel.parent.iterdir() if p.name.startswith(".")), [])

    def test_original_replaced_after_unpack(self):
        wheel, records = self.records()
        os.utime(wheel, ns=(1, 1))
        self.assert_pack_refused(records, "changed since whl-unpack")

    def test_an_extracted_member_missing_from_the_work_directory_is_an_error(self):
        # A broken pipeline (the work directory removed or another run's stream), not a bad member:
        # elf-deps warned and went on without it.
        wheel = make_wheel(self.tmp, files=[("demo/_x.so", Path("/bin/true").read_bytes(), 0o755)])
        records = self.unpack(wheel, "--elf-only")
        workdir = Path(records_of(records)[0]["workdir"])
        (workdir / "demo/_x.so").unlink()
        for stage in ("elf-deps", "elf-symvers"):
            result = self.run_stage(stage, stdin=records, expect=1)
            self.assertEqual(result.stderr.splitlines(), [
                f"{stage}: error: {wheel.name}: member demo/_x.so: its record says it was extracted, but the work "
                "directory does not hold it (No such file or directory): was the directory removed, or is the stream "
                "another run's?"])
        shutil.rmtree(workdir)

    def test_workdir_not_made_by_unpack(self):
        _, records = self.records()
        head = json.loads(records.splitlines()[0])
        stranger = self.tmp / "stranger"
        stranger.mkdir()
        head["workdir"] = str(stranger)
        self.assert_pack_refused(json.dumps(head) + "\n", "not a work directory made by whl-unpack")
        self.assertTrue(stranger.is_dir())

    def test_links_in_the_work_directory(self):
        _, records = self.records()
        workdir = Path(records_of(records)[0]["workdir"])
        os.symlink("/etc/passwd", workdir / "demo/passwd")
        self.assert_pack_refused(records, "demo/passwd is not a regular file or directory")

    def test_bad_options(self):
        self.assertIn("not a whole number from -1 to 9",
                      self.run_stage("whl-pack", "-z", "11", stdin="", expect=2).stderr)
        self.assertIn("reads records from stdin", self.run_stage("whl-pack", "x.whl", stdin="", expect=2).stderr)
        self.assertIn("is not a whole number of seconds",
                      self.run_stage("whl-pack", stdin=self.records()[1], env=dict(self.env, SOURCE_DATE_EPOCH="x"),
                                     expect=1).stderr)


class StageCommandLines(StageTest):
    """Every stage parses its command line with argparse's rules, as the wrapper does (pypa's
    users type prefixes): -h and --help print its usage, an unambiguous prefix of a long option
    is taken, an ambiguous one is refused naming the candidates."""
    STAGES = ("whl-unpack", "elf-deps", "elf-symvers", "policy-check", "lib-graft", "rpath-set", "whl-pack")

    def test_help(self):
        for stage in self.STAGES:
            for flag in ("-h", "--help", "--he"):
                with self.subTest(stage=stage, flag=flag):
                    result = self.run_stage(stage, flag, stdin="")
                    self.assertTrue(result.stdout.startswith(f"usage: {stage} "), result.stdout)
                    self.assertIn(f"See {stage}(1)", result.stdout)

    def test_ambiguous_prefixes_name_their_candidates(self):
        for stage, prefix, candidates in (("elf-deps", "--l", "--ldpaths, --log"),
                                          ("policy-check", "--p", "--policies, --plat"),
                                          ("lib-graft", "--l", "--lib-sdir, --log"),
                                          ("rpath-set", "--set-", "--set-interpreter, --set-os-abi, --set-soname, --set-rpath, --set-execstack")):
            with self.subTest(stage=stage):
                error = self.run_stage(stage, prefix, "x", stdin="", expect=2).stderr
                self.assertEqual(error, f"{stage}: error: ambiguous option '{prefix}' could be {candidates}\n")

    def test_unambiguous_prefixes_are_taken(self):
        wheel = make_wheel(self.tmp, name="demo", files=[("demo/__init__.py", b"", 0o644)])
        records = self.run_stage("whl-unpack", "--elf", "--de", self.tmp / "work", wheel).stdout
        self.assertEqual(records_of(records)[0]["workdir"], str(self.tmp / "work"))
        checked = self.run_stage("policy-check", "--pl", "auto", "--only", "--no-up", stdin=records, expect=1)
        self.assertIn("does not look like a platform wheel", checked.stderr)
        self.assertEqual(self.run_stage("elf-deps", "--form", "tree", "--", "/nonexistent", expect=1).returncode, 1)
