"""policy-check --plat: the tags and graft plan a repair would use, and its refusals."""
from elfkit import compile_shared
from wheelkit import SHARED_WHEELS, StageTest, make_wheel, python_tag, records_of


class RepairPlan(StageTest):
    def analysed(self, wheel, env=None):
        unpacked = self.run_stage("whl-unpack", "--elf-only", wheel).stdout
        deps = self.run_stage("elf-deps", stdin=unpacked, env=env).stdout
        return self.run_stage("elf-symvers", stdin=deps).stdout

    def plan(self, wheel, *args, env=None, expect=0):
        result = self.run_stage("policy-check", *args, stdin=self.analysed(wheel, env=env), expect=expect)
        if expect:
            return result
        records = records_of(result.stdout)
        return {r["kind"]: r for r in records if r["kind"] in ("verdict", "retag", "graft_plan")}

    def wheel(self, source, *flags, libs=()):
        tag = f"{python_tag()}-{python_tag()}-linux_x86_64"
        ext = compile_shared(self.tmp / "build/_plan.so", "plan", *flags, source=source, needs=libs)
        return make_wheel(self.tmp, name="plan", tag=tag, purelib=False, files=[("plan/_plan.so", ext.read_bytes(), 0o755)])

    def private_wheel(self):
        private = self.tmp / "private"
        compile_shared(private / "libdep.so", "dep")
        wheel = self.wheel("int dep_value(void);\nint f(void) { return dep_value(); }\n", f"-L{private}", "-ldep")
        return wheel, dict(self.env, LD_LIBRARY_PATH=str(private)), private

    def test_auto_plan_grafts_the_private_library(self):
        wheel, env, private = self.private_wheel()
        plan = self.plan(wheel, "--plat", "auto", env=env)
        self.assertEqual(plan["retag"], {"kind": "retag", "add": ["manylinux_2_5_x86_64", "manylinux1_x86_64"],
                                         "remove": ["linux_x86_64"]})
        self.assertEqual(plan["graft_plan"]["libraries"], [{"soname": "libdep.so", "realpath": str(private / "libdep.so")}])
        self.assertEqual(plan["graft_plan"]["members"], [{"path": "plan/_plan.so", "graft": ["libdep.so"]}])
        self.assertEqual(plan["verdict"]["graft_tag"], "manylinux_2_5_x86_64")

    def test_explicit_plat_adds_the_wider_tag_unless_only_plat(self):
        wheel, env, _ = self.private_wheel()
        wide = self.plan(wheel, "--plat", "manylinux_2_17_x86_64", env=env)["retag"]["add"]
        self.assertEqual(wide, ["manylinux_2_5_x86_64", "manylinux1_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64"])
        only = self.plan(wheel, "--plat", "manylinux2014_x86_64", "--only-plat", env=env)["retag"]["add"]
        self.assertEqual(only, ["manylinux_2_17_x86_64", "manylinux2014_x86_64"])
        self.assertNotIn("retag", self.plan(wheel, "--plat", "auto", "--no-update-tags", env=env))

    def test_exclude_keeps_a_library_out(self):
        wheel, env, _ = self.private_wheel()
        for pattern in ("libdep.so", "libd*", "*/private/*"):
            with self.subTest(pattern=pattern):
                plan = self.plan(wheel, "--plat", "auto", "--exclude", pattern, env=env)
                self.assertEqual(plan["graft_plan"]["libraries"], [])
                self.assertEqual(plan["verdict"]["overall_tag"], "manylinux_2_5_x86_64")

    def test_missing_library_is_an_error(self):
        wheel, _, _ = self.private_wheel()
        result = self.plan(wheel, "--plat", "auto", expect=1)
        self.assertIn('required library "libdep.so" could not be located', result.stderr)

    def test_too_low_plat_is_refused_naming_the_symbols(self):
        wheel = self.wheel("#include <string.h>\nvoid c(char *d, const char *s, size_t n) { memcpy(d, s, n); }\n", "-fno-builtin")
        result = self.plan(wheel, "--plat", "manylinux_2_12_x86_64", expect=3)
        self.assertEqual(len(result.stderr.splitlines()), 1, result.stderr)
        self.assertIn('cannot repair "plan-1.0-', result.stderr)
        self.assertIn('to "manylinux_2_12_x86_64" ABI because of the presence of too-recent versioned symbols: '
                      "plan/_plan.so needs memcpy@GLIBC_2.14", result.stderr)
        self.assertEqual(self.plan(wheel, "--plat", "manylinux_2_17_x86_64")["retag"]["add"],
                         ["manylinux_2_17_x86_64", "manylinux2014_x86_64"])
        unknown = self.plan(wheel, "--plat", "manylinux_1_99_x86_64", expect=2)
        self.assertIn('invalid --plat "manylinux_1_99_x86_64" for a glibc x86_64 wheel (choose from '
                      'manylinux_2_41_x86_64, manylinux_2_40_x86_64, ', unknown.stderr)
        self.assertIn(", manylinux_2_5_x86_64, manylinux2014_x86_64, manylinux2010_x86_64, manylinux1_x86_64, auto)",
                      unknown.stderr)

    def test_libpython_is_removed_not_grafted(self):
        wheel = SHARED_WHEELS / "python_mscl-67.0.1.0-cp313-cp313-manylinux2014_aarch64.whl"
        if not wheel.exists():
            self.skipTest("../shared/wheels is absent")
        plan = self.plan(wheel, "--plat", "auto")
        self.assertEqual(plan["graft_plan"]["libraries"], [])
        self.assertEqual(plan["graft_plan"]["remove_needed"],
                         [{"path": "python_mscl/_mscl.so", "remove_needed": ["libpython3.13.so.1.0"]}])
        self.assertEqual(plan["retag"]["add"], ["manylinux_2_31_aarch64"])
        self.assertEqual(plan["retag"]["remove"], ["linux_aarch64"])
