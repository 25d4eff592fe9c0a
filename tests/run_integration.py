"""Runs the integration tests (tests/integration/test_*.py) against a build.

Prints one line per test and writes "passed failed skipped" to --counts.
"""
import argparse
import os
import sys
import time
import unittest


class LineResult(unittest.TestResult):
    def __init__(self):
        super().__init__()
        self.passed = 0

    def startTest(self, test):
        super().startTest(test)
        self._started = time.monotonic()

    def _line(self, status, test, detail=""):
        took = time.monotonic() - self._started
        print(f"{status:4} {test.id().removeprefix('test_')} ({took:.1f}s){detail}", flush=True)

    def addSuccess(self, test):
        self.passed += 1
        self._line("PASS", test)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._line("FAIL", test, "\n" + self._exc_info_to_string(err, test))

    def addError(self, test, err):
        super().addError(test, err)
        self._line("FAIL", test, "\n" + self._exc_info_to_string(err, test))

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            self._line("FAIL", subtest, "\n" + self._exc_info_to_string(err, test))

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._line("SKIP", test, f": {reason}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("build")
    parser.add_argument("--counts")
    parser.add_argument("-k", dest="pattern", help="only tests whose id contains this")
    args = parser.parse_args()
    os.environ["AW_BUILD"] = os.path.abspath(args.build)
    here = os.path.dirname(os.path.abspath(__file__))
    suite = unittest.defaultTestLoader.discover(os.path.join(here, "integration"), top_level_dir=os.path.join(here, "integration"))

    def flatten(s):
        for item in s:
            if isinstance(item, unittest.TestSuite):
                yield from flatten(item)
            else:
                yield item

    tests = [t for t in flatten(suite) if not args.pattern or args.pattern in t.id()]
    result = LineResult()
    unittest.TestSuite(tests).run(result)
    failed = len(result.failures) + len(result.errors)
    skipped = len(result.skipped)
    print(f"integration suite: {result.passed} passed, {failed} failed, {skipped} skipped")
    if args.counts:
        with open(args.counts, "w") as f:
            f.write(f"{result.passed} {failed} {skipped}\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
