#!/bin/sh
# auditwheel: the porcelain over the record-stream stages (see auditwheel(1)).
# It finds its stages beside itself and the policies in ../share/auditwheel,
# the same in the build tree and when installed, following links to itself
# (ln -s PREFIX/bin/auditwheel ~/bin, pipx-style links).
set -eu
# The stages' messages say "auditwheel:", the command the user ran; a stage stops, as for SIGTERM,
# when the process that started it, this one, is gone (a kill -9 of it: see interrupt.cpp).
export AUDITWHEEL_COMMAND=auditwheel AUDITWHEEL_WRAPPER_PID=$$

# Every way out says why in one line: die or fail, a stage's own error, or stage_failed for a
# stage ended by a signal it does not catch. $said marks them; a failure without it (a command
# that failed quietly under set -e) is named by the EXIT trap, so no run ever fails silently.
said="" scratch="" partial="" unpack_options=--elf-only
on_exit() {
    rm -rf ${scratch:+"$scratch"} ${partial:+"$partial"}
    [ "$1" -eq 0 ] || [ -n "$said" ] ||
        printf 'auditwheel: error: stopped with status %s without saying why (a bug: please report it)\n' "$1" >&2
}
trap 'on_exit $?' EXIT

version=@VERSION@
self=$0
# parent_of PATH: sets $parent to PATH's directory, as dirname would, without running it (each
# program run costs a show about a millisecond).
parent_of() {
    case "$1" in */*) parent=${1%/*}; parent=${parent:-/} ;; *) parent=. ;; esac
}
while [ -L "$self" ]; do
    link=$(readlink -- "$self")
    case "$link" in /*) self=$link ;; *) parent_of "$self"; self=$parent/$link ;; esac
done
parent_of "$self"
here=$(CDPATH= cd -- "$parent" && pwd)
policies=$(CDPATH= cd -- "$here/../share/auditwheel/policies" 2>/dev/null && pwd) || policies=""
# In the distribution (make dist) every stage is in one program, auditwheel-stages, behind a script
# per stage name; the wrapper runs that program itself, which saves a shell per stage.
multicall=""
[ -x "$here/auditwheel-stages" ] && multicall=$here/auditwheel-stages

# exec_stage STAGE ARGS...: replaces this process (or subshell) with the stage, so that the stage
# has the PID that signals are sent to.
exec_stage() {
    [ -z "$multicall" ] || exec "$multicall" "$@"
    stage_name=$1; shift; exec "$here/$stage_name" "$@"
}

usage() {
    cat <<USAGE
usage: auditwheel [-h] [-V] [-v] command ...

The C++ auditwheel: audits and repairs Linux wheels through the stages
whl-unpack, elf-deps, elf-symvers, policy-check, lib-graft, rpath-set, whl-pack.

options:
  -h, --help     show this help message and exit
  -V, --version  show the version, where it is installed and its policies, and exit
  -v, --verbose  give more output (before the command; may be repeated)

commands:
  show      audit a wheel for external shared library dependencies
  lddtree   print the dependency tree of an ELF file
  repair    graft external libraries into a wheel and retag it
USAGE
}

show_usage() {
    cat <<USAGE
usage: auditwheel show [-h] [--json] [--disable-isa-ext-check] [--allow-pure-python-wheel]
                       [--ldpaths LDPATHS] [--verify] WHEEL_FILE

Audit a wheel for external shared library dependencies.
  --json                     print the result as JSON (pypa auditwheel's show schema)
  --verify                   also read every other member and check its CRC-32 and RECORD hash
  --disable-isa-ext-check    do not check the x86-64 ISA level
  --allow-pure-python-wheel  a wheel without ELF files is not an error
  --ldpaths LDPATHS          search these ':'-separated directories instead of ld.so.conf
USAGE
}

# A scratch directory removed on every exit (on_exit), error and signal, in the first temporary folder
# that takes one (as Python's tempfile). It names its owner (pid and host), so a later run removes
# those a kill -9 left behind.
# The traps come first and mktemp runs with the signals ignored, so a signal at any moment finds
# the directory either not made or named in $scratch (the trap runs once the assignment is done).
make_scratch() {
    trap 'on_signal INT 2' INT
    trap 'on_signal TERM 15' TERM
    trap 'on_signal HUP 1' HUP
    for folder in "${TMPDIR-}" "${TEMP-}" "${TMP-}" /tmp /var/tmp /usr/tmp "$PWD"; do
        [ -n "$folder" ] && [ -d "$folder" ] && [ -w "$folder" ] || continue
        scratch=$(trap '' INT TERM HUP; mktemp -d "$folder/auditwheel-XXXXXX" 2>/dev/null) && break
    done
    [ -n "$scratch" ] || die "cannot create a temporary directory in \$TMPDIR, /tmp, /var/tmp, /usr/tmp or here"
    read -r host </proc/sys/kernel/hostname 2>/dev/null || host=$(uname -n)
    printf '%s %s\n' "$$" "$host" >"$scratch/owner"
    remove_stale_scratch "$folder"
}

# remove_stale_scratch FOLDER: removes the scratch directories there that this user's runs on this
# host left when killed (their process is gone). A neighbour's live directory is left alone, and
# whatever it finds, this returns 0: under set -e a false test as its last command ended the
# run, silently, whenever the last directory listed was a live neighbour's.
remove_stale_scratch() {
    for old in "$1"/auditwheel-??????; do
        [ "$old" != "$scratch" ] && [ -O "$old" ] && [ -f "$old/owner" ] || continue
        read -r pid owner_host <"$old/owner" || continue
        if [ "$owner_host" = "$host" ] && ! kill -0 "$pid" 2>/dev/null; then rm -rf -- "$old"; fi
    done
    return 0
}

# on_signal NAME NUMBER: passes the signal on to the running stages at once, waits for them (each
# removes what it was writing), removes the scratch directory and exits 128+NUMBER. INT is passed
# on as TERM: a background job starts with INT ignored (POSIX), so a stage that has not yet set
# its handlers would let INT by and finish its work; every stage treats the two alike.
on_signal() {
    trap '' INT TERM HUP
    if [ -n "${child-}" ]; then
        # $child: one process id, or those of analyse's stages (words of digits).
        if [ "$1" = INT ]; then kill -s TERM $child 2>/dev/null || :; else kill -s "$1" $child 2>/dev/null || :; fi
        wait $child 2>/dev/null || :
    fi
    rm -rf ${scratch:+"$scratch"} ${partial:+"$partial"}
    trap - EXIT
    exit $((128 + $2))
}

# stage STAGE ARGS...: runs one stage as a background job and waits for it, so that a signal sent to
# this wrapper's PID (by timeout, a CI runner, kill) reaches the stage at once, not when it ends.
# A background job's standard input is /dev/null (POSIX), so the stage gets the caller's through fd 3.
stage() {
    { exec_stage "$@" <&3 3<&- & } 3<&0
    child=$!
    status=0
    wait "$child" || status=$?
    child=""
    return "$status"
}

show() {
    format=show isa="" pure="" search_options="" wheel="" count=0
    while [ $# -gt 0 ]; do
        expand_option show "$1" --help --json --disable-isa-ext-check --allow-pure-python-wheel --ldpaths --verify
        shift
        set -- "$opt" "$@"
        case "$1" in
            -h | --help) show_usage; exit 0 ;;
            --json) format=show-json ;;
            --disable-isa-ext-check) isa=--disable-isa-ext-check ;;
            --allow-pure-python-wheel) pure=--allow-pure-python-wheel ;;
            --verify) unpack_options="" ;;
            --ldpaths) [ $# -ge 2 ] || die "show: --ldpaths needs a value"; search_options="--ldpaths $(quote "$2")"; shift ;;
            --ldpaths=*) search_options="--ldpaths $(quote "${1#--ldpaths=}")" ;;
            --) shift; [ $# -gt 0 ] && { wheel=$1; count=$((count + $#)); }; break ;;
            -?*) die "show: unknown option '$1'; see auditwheel show --help" ;;
            *) wheel=$1; count=$((count + 1)) ;;
        esac
        shift
    done
    [ "$count" -eq 1 ] || die "show: expected one WHEEL_FILE; see auditwheel show --help"
    [ -f "$wheel" ] || die "show: cannot access $wheel. No such file"
    make_scratch
    deps_options=""
    analyse "$scratch" --format "$format" $isa $pure $verbose || exit $?
}

# analyse WORK OPTIONS...: what show and repair share: whl-unpack (only the ELF members and the
# dist-info, unless $unpack_options is empty), elf-deps, elf-symvers, then policy-check with
# OPTIONS, whose records or report are this function's output. Reads $wheel, and $deps_options and
# $search_options (quoted words).
# The four run at once, joined by named pipes (their start-ups overlap: a third of show's time),
# each a background job (see stage). What they say on standard error is kept until all are done:
# then that of each stage up to the first that failed is shown, so a stage that fails is the only
# one to complain, not the stages after it, which saw its stream end; a stage that only lost its
# reader (SIGPIPE, 141) to a stage after it that failed stays quiet too.
analyse() {
    work=$1
    shift
    mkfifo "$work/unpacked" "$work/deps" "$work/symvers" || fail 1 "cannot make named pipes in $work"
    { exec_stage whl-unpack $unpack_options --dest "$work/wheel" -- "$wheel" >"$work/unpacked" 2>"$work/whl-unpack.err" & }
    child=$!
    eval "{ exec_stage elf-deps $deps_options $search_options <\"\$work/unpacked\" >\"\$work/deps\" 2>\"\$work/elf-deps.err\" & }"
    child="$child $!"
    { exec_stage elf-symvers <"$work/deps" >"$work/symvers" 2>"$work/elf-symvers.err" & }
    child="$child $!"
    { exec_stage policy-check --log --policies "$policies" "$@" <"$work/symvers" 2>"$work/policy-check.err" & }
    child="$child $!"
    statuses=""
    for pid in $child; do
        status=0
        wait "$pid" || status=$?
        statuses="$statuses $status"
    done
    child=""
    set -- $statuses
    for stage_name in whl-unpack elf-deps elf-symvers policy-check; do
        status=$1
        shift
        [ "$status" -eq 141 ] && [ $# -gt 0 ] && continue
        while IFS= read -r line || [ -n "$line" ]; do printf '%s\n' "$line" >&2; done <"$work/$stage_name.err"
        [ "$status" -eq 0 ] || stage_failed "$stage_name" "$status"
    done
    return "$status"
}

repair_usage() {
    cat <<USAGE
usage: auditwheel repair [-h] [--plat PLATFORM] [-L LIB_SDIR] [-w WHEEL_DIR] [--no-update-tags]
                         [--strip] [--clear-execstack] [--strict-abi3] [--exclude PATTERN] [--only-plat]
                         [-z LEVEL]
                         [--disable-isa-ext-check] [--allow-pure-python-wheel] [--ldpaths LDPATHS]
                         [--add-path DIR] [--include LIB] [--patcher PATCHER] WHEEL_FILE [WHEEL_FILE ...]

Vendor in external shared library dependencies of a wheel; retag it.
  --plat PLATFORM            auto (default; env AUDITWHEEL_PLAT), a policy name or an alias
  -L, --lib-sdir LIB_SDIR    suffix of the library directory (default .libs: <name>.libs)
  -w, --wheel-dir DIR        where to write the repaired wheels (default wheelhouse)
  --no-update-tags           keep the file name and WHEEL tags
  --strip                    strip symbols and debug sections of the grafted libraries and ELF files
  --clear-execstack          clear the executable-stack request of the grafted libraries and ELF files
                             (glibc 2.41+ refuses to load them; without it, a warning names each)
  --strict-abi3              refuse an abi3 or abi3t wheel whose extensions use Python symbols outside
                             the stable ABI or newer than its tag (without it, a warning)
  --exclude PATTERN          never graft libraries whose soname or path matches (repeatable)
  --only-plat                do not add a wider tag the wheel is eligible for
  -z, --zip-compression-level LEVEL
                             deflate level -1..9 (env AUDITWHEEL_ZIP_COMPRESSION_LEVEL)
  --disable-isa-ext-check    do not check the x86-64 ISA level
  --allow-pure-python-wheel  copy a pure wheel unchanged instead of failing
  --ldpaths LDPATHS          search these ':'-separated directories instead of ld.so.conf
  --add-path DIR             also search DIR, where LD_LIBRARY_PATH is searched (repeatable)
  --include LIB              also graft LIB, which the extensions dlopen by that name (repeatable)
  --patcher PATCHER          patchelf, lief-patchelf (both: our own rewriter) or none (refuse
                             any ELF change); env AUDITWHEEL_PATCHER

PLATFORMS: the platform tags of this machine, newest first (PEP 600 names, the older names as
aliases); --plat takes every one but linux:
USAGE
    [ -n "$policies" ] && (exec_stage policy-check --policies "$policies" --list-platforms) | sed 's/^/- /'
}

# quote VALUE: VALUE as one shell word for eval, whatever characters it holds. The rule that makes
# every eval here safe: a value from the command line or the environment reaches an eval only as
# quote()'s output (one single-quoted word); everything else in an evaluated string is a literal
# option name or a \$name reference that the eval itself expands.
quote() {
    printf '%s\n' "$1" | sed "s/'/'\\\\''/g; 1s/^/'/; \$s/\$/'/"
}

# The stages of one repair, each reading the previous one's records from a file.
repair_one() {
    wheel=$1 work=$2
    [ -f "$wheel" ] || die "repair: cannot access $wheel. No such file"
    mkdir -- "$work" || fail 1 "cannot make the directory $work"
    printf 'Repairing %s\n' "$(basename -- "$wheel")" >&2
    deps_options=${verbose:+--log}
    status=0
    eval "analyse \"\$work\" --plat \"\$plat\" $check_options" >"$work/checked" || status=$?
    case $status in
        0) ;;
        4) copy_unchanged "$wheel"; return ;;  # pure, and --allow-pure-python-wheel: nothing to repair
        3) exit 2 ;;                           # refused by the policies: pypa's parser.error status
        *) exit "$status" ;;
    esac
    stage lib-graft --log --lib-sdir "$lib_sdir" --patcher "$patcher" $graft_options <"$work/checked" \
        >"$work/grafted" || stage_failed lib-graft $?
    stage rpath-set ${verbose:+--log} <"$work/grafted" >"$work/edited" || stage_failed rpath-set $?
    stage whl-pack --log --wheel-dir "$wheel_dir" --zip-compression-level "$level" <"$work/edited" \
        >"$work/packed" || stage_failed whl-pack $?
}

# A pure wheel with --allow-pure-python-wheel lands in the wheel directory as it is.
copy_unchanged() {
    target=$wheel_dir/$(basename -- "$1")
    mkdir -p -- "$wheel_dir"
    [ "$(CDPATH= cd -- "$(dirname -- "$1")" && pwd -P)/$(basename -- "$1")" = \
      "$(CDPATH= cd -- "$wheel_dir" && pwd -P)/$(basename -- "$1")" ] && return
    partial=$(trap "" INT TERM HUP; mktemp "$wheel_dir/.$(basename -- "$1").auditwheel-XXXXXX") ||  # as in make_scratch
        fail 1 "repair: cannot write in $wheel_dir"
    cp -p -- "$1" "$partial" && mv -f -- "$partial" "$target" || fail 1 "repair: cannot copy $1 to $target"
    partial=""
    printf 'Copied the pure wheel unchanged to %s\n' "$target" >&2
}

repair() {
    plat=${AUDITWHEEL_PLAT-auto} level=${AUDITWHEEL_ZIP_COMPRESSION_LEVEL--1} patcher=${AUDITWHEEL_PATCHER-patchelf}
    lib_sdir=.libs wheel_dir=wheelhouse search_options="" check_options="" graft_options="" wheels=""
    while [ $# -gt 0 ]; do
        expand_option repair "$1" --help --plat --lib-sdir --wheel-dir --no-update-tags --strip --clear-execstack --strict-abi3 --exclude --only-plat \
            --zip-compression-level --disable-isa-ext-check --allow-pure-python-wheel --ldpaths --add-path --include \
            --patcher
        shift
        set -- "$opt" "$@"
        case "$1" in
            -h | --help) repair_usage; exit 0 ;;
            --plat | -L | --lib-sdir | -w | --wheel-dir | --exclude | -z | --zip-compression-level | --ldpaths | \
                --add-path | --include | --patcher)
                [ $# -ge 2 ] || die "repair: $1 needs a value"
                repair_option "$1" "$2"; shift ;;
            --*=*) repair_option "${1%%=*}" "${1#*=}" ;;
            -L?* | -w?* | -z?*) repair_option "$(printf '%.2s' "$1")" "${1#??}" ;;
            --no-update-tags | --only-plat | --disable-isa-ext-check | --allow-pure-python-wheel | --strict-abi3)
                check_options="$check_options $1" ;;
            --strip | --clear-execstack) graft_options="$graft_options $1" ;;
            --) shift; for w in "$@"; do wheels="$wheels $(quote "$w")"; done; break ;;
            -?*) die "repair: unknown option '$1'; see auditwheel repair --help" ;;
            *) wheels="$wheels $(quote "$1")" ;;
        esac
        shift
    done
    case "$level" in -1 | [0-9]) ;; *) die "repair: -z must be a whole number from -1 to 9, not '$level'" ;; esac
    case "$patcher" in patchelf | lief-patchelf | none) ;; *) die "repair: --patcher must be patchelf, lief-patchelf or none, not '$patcher'" ;; esac
    [ -n "$plat" ] || die "repair: --plat must not be empty"
    [ -n "$wheels" ] || die "repair: expected at least one WHEEL_FILE; see auditwheel repair --help"
    make_scratch
    eval "set -- $wheels"
    index=0
    for wheel in "$@"; do
        index=$((index + 1))
        repair_one "$wheel" "$scratch/$index"
    done
}

# repair_option NAME VALUE: one option that takes a value.
repair_option() {
    case "$1" in
        --plat) plat=$2 ;;
        -L | --lib-sdir) lib_sdir=$2 ;;
        -w | --wheel-dir) wheel_dir=$2 ;;
        -z | --zip-compression-level) level=$2 ;;
        --patcher) patcher=$2 ;;
        --exclude) check_options="$check_options --exclude $(quote "$2")" ;;
        --ldpaths) search_options="$search_options --ldpaths $(quote "$2")" ;;
        --add-path) search_options="$search_options --add-path $(quote "$2")" ;;
        --include) search_options="$search_options --include $(quote "$2")" ;;
        *) die "repair: unknown option '$1'; see auditwheel repair --help" ;;
    esac
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
    format=tree search_options=""
    # Options are taken out of "$@"; the file names that remain are rotated to the end.
    set -- "$@" --end-of-arguments
    while [ "$1" != --end-of-arguments ]; do
        expand_option lddtree "$1" --help --json --ldpaths
        shift
        set -- "$opt" "$@"
        case "$1" in
            -h | --help) lddtree_usage; exit 0 ;;
            --json) format=json ;;
            --ldpaths) [ "$2" != --end-of-arguments ] || die "lddtree: --ldpaths needs a value"
                search_options="--ldpaths $(quote "$2")"; shift ;;
            --ldpaths=*) search_options="--ldpaths $(quote "${1#--ldpaths=}")" ;;
            --) shift; while [ "$1" != --end-of-arguments ]; do set -- "$@" "$1"; shift; done; break ;;
            -?*) die "lddtree: unknown option '$1'; see auditwheel lddtree --help" ;;
            *) set -- "$@" "$1" ;;
        esac
        shift
    done
    shift
    [ $# -eq 1 ] || die "lddtree: expected one FILE; see auditwheel lddtree --help"
    eval "exec_stage elf-deps --format \"\$format\" $search_options -- \"\$1\""
}

die() {
    fail 2 "$*"
}

# fail STATUS MESSAGE: says MESSAGE as the one error line and exits with STATUS.
fail() {
    said=1
    printf 'auditwheel: error: %s\n' "$2" >&2
    exit "$1"
}

# stage_failed STAGE STATUS: a stage ended with STATUS, not 0, and said why itself, unless a signal
# it does not catch ended it (KILL from the OOM killer, SEGV): then this says so. Where the status
# is the run's, it exits with it.
stage_failed() {
    said=1
    if [ "$2" -gt 128 ]; then
        case $(($2 - 128)) in
            1 | 2 | 13 | 15) ;;
            *) printf 'auditwheel: error: %s was killed by signal %s\n' "$1" $(($2 - 128)) >&2 ;;
        esac
    fi
    [ "$1" = policy-check ] || exit "$2"
}

# expand_option COMMAND ARG NAME...: sets $opt to ARG with an unambiguous prefix of one of the long
# option NAMEs written out in full (argparse's rule, so --wheel-d=DIR, --zip 9 and --only-pl work as
# with pypa auditwheel); "=VALUE" is kept. An ambiguous prefix is an error naming the candidates;
# anything else is left for the caller to judge.
expand_option() {
    command=$1 opt=$2
    shift 2
    case "$opt" in --?*) ;; *) return 0 ;; esac
    key=${opt%%=*} value=""
    [ "$key" = "$opt" ] || value="=${opt#*=}"
    match="" candidates=""
    for name in "$@"; do
        [ "$name" = "$key" ] && return 0
        case "$name" in "$key"*) match=$name; candidates="${candidates:+$candidates, }$name" ;; esac
    done
    case "$candidates" in
        "") ;;
        *,*) die "${command:+$command: }ambiguous option: $key could match $candidates" ;;
        *) opt=$match$value ;;
    esac
}

for stage in whl-unpack whl-pack elf-deps elf-symvers policy-check lib-graft rpath-set; do
    [ -x "$here/$stage" ] || die "stage $stage not found beside $0 (in $here)"
done

need_policies() {
    [ -n "$policies" ] || die "no policies found: expected the folder $here/../share/auditwheel/policies"
}

verbose=""
while [ $# -gt 0 ]; do
    expand_option "" "$1" --help --version --verbose
    shift
    set -- "$opt" "$@"
    [ "$1" = -v ] || [ "$1" = --verbose ] || break
    verbose=-v
    shift
done

case "${1-}" in
    "" | -h | --help) usage ;;
    -V | --version)
        printf 'auditwheel %s (C++ auditwheel, matching pypa auditwheel 6.8.1) installed at %s (policies: %s)\n' \
            "$version" "$here" "${policies:-missing}" ;;
    lddtree) shift; lddtree "$@" ;;
    show) shift; need_policies; show "$@" ;;
    repair) shift; need_policies; repair "$@" ;;
    *) die "unknown command '$1'; see auditwheel --help" ;;
esac
