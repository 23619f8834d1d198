#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Proves the Makefile's package lists: every file under /usr that the build and the tests read (or execute)
# belongs to a Debian package that is in one of the lists (`make print-packages`) or a hard dependency
# (Depends/Pre-Depends, recursively) of one of them, or is Essential (always on a Debian system). Packages
# are installed with --no-install-recommends, so a Recommends does not count.
#
#   tools/check-packages.sh [--build BUILD_DIR] [TRACE_FILE …]
#
# Always: configures the project into a scratch directory under strace (openat, execve).
# --build: also every header the compiler read (ninja's dependency log) and every tool and library path on
#          the build's command lines, in an existing build directory.
# TRACE_FILE: traces of other steps, written with $(TRACE) in the Makefile (tools/trace-opens.py, or `strace -f -z
#          -e trace=openat,execve -o FILE …`; both write strace's line format): the test suite's run, the package build.
# Directory opens are left out, and so are directories read whole (pkg-config's .pc directories, D-Bus
# service files), and a few packages read only when present (see 'optional' below).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
build_dir=
traces=()
while [ $# -gt 0 ]; do
  case $1 in
    --build) build_dir=$2; shift 2 ;;
    -h | --help) sed -n '3,16p' "$0"; exit 0 ;;
    *) traces+=("$1"); shift ;;
  esac
done
for tool in strace dpkg-query apt-cache python3 make; do
  command -v "$tool" >/dev/null || { echo "check-packages: '$tool' is missing (make deps-test installs it)" >&2; exit 2; }
done

scratch=$(mktemp -d /tmp/signaldeck-check-packages.XXXXXX)
trap 'rm -rf "$scratch"' EXIT

# The lists, as the Makefile has them now.
make -s -C "$repo" --no-print-directory print-packages >"$scratch/lists"
mapfile -t listed < <(cut -d: -f2- "$scratch/lists" | tr ' ' '\n' | sed '/^$/d' | sort -u)
# Essential packages are on every Debian system (minbase); make runs the Makefile itself.
mapfile -t essential < <(dpkg-query -W -f='${Package} ${Essential}\n' | awk '$2 == "yes" { print $1 }')
# Hard dependencies, recursively. Alternatives (a | b) all count: apt may pick any of them.
apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces \
  --no-enhances "${listed[@]}" "${essential[@]}" apt make 2>"$scratch/apt-cache.err" \
  | grep -v '^ ' | grep -v '^<' | sort -u >"$scratch/allowed" \
  || { cat "$scratch/apt-cache.err" >&2; echo "check-packages: apt-cache depends failed" >&2; exit 2; }
if [ -s "$scratch/apt-cache.err" ]; then
  cat "$scratch/apt-cache.err" >&2
  echo "check-packages: a listed package is unknown to apt (apt-get update?)" >&2
  exit 2
fi

# Configure under strace: every file CMake, the compiler checks and the find modules read.
echo "check-packages: configuring into a scratch directory under strace"
if ! strace -f -z -qq -e trace=openat,execve -e signal=none -o "$scratch/configure.trace" \
  cmake -S "$repo" -B "$scratch/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$scratch/configure.log" 2>&1; then
  cat "$scratch/configure.log" >&2
  echo "check-packages: configuring failed (above); the packages behind the files it read so far:" >&2
  configure_failed=1
fi
traces=("$scratch/configure.trace" "${traces[@]}")

# The build: headers from ninja's dependency log, tools and libraries from the command lines.
: >"$scratch/build.paths"
if [ -n "$build_dir" ]; then
  [ -f "$build_dir/build.ninja" ] || { echo "check-packages: $build_dir is not a Ninja build directory" >&2; exit 2; }
  # A compiler launcher (ccache) is the developer's choice for this build directory, not the project's need.
  launcher=$(sed -n 's/^CMAKE_CXX_COMPILER_LAUNCHER:[A-Z]*=//p' "$build_dir/CMakeCache.txt")
  if [ -n "$launcher" ] && launcher_path=$(command -v "$launcher"); then
    dpkg-query -S "$(realpath "$launcher_path")" 2>/dev/null | cut -d: -f1 >>"$scratch/allowed" || true
  fi
  ninja -C "$build_dir" -t deps | awk '/^    \// { print $1 }' >>"$scratch/build.paths"
  ninja -C "$build_dir" -t commands | tr ' ' '\n' | sed -n 's/^-*[A-Za-z]*=\{0,1\}\(\/usr\/[^ ]*\)$/\1/p' \
    >>"$scratch/build.paths"
fi

status=0
python3 - "$scratch/allowed" "$scratch/build.paths" "${traces[@]}" <<'PY' || status=$?
import glob, os, re, sys
from collections import defaultdict

allowed = set(open(sys.argv[1]).read().split())
# Packages whose files are read only because they happen to be installed, and are never needed: on a
# developer's machine they show up, on a fresh one they are absent and nothing misses them.
optional = {
    'locales': 'glibc reads locale.alias when it is there',
    'tzdata': 'glibc reads zone files when they are there',
    'liblocale-gettext-perl': "Dpkg::Gettext uses it when it is there (a Recommends of libdpkg-perl)",
    'python3-setuptools': "python3's site.py reads every .pth file in dist-packages (setuptools ships one)",
    'libnss-systemd': "glibc loads it for user and group lookups when nsswitch.conf names it (its postinst adds it)",
}
allowed |= set(optional)
# Directories read whole (dbus-daemon reads every service and policy file), and the other ABIs' library
# directories, whose libraries dpkg-shlibdeps opens to reject them: every file there is read because it
# is there, not because the step needs it. pkg-config's scans are below.
scanned_dirs = ('/usr/share/dbus-1/', '/usr/lib32/', '/usr/libx32/', '/usr/lib/i386-linux-gnu/')
build_paths = sys.argv[2]
trace_files = sys.argv[3:]

# Which package ships a path: dpkg's file lists (what `dpkg -S` reads), with the merged-/usr aliases
# (bookworm packages still ship /lib/…, /bin/…, which are read as /usr/lib/…, /usr/bin/…).
owner = {}
for lst in glob.glob('/var/lib/dpkg/info/*.list'):
    pkg = os.path.basename(lst)[:-len('.list')].split(':')[0]
    with open(lst, errors='replace') as f:
        for line in f:
            path = line.rstrip('\n')
            owner.setdefault(path, pkg)
            for top in ('/lib', '/lib64', '/bin', '/sbin'):
                if path.startswith(top + '/'):
                    owner.setdefault('/usr' + path, pkg)
diverted = {}
if os.path.exists('/var/lib/dpkg/diversions'):
    d = open('/var/lib/dpkg/diversions').read().split('\n')
    for i in range(0, len(d) - 2, 3):
        diverted[d[i + 1]] = d[i]  # the diverted-to path belongs to the package of the original

def package_of(path):
    for p in (path, os.path.realpath(path)):
        p = diverted.get(p, p)
        if p in owner:
            return owner[p]
    return None

# (path, program) pairs read or executed.
reads = []
for path in open(build_paths).read().split():
    reads.append((path, 'the build (ninja)'))

line_re = re.compile(r'^(\d+)\s+(openat|execve)\((?:AT_FDCWD, )?"([^"]*)"(.*)$')
for trace in trace_files:
    programs = {}
    pc_reads = defaultdict(list)
    with open(trace, errors='replace') as f:
        for line in f:
            m = line_re.match(line)
            if not m:
                continue
            pid, call, path, rest = m.groups()
            if path.startswith(('/lib/', '/lib64/', '/bin/', '/sbin/')):
                path = '/usr' + path  # merged /usr: the loader opens /lib/…, which is /usr/lib/…
            if call == 'execve':
                programs[pid] = os.path.basename(path)
            elif 'O_DIRECTORY' in rest or path.startswith(scanned_dirs):
                continue
            if not path.startswith('/usr/'):
                continue
            if call == 'openat' and path.endswith('.pc') and '/pkgconfig/' in path:
                pc_reads[pid].append((path, programs.get(pid, '?')))
            else:
                reads.append((path, programs.get(pid, '?')))
    for pid, pcs in pc_reads.items():
        if len(pcs) <= 20:  # more: pkg-config scanning every .pc file of its directories (--list-all)
            reads.extend(pcs)

missing = defaultdict(dict)
for path, program in reads:
    if os.path.isdir(path):
        continue
    pkg = package_of(path)
    if pkg is None or pkg in allowed:
        continue  # not from a package (generated caches, the build's own files) or covered
    missing[pkg].setdefault(path, program)

checked = len({p for p, _ in reads})
if not missing:
    print(f'check-packages: OK: {checked} files under /usr read, all from listed packages or their dependencies')
    sys.exit(0)
# Name the packages to add: those no other missing package depends on (the rest come with them).
import subprocess
graph = defaultdict(set)
node = None
out = subprocess.run(['apt-cache', 'depends', '--recurse', '--no-recommends', '--no-suggests', '--no-conflicts',
                      '--no-breaks', '--no-replaces', '--no-enhances', *sorted(missing)],
                     capture_output=True, text=True).stdout
for line in out.splitlines():
    if not line.startswith(' '):
        node = line.strip('<>')
    elif node and line.strip():
        graph[node].add(line.split(':', 1)[-1].strip().strip('<>'))
def reach(pkg):
    seen, todo = set(), [pkg]
    while todo:
        for d in graph[todo.pop()] - seen:
            seen.add(d)
            todo.append(d)
    return seen
pulled = {pkg: reach(pkg) & set(missing) for pkg in missing}
roots = sorted(p for p in missing if not any(p in pulled[q] for q in missing if q != p))
for pkg in roots:
    files = missing[pkg]
    print(f"check-packages: {pkg} is neither in the Makefile's lists nor a hard dependency of one of them, but",
          file=sys.stderr)
    for path in sorted(files)[:3]:
        print(f'    {path}  (read by {files[path]})', file=sys.stderr)
    if len(files) > 3:
        print(f'    … and {len(files) - 3} more files', file=sys.stderr)
    deps = sorted(pulled[pkg])
    if deps:
        print(f'    (its dependencies {", ".join(deps[:6])}{" …" if len(deps) > 6 else ""} were read too: '
              f'{len(deps)} packages)', file=sys.stderr)
print(f'check-packages: FAILED: add {" ".join(roots)} to a list in the Makefile', file=sys.stderr)
sys.exit(1)
PY
[ -z "${configure_failed:-}" ] || exit 1
exit $status
