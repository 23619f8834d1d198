#!/usr/bin/env bash
# Runs the CTest suite headless: offscreen Qt, and a real gnome-keyring (Secret Service) inside a private
# D-Bus session, so keychain tests talk to the real thing. Usage: tools/run-tests.sh BUILD_DIR [ctest args]
# or, to measure each test's wall and CPU time in the same environment (tools/test-times.py; docs/BUILDING.md):
#    tools/run-tests.sh BUILD_DIR --times [-j N] [-R REGEX] [-E REGEX] [--tsv FILE]
set -euo pipefail
build_dir=${1:-build}
shift || true
export QT_QPA_PLATFORM=offscreen
export LC_ALL=C.UTF-8
# Sanitizer builds (the asan preset): third-party leaks are suppressed by file, UBSan findings fail the
# test. Harmless for other builds.
repo=$(cd "$(dirname "$0")/.." && pwd)
export LSAN_OPTIONS="suppressions=$repo/tests/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
# Private, throw-away homes: tests never touch the operator's keyring, config or data.
scratch=$(mktemp -d /tmp/signaldeck-test.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
export HOME="$scratch/home" XDG_RUNTIME_DIR="$scratch/run" XDG_DATA_HOME="$scratch/home/.local/share" \
       XDG_CONFIG_HOME="$scratch/home/.config" XDG_CACHE_HOME="$scratch/home/.cache"
mkdir -p "$HOME" "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
export SIGNALDECK_REPO=$repo
# Tests at once (ctest -j): the suite mostly waits (on servers, timeouts, sockets: 58 s of CPU in 226 s of summed
# test time), so six at once keep 2 cores busy without starving each other (docs/BUILDING.md "The suite").
export SIGNALDECK_TEST_JOBS=${SIGNALDECK_TEST_JOBS:-6}
exec dbus-run-session -- bash -c '
  set -euo pipefail
  eval "$(printf "signaldeck-test" | gnome-keyring-daemon --unlock --components=secrets)" >/dev/null
  export GNOME_KEYRING_CONTROL SSH_AUTH_SOCK 2>/dev/null || true
  if [ "${1:-}" = --times ]; then
    shift
    exec /usr/bin/python3 "$SIGNALDECK_REPO/tools/test-times.py" "$0" "$@"
  fi
  ctest --test-dir "$0" --output-on-failure --timeout 300 -j "$SIGNALDECK_TEST_JOBS" "$@"
' "$build_dir" "$@"
