#!/usr/bin/env bash
# clang-format (check only) and clang-tidy over the project's own sources.
set -euo pipefail
build_dir=${1:-build}
mapfile -t files < <(git ls-files '*.cpp' '*.h')
echo "clang-format: ${#files[@]} files"
clang-format --dry-run --Werror "${files[@]}"
mapfile -t tus < <(git ls-files '*.cpp')
echo "clang-tidy: ${#tus[@]} translation units"
# The build's precompiled headers are GCC's (SIGNALDECK_PCH): clang cannot read them, and would load one for
# `-include …/cmake_pch.hxx`. clang-tidy gets the compile commands without them, so it also proves that every
# file includes what it uses rather than leaning on the precompiled header.
tidy_db=$(mktemp -d /tmp/signaldeck-lint.XXXXXX)
trap 'rm -rf "$tidy_db"' EXIT
sed -E 's/ -Winvalid-pch -include [^ "]*cmake_pch\.hxx//g' "$build_dir/compile_commands.json" \
  >"$tidy_db/compile_commands.json"
# One pass: the output is kept and filtered, and xargs's own status (123 when any clang-tidy failed) decides.
status=0
# A clang-tidy that crashes (it has, on a file GCC accepts) must not stop xargs, which gives up on a command killed by
# a signal or exiting 255: every failure becomes status 1, and the other files are still checked.
printf '%s\n' "${tus[@]}" | xargs -P "$(nproc)" -n 4 sh -c 'clang-tidy -p "$0" --quiet "$@" || exit 1' "$tidy_db" \
  >"$tidy_db/out" 2>&1 || status=$?
grep -v -E '^[0-9]+ warnings? generated|^Suppressed|^Use -header-filter' "$tidy_db/out" || true
if [ "$status" -ne 0 ]; then
  echo "lint: clang-tidy failed (status $status)" >&2
  exit 1
fi
echo "lint: clean"
