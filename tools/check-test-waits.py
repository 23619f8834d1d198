#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""No test waits on the wall clock for more than 2 s (issue 13): a test waits for a signal or a condition
(QSignalSpy::wait, QTRY_*, a server's answer) with a generous bound, or moves time itself (SimulatedClock).
This finds the fixed waits in tests/ that are longer:

  - C++: QTest::qWait, QTest::qSleep, QThread::sleep/msleep/usleep, std::this_thread::sleep_for, with a
    literal or a constexpr of the same file;
  - the real binary run for a fixed time: `--duration N` (seconds) and `--deadline D` in a test's arguments;
  - Python `time.sleep(N)` and shell `sleep N` with a literal.

A line that must keep a longer one says why with `wait-ok:` in a comment on it (a server that hangs on
purpose: the test's own short timeout bounds the wait, not the server's sleep). Waits on conditions that
need real time to pass (a QTRY on a probe count) are not found here: tools/test-times.py shows them.

Usage: check-test-waits.py [TESTS_DIR]   (default: tests/ beside this script). Exit 1 when one is found.
"""
import os
import re
import sys

LIMIT_MS = 2000
CPP_WAIT = re.compile(r"\b(qWait|qSleep|msleep|usleep|sleep|sleep_for)\s*\(\s*([^()]*?)\s*\)")
DURATION_ARG = re.compile(r'"--duration"\w*\s*,\s*u?"(\d+)"')
DEADLINE_ARG = re.compile(r'"--deadline"\w*\s*,\s*u?"(\d+(?:\.\d+)?)(ms|s|m)"')
SHELL_ARGS = re.compile(r"--(duration|deadline)[ =](\d+(?:\.\d+)?)(ms|s|m)?\b")
PY_SLEEP = re.compile(r"\btime\.sleep\(\s*(\d+(?:\.\d+)?)\s*\)")
SH_SLEEP = re.compile(r"(?:^|[;&|(]\s*|\s)sleep\s+(\d+(?:\.\d+)?)\b")
CONSTANT = re.compile(r"\bconstexpr\s+(?:int|qint64|auto|std::chrono::milliseconds)\s+(\w+)\s*(?:=|\{)\s*([\d']+)")
CHRONO = re.compile(r"^([\d']+)(ms|s)$")


def literal_ms(text, unit_ms, constants):
    """The wait in milliseconds, or None when it cannot be read (not a literal or a known constant)."""
    text = text.strip()
    m = CHRONO.match(text)
    if m:
        return int(m.group(1).replace("'", "")) * (1 if m.group(2) == "ms" else 1000)
    m = re.match(r"^(?:std::chrono::)?(milliseconds|seconds)\s*[({]\s*([\d']+)\s*[)}]$", text)
    if m:
        return int(m.group(2).replace("'", "")) * (1 if m.group(1) == "milliseconds" else 1000)
    if re.match(r"^[\d']+$", text):
        return int(text.replace("'", "")) * unit_ms
    if text in constants:
        return constants[text] * unit_ms
    return None


def duration_ms(number, unit):
    return float(number) * {"ms": 1, "s": 1000, "m": 60000, None: 1000}[unit]


def check_file(path, found):
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = f.read().split("\n")
    constants = {}
    for line in lines:
        for name, value in CONSTANT.findall(line):
            constants[name] = int(value.replace("'", ""))
    is_cpp = path.endswith((".cpp", ".h"))
    for number, line in enumerate(lines, 1):
        if "wait-ok:" in line:
            continue
        code = line.split("//")[0] if is_cpp else line.split("#")[0] if not path.endswith(".sh") else line
        where = f"{os.path.relpath(path)}:{number}: "
        if is_cpp:
            for call, arg in CPP_WAIT.findall(code):
                if call == "qWaitFor":
                    continue
                unit = {"qWait": 1, "qSleep": 1, "msleep": 1, "usleep": 0.001, "sleep": 1000, "sleep_for": 1}[call]
                ms = literal_ms(arg, unit, constants)
                if ms is None:
                    if call in ("qWait", "qSleep", "msleep", "sleep_for"):
                        found.append(where + f"{call}({arg}): a wait whose length this check cannot read")
                elif ms > LIMIT_MS:
                    found.append(where + f"{call}({arg}) waits {ms / 1000:g} s")
            for seconds in DURATION_ARG.findall(code):
                if int(seconds) * 1000 > LIMIT_MS:
                    found.append(where + f"--duration {seconds}: the binary runs {seconds} s")
            for value, unit in DEADLINE_ARG.findall(code):
                if duration_ms(value, unit) > LIMIT_MS:
                    found.append(where + f"--deadline {value}{unit}")
        else:
            for value in PY_SLEEP.findall(code) if path.endswith(".py") else []:
                if float(value) * 1000 > LIMIT_MS:
                    found.append(where + f"time.sleep({value})")
            for value in SH_SLEEP.findall(code) if path.endswith(".sh") else []:
                if float(value) * 1000 > LIMIT_MS:
                    found.append(where + f"sleep {value}")
            for option, value, unit in SHELL_ARGS.findall(code):
                if duration_ms(value, unit or None) > LIMIT_MS:
                    found.append(where + f"--{option} {value}{unit}")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "tests")
    found = []
    files = 0
    for directory, subdirs, names in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if d != "bench")  # benchmarks run for as long as they measure
        for name in sorted(names):
            if name.endswith((".cpp", ".h", ".py", ".sh")):
                files += 1
                check_file(os.path.join(directory, name), found)
    for line in found:
        print("check-test-waits: " + line)
    if found:
        print(f"check-test-waits: {len(found)} fixed wait(s) over {LIMIT_MS / 1000:g} s: wait for the condition "
              "instead, with a bound (or say why on the line with `wait-ok:`)")
        return 1
    print(f"check-test-waits: {files} files, no fixed wait over {LIMIT_MS / 1000:g} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
