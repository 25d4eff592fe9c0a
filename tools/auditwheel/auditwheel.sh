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
said="" scratch="" partial="" unpack_options=--elf-only format=""
deps_options="" check_options="" graft_options="" pack_options="" wheel_dir=wheelhouse
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
    format=show
    parse_options show "$@"
    eval "set -- $operands"
    [ $# -eq 1 ] || die "show: expected one WHEEL_FILE; see auditwheel show --help"
    wheel=$1
    [ -f "$wheel" ] || die "show: cannot access $wheel. No such file"
    make_scratch
    eval "analyse \"\$scratch\" --format \"\$format\" $check_options $verbose" || exit $?
}

# analyse WORK OPTIONS...: what show and repair share: whl-unpack (only the ELF members and the
# dist-info, unless $unpack_options is empty), elf-deps, elf-symvers, then policy-check with
# OPTIONS, whose records or report are this function's output. Reads $wheel and $deps_options
# (quoted words).
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
    eval "{ exec_stage elf-deps $deps_options <\"\$work/unpacked\" >\"\$work/deps\" 2>\"\$work/elf-deps.err\" & }"
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

# quote VALUE: VALUE as one shell word for eval, whatever characters it holds. The rule that makes
# every eval here safe: a value from the command line or the environment reaches an eval only as
# quote()'s output (one single-quoted word); everything else in an evaluated string is a literal
# option name or a \$name reference that the eval itself expands.
quote() {
    printf '%s\n' "$1" | sed "s/'/'\\\\''/g; 1s/^/'/; \$s/\$/'/"
}

# The options of the commands, one per line: the commands that take it, its short form, its long
# form, the name of its value (none for a flag), the stage it is passed to under the same long form
# (none when the wrapper alone takes it), and its help. The parser, the usage texts and the stages'
# command lines all come from here.
options_table="\
show,repair,lddtree|-h|--help|||show this help message and exit
show||--json|||print the result as JSON (pypa auditwheel's show schema)
lddtree||--json|||print pypa auditwheel's lddtree JSON object instead of the tree
repair||--plat|PLATFORM|policy-check|auto (default; env AUDITWHEEL_PLAT), a policy name or an alias
repair|-L|--lib-sdir|LIB_SDIR|lib-graft|suffix of the library directory (default .libs: <name>.libs)
repair|-w|--wheel-dir|DIR|whl-pack|where to write the repaired wheels (default wheelhouse)
repair||--no-update-tags||policy-check|keep the file name and WHEEL tags
repair||--strip||lib-graft|strip symbols and debug sections of the grafted libraries and ELF files
repair||--clear-execstack||lib-graft|clear the executable-stack request of the grafted libraries and ELF files (glibc 2.41+ refuses to load them; without it, a warning names each)
repair||--strict-abi3||policy-check|refuse an abi3 or abi3t wheel whose extensions use Python symbols outside the stable ABI or newer than its tag (without it, a warning)
repair||--exclude|PATTERN|policy-check|never graft libraries whose soname or path matches (repeatable)
repair||--only-plat||policy-check|do not add a wider tag the wheel is eligible for
repair|-z|--zip-compression-level|LEVEL|whl-pack|deflate level -1..9 (env AUDITWHEEL_ZIP_COMPRESSION_LEVEL)
show,repair||--disable-isa-ext-check||policy-check|do not check the x86-64 ISA level
show||--allow-pure-python-wheel||policy-check|a wheel without ELF files is not an error
repair||--allow-pure-python-wheel||policy-check|copy a pure wheel unchanged instead of failing
show,repair,lddtree||--ldpaths|LDPATHS|elf-deps|search these ':'-separated directories instead of ld.so.conf
repair||--add-path|DIR|elf-deps|also search DIR, where LD_LIBRARY_PATH is searched (repeatable)
repair||--include|LIB|elf-deps|also graft LIB, which the extensions dlopen by that name (repeatable)
repair||--patcher|PATCHER|lib-graft|patchelf, lief-patchelf (both: our own rewriter) or none (refuse any ELF change); env AUDITWHEEL_PATCHER
show||--verify|||also read every other member and check its CRC-32 and RECORD hash
"

# The synopsis's operands and the description of each command, for its usage text.
command_synopsis() {
    case "$1" in
        show) operands_text=WHEEL_FILE description="Audit a wheel for external shared library dependencies." ;;
        repair) operands_text="WHEEL_FILE [WHEEL_FILE ...]"
            description="Vendor in external shared library dependencies of a wheel; retag it." ;;
        lddtree) operands_text=FILE
            description="Prints the libraries FILE loads, found as its dynamic loader would find them." ;;
    esac
}

# find_option COMMAND NAME: sets $o_short, $o_long, $o_value, $o_stage to the table's row of
# COMMAND's option NAME (short or long form); false when there is none.
find_option() {
    while IFS='|' read -r o_commands o_short o_long o_value o_stage o_help; do
        case ",$o_commands," in *",$1,"*) ;; *) continue ;; esac
        [ "$2" = "$o_long" ] || [ "$2" = "$o_short" ] && return 0
    done <<TABLE
$options_table
TABLE
    return 1
}

# long_options COMMAND: sets $longs to the long forms of COMMAND's options.
long_options() {
    longs=""
    while IFS='|' read -r o_commands o_short o_long o_value o_stage o_help; do
        case ",$o_commands," in *",$1,"*) longs="$longs $o_long" ;; esac
    done <<TABLE
$options_table
TABLE
}

# command_usage COMMAND: prints COMMAND's usage, argparse's shape, from the table, within 100
# columns (~ holds an option and its value together while the lines are folded).
command_usage() {
    command_synopsis "$1"
    synopsis="" options_text=""
    while IFS='|' read -r o_commands o_short o_long o_value o_stage o_help; do
        case ",$o_commands," in *",$1,"*) ;; *) continue ;; esac
        synopsis="$synopsis[${o_short:-$o_long}${o_value:+~$o_value}] "
        left="  ${o_short:+$o_short, }$o_long${o_value:+ $o_value}"
        # The help from column 30, on a line of its own when the option's name reaches it.
        [ ${#left} -lt 29 ] || { options_text="$options_text$left
"; left=""; }
        options_text="$options_text$(printf '%s\n' "$o_help" | fold -s -w 71 |
            sed "s/ *\$//; 1s/^/$(printf '%-29s' "$left")/; 2,\$s/^/$(printf '%29s' '')/")
"
    done <<TABLE
$options_table
TABLE
    prefix="usage: auditwheel $1 "
    printf '%s%s\n' "$synopsis" "$operands_text" | fold -s -w $((100 - ${#prefix})) |
        sed "s/ *\$//; s/~/ /g; 1s/^/$prefix/; 2,\$s/^/$(printf '%*s' ${#prefix} '')/"
    printf '\n%s\n%s' "$description" "$options_text"
}

# parse_options COMMAND ARGS...: COMMAND's options, by argparse's rules (an unambiguous prefix of a
# long form, --long=VALUE, -sVALUE, -- before operands that start with -). An option a stage takes
# is added to that stage's options ($deps_options, $check_options, $graft_options, $pack_options:
# quoted words); the wrapper keeps what it needs itself. The operands are left in $operands
# (quoted words).
parse_options() {
    command=$1
    shift
    long_options "$command"
    operands=""
    while [ $# -gt 0 ]; do
        expand_option "$command" "$1" $longs
        shift
        set -- "$opt" "$@"
        name=$1 value="" attached=""
        case "$1" in
            --) shift; for word in "$@"; do operands="$operands $(quote "$word")"; done; break ;;
            --*=*) name=${1%%=*} value=${1#*=} attached=1 ;;
            -[!-]?*) name=${1%"${1#??}"} value=${1#??} attached=1 ;;
            -?*) ;;
            *) operands="$operands $(quote "$1")"; shift; continue ;;
        esac
        find_option "$command" "$name" || die "$command: unknown option '$1'; see auditwheel $command --help"
        if [ -n "$o_value" ] && [ -z "$attached" ]; then
            [ $# -ge 2 ] || die "$command: $name needs a value"
            value=$2
            shift
        elif [ -z "$o_value" ] && [ -n "$attached" ]; then
            die "$command: $name takes no value"
        fi
        take_option "$command" "$value"
        shift
    done
}

# take_option COMMAND VALUE: the option find_option found, with its value.
take_option() {
    case "$o_long" in  # what the wrapper needs itself
        --help) command_usage "$1"; [ "$1" != repair ] || platforms_usage; exit 0 ;;
        --json) [ "$1" = show ] && format=show-json || format=json ;;
        --verify) unpack_options="" ;;
        --plat) plat=$2 ;;
        --wheel-dir) wheel_dir=$2 ;;
        --zip-compression-level) level=$2 ;;
        --patcher) patcher=$2 ;;
    esac
    word=$o_long
    [ -z "$o_value" ] || word="$word $(quote "$2")"
    case "$o_stage" in
        elf-deps) deps_options="$deps_options $word" ;;
        policy-check) check_options="$check_options $word" ;;
        lib-graft) graft_options="$graft_options $word" ;;
        whl-pack) pack_options="$pack_options $word" ;;
    esac
}

# The end of repair --help: the platforms --plat takes, as pypa auditwheel lists them.
platforms_usage() {
    cat <<USAGE

PLATFORMS: the platform tags of this machine, newest first (PEP 600 names, the older names as
aliases); --plat takes every one but linux:
USAGE
    [ -n "$policies" ] && (exec_stage policy-check --policies "$policies" --list-platforms) | sed 's/^/- /'
}

# The stages of one repair, each reading the previous one's records from a file.
repair_one() {
    wheel=$1 work=$2
    [ -f "$wheel" ] || die "repair: cannot access $wheel. No such file"
    mkdir -- "$work" || fail 1 "cannot make the directory $work"
    printf 'Repairing %s\n' "$(basename -- "$wheel")" >&2
    status=0
    eval "analyse \"\$work\" $check_options" >"$work/checked" || status=$?
    case $status in
        0) ;;
        4) copy_unchanged "$wheel"; return ;;  # pure, and --allow-pure-python-wheel: nothing to repair
        3) exit 2 ;;                           # refused by the policies: pypa's parser.error status
        *) exit "$status" ;;
    esac
    eval "stage lib-graft --log $graft_options" <"$work/checked" >"$work/grafted" || stage_failed lib-graft $?
    stage rpath-set ${verbose:+--log} <"$work/grafted" >"$work/edited" || stage_failed rpath-set $?
    eval "stage whl-pack --log $pack_options" <"$work/edited" >"$work/packed" || stage_failed whl-pack $?
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
    # The environment's defaults come first, as if given first: a stage takes an option's last value.
    parse_options repair --plat "${AUDITWHEEL_PLAT-auto}" --zip-compression-level "${AUDITWHEEL_ZIP_COMPRESSION_LEVEL--1}" \
        --patcher "${AUDITWHEEL_PATCHER-patchelf}" "$@"
    case "$level" in -1 | [0-9]) ;; *) die "repair: -z must be a whole number from -1 to 9, not '$level'" ;; esac
    case "$patcher" in patchelf | lief-patchelf | none) ;; *) die "repair: --patcher must be patchelf, lief-patchelf or none, not '$patcher'" ;; esac
    [ -n "$plat" ] || die "repair: --plat must not be empty"
    [ -n "$operands" ] || die "repair: expected at least one WHEEL_FILE; see auditwheel repair --help"
    [ -z "$verbose" ] || deps_options="$deps_options --log"
    make_scratch
    eval "set -- $operands"
    index=0
    for wheel in "$@"; do
        index=$((index + 1))
        repair_one "$wheel" "$scratch/$index"
    done
}

lddtree() {
    format=tree
    parse_options lddtree "$@"
    eval "set -- $operands"
    [ $# -eq 1 ] || die "lddtree: expected one FILE; see auditwheel lddtree --help"
    eval "exec_stage elf-deps --format \"\$format\" $deps_options -- \"\$1\""
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
