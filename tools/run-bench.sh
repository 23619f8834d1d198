#!/usr/bin/env bash
# Runs the benchmarks in tests/bench/ and prints their figures. See docs/PERFORMANCE.md.
set -euo pipefail
build_dir=${1:-build}
export QT_QPA_PLATFORM=offscreen
for b in "$build_dir"/tests/bench/bench_*; do
  [ -x "$b" ] || continue
  echo "== $(basename "$b")"
  "$b"
done
