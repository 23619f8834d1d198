#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""tools/trace-opens.py, which `make test` uses to prove the Makefile's package lists (tools/check-packages.sh):
it must see what the command and every descendant read under /usr (also a daemon that detached and outlived the
command), nothing an unrelated process read meanwhile, and pass the command's exit status on."""
import os
import re
import subprocess
import sys
import tempfile
import threading

repo = sys.argv[1]
tracer = [sys.executable, os.path.join(repo, 'tools', 'trace-opens.py')]
failures = []


def check(what, ok):
    print(('ok    ' if ok else 'FAIL  ') + what)
    if not ok:
        failures.append(what)


def traced(shell, out):
    return subprocess.run(tracer + ['-o', out, 'sh', '-c', shell], timeout=60).returncode


def paths(out):
    line = re.compile(r'^(\d+) (openat|execve)\((?:AT_FDCWD, )?"([^"]*)"')
    return [(m.group(2), m.group(3)) for m in map(line.match, open(out)) if m]


licenses = '/usr/share/common-licenses'
mine, detached, unrelated = (os.path.join(licenses, n) for n in ('GPL-3', 'LGPL-2.1', 'Apache-2.0'))
with tempfile.TemporaryDirectory() as scratch:
    out = os.path.join(scratch, 'trace')
    check('the exit status is the command\'s', traced('exit 3', out) == 3)

    # An unrelated process (this test, the tracer's parent) reads a file while the command runs.
    stop = threading.Event()

    def read_meanwhile():
        while not stop.is_set():
            with open(unrelated, 'rb') as f:
                f.read(16)
            stop.wait(0.02)

    reader = threading.Thread(target=read_meanwhile)
    reader.start()
    # The command reads one file; a grandchild detaches (new session), outlives it and reads another.
    status = traced(f'cat {mine} >/dev/null; setsid sh -c "sleep 0.5; cat {detached} >/dev/null" & exit 0', out)
    stop.set()
    reader.join()
    seen = paths(out)
    read = {p for _, p in seen}
    check('the command succeeds', status == 0)
    check('the command\'s own read is recorded', os.path.realpath(mine) in read)
    check('a detached descendant\'s read after the command ended is recorded', os.path.realpath(detached) in read)
    check('an unrelated process\'s read is not', os.path.realpath(unrelated) not in read)
    check('programs are recorded as executed', ('execve', os.path.realpath('/usr/bin/cat')) in seen)
    check('only paths under /usr', all(p.startswith('/usr/') for p in read))

sys.exit(1 if failures else 0)
