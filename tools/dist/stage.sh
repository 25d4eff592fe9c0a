#!/bin/sh
# @STAGE@: a stage of the C++ auditwheel (see @STAGE@(1)). In the distribution every stage is in one
# static program, auditwheel-stages, beside this script; links to this script are followed.
self=$0
while [ -L "$self" ]; do
    link=$(readlink -- "$self")
    case "$link" in /*) self=$link ;; *) self=$(dirname -- "$self")/$link ;; esac
done
exec "$(dirname -- "$self")/auditwheel-stages" @STAGE@ "$@"
