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
  show      audit a wheel for external shared library dependencies
  lddtree   print the dependency tree of an ELF file
  repair    graft external libraries into a wheel (coming with lib-graft)
USAGE
}

show_usage() {
    cat <<USAGE
usage: auditwheel show [-h] [--json] [--disable-isa-ext-check] [--allow-pure-python-wheel]
                       [--ldpaths LDPATHS] WHEEL_FILE

Audit a wheel for external shared library dependencies.
  --json                     print the result as JSON (pypa auditwheel's show schema)
  --disable-isa-ext-check    do not check the x86-64 ISA level
  --allow-pure-python-wheel  a wheel without ELF files is not an error
  --ldpaths LDPATHS          search these ':'-separated directories instead of ld.so.conf
USAGE
}

# A scratch directory removed on every exit, error and interruption.
make_scratch() {
    scratch=$(mktemp -d "${TMPDIR:-/tmp}/auditwheel-XXXXXX") || die "cannot create a temporary directory"
    trap 'rm -rf "$scratch"' EXIT
    trap 'rm -rf "$scratch"; trap - INT; kill -INT $$' INT
    trap 'rm -rf "$scratch"; exit 143' TERM HUP
}

show() {
    format=show json=no isa="" pure="" has_ldpaths=no ldpaths="" wheel="" count=0
    while [ $# -gt 0 ]; do
        case "$1" in
            -h | --help) show_usage; exit 0 ;;
            --json) format=show-json ;;
            --disable-isa-ext-check) isa=--disable-isa-ext-check ;;
            --allow-pure-python-wheel) pure=--allow-pure-python-wheel ;;
            --ldpaths) [ $# -ge 2 ] || die "show: --ldpaths needs a value"; has_ldpaths=yes; ldpaths=$2; shift ;;
            --ldpaths=*) has_ldpaths=yes; ldpaths=${1#--ldpaths=} ;;
            --) shift; [ $# -gt 0 ] && { wheel=$1; count=$((count + $#)); }; break ;;
            -?*) die "show: unknown option '$1'; see auditwheel show --help" ;;
            *) wheel=$1; count=$((count + 1)) ;;
        esac
        shift
    done
    [ "$count" -eq 1 ] || die "show: expected one WHEEL_FILE; see auditwheel show --help"
    [ -f "$wheel" ] || die "show: cannot access $wheel. No such file"
    make_scratch
    "$here/whl-unpack" --elf-only --dest "$scratch/wheel" -- "$wheel" >"$scratch/unpacked" || exit 1
    if [ "$has_ldpaths" = yes ]; then
        "$here/elf-deps" --ldpaths "$ldpaths" <"$scratch/unpacked" >"$scratch/deps" || exit 1
    else
        "$here/elf-deps" <"$scratch/unpacked" >"$scratch/deps" || exit 1
    fi
    "$here/elf-symvers" <"$scratch/deps" >"$scratch/symvers" || exit 1
    status=0
    "$here/policy-check" --policies "$policies" --format "$format" $isa $pure $verbose <"$scratch/symvers" || status=$?
    exit "$status"
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

for stage in whl-unpack whl-pack elf-deps elf-symvers policy-check; do
    [ -x "$here/$stage" ] || die "stage $stage not found beside $0 (in $here)"
done

verbose=""
while [ "${1-}" = -v ] || [ "${1-}" = --verbose ]; do verbose=-v; shift; done

case "${1-}" in
    "" | -h | --help) usage ;;
    -V | --version)
        printf 'auditwheel %s installed at %s (policies: %s)\n' "$version" "$here" "${policies:-missing}" ;;
    lddtree) shift; lddtree "$@" ;;
    show) shift; show "$@" ;;
    repair)
        die "'$1' is not available yet: lib-graft is still being built" ;;
    *) die "unknown command '$1'; see auditwheel --help" ;;
esac
