"""whl-unpack | whl-pack round trips: content, order, determinism, raw copies."""
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

from wheelkit import StageTest, make_wheel, record_digest, records_of, shared_wheels, spam_wheel, stored_bytes


class RoundTrip(StageTest):
    def check_round_trip(self, wheel: Path, unpack_args=()):
        output = self.round_trip(wheel, self.tmp / "out", unpack_args)
        packed = Path(output["path"])
        self.assertEqual(packed.name, wheel.name)
        self.assert_valid_wheel(packed)
        before = self.file_contents(wheel)
        before = {n: d for n, d in before.items() if not n.endswith("/RECORD.jws")}
        self.assertEqual(self.file_contents(packed), before)
        with zipfile.ZipFile(wheel) as original, zipfile.ZipFile(packed) as again:
            for name in before:
                mode = original.getinfo(name).external_attr >> 16 & 0o777
                expected = (mode | 0o600) if mode else 0o644
                self.assertEqual(again.getinfo(name).external_attr >> 16, 0o100000 | expected, name)
        self.assert_nothing_left()
        return packed

    def test_built_wheel(self):
        self.check_round_trip(spam_wheel(self.tmp))

    def test_shared_wheels(self):
        wheels = shared_wheels()
        if not wheels:
            self.skipTest("../shared/wheels is absent: no third-party wheels to round-trip")
        for wheel in wheels:
            with self.subTest(wheel=wheel.name):
                packed = self.check_round_trip(wheel)
                packed.unlink()

    def test_elf_only_extracts_less_and_packs_the_same_bytes(self):
        wheel = spam_wheel(self.tmp)
        full = Path(self.round_trip(wheel, self.tmp / "full")["path"])
        records = records_of(self.unpack(wheel, "--elf-only"))
        workdir = Path(records[0]["workdir"])
        extracted = {r["path"] for r in records if r["kind"] == "member" and r["extracted"]}
        on_disk = {str(p.relative_to(workdir)) for p in workdir.rglob("*") if p.is_file()}
        self.assertEqual(on_disk - {".whl-unpack-workdir"}, extracted)
        self.assertIn("spam/__init__.py", {r["path"] for r in records if r["kind"] == "member"} - extracted)
        self.assertTrue(all(r["elf"] or r["path"].startswith("spam-1.0.dist-info/") for r in records[1:]
                            if r["extracted"]))
        lean = Path(self.pack("\n".join(json.dumps(r) for r in records), "-w", self.tmp / "lean")["path"])
        self.assertEqual(lean.read_bytes(), full.read_bytes())

    def test_member_records_describe_the_archive(self):
        wheel = spam_wheel(self.tmp)
        records = records_of(self.unpack(wheel))
        head = records[0]
        self.assertEqual((head["kind"], head["version"], head["name"], head["dist_version"]),
                         ("wheel", 1, "spam", "1.0"))
        self.assertEqual(head["metadata"]["Tag"], [wheel.name[len("spam-1.0-"):-len(".whl")]])
        members = {r["path"]: r for r in records[1:]}
        with zipfile.ZipFile(wheel) as z:
            self.assertEqual(set(members), set(z.namelist()))
            for name in z.namelist():
                data = z.read(name)
                self.assertEqual(members[name]["size"], len(data))
                self.assertEqual(members[name]["sha256"], __import__("hashlib").sha256(data).hexdigest())
        extension = next(r for r in records if r["path"].endswith(".so"))
        self.assertEqual(extension["mode"], "0755")
        self.assertEqual(extension["elf"]["class"], 64 if sys.maxsize > 2**32 else 32)
        self.assertIsNone(members["spam/__init__.py"]["elf"])

    def test_output_is_deterministic(self):
        wheel = spam_wheel(self.tmp)
        first = Path(self.round_trip(wheel, self.tmp / "a", pack_args=("-z", "9"))["path"]).read_bytes()
        second = Path(self.round_trip(wheel, self.tmp / "b", pack_args=("-z", "9"))["path"]).read_bytes()
        self.assertEqual(first, second)
        with zipfile.ZipFile(self.tmp / "a" / wheel.name) as z:
            self.assertEqual({i.date_time for i in z.infolist()}, {(1980, 1, 1, 0, 0, 0)})

    def test_unpacking_is_the_same_whatever_the_number_of_threads(self):
        """Members are extracted on several threads: the records and files must not depend on
        how many, and of two bad members the first in the wheel's order is the one named."""
        files = [(f"many/m{i:02}.bin", bytes([i]) * (1000 + 7919 * i), 0o644) for i in range(40)]
        wheel = make_wheel(self.tmp, name="many", files=files)
        seen = {}
        for threads in ("1", "4"):
            dest = self.tmp / f"unpacked{threads}"
            records = records_of(self.unpack(wheel, "-j", threads, "--dest", dest))
            for record in records:
                record.pop("workdir", None)
            on_disk = {str(p.relative_to(dest)): p.read_bytes() for p in dest.rglob("*") if p.is_file()}
            seen[threads] = (records, on_disk)
        self.assertEqual(seen["1"], seen["4"])
        rows = [(name, record_digest(b"not this" if i in (11, 30) else data), str(len(data)))
                for i, (name, data, _) in enumerate(files)]
        (self.tmp / "bad").mkdir()
        bad = make_wheel(self.tmp / "bad", name="many", files=files, record_rows=rows)
        for threads in ("1", "2", "4"):
            failed = self.run_stage("whl-unpack", "-j", threads, bad, expect=1)
            self.assertIn("many/m11.bin", failed.stderr, threads)
            self.assertNotIn("m30", failed.stderr, threads)
        self.assert_nothing_left()

    def test_source_date_epoch(self):
        wheel = spam_wheel(self.tmp)
        env = dict(self.env, SOURCE_DATE_EPOCH="1700000001")
        first = Path(self.round_trip(wheel, self.tmp / "a", env=env)["path"])
        second = Path(self.round_trip(wheel, self.tmp / "b", env=env)["path"])
        self.assertEqual(first.read_bytes(), second.read_bytes())
        with zipfile.ZipFile(first) as z:  # 2023-11-14 22:13:21 UTC; DOS time keeps even seconds
            self.assertEqual({i.date_time for i in z.infolist()}, {(2023, 11, 14, 22, 13, 20)})
        early = self.run_stage("whl-pack", "-w", self.tmp / "c", stdin=self.unpack(wheel),
                               env=dict(self.env, SOURCE_DATE_EPOCH="100"))
        self.assertIn("clipping the timestamps to 1980-01-01", early.stderr)
        with zipfile.ZipFile(self.tmp / "c" / wheel.name) as z:
            self.assertEqual({i.date_time for i in z.infolist()}, {(1980, 1, 1, 0, 0, 0)})

    def test_unchanged_members_are_copied_raw_and_changed_ones_recompressed(self):
        wheel = spam_wheel(self.tmp)
        records = self.unpack(wheel)
        workdir = Path(records_of(records)[0]["workdir"])
        (workdir / "spam/__init__.py").write_bytes(b"from ._spam import add\nVERSION = 2\n")
        (workdir / "spam/new.txt").write_bytes(b"new\n")
        (workdir / "spam/data/table.txt").unlink()
        output = self.pack(records, "-w", self.tmp / "out", "-z", "1")
        packed = Path(output["path"])
        self.assert_valid_wheel(packed)
        contents = self.file_contents(packed)
        self.assertEqual(contents["spam/__init__.py"], b"from ._spam import add\nVERSION = 2\n")
        self.assertEqual(contents["spam/new.txt"], b"new\n")
        self.assertNotIn("spam/data/table.txt", contents)
        extension = next(n for n in contents if n.endswith(".so"))
        for name in (extension, "spam/data/stored.bin", "spam-1.0.data/scripts/spam-hello", "spam-1.0.dist-info/METADATA"):
            self.assertEqual(stored_bytes(packed, name), stored_bytes(wheel, name), name)
        self.assertEqual((output["copied"], output["compressed"]), (5, 3))  # 2 changed + RECORD
        self.assertFalse(workdir.exists(), "the work directory is removed after a successful pack")

    def test_keep_work_and_signature_removal(self):
        wheel = make_wheel(self.tmp, files=[("demo/__init__.py", b"", 0o644),
                                            ("demo-1.0.dist-info/RECORD.jws", b"{}", 0o644)])
        records = self.unpack(wheel)
        workdir = Path(records_of(records)[0]["workdir"])
        packed = Path(self.pack(records, "-w", self.tmp / "out", "--keep-work")["path"])
        self.assertTrue(workdir.is_dir())
        with zipfile.ZipFile(packed) as z:
            self.assertNotIn("demo-1.0.dist-info/RECORD.jws", z.namelist())
        self.assert_valid_wheel(packed)

    def test_retag_record_renames_and_rewrites_wheel(self):
        wheel = spam_wheel(self.tmp)
        platform = wheel.name.rsplit("-", 1)[1][:-4]
        arch = platform.removeprefix("linux_")
        retag = json.dumps({"kind": "retag", "add": [f"manylinux_2_17_{arch}", f"manylinux2014_{arch}"],
                            "remove": [platform]})
        out = self.run_stage("whl-pack", "-w", self.tmp / "out", stdin=self.unpack(wheel) + retag + "\n")
        records = records_of(out.stdout)
        self.assertEqual(records[-2], json.loads(retag), "records are passed through in order")
        packed = Path(records[-1]["path"])
        self.assertTrue(packed.name.endswith(f"-manylinux2014_{arch}.manylinux_2_17_{arch}.whl"), packed.name)
        self.assert_valid_wheel(packed)
        with zipfile.ZipFile(packed) as z:
            text = z.read("spam-1.0.dist-info/WHEEL").decode()
        tags = [line.split(": ")[1] for line in text.splitlines() if line.startswith("Tag: ")]
        py = wheel.name.split("-")[2]
        self.assertEqual(tags, [f"{py}-{py}-manylinux_2_17_{arch}", f"{py}-{py}-manylinux2014_{arch}"])

    def test_pure_wheel_with_case_variants_and_odd_names(self):
        files = [("demo/A.py", b"a", 0o644), ("demo/a.py", b"b", 0o644), ("demo/with space, comma.txt", b"c", 0o600),
                 ("demo/\u00e9t\u00e9.txt", b"d", 0o644), ("empty.txt", b"", 0o644)]
        self.check_round_trip(make_wheel(self.tmp, files=files))

    def test_repacked_wheel_installs_and_imports(self):
        wheel = spam_wheel(self.tmp)
        packed = Path(self.round_trip(wheel, self.tmp / "out")["path"])
        venv = self.install_in_fresh_venv(packed)
        run = subprocess.run([str(venv / "bin/python"), "-c", "import spam; print(spam.add(2, 40))"],
                             capture_output=True, text=True, cwd=self.tmp)
        self.assertEqual(run.stdout.strip(), "42", run.stderr)
        self.assertTrue(os.access(venv / "bin/spam-hello", os.X_OK))
