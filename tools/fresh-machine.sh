#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Proves `make test` on a bare Debian 12: builds a minbase root with mmdebstrap from the same Debian archive
# apt uses here, clones this repository at HEAD into it and runs `make test` inside as root. Not part of
# CI (it takes long: the packages, a full build, the suite). Needs root and mmdebstrap.
#
#   tools/fresh-machine.sh [make target …]      # default: test
#
# FRESH_DIR (default /var/tmp/signaldeck-fresh) keeps the bootstrapped base tarball and apt's downloaded
# .debs between runs; every run unpacks a new root from the tarball, so nothing installed by an earlier
# run survives. The log of the run is $FRESH_DIR/run.log.
set -euo pipefail
repo=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
targets=("${@:-test}")
fresh=${FRESH_DIR:-/var/tmp/signaldeck-fresh}
[ "$(id -u)" = 0 ] || { echo "fresh-machine.sh: run as root (chroot, mounts)" >&2; exit 2; }
command -v mmdebstrap >/dev/null || { echo "fresh-machine.sh: apt-get install mmdebstrap" >&2; exit 2; }
mkdir -p "$fresh/archives"

# The same archive apt uses: every bookworm* index target apt knows (main suite, updates, security).
mapfile -t sources < <(apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(COMPONENT)' 'Identifier: Packages' \
  | awk '$2 ~ /^bookworm/ { print "deb " $1 " " $2 " " $3 }' | sort -u)
[ ${#sources[@]} -gt 0 ] || { echo "fresh-machine.sh: apt knows no bookworm archive (run apt-get update)" >&2; exit 2; }
printf 'archive: %s\n' "${sources[@]}"

base="$fresh/base.tar"
if [ ! -s "$base" ]; then
  # minbase: essential packages and apt. make is what a developer types; git is how the code arrives.
  mmdebstrap --variant=minbase --format=tar --include=make,ca-certificates bookworm "$base.tmp" "${sources[@]}"
  mv "$base.tmp" "$base"
fi

root=$(mktemp -d "$fresh/root.XXXXXX")
mounts=()
cleanup() {
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount -l "${mounts[i]}" 2>/dev/null || true; done
  rm -rf --one-file-system "$root"
}
trap cleanup EXIT
tar -C "$root" -xf "$base"
bind() { mkdir -p "$root$2"; mount "${@:3}" "$1" "$root$2"; mounts+=("$root$2"); }
bind proc /proc -t proc
bind sysfs /sys -t sysfs
bind /dev /dev --rbind
bind tmpfs /tmp -t tmpfs
bind tmpfs /run -t tmpfs
bind "$fresh/archives" /var/cache/apt/archives --bind
cp /etc/resolv.conf "$root/etc/resolv.conf"
# As in a container: packages do not start services in the chroot.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d" && chmod 755 "$root/usr/sbin/policy-rc.d"

git clone --quiet --no-hardlinks "$repo" "$root/src"
git -C "$root/src" log -1 --format='commit %H %s'
echo "running: make ${targets[*]} (log: $fresh/run.log)"
start=$(date +%s)
set +e
chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  LANG=C.UTF-8 TERM=dumb bash -c 'cd /src && make "$@"' make "${targets[@]}" 2>&1 | tee "$fresh/run.log"
status=${PIPESTATUS[0]}
set -e
echo "fresh-machine.sh: make ${targets[*]} exited $status after $(( $(date +%s) - start )) s"
exit "$status"
