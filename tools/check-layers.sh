#!/usr/bin/env bash
# The engine is a front (issue 13.3): no object of ui/ depends, even through another header, on a header of
# models/policy or models/probe; the widgets see the engine through schedule/Engine.h, EngineTypes.h and
# ProbeClock.h only. Reads the dependencies the compiler recorded for a built tree (ninja -t deps), so an
# include that comes in through another header is caught too. Usage: tools/check-layers.sh BUILD_DIR
# Exit 77 (skipped) for a build that is not Ninja's.
set -euo pipefail
build_dir=${1:-build}
if [[ ! -f $build_dir/build.ninja ]]; then
    echo "check-layers: $build_dir is not a Ninja build tree: skipped"
    exit 77
fi
ninja -C "$build_dir" -t deps | awk '
    /^[^ \t]/ { object = $1; sub(/:$/, "", object); inUi = (object ~ /^ui\//); objects += inUi; next }
    inUi && /models\/(policy|probe)\// { print "check-layers: " object " includes " $1; bad++ }
    END {
        if (objects == 0) { print "check-layers: no object of ui/ has been built"; exit 1 }
        if (bad > 0) { print "check-layers: ui/ sees models/policy or models/probe (" bad " includes)"; exit 1 }
        print "check-layers: " objects " objects of ui/ see nothing of models/policy or models/probe"
    }'
