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

commands:
  lddtree   print the dependency tree of an ELF file
  show      audit a wheel (coming with policy-check)
  repair    graft external libraries into a wheel (coming with lib-graft)
USAGE
}

lddtree_usage() {
    cat <<USAGE
usage: auditwheel lddtree [-h] [--json] [--ldpaths LDPATHS] FILE

Prints the libraries FILE loads, found as its dynamic loader would find them.
  --json              print pypa auditwheel's lddtree JSON object instead of the tree
  --ldpaths LDPATHS   search these ':'-separated directories instead of ld.so.conf
USAGE
}

lddtree() {
    format=tree
    has_ldpaths=no
    ldpaths=""
    # Options are taken out of "$@"; the file names that remain are rotated to the end.
    set -- "$@" --end-of-arguments
    while [ "$1" != --end-of-arguments ]; do
        case "$1" in
            -h | --help) lddtree_usage; exit 0 ;;
            --json) format=json ;;
            --ldpaths) [ "$2" != --end-of-arguments ] || die "lddtree: --ldpaths needs a value"
                has_ldpaths=yes; ldpaths=$2; shift ;;
            --ldpaths=*) has_ldpaths=yes; ldpaths=${1#--ldpaths=} ;;
            --) shift; while [ "$1" != --end-of-arguments ]; do set -- "$@" "$1"; shift; done; break ;;
            -?*) die "lddtree: unknown option '$1'; see auditwheel lddtree --help" ;;
            *) set -- "$@" "$1" ;;
        esac
        shift
    done
    shift
    [ $# -eq 1 ] || die "lddtree: expected one FILE; see auditwheel lddtree --help"
    if [ "$has_ldpaths" = yes ]; then
        exec "$here/elf-deps" --format "$format" --ldpaths "$ldpaths" -- "$1"
    fi
    exec "$here/elf-deps" --format "$format" -- "$1"
}

die() {
    printf 'auditwheel: error: %s\n' "$*" >&2
    exit 2
}

for stage in whl-unpack whl-pack elf-deps; do
    [ -x "$here/$stage" ] || die "stage $stage not found beside $0 (in $here)"
done

case "${1-}" in
    "" | -h | --help) usage ;;
    -V | --version)
        printf 'auditwheel %s installed at %s (policies: %s)\n' "$version" "$here" "${policies:-missing}" ;;
    lddtree) shift; lddtree "$@" ;;
    show | repair)
        die "'$1' is not available yet: policy-check and lib-graft are still being built" ;;
    *) die "unknown command '$1'; see auditwheel --help" ;;
esac
