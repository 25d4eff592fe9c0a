#!/bin/sh
# Runs every suite (Boost.Test unit tests, integration tests) and ends with
# one line "N passed, N failed[, N skipped]" summing them; non-zero if any failed.
set -u
build=${BUILD:-build}
python=${PYTHON:-python3}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT INT TERM

echo "== unit tests"
"$build/tests/unit-tests" --report_level=short --log_level=test_suite --color_output=no >"$scratch/unit.log" 2>&1
unit_status=$?
cat "$scratch/unit.log"
count() { # count WORD: test cases reported with that outcome
    sed -n "s/^ *\([0-9]*\) test cases\{0,1\} out of [0-9]* $1\$/\1/p" "$scratch/unit.log" | head -n 1
}
unit_passed=$(count passed); unit_failed=$(count failed); unit_aborted=$(count aborted); unit_skipped=$(count skipped)
unit_failed=$(( ${unit_failed:-0} + ${unit_aborted:-0} ))
if [ "$unit_status" -ne 0 ] && [ "$unit_failed" -eq 0 ]; then unit_failed=1; fi  # crashed before reporting

echo "== integration tests"
"$python" tests/run_integration.py "$build" --counts "$scratch/integration.counts"
if [ -s "$scratch/integration.counts" ]; then
    read -r int_passed int_failed int_skipped <"$scratch/integration.counts"
else
    int_passed=0 int_failed=1 int_skipped=0  # the runner itself failed
fi

passed=$(( ${unit_passed:-0} + int_passed ))
failed=$(( unit_failed + int_failed ))
skipped=$(( ${unit_skipped:-0} + int_skipped ))
if [ "$skipped" -gt 0 ]; then
    echo "$passed passed, $failed failed, $skipped skipped"
else
    echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
