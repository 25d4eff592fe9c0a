"""Every option a stage's --help lists is in the SYNOPSIS (long or short form) and the body of its man page."""
import re
import subprocess

from wheelkit import BIN, ROOT, StageTest

STAGES = ("whl-unpack", "elf-deps", "elf-symvers", "policy-check", "lib-graft", "rpath-set", "whl-pack")


def options_in_help(stage):
    text = subprocess.run([str(BIN / stage), "--help"], capture_output=True, text=True, check=True).stdout
    listed = [re.match(r"  (?:(-[a-zA-Z]), )?(--[a-z0-9][a-z0-9-]*)", line) for line in text.splitlines()]
    return sorted({(match.group(2), match.group(1)) for match in listed if match and match.group(2) != "--help"})


def page_sections(stage):
    text = (ROOT / "man" / f"{stage}.1").read_text()
    synopsis = text.split(".SH SYNOPSIS", 1)[1].split(".SH ", 1)[0]
    body = text.split(".SH DESCRIPTION", 1)[1]
    return synopsis, body


def in_roff(option, text):
    return option.replace("-", "\\-") in text


class ManPages(StageTest):
    def test_every_option_is_documented(self):
        for stage in STAGES:
            with self.subTest(stage=stage):
                options = options_in_help(stage)
                synopsis, body = page_sections(stage)
                self.assertEqual([long for long, short in options
                                  if not in_roff(long, synopsis) and not (short and in_roff(short, synopsis))], [],
                                 "not in the SYNOPSIS (long or short)")
                self.assertEqual([long for long, short in options if not in_roff(long, body)], [], "not described")
