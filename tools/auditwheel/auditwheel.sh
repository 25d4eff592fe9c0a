#!/bin/sh
# auditwheel: the porcelain over the record-stream stages (see auditwheel(1)).
# It finds its stages beside itself and the policies in ../share/auditwheel,
# the same in the build tree and when installed.
set -eu

version=@VERSION@
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
policies=$(CDPATH= cd -- "$here/../share/auditwheel/policies" 2>/dev/null && pwd) || policies=""

usage() {
    cat <<USAGE
usage: auditwheel [-h] [-V] command ...

The C++ auditwheel: audits and repairs Linux wheels through the stages
whl-unpack, elf-deps, elf-symvers, policy-check, lib-graft, rpath-set, whl-pack.

commands (coming with the analysis and repair stages):
  show      audit a wheel
  repair    graft external libraries into a wheel
  lddtree   print the dependency tree of an ELF file
USAGE
}

die() {
    printf 'auditwheel: error: %s\n' "$*" >&2
    exit 2
}

for stage in whl-unpack whl-pack; do
    [ -x "$here/$stage" ] || die "stage $stage not found beside $0 (in $here)"
done

case "${1-}" in
    "" | -h | --help) usage ;;
    -V | --version)
        printf 'auditwheel %s installed at %s (policies: %s)\n' "$version" "$here" "${policies:-missing}" ;;
    show | repair | lddtree)
        die "'$1' is not available yet: this build has only the wheel I/O stages (whl-unpack, whl-pack)" ;;
    *) die "unknown command '$1'; see auditwheel --help" ;;
esac
