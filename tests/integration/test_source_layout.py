"""The shape of the sources, which a reader new to the project goes by: common/ in layers whose
order common/README.md gives once, no include against it, and no source file over 500 lines."""
import re
import unittest

from wheelkit import ROOT

MAX_LINES = 500


def layers() -> list:
    """common/'s layers, lowest first, as common/README.md lists them."""
    return re.findall(r"^\d+\. `([a-z]+)/`", (ROOT / "common/README.md").read_text(), re.M)


class SourceLayout(unittest.TestCase):
    def test_every_include_follows_the_layers(self):
        order = layers()
        rank = {name: i for i, name in enumerate(order)}
        self.assertEqual(sorted(order), sorted(p.name for p in (ROOT / "common").iterdir() if p.is_dir()),
                         "common/README.md lists each folder of common/ once")
        against = []
        for source in sorted((ROOT / "common").rglob("*.[ch]pp")):
            layer = source.parent.name
            for included in re.findall(r'^#include "([^"]+)"', source.read_text(), re.M):
                target = included.split("/")[0]
                if target not in rank:
                    against.append(f"{source.relative_to(ROOT)}: {included}: names no layer")
                elif rank[target] > rank[layer]:
                    against.append(f"{source.relative_to(ROOT)} ({layer}) includes {included} ({target}, a later layer)")
        self.assertEqual(against, [])

    def test_no_source_file_is_over_500_lines(self):
        sources = [*(ROOT / "common").rglob("*.[ch]pp"), *(ROOT / "tools").rglob("*.cpp"), *(ROOT / "tools").rglob("*.sh")]
        long = [f"{p.relative_to(ROOT)}: {n} lines" for p in sorted(sources)
                if (n := p.read_text().count("\n")) > MAX_LINES]
        self.assertEqual(long, [])

    def test_the_test_map_names_every_module_and_test_file(self):
        """tests/README.md's map: each module of common/ under its layer, each test file somewhere."""
        rows = {row.split("`")[1].rstrip("/"): row for row in (ROOT / "tests/README.md").read_text().splitlines()
                if row.startswith("| `") and "/`" in row.split("|")[1]}
        missing = []
        for source in sorted((ROOT / "common").rglob("*.[ch]pp")):
            if f"`{source.stem}`" not in rows.get(source.parent.name, "").split("|")[1]:
                missing.append(f"{source.relative_to(ROOT)} (in the row of {source.parent.name}/)")
        text = (ROOT / "tests/README.md").read_text()
        for test in sorted([*(ROOT / "tests/unit").glob("test_*.cpp"), *(ROOT / "tests/integration").glob("test_*.py")]):
            if f"`{test.stem}`" not in text:
                missing.append(str(test.relative_to(ROOT)))
        self.assertEqual(missing, [])
