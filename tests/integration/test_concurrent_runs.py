"""Many runs at once (make -j, xargs -P, CI steps sharing a folder): each succeeds on its own, none
disturbs a neighbour's scratch or staging folders, and a run that fails says why in one line."""
import os
import socket
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from wheelkit import BIN, StageTest, build_dep_libraries, dep_wheel

RUNS = 12


class ConcurrentRuns(StageTest):
    def setUp(self):
        super().setUp()
        self.private = self.tmp / "private"
        self.private.mkdir()
        build_dep_libraries(self.private)
        self.wheel = dep_wheel(self.tmp, self.private)
        self.env["LD_LIBRARY_PATH"] = str(self.private)

    def scratch_of(self, name: str, pid: int) -> Path:
        """A scratch directory as a run of the wrapper leaves it, owned by `pid` on this host."""
        folder = self.stage_tmp / name
        folder.mkdir()
        (folder / "owner").write_text(f"{pid} {socket.gethostname()}\n")
        return folder

    def all_at_once(self, *argvs):
        def run(argv):
            return subprocess.run([str(BIN / "auditwheel"), *map(str, argv)], capture_output=True, text=True,
                                  env=self.env, cwd=self.tmp)
        with ThreadPoolExecutor(len(argvs)) as pool:
            return list(pool.map(run, argvs))

    def assert_all_succeeded(self, results):
        for result in results:
            self.assertEqual(result.returncode, 0, f"a run failed: {result.stderr!r}")
            self.assertNotIn("error:", result.stderr)

    def test_many_shows_of_one_wheel_at_once(self):
        # A live neighbour's scratch listed last: each run's clean-up of stale folders ended, silently,
        # with exit 1 on it (the last test of its loop was false under set -e).
        live = self.scratch_of("auditwheel-zzzzzz", os.getpid())
        gone = self.scratch_of("auditwheel-aaaaaa", self.dead_pid())
        results = self.all_at_once(*[("show", "--json", self.wheel)] * RUNS)
        self.assert_all_succeeded(results)
        self.assertEqual({r.stdout for r in results}, {results[0].stdout})
        self.assertIn('"libdep.so.1": "', results[0].stdout)
        self.assertTrue(live.is_dir(), "a live neighbour's scratch directory was removed")
        self.assertFalse(gone.exists(), "the scratch directory of a run that is gone stayed")
        self.assertEqual(sorted(os.listdir(self.stage_tmp)), [live.name], "scratch directories left behind")

    def test_many_repairs_into_one_folder(self):
        self.scratch_of("auditwheel-zzzzzz", os.getpid())
        other = dep_wheel(self.tmp, self.private, version="2.0")
        wheelhouse = self.tmp / "wheelhouse"
        results = self.all_at_once(*[("repair", "-w", wheelhouse, (self.wheel, other)[i % 2]) for i in range(RUNS)])
        self.assert_all_succeeded(results)
        written = sorted(p.name for p in wheelhouse.iterdir())
        self.assertEqual(len(written), 2, f"expected one wheel of each input and no temporary files: {written}")
        for name in written:
            self.assertTrue(name.endswith(".manylinux_2_5_x86_64.whl"), name)
            self.assert_valid_wheel(wheelhouse / name)
        self.assertEqual(sorted(os.listdir(self.stage_tmp)), ["auditwheel-zzzzzz"])

    def test_a_stage_ended_by_a_signal_it_does_not_catch_is_named(self):
        # The OOM killer's KILL leaves a stage no time to say anything: the wrapper says it.
        shim_bin = self.tmp / "bin"
        shim_bin.mkdir()
        for entry in BIN.iterdir():
            if entry.name not in ("auditwheel", "lib-graft"):
                os.symlink(entry, shim_bin / entry.name)
        # A copy of the wrapper, not a link: it finds its stages beside the file it really is.
        (shim_bin / "auditwheel").write_bytes((BIN / "auditwheel").read_bytes())
        (shim_bin / "lib-graft").write_text("#!/bin/sh\nkill -KILL $$\n")
        for entry in ("auditwheel", "lib-graft"):
            (shim_bin / entry).chmod(0o755)
        (self.tmp / "share").symlink_to(BIN.parent / "share")
        result = subprocess.run([str(shim_bin / "auditwheel"), "repair", "-w", str(self.tmp / "out"), str(self.wheel)],
                                capture_output=True, text=True, env=self.env)
        self.assertEqual(result.returncode, 128 + 9, result.stderr)
        self.assertEqual(result.stderr.splitlines()[-1], "auditwheel: error: lib-graft was killed by signal 9")
        self.assertFalse((self.tmp / "out").exists())
        self.assert_nothing_left()

    def dead_pid(self) -> int:
        process = subprocess.Popen(["true"])
        process.wait()
        return process.pid
