"""Ctrl-C at any moment: the stage exits 128+SIGINT and leaves nothing half-written.

Signals land at several delays; whichever phase each one hits, the result must
be either a complete success or a clean stop, and at least one must be caught by
the stage's handler (exit 130). A signal that lands before main() installs the
handler kills the process outright, before it has created anything: also clean."""
import json
import os
import signal
import subprocess
import sysconfig
import time
import zipfile
from pathlib import Path

from wheelkit import BIN, StageTest, build_dep_extension, build_dep_libraries, make_wheel, python_tag, records_of

DELAYS = (0.02, 0.05, 0.1, 0.2, 0.4)


class Interrupts(StageTest):
    def big_wheel(self):
        # Incompressible data so every phase takes measurable time.
        files = [(f"demo/blob{i}.bin", os.urandom(8 << 20), 0o644) for i in range(6)]
        return make_wheel(self.tmp, files=files)

    def interrupt(self, argv, delay, stdin_text=None):
        process = subprocess.Popen([str(a) for a in argv], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, env=self.env, text=True)
        if stdin_text is not None:
            process.stdin.write(stdin_text)
            process.stdin.close()
            process.stdin = None  # so communicate() does not flush it
        time.sleep(delay)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
        return process.returncode, out, err

    def test_unpack(self):
        wheel = self.big_wheel()
        hits = 0
        for delay in DELAYS:
            code, out, err = self.interrupt([BIN / "whl-unpack", wheel], delay)
            if code == 0:
                subprocess.run(["rm", "-rf", records_of(out)[0]["workdir"]], check=True)
                continue
            if code == -signal.SIGINT:
                self.assert_nothing_left()
                continue
            hits += 1
            self.assertEqual(code, 128 + signal.SIGINT, err)
            self.assertIn("whl-unpack: error: interrupted by signal 2", err)
            self.assertEqual(out, "")
            self.assert_nothing_left()
        self.assertGreater(hits, 0, "no signal arrived before whl-unpack finished")

    def test_pack(self):
        wheel = self.big_wheel()
        out_dir = self.tmp / "out"
        hits = 0
        for delay in DELAYS:
            records = self.unpack(wheel)
            workdir = Path(records_of(records)[0]["workdir"])
            (workdir / "demo/new.bin").write_bytes(os.urandom(32 << 20))  # compressed anew at level 9
            code, out, err = self.interrupt([BIN / "whl-pack", "-w", out_dir, "-z", "9"], delay, records)
            if code == 0:
                with zipfile.ZipFile(records_of(out)[-1]["path"]) as z:
                    self.assertIsNone(z.testzip())
                for leftover in out_dir.iterdir():
                    leftover.unlink()
                continue
            self.assertEqual(list(out_dir.iterdir()) if out_dir.exists() else [], [], "partial wheel left behind")
            if code != -signal.SIGINT:
                hits += 1
                self.assertEqual(code, 128 + signal.SIGINT, err)
            self.assertTrue(workdir.is_dir(), "the work directory stays for the caller to remove")
            subprocess.run(["rm", "-rf", str(workdir)], check=True)
        self.assertGreater(hits, 0, "no signal arrived before whl-pack finished")

    def test_unpack_waiting_for_its_reader(self):
        """Found by review: a TERM while whl-unpack's records waited on a slow reader was let by (the
        write is retried), and the work directory stayed behind."""
        wheel = make_wheel(self.tmp, files=[(f"demo/m{i:04}.py", b"", 0o644) for i in range(3000)])
        process = subprocess.Popen([str(BIN / "whl-unpack"), str(wheel)], stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, env=self.env, text=True)
        time.sleep(2)  # its records fill the pipe long before: it waits in write
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
        self.assertEqual(process.returncode, 128 + signal.SIGTERM, err)
        self.assertIn("whl-unpack: error: interrupted by signal 15", err)
        self.assert_nothing_left()

    def test_pack_waiting_for_its_input(self):
        process = subprocess.Popen([str(BIN / "whl-pack"), "-w", str(self.tmp / "out")], stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=self.env, text=True)
        process.stdin.write(json.dumps({"kind": "wheel", "version": 1}) + "\n")
        process.stdin.flush()
        time.sleep(0.2)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)
        self.assertEqual(process.returncode, 128 + signal.SIGINT, err)
        self.assertFalse((self.tmp / "out").exists())


class KilledWrapper(StageTest):
    """kill -9 of the wrapper (a CI runner after its grace time): its stages notice that it is gone
    and stop as for SIGTERM, instead of finishing a repair whose command has already failed."""

    def slow_to_pack(self):
        """A wheel whose extension needs a private library and carries 48 MiB of noise, which
        whl-pack deflates anew once the extension is edited."""
        private = self.tmp / "private"
        private.mkdir()
        build_dep_libraries(private)
        extension = self.tmp / "build" / "ext.so"
        extension.parent.mkdir()
        extension.write_bytes(build_dep_extension(self.tmp / "build", "_dep", f"-L{private}", "-ldep"))
        noise = self.tmp / "noise.bin"
        noise.write_bytes(os.urandom(48 << 20))
        subprocess.run(["objcopy", "--add-section", f".noise={noise}", str(extension)], check=True)
        files = [("foo/__init__.py", b"from ._dep import value\n", 0o644),
                 (f"foo/_dep{sysconfig.get_config_var('EXT_SUFFIX')}", extension.read_bytes(), 0o755)]
        return make_wheel(self.tmp, name="foo", tag=f"{python_tag()}-{python_tag()}-linux_x86_64", purelib=False,
                          files=files), private

    def test_the_stages_of_a_killed_wrapper_stop_and_write_nothing(self):
        wheel, private = self.slow_to_pack()
        out_dir = self.tmp / "out"
        wrapper = subprocess.Popen([str(BIN / "auditwheel"), "repair", "-w", str(out_dir), str(wheel)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                                   env=dict(self.env, LD_LIBRARY_PATH=str(private)))
        # Caught while whl-pack runs, the group stopped so that nothing moves on while the wrapper
        # is killed; then the stages go on, with their parent gone.
        packer = wait_for_child(wrapper.pid, "whl-pack")
        os.killpg(wrapper.pid, signal.SIGSTOP)
        wrapper.kill()
        wrapper.wait()
        os.killpg(wrapper.pid, signal.SIGCONT)
        deadline = time.monotonic() + 60
        while Path(f"/proc/{packer}").exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        self.assertFalse(Path(f"/proc/{packer}").exists(), "whl-pack ran on for a minute after its wrapper was killed")
        written = sorted(out_dir.iterdir()) if out_dir.exists() else []  # whl-pack makes it when it starts
        self.assertEqual(written, [], "a stage wrote the wheel after its wrapper was killed")
        # The scratch directory of the killed wrapper stays, for its next run to remove.
        self.assertEqual([p.name[:11] for p in self.stage_tmp.iterdir()], ["auditwheel-"])


def wait_for_child(parent: int, name: str) -> int:
    """The pid of the first child of `parent` running the stage `name` (as itself or through the
    distribution's multi-call program)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for entry in Path("/proc").iterdir():
            try:
                status = (entry / "status").read_text()
                argv = (entry / "cmdline").read_bytes().split(b"\0")
            except (OSError, ValueError):
                continue
            if f"\nPPid:\t{parent}\n" in status and name in [Path(a.decode()).name for a in argv[:2]]:
                return int(entry.name)
        time.sleep(0.002)
    raise AssertionError(f"no {name} started under {parent}")
