"""auditwheel show: verdicts on the shared wheels (expected values derived by hand from their
ELF facts and the policies), JSON schema validity, and wheels built here for each rule."""
import json
import subprocess
import zipfile

from elfkit import compile_shared
from wheelkit import BIN, ROOT, SHARED_WHEELS, StageTest, make_wheel, python_tag

SCHEMA = ROOT.parent / "shared" / "reference" / "show-schema.json"

# wheel -> (overall_tag, sym_tag, external sonames (None: not a platform wheel))
# x86_64/i686 start at manylinux_2_5, aarch64/armv7l/ppc64le/s390x at 2_17, riscv64 at 2_31;
# musl wheels at musllinux_1_2 (on a glibc host the one musl policy, as in pypa auditwheel).
# armv5l (soft float) and mips64 have no policy. libpython is never resolved, so it is external and keeps the tag at linux until a repair removes it.
EXPECTED = {
    "glibc/testsimple-0.0.1-cp313-cp313-linux_x86_64.whl": ("manylinux_2_5_x86_64", "manylinux_2_5_x86_64", []),
    "glibc/testsimple-0.0.1-cp313-cp313-linux_i686.whl": ("manylinux_2_5_i686", "manylinux_2_5_i686", []),
    "glibc/testsimple-0.0.1-cp313-cp313-linux_aarch64.whl": ("manylinux_2_17_aarch64", "manylinux_2_17_aarch64", []),
    "glibc/testsimple-0.0.1-cp313-cp313-linux_armv7l.whl": ("manylinux_2_17_armv7l", "manylinux_2_17_armv7l", []),
    "glibc/testsimple-0.0.1-cp313-cp313-linux_ppc64le.whl": ("manylinux_2_17_ppc64le", "manylinux_2_17_ppc64le", []),
    "glibc/testsimple-0.0.1-cp313-cp313-linux_s390x.whl": ("manylinux_2_17_s390x", "manylinux_2_17_s390x", []),
    "glibc/testsimple-0.0.1-cp313-cp313-linux_riscv64.whl": ("manylinux_2_31_riscv64", "manylinux_2_31_riscv64", []),
    "glibc/testsimple-0.0.1-cp313-cp313-linux_armv5l.whl": (None, None, None),
    "glibc/testsimple-0.0.1-cp313-cp313-linux_mips64.whl": (None, None, None),
    "musllinux_1_2/testsimple-0.0.1-cp312-cp312-linux_x86_64.whl": ("musllinux_1_2_x86_64", "musllinux_1_2_x86_64", []),
    "musllinux_1_2/testsimple-0.0.1-cp312-cp312-linux_i686.whl": ("musllinux_1_2_i686", "musllinux_1_2_i686", []),
    "musllinux_1_2/testsimple-0.0.1-cp312-cp312-linux_aarch64.whl": ("musllinux_1_2_aarch64", "musllinux_1_2_aarch64", []),
    "musllinux_1_2/testsimple-0.0.1-cp312-cp312-linux_armv6l.whl": ("musllinux_1_2_armv7l", "musllinux_1_2_armv7l", []),
    "musllinux_1_2/testsimple-0.0.1-cp312-cp312-linux_armv7l.whl": ("musllinux_1_2_armv7l", "musllinux_1_2_armv7l", []),
    "musllinux_1_2/testsimple-0.0.1-cp312-cp312-linux_ppc64le.whl": ("musllinux_1_2_ppc64le", "musllinux_1_2_ppc64le", []),
    "musllinux_1_2/testsimple-0.0.1-cp312-cp312-linux_riscv64.whl": ("musllinux_1_2_riscv64", "musllinux_1_2_riscv64", []),
    "musllinux_1_2/testsimple-0.0.1-cp312-cp312-linux_s390x.whl": ("musllinux_1_2_s390x", "musllinux_1_2_s390x", []),
    # Its extension says -linux-gnu (CPython < 3.11 on musl did) and needs no libc: undetectable, refused.
    "musllinux_1_2/testsimple-0.0.1-cp310-cp310-linux_x86_64.whl": ("error", None, None),
    # GLIBC_2.29 (log2, pow) is first allowed on aarch64 by manylinux_2_31.
    "python_mscl-67.0.1.0-cp313-cp313-manylinux2014_aarch64.whl": ("linux_aarch64", "manylinux_2_31_aarch64",
                                                                   ["libpython3.13.so.1.0"]),
    # UCS2 build; libffi.so.5 is on no system here.
    "cffi-1.5.0-cp27-none-linux_x86_64.whl": ("linux_x86_64", "manylinux_2_5_x86_64",
                                              ["libffi.so.5", "libpython2.7.so.1.0"]),
    "fpewheel-0.0.0-cp35-cp35m-linux_x86_64.whl": ("linux_x86_64", "manylinux_2_5_x86_64", []),
    "android/spam-0.1.0-cp313-cp313-android_24_arm64_v8a.whl": ("linux_aarch64", "android_24_arm64_v8a",
                                                                ["libc++_shared.so"]),
    "plumbum-1.6.8-py2.py3-none-any.whl": (None, None, None),
}


# Our additions to the schema (auditwheel(1)): executable_stack, only when something asks for one,
# and abi3, only for an abi3 wheel.
STRINGS = {"type": "array", "items": {"type": "string"}}
ADDITIONS = {
    "executable_stack": {"type": "object", "required": ["members", "libraries"], "additionalProperties": False,
                         "properties": {"members": STRINGS,
                                        "libraries": {"type": "object", "additionalProperties": {"type": "string"}}}},
    "abi3": {"type": "object", "required": ["tag", "minimum", "abi3t_since", "violates", "extensions"],
             "additionalProperties": False,
             "properties": {"tag": {"enum": ["abi3", "abi3t", "abi3.abi3t"]}, "minimum": {"type": "string"},
                            "abi3t_since": {"type": ["string", "null"]}, "violates": {"type": "boolean"},
                            "extensions": {"type": "array", "items": {
                                "type": "object", "required": ["path", "outside", "newer", "needs", "misnamed"],
                                "additionalProperties": False,
                                "properties": {"path": {"type": "string"}, "outside": STRINGS, "needs": {"type": "string"},
                                               "newer": {"type": "object", "additionalProperties": {"type": "string"}},
                                               "misnamed": {"type": "boolean"}}}}}},
}


def validate(document):
    """Validates with Debian's python3-jsonschema (the system interpreter has it), against the
    reference schema with our addition."""
    code = ("import json, sys, jsonschema; schema = json.load(open(sys.argv[1])); "
            f"schema['$defs']['result_platform']['properties'].update({ADDITIONS!r}); "
            "jsonschema.validate(json.load(sys.stdin), schema, format_checker=jsonschema.FormatChecker())")
    return subprocess.run(["/usr/bin/python3", "-c", code, str(SCHEMA)], input=json.dumps(document), text=True,
                          capture_output=True)


class Show(StageTest):
    def show(self, wheel, *args, expect=0, env=None):
        result = subprocess.run([str(BIN / "auditwheel"), "show", *map(str, args), str(wheel)], capture_output=True,
                                text=True, env=env or self.env)
        self.assertEqual(result.returncode, expect, result.stderr)
        return self.says_where_in_user_terms(result)

    def show_json(self, wheel, *args, expect=0, env=None):
        document = json.loads(self.show(wheel, "--json", *args, expect=expect, env=env).stdout)
        if SCHEMA.exists():
            checked = validate(document)
            self.assertEqual(checked.returncode, 0, checked.stderr)
        return document

    def test_shared_wheels(self):
        if not SHARED_WHEELS.is_dir():
            self.skipTest("../shared/wheels is absent: no third-party wheels to show")
        for relative, (overall, sym, external) in EXPECTED.items():
            with self.subTest(wheel=relative):
                if overall == "error":
                    refused = self.show(SHARED_WHEELS / relative, "--json", expect=1)
                    self.assertIn("couldn't detect libc for python extension", refused.stderr)
                    self.assertEqual(refused.stdout, "")
                    continue
                document = self.show_json(SHARED_WHEELS / relative, expect=0 if overall else 1)
                if overall is None:
                    self.assertIn("error", document)
                    continue
                self.assertEqual((document["overall_tag"], document["sym_tag"]), (overall, sym))
                self.assertEqual(sorted(document["external_libs"]), external)
                self.assert_nothing_left()
        mscl = self.show_json(SHARED_WHEELS / "python_mscl-67.0.1.0-cp313-cp313-manylinux2014_aarch64.whl")
        self.assertEqual(mscl["versioned_symbols"]["libm.so.6"], ["GLIBC_2.17", "GLIBC_2.29"])
        cffi = self.show_json(SHARED_WHEELS / "cffi-1.5.0-cp27-none-linux_x86_64.whl")
        self.assertTrue(cffi["ucs2"])
        fpe = self.show_json(SHARED_WHEELS / "fpewheel-0.0.0-cp35-cp35m-linux_x86_64.whl")
        self.assertTrue(fpe["pyfpe"])
        self.assertIn("uses the PyFPE_jbuf function", self.show(SHARED_WHEELS / "fpewheel-0.0.0-cp35-cp35m-linux_x86_64.whl").stdout)

    def test_android_search_paths(self):
        android = SHARED_WHEELS / "android"
        if not android.is_dir():
            self.skipTest("../shared/wheels is absent: no android wheel")
        wheel = android / "spam-0.1.0-cp313-cp313-android_24_arm64_v8a.whl"
        by_arg = self.show_json(wheel, "--ldpaths", android / "ldpaths/arg")
        self.assertEqual(by_arg["external_libs"], {"libc++_shared.so": str(android / "ldpaths/arg/libc++_shared.so")})
        env = dict(self.env, AUDITWHEEL_LD_LIBRARY_PATH=str(android / "ldpaths/env"))
        by_env = self.show_json(wheel, "--ldpaths", android / "ldpaths/arg", env=env)
        self.assertEqual(by_env["external_libs"], {"libc++_shared.so": str(android / "ldpaths/env/libc++_shared.so")})

    def extension_wheel(self, source, *flags, libs=(), name="rule"):
        tag = f"{python_tag()}-{python_tag()}-linux_x86_64"
        ext = compile_shared(self.tmp / "build" / f"_{name}.so", name, *flags, source=source, needs=libs)
        return make_wheel(self.tmp, name=name, tag=tag, purelib=False, files=[(f"{name}/_{name}.so", ext.read_bytes(), 0o755)])

    def test_too_new_symbol_names_the_symbol(self):
        source = "#include <string.h>\nvoid copy(char *d, const char *s, size_t n) { memcpy(d, s, n); }\n"
        wheel = self.extension_wheel(source, "-fno-builtin")
        document = self.show_json(wheel)
        self.assertEqual(document["sym_tag"], "manylinux_2_17_x86_64")  # memcpy@GLIBC_2.14
        self.assertEqual(document["overall_tag"], "manylinux_2_17_x86_64")
        self.assertIn("GLIBC_2.14", document["versioned_symbols"]["libc.so.6"])
        text = self.show(wheel).stdout
        self.assertIn('This constrains the platform tag to "manylinux_2_17_x86_64"', text)
        self.assertIn('"manylinux_2_12_x86_64" is out of reach because: rule/_rule.so needs memcpy@GLIBC_2.14 '
                      "(manylinux_2_12_x86_64 allows GLIBC up to 2.12)", " ".join(text.split()))

    def test_an_empty_version_list_allows_no_version(self):
        """pypa's manylinux_2_5 lists ZLIB: [] for x86_64: no ZLIB version at all, so a wheel
        needing compressBound@ZLIB_1.2.0 is manylinux_2_12 there (pypa auditwheel 6.8.1's verdict)."""
        source = "#include <zlib.h>\nunsigned long f(unsigned long n) { return compressBound(n); }\n"
        wheel = self.extension_wheel(source, "-lz")
        document = self.show_json(wheel)
        self.assertEqual(document["sym_tag"], "manylinux_2_12_x86_64")
        text = " ".join(self.show(wheel).stdout.split())
        self.assertIn("compressBound@ZLIB_1.2.0 (manylinux_2_5_x86_64 allows ZLIB not at all)", text)

    def test_blacklisted_symbol(self):
        source = "#include <zlib.h>\nint f(unsigned char *d, unsigned long *n, const unsigned char *s, unsigned long m)" \
                 " { return uncompress2(d, n, s, &m); }\n"
        document = self.show_json(self.extension_wheel(source, "-lz"))
        blocked = {name: entry["blacklisted_symbols"] for name, entry in document["policy_upgrades"].items()
                   if "blacklisted_symbols" in entry}
        self.assertTrue(blocked, document)
        self.assertTrue(all(entry == {"libz.so.1": ["uncompress2"]} for entry in blocked.values()), blocked)

    def test_isa_level_above_baseline(self):
        wheel = self.extension_wheel("int f(int x) { return x * 3; }\n", "-march=x86-64-v3", "-mneeded")
        document = self.show_json(wheel)
        self.assertTrue(document["unsupported_isa"])
        self.assertEqual(document["overall_tag"], "linux_x86_64")
        self.assertIn("requires 'x86_64_v3' instruction set", self.show(wheel).stderr)
        relaxed = self.show_json(wheel, "--disable-isa-ext-check")
        self.assertFalse(relaxed["unsupported_isa"])
        self.assertEqual(relaxed["overall_tag"], "manylinux_2_5_x86_64")

    def test_whitelisted_and_external_libraries(self):
        private = self.tmp / "private"
        compile_shared(private / "libprivate.so", "private")
        source = "#include <zlib.h>\nint private_value(void);\nlong f(void) { return private_value() + (long)zlibVersion(); }\n"
        wheel = self.extension_wheel(source, f"-L{private}", "-lprivate", "-lz")
        env = dict(self.env, LD_LIBRARY_PATH=str(private))
        document = self.show_json(wheel, env=env)
        self.assertEqual(document["external_libs"], {"libprivate.so": str(private / "libprivate.so")})
        self.assertEqual(document["overall_tag"], "linux_x86_64")
        self.assertEqual(document["policy_upgrades"]["manylinux_2_5_x86_64"]["libs_to_eliminate"], ["libprivate.so"])
        plain = self.show(wheel, env=env).stdout
        self.assertIn("The following external shared libraries are required by the wheel:", plain)
        self.assertIn(f'"libprivate.so": "{private / "libprivate.so"}"', plain)
        text = subprocess.run([str(BIN / "auditwheel"), "-v", "show", str(wheel)], capture_output=True, text=True, env=env).stdout
        self.assertIn("In order to achieve the tag platform tag 'manylinux_2_5_x86_64' the following shared library",
                      " ".join(text.split()))

    def test_musl_extension(self):
        ext = compile_shared(self.tmp / "build/_m.cpython-312-x86_64-linux-musl.so", "m", cc="musl-gcc")
        wheel = make_wheel(self.tmp, name="m", tag="cp312-cp312-linux_x86_64", purelib=False,
                           files=[("m/" + ext.name, ext.read_bytes(), 0o755)])
        document = self.show_json(wheel)
        self.assertEqual(document["sym_tag"], "musllinux_1_2_x86_64")
        # Debian's musl-gcc links "libc.so", not musl's soname: not whitelisted, as pypa auditwheel finds.
        self.assertEqual(sorted(document["external_libs"]), ["libc.so"])

    def test_verify_checks_the_members_show_does_not_read(self):
        # show reads the ELF members and the dist-info only; pypa auditwheel's show extracts every
        # member, so a corrupt data file fails it: --verify does the same here.
        ext = compile_shared(self.tmp / "build/_m.cpython-311-x86_64-linux-gnu.so", "m")
        wheel = make_wheel(self.tmp, name="m", tag=f"{python_tag()}-{python_tag()}-linux_x86_64", purelib=False,
                           files=[("m/" + ext.name, ext.read_bytes(), 0o755), ("m/data.txt", b"data " * 1000, 0o644)])
        data = bytearray(wheel.read_bytes())
        with zipfile.ZipFile(wheel) as z:
            member = z.getinfo("m/data.txt")
        start = member.header_offset + 30 + len(member.filename.encode()) + len(member.extra)
        data[start + member.compress_size - 6:start + member.compress_size - 2] = b"\xff\xff\xff\xff"
        wheel.write_bytes(bytes(data))
        self.assertEqual(self.show_json(wheel)["sym_tag"], "manylinux_2_5_x86_64")
        refused = self.show(wheel, "--verify", expect=1)
        self.assertEqual(len(refused.stderr.splitlines()), 1, refused.stderr)
        self.assertTrue(refused.stderr.startswith(f"auditwheel: error: {wheel}: member m/data.txt"), refused.stderr)

    def test_static_programs_fit_both_families(self):
        """A wheel of static programs, tagged for both libcs as make dist tags ours: the name tells no
        libc (pypa: a DEBUG line), the members none, so the host's (glibc here) with pypa's warning
        and verdict; the text adds the oldest musllinux tag, which fits as well. A program that
        needs a library gets no such paragraph."""
        program = self.tmp / "prog"
        source = self.tmp / "prog.c"
        source.write_text("int main(void) { return 0; }\n")
        subprocess.run(["gcc", "-static", "-O1", "-o", str(program), str(source)], check=True)
        tag = "py3-none-manylinux_2_5_x86_64.manylinux1_x86_64.musllinux_1_1_x86_64"
        wheel = make_wheel(self.tmp, name="st", tag=tag, purelib=False,
                           files=[("st-1.0.data/scripts/prog", program.read_bytes(), 0o755)])
        document = self.show_json(wheel)
        self.assertEqual((document["overall_tag"], document["sym_tag"], document["external_libs"]),
                         ("manylinux_2_5_x86_64", "manylinux_2_5_x86_64", {}))
        result = self.show(wheel)
        self.assertIn('Its ELF files are static programs that need no libc, so it is also consistent with the '
                      'platform tag "musllinux_1_1_x86_64".', " ".join(result.stdout.split()))
        self.assertIn("couldn't detect wheel libc, defaulting to glibc", result.stderr)
        dynamic = self.tmp / "dyn"
        subprocess.run(["gcc", "-O1", "-o", str(dynamic), str(source)], check=True)
        other = make_wheel(self.tmp, name="dy", tag=tag, purelib=False,
                           files=[("dy-1.0.data/scripts/prog", dynamic.read_bytes(), 0o755)])
        self.assertNotIn("static programs", self.show(other).stdout)

    def test_pure_wheels_and_purelib(self):
        pure = make_wheel(self.tmp, files=[("demo/__init__.py", b"", 0o644)])
        document = self.show_json(pure, expect=1)
        self.assertIn("does not look like a platform wheel", document["error"])
        self.assertEqual(self.show_json(pure, "--allow-pure-python-wheel"), {"version": 1, "wheel": pure.name, "pure": True})
        self.assertIn("does not look like a platform wheel", self.show(pure, expect=1).stderr)
        ext = compile_shared(self.tmp / "build/_p.so", "p")
        purelib = make_wheel(self.tmp, name="pl", tag="cp311-cp311-linux_x86_64", purelib=False,
                             files=[("pl-1.0.data/purelib/pl/_p.so", ext.read_bytes(), 0o755)])
        result = self.show(purelib, expect=1)
        self.assertIn("purelib", result.stderr)
        self.assert_nothing_left()

    def test_bad_arguments(self):
        missing = self.show(self.tmp / "missing.whl", expect=2)
        self.assertIn("cannot access", missing.stderr)
        self.assertIn("expected one WHEEL_FILE", self.show("a.whl", "b.whl", expect=2).stderr)
