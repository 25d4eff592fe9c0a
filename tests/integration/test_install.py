"""make install puts stages, wrapper, policies and man pages where the wrapper finds them."""
import os
import shutil
import subprocess

from wheelkit import BIN, ROOT, StageTest, make_wheel, records_of


class Install(StageTest):
    def test_installed_tree_works_without_environment(self):
        destdir = self.tmp / "dest"
        subprocess.run(["make", "-s", "-C", str(ROOT), "install", f"DESTDIR={destdir}", "PREFIX=/opt/aw"], check=True,
                       capture_output=True)
        prefix = destdir / "opt/aw"
        for stage in ("whl-unpack", "whl-pack", "elf-deps", "elf-symvers", "policy-check", "lib-graft", "rpath-set",
                      "auditwheel"):
            self.assertTrue((prefix / "bin" / stage).is_file(), stage)
        for page in ("man1/whl-unpack.1", "man1/whl-pack.1", "man1/elf-deps.1", "man1/elf-symvers.1",
                     "man1/policy-check.1", "man1/lib-graft.1", "man1/rpath-set.1", "man1/auditwheel.1",
                     "man7/auditwheel-records.7"):
            self.assertTrue((prefix / "share/man" / page).is_file(), page)
        env = {"PATH": "/usr/bin:/bin"}
        version = subprocess.run([str(prefix / "bin/auditwheel"), "--version"], capture_output=True, text=True, env=env)
        self.assertEqual(version.returncode, 0, version.stderr)
        self.assertIn(f"(C++ auditwheel, matching pypa auditwheel 6.8.1) installed at {prefix}/bin "
                      f"(policies: {prefix}/share/auditwheel/policies)", version.stdout)
        wheel = make_wheel(self.tmp, files=[("demo/__init__.py", b"", 0o644)])
        records = subprocess.run([str(prefix / "bin/whl-unpack"), str(wheel)], capture_output=True, text=True,
                                 env=dict(env, TMPDIR=str(self.stage_tmp)), check=True).stdout
        out = subprocess.run([str(prefix / "bin/whl-pack"), "-w", str(self.tmp / "out")], input=records,
                             capture_output=True, text=True, env=env, check=True).stdout
        self.assertEqual(records_of(out)[-1]["filename"], wheel.name)
        show = subprocess.run([str(prefix / "bin/auditwheel"), "show", "--allow-pure-python-wheel", "--json", str(wheel)],
                              capture_output=True, text=True, env=dict(env, TMPDIR=str(self.stage_tmp)))
        self.assertEqual(show.returncode, 0, show.stderr)  # the installed policy-check found its policies


class Wrapper(StageTest):
    def test_build_tree_wrapper(self):
        result = subprocess.run([str(BIN / "auditwheel"), "-V"], capture_output=True, text=True)
        self.assertEqual(result.returncode, 0)
        self.assertIn(f"installed at {BIN}", result.stdout)
        usage = subprocess.run([str(BIN / "auditwheel")], capture_output=True, text=True).stdout
        self.assertIn("usage: auditwheel [-h] [-V] [-v] command ...", usage)
        self.assertIn("-v, --verbose", usage)
        unknown = subprocess.run([str(BIN / "auditwheel"), "frobnicate"], capture_output=True, text=True)
        self.assertEqual(unknown.returncode, 2)
        self.assertEqual(unknown.stderr, "auditwheel: error: unknown command 'frobnicate'; see auditwheel --help\n")

    def test_a_linked_wrapper_finds_its_stages_and_says_where_policies_are_missing(self):
        wheel = make_wheel(self.tmp, files=[("demo/__init__.py", b"", 0o644)])
        links = self.tmp / "home/bin"
        links.mkdir(parents=True)
        (links / "auditwheel").symlink_to(BIN / "auditwheel")  # ln -s into ~/bin
        (self.tmp / "home/aw").symlink_to(links / "auditwheel")  # a link to the link, relative below
        (links / "relative").symlink_to("auditwheel")
        for link in (links / "auditwheel", self.tmp / "home/aw", links / "relative"):
            with self.subTest(link=link.name):
                show = subprocess.run([str(link), "show", "--allow-pure-python-wheel", str(wheel)], capture_output=True,
                                      text=True, env=self.env)
                self.assertEqual(show.returncode, 0, show.stderr)
        copy = self.tmp / "copy/bin"
        copy.mkdir(parents=True)
        for stage in ("whl-unpack", "whl-pack", "elf-deps", "elf-symvers", "policy-check", "lib-graft", "rpath-set"):
            (copy / stage).symlink_to(BIN / stage)
        shutil.copy(BIN / "auditwheel", copy / "auditwheel")  # a copy, not a link: no policies beside it
        for command in ("show", "repair"):
            result = subprocess.run([str(copy / "auditwheel"), command, str(wheel)], capture_output=True, text=True,
                                    env=self.env)
            self.assertEqual(result.returncode, 2)
            self.assertEqual(result.stderr, "auditwheel: error: no policies found: expected the folder "
                                            f"{copy}/../share/auditwheel/policies\n")

    def test_long_options_may_be_shortened_as_argparse_allows(self):
        """pypa auditwheel's argparse takes any unambiguous prefix of a long option."""
        wheel = make_wheel(self.tmp, files=[("demo/__init__.py", b"", 0o644)])
        aw = str(BIN / "auditwheel")
        self.assertIn("installed at", subprocess.run([aw, "--vers"], capture_output=True, text=True).stdout)
        shown = subprocess.run([aw, "show", "--allow-pure", "--js", str(wheel)], capture_output=True, text=True, env=self.env)
        self.assertEqual(shown.returncode, 0, shown.stderr)
        out = self.tmp / "out"
        repaired = subprocess.run([aw, "repair", "--allow-pure", f"--wheel-d={out}", "--zip", "9", "--only-pl", "--lib", ".x",
                                   str(wheel)], capture_output=True, text=True, env=self.env)
        self.assertEqual(repaired.returncode, 0, repaired.stderr)
        self.assertEqual(os.listdir(out), [wheel.name])
        for argv, message in ((["--ver"], "auditwheel: error: ambiguous option: --ver could match --version, --verbose"),
                              (["repair", "--p", "x", str(wheel)],
                               "auditwheel: error: repair: ambiguous option: --p could match --plat, --patcher")):
            result = subprocess.run([aw, *argv], capture_output=True, text=True, env=self.env)
            self.assertEqual((result.returncode, result.stderr), (2, message + "\n"))
