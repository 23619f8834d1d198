#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Runs a command and writes every file under /usr that it and its descendants open or execute.

    tools/trace-opens.py -o FILE COMMAND [ARG …]

The lines are in strace's format (`PID openat(AT_FDCWD, "/usr/…", …) = N`, `PID execve("/usr/bin/…", …) = 0`), so
tools/check-packages.sh reads them as it reads `strace -f -e trace=openat,execve`. The exit status is the command's.

Why not strace: `make test` proves that every package the tests read is installed by the Makefile, and it used to
run the whole suite under `strace -f`. Being ptraced made the network tests several times slower (every traced
thread pays on each wake-up, whatever the syscall filter), which cost the suite a third of its time on 2 cores.
fanotify (FAN_OPEN, FAN_OPEN_EXEC on the filesystem that holds /usr) only notifies: the traced programs never stop.

The filesystem mark sees every process on the machine. An event counts when its process descends from COMMAND, or
when the process has already exited and its ancestry cannot be read any more (counted, to be safe: a file read by
an unrelated short-lived process can only make the check stricter). This process is the command's child subreaper,
so a daemon that forks away from its parent (gnome-keyring-daemon, nginx) stays a descendant; like `strace -f`, it
returns once every descendant has exited (or, naming them, when some outlive the command by a minute). Only
successful opens are reported, as with `strace -z`; directories are not reported at all.

Without fanotify (no CAP_SYS_ADMIN, e.g. in an unprivileged container) it runs the command under strace instead.
"""
import ctypes
import os
import select
import signal
import struct
import subprocess
import sys
import time

FAN_CLOEXEC = 0x1
FAN_NONBLOCK = 0x2
FAN_CLASS_NOTIF = 0x0
FAN_UNLIMITED_QUEUE = 0x10
FAN_MARK_ADD = 0x1
FAN_MARK_FILESYSTEM = 0x100
FAN_OPEN = 0x20
FAN_OPEN_EXEC = 0x1000
FAN_Q_OVERFLOW = 0x4000
FAN_NOFD = -1
AT_FDCWD = -100
PR_SET_CHILD_SUBREAPER = 36
LINGER_SECONDS = 60  # how long descendants may outlive the command before the trace ends without them
O_LARGEFILE = 0o100000
METADATA = struct.Struct('=IBBHQii')  # event_len, vers, reserved, metadata_len, mask, fd, pid

STRACE = ['strace', '-f', '-z', '-qq', '--seccomp-bpf', '-e', 'trace=openat,execve', '-e', 'signal=none']


def usage():
    print(__doc__.split('\n\n')[1].strip(), file=sys.stderr)
    sys.exit(2)


def start_fanotify():
    libc = ctypes.CDLL(None, use_errno=True)
    libc.fanotify_init.argtypes = [ctypes.c_uint, ctypes.c_uint]
    libc.fanotify_mark.argtypes = [ctypes.c_int, ctypes.c_uint, ctypes.c_uint64, ctypes.c_int, ctypes.c_char_p]
    fd = libc.fanotify_init(FAN_CLOEXEC | FAN_NONBLOCK | FAN_CLASS_NOTIF | FAN_UNLIMITED_QUEUE,
                            os.O_RDONLY | os.O_CLOEXEC | O_LARGEFILE)
    if fd < 0:
        return None, os.strerror(ctypes.get_errno())
    if libc.fanotify_mark(fd, FAN_MARK_ADD | FAN_MARK_FILESYSTEM, FAN_OPEN | FAN_OPEN_EXEC, AT_FDCWD, b'/usr') < 0:
        error = os.strerror(ctypes.get_errno())
        os.close(fd)
        return None, error
    return fd, None


def parent_of(pid):
    try:
        with open(f'/proc/{pid}/stat', 'rb') as f:
            stat = f.read()
    except OSError:
        return None
    # "pid (comm) state ppid …": comm may hold spaces and parentheses; the last ')' ends it.
    return int(stat[stat.rindex(b')') + 2:].split()[1])


def children_of(pid):
    try:
        with open(f'/proc/{pid}/task/{pid}/children') as f:
            return [int(c) for c in f.read().split()]
    except OSError:
        return []


def describe(pid):
    try:
        with open(f'/proc/{pid}/comm') as f:
            return f'{pid} ({f.read().strip()})'
    except OSError:
        return str(pid)


class Tracer:
    def __init__(self, fd, out):
        self.fd = fd
        self.out = out
        self.root = os.getpid()  # every descendant's ancestry reaches this process (it is their subreaper)
        self.member = {}  # pid -> descends from the command (True), or not (False)
        self.named = set()  # pids whose program (first executed file) was written as an execve line
        self.overflow = False

    def belongs(self, pid):
        known = self.member.get(pid)
        if known is not None:
            return known
        chain = []
        p = pid
        verdict = True  # an exited process whose ancestry is gone counts (see the module's doc)
        while p is not None and p > 1:
            if p == self.root:
                verdict = True
                break
            if p in self.member:
                verdict = self.member[p]
                break
            chain.append(p)
            p = parent_of(p)
            if p is None:
                verdict = True
                break
        else:
            verdict = False
        if p is not None:  # the ancestry was read to a known answer: remember it for the whole chain
            for c in chain:
                self.member[c] = verdict
        return verdict

    def drain(self):
        while True:
            try:
                buf = os.read(self.fd, 256 * 1024)
            except BlockingIOError:
                return
            if not buf:
                return
            offset = 0
            while offset + METADATA.size <= len(buf):
                length, _, _, _, mask, efd, pid = METADATA.unpack_from(buf, offset)
                offset += length
                if mask & FAN_Q_OVERFLOW:
                    self.overflow = True
                if efd == FAN_NOFD:
                    continue
                try:
                    path = os.readlink(f'/proc/self/fd/{efd}')
                except OSError:
                    path = None
                os.close(efd)
                if not path or not path.startswith('/usr/') or path.endswith(' (deleted)'):
                    continue
                if pid == self.root or not self.belongs(pid):
                    continue
                quoted = path.replace('\\', '\\\\').replace('"', '\\"')
                if mask & FAN_OPEN_EXEC and pid not in self.named:
                    self.named.add(pid)
                    self.out.write(f'{pid} execve("{quoted}", [], []) = 0\n')
                else:
                    self.out.write(f'{pid} openat(AT_FDCWD, "{quoted}", O_RDONLY|O_CLOEXEC) = 3\n')


def main():
    args = sys.argv[1:]
    if len(args) < 3 or args[0] != '-o':
        usage()
    out_path, command = args[1], args[2:]
    fd, error = start_fanotify()
    if fd is None:
        print(f'trace-opens: fanotify unavailable ({error}); tracing with strace instead', file=sys.stderr)
        os.execvp('strace', STRACE + ['-o', out_path] + command)
    with open(out_path, 'w') as out:
        tracer = Tracer(fd, out)
        # Ctrl-C reaches the command (same process group); this process waits for it and reports its status.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
        child = subprocess.Popen(command)
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        status = None
        alive = True
        ended = None
        while alive:  # until the command and every descendant left behind have exited, as strace -f does
            if poller.poll(200):
                tracer.drain()
            if ended is not None and time.monotonic() - ended > LINGER_SECONDS:
                left = ', '.join(describe(pid) for pid in children_of(os.getpid()))
                print(f'trace-opens: still running {LINGER_SECONDS} s after the command ended, no longer traced: {left}',
                      file=sys.stderr)
                break
            # Reaps the command and the orphans that were reparented here.
            while True:
                try:
                    pid, wstatus = os.waitpid(-1, os.WNOHANG)
                except ChildProcessError:
                    alive = False
                    break
                if pid == 0:
                    break
                if pid == child.pid:
                    status = os.waitstatus_to_exitcode(wstatus)
                    child.returncode = status
                    ended = time.monotonic()
        tracer.drain()  # what the last processes opened before the command returned
        os.close(fd)
    code = status if status >= 0 else 128 - status
    if tracer.overflow:
        print('trace-opens: the kernel dropped events (queue overflow); the trace is incomplete', file=sys.stderr)
        return code or 1
    return code


if __name__ == '__main__':
    sys.exit(main())
