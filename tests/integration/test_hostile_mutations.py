"""Seeded random corruption of a wheel: whl-unpack (and whl-pack after it) either
succeed or refuse with one error line; never a crash, never leftovers."""
import random
import shutil

from wheelkit import StageTest, records_of, spam_wheel

CASES = 300


def mutate(data: bytes, rng: random.Random) -> bytes:
    data = bytearray(data)
    choice = rng.randrange(4)
    if choice == 0:  # flip a few bytes anywhere
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] = rng.randrange(256)
    elif choice == 1:  # truncate
        del data[rng.randrange(len(data)):]
    elif choice == 2:  # overwrite a run near a header signature
        starts = [i for i in range(len(data) - 4) if data[i:i + 2] == b"PK"]
        at = rng.choice(starts) + rng.randrange(4, 46)
        for i in range(at, min(at + rng.randint(1, 4), len(data))):
            data[i] = rng.choice((0, 0xFF, rng.randrange(256)))
    else:  # duplicate a slice
        a = rng.randrange(len(data))
        b = min(len(data), a + rng.randint(1, 64))
        data[a:a] = data[a:b]
    return bytes(data)


class Mutations(StageTest):
    def test_corrupted_wheels_never_crash(self):
        original = spam_wheel(self.tmp).read_bytes()
        target = self.tmp / "in" / "spam-1.0-cp311-cp311-linux_x86_64.whl"
        target.parent.mkdir()
        rng = random.Random(20261124)
        outcomes = {0: 0, 1: 0}
        for case in range(CASES):
            target.write_bytes(mutate(original, rng))
            args = ["--elf-only"] if case % 2 else []
            result = self.run_stage("whl-unpack", *args, target, expect=None)
            self.assertIn(result.returncode, (0, 1), f"case {case}: {result.stderr}")
            outcomes[result.returncode] += 1
            if result.returncode == 1:
                self.assertTrue(result.stderr.splitlines()[-1].startswith("whl-unpack: error: "), result.stderr)
                self.assert_nothing_left()
                continue
            packed = self.run_stage("whl-pack", "-w", self.tmp / "out", stdin=result.stdout, expect=None)
            self.assertIn(packed.returncode, (0, 1), f"case {case}: {packed.stderr}")
            shutil.rmtree(records_of(result.stdout)[0]["workdir"], ignore_errors=True)
            shutil.rmtree(self.tmp / "out", ignore_errors=True)
            self.assert_nothing_left()
        self.assertGreater(outcomes[1], CASES // 4, "most corruptions should be caught")


class ElfMutations(StageTest):
    def test_corrupted_elf_files_never_crash(self):
        from elfkit import compile_shared
        source = "#include <string.h>\n#include <math.h>\ndouble f(const char *s) { return strlen(s) + cos(1.0); }\n"
        original = compile_shared(self.tmp / "libm-user.so", "m", "-lm", source=source).read_bytes()
        rng = random.Random(1124)
        target = self.tmp / "libmut.so"
        refused = {"elf-deps": 0, "elf-symvers": 0}
        for case in range(CASES // 2):
            data = bytearray(original)
            for _ in range(rng.randint(1, 16)):
                data[rng.randrange(len(data))] = rng.randrange(256)
            if rng.random() < 0.2:
                del data[rng.randrange(len(data)):]
            target.write_bytes(bytes(data))
            for stage in refused:
                result = self.run_stage(stage, target, expect=None)
                self.assertIn(result.returncode, (0, 1), f"case {case}, {stage}: {result.stderr}")
                if result.returncode == 1:
                    refused[stage] += 1
                    self.assertTrue(result.stderr.splitlines()[-1].startswith(f"{stage}: error: "), result.stderr)
        self.assertTrue(all(count > 0 for count in refused.values()), refused)
