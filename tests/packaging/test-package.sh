#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Checks the .deb that `make package` built, as a user would get it: unpacked with dpkg-deb -x into a
# scratch root, its binary run from there (system Qt, no LD_LIBRARY_PATH), its metadata validated.
# Usage: test-package.sh BUILD_DIR BUILT_BINARY VERSION GUI(0|1). Exit 77 (skip) when there is no .deb.
set -euo pipefail
build_dir=$1 built_binary=$2 version=$3 gui=$4

shopt -s nullglob
debs=("$build_dir"/signaldeck_"$version"_*.deb)
shopt -u nullglob
if [ ${#debs[@]} -eq 0 ]; then
  echo "SKIP: no signaldeck_${version}_*.deb in $build_dir: 'make package' builds it ('make test' does, first)"
  exit 77
fi
deb=${debs[0]}
if [ "$built_binary" -nt "$deb" ]; then
  echo "FAIL: $deb is older than $built_binary: run 'make package' again"
  exit 1
fi
echo "package: $deb"

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }

scratch=$(mktemp -d /tmp/signaldeck-package-test.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$scratch"
}
trap cleanup EXIT
root=$scratch/root
dpkg-deb -x "$deb" "$root"
bin=$root/usr/bin/signaldeck
unset LD_LIBRARY_PATH

# lintian takes seconds of CPU and `--demo --check` waits for the demo's hanging endpoints to time out:
# both start now and are judged below, while the other checks run.
lintian --fail-on error --tag-display-limit 0 "$deb" >"$scratch/lintian.out" 2>&1 &
lintian_pid=$!
pids+=("$lintian_pid")
timeout 120 "$bin" --demo --check >"$scratch/check.out" 2>"$scratch/check.err" &
check_pid=$!
pids+=("$check_pid")

# Control fields: shlibdeps' libraries plus what no link reveals.
depends=$(dpkg-deb -f "$deb" Depends)
recommends=$(dpkg-deb -f "$deb" Recommends)
expected=(libc6 libqt6core6 libqt6network6 libqt6sql6 libqt6sql6-sqlite libsecret-1-0 libqt6keychain1)
[ "$gui" = 1 ] && expected+=(libqt6widgets6 libqt6charts6 qt6-qpa-plugins)
for p in "${expected[@]}"; do
  grep -Eq "(^|, )$p( |,|$)" <<<"$depends" || fail "Depends lacks $p: $depends"
done
[ "$recommends" = "gnome-keyring | kwalletmanager" ] || fail "Recommends is '$recommends'"
pass "Depends: $depends; Recommends: $recommends"

# Files at their GNUInstallDirs places.
files=(usr/bin/signaldeck usr/share/man/man1/signaldeck.1.gz usr/share/doc/signaldeck/copyright
  usr/share/doc/signaldeck/changelog.gz usr/lib/systemd/user/signaldeck-headless.service)
if [ "$gui" = 1 ]; then
  desktop=$root/usr/share/applications/signaldeck.desktop
  icon=$(sed -n 's/^Icon=//p' "$desktop" 2>/dev/null || true)
  [ "$icon" = signaldeck ] || fail "the desktop entry's Icon= is '$icon'"
  files+=(usr/share/applications/signaldeck.desktop usr/share/metainfo/io.github.signaldeck.SignalDeck.metainfo.xml
    "usr/share/icons/hicolor/scalable/apps/$icon.svg")
  for size in 16 22 24 32 48 64 128 256; do
    files+=("usr/share/icons/hicolor/${size}x$size/apps/$icon.png")
  done
fi
for f in "${files[@]}"; do
  [ -f "$root/$f" ] || fail "the package lacks /$f"
done
pass "${#files[@]} files in place"

# The unpacked binary, as installed.
if "$bin" --version | grep -qx "SignalDeck $version"; then pass "--version"; else fail "--version: $("$bin" --version 2>&1)"; fi
status=0
wait "$check_pid" || status=$?
if [ "$status" -le 2 ] && grep -q chat-completions "$scratch/check.out"; then
  pass "--demo --check (exit $status)"
else
  fail "--demo --check exited $status"
  cat "$scratch/check.out" "$scratch/check.err"
fi

# Metadata validators and the man page.
if [ "$gui" = 1 ]; then
  desktop-file-validate "$desktop" && pass desktop-file-validate || fail "desktop-file-validate"
  appstreamcli validate --no-net "$root"/usr/share/metainfo/*.metainfo.xml && pass "appstreamcli validate" \
    || fail "appstreamcli validate --no-net"
fi
MANWIDTH=100 man --warnings -l "$root/usr/share/man/man1/signaldeck.1.gz" >"$scratch/man.txt" 2>"$scratch/man.err" \
  || fail "man -l"
if [ -s "$scratch/man.err" ]; then fail "man page warnings:"; cat "$scratch/man.err"; fi
# Every option the binary knows is in the man page.
{
  "$bin" --help
  "$bin" export --help
  "$bin" credentials --help
} 2>&1 | grep -oE -- '--[a-z][a-z-]+' | sort -u >"$scratch/options"
while read -r option; do
  grep -q -- "$option" "$scratch/man.txt" || fail "the man page does not mention $option"
done <"$scratch/options"
pass "man page renders and mentions $(wc -l <"$scratch/options") options"

# The systemd user unit: its ExecStart on a user's config and data dir; SIGTERM stops it with every
# probe's sample in the history and an exit status the unit counts as success.
unit=$root/usr/lib/systemd/user/signaldeck-headless.service
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
read -r -a command <<<"$exec_start"
[ "${command[0]}" = signaldeck ] || fail "ExecStart runs '${command[0]}'"
success_codes=" 0 $(sed -n 's/^SuccessExitStatus=//p' "$unit") "
export HOME=$scratch/home XDG_CONFIG_HOME=$scratch/home/.config XDG_DATA_HOME=$scratch/home/.local/share
mkdir -p "$XDG_CONFIG_HOME/SignalDeck"
"$bin" --simulate >"$scratch/sim.out" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  base=$(sed -n 's/^SignalDeck simulator listening on //p' "$scratch/sim.out")
  [ -n "$base" ] && break
  sleep 0.1
done
[ -n "$base" ] || { fail "the simulator did not start"; cat "$scratch/sim.out"; exit 1; }
cat >"$XDG_CONFIG_HOME/SignalDeck/config.json" <<EOF
{ "version": 1,
  "endpoints": [ { "name": "healthy", "url": "$base/healthy", "interval": "1s" },
                 { "name": "forbidden", "url": "$base/auth/forbidden", "interval": "1s" } ] }
EOF
"$bin" "${command[@]:1}" >"$scratch/headless.out" 2>&1 &
headless=$!
pids+=("$headless")
# Running once "forbidden" has turned critical (its first probe; "healthy" was probed before it, unknown to
# ok prints nothing), then one more round of both: SIGTERM finds a watch with probes behind and ahead of it.
for _ in $(seq 200); do
  grep -q '  forbidden  ' "$scratch/headless.out" && break
  sleep 0.1
done
sleep 1
kill -TERM "$headless"
status=0
wait "$headless" || status=$?
if [[ "$success_codes" == *" $status "* ]]; then
  pass "SIGTERM: exit $status, a success for the unit ($success_codes)"
else
  fail "SIGTERM: exit $status, not in the unit's success codes ($success_codes)"
  cat "$scratch/headless.out"
fi
db=$XDG_DATA_HOME/SignalDeck/history.sqlite
samples=$(python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("select coalesce(sum(n), 0) from sample_blocks").fetchone()[0])' "$db" 2>&1) || samples="unreadable: $samples"
# Every probe the summary counted is in the history: nothing queued was lost at SIGTERM. (A probe still
# in flight when the summary was taken may add one more.)
probes=$(awk '$1 == "healthy" || $1 == "forbidden" { n += $3 } END { print n + 0 }' "$scratch/headless.out")
if [ "$probes" -ge 2 ] && [ "$samples" -ge "$probes" ] 2>/dev/null; then
  pass "history after SIGTERM: $samples samples for the summary's $probes probes"
else
  fail "history after SIGTERM: $samples samples, the summary counted $probes probes"
  cat "$scratch/headless.out"
fi

# Debian policy (lintian started at the top).
if wait "$lintian_pid"; then
  pass "lintian: no errors$([ -s "$scratch/lintian.out" ] && printf ', these tags:\n' && cat "$scratch/lintian.out")"
else
  fail "lintian:"
  cat "$scratch/lintian.out"
fi

[ "$failures" = 0 ] || { echo "$failures check(s) failed"; exit 1; }
echo "all package checks passed"
