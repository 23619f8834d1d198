#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Runs the CTest suite of a build tree the way `ctest -j N` does (costliest first), and measures each test's
wall time and CPU time (user + sys of the test and every process it waited for), so that the tests that wait
(wall far above CPU) stand apart from the ones that compute. Run it through tools/run-tests.sh, which provides
the environment the tests need (offscreen Qt, a private D-Bus session with gnome-keyring):

    tools/run-tests.sh build --times [-j N] [-R REGEX] [-E REGEX] [--tsv FILE]

Prints one line per test, longest first, and the totals: the suite's elapsed wall time, the summed wall time
and the summed CPU time. The order is the one ctest would take: Testing/Temporary/CTestCostData.txt's
average seconds when there, else each test's COST property, else the order of the files.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import threading
import time


def load_tests(build_dir, include, exclude):
    shown = subprocess.run(["ctest", "--test-dir", build_dir, "--show-only=json-v1"], check=True,
                           capture_output=True, text=True)
    tests = []
    for test in json.loads(shown.stdout)["tests"]:
        props = {p["name"]: p["value"] for p in test.get("properties", [])}
        name = test["name"]
        if include and not re.search(include, name):
            continue
        if exclude and re.search(exclude, name):
            continue
        if props.get("DISABLED"):
            continue
        tests.append({"name": name, "command": test.get("command", []), "props": props})
    return tests


def costs(build_dir):
    path = os.path.join(build_dir, "Testing", "Temporary", "CTestCostData.txt")
    found = {}
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                parts = line.split()
                if line.startswith("---"):
                    break
                if len(parts) == 3:
                    found[parts[0]] = float(parts[2])
    except OSError:
        pass
    return found


def run_one(test, timeout):
    env = dict(os.environ)
    for item in test["props"].get("ENVIRONMENT", []):
        key, _, value = item.partition("=")
        env[key] = value
    cwd = test["props"].get("WORKING_DIRECTORY") or None
    start = time.monotonic()
    proc = subprocess.Popen(test["command"], env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    output = []
    reader = threading.Thread(target=lambda: output.append(proc.stdout.read()), daemon=True)
    reader.start()
    limit = float(test["props"].get("TIMEOUT") or timeout)
    timer = threading.Timer(limit, lambda: os.killpg(proc.pid, 9))
    timer.start()
    _, status, usage = os.wait4(proc.pid, 0)
    timer.cancel()
    wall = time.monotonic() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    reader.join(5)
    skip = test["props"].get("SKIP_RETURN_CODE")
    code = proc.returncode
    verdict = "ok" if code == 0 else "skip" if skip is not None and code == int(skip) else f"FAIL({code})"
    return {"name": test["name"], "wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "verdict": verdict,
            "output": b"".join(o for o in output if o).decode(errors="replace")}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("build_dir")
    parser.add_argument("-j", type=int, default=6, help="tests at once (default 6, as tools/run-tests.sh)")
    parser.add_argument("-R", help="only the tests matching this regex")
    parser.add_argument("-E", help="not the tests matching this regex")
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--tsv", help="also write name, wall, cpu, verdict to this file")
    args = parser.parse_args()

    tests = load_tests(args.build_dir, args.R, args.E)
    known = costs(args.build_dir)
    order = {t["name"]: i for i, t in enumerate(tests)}
    tests.sort(key=lambda t: (-(known.get(t["name"]) or float(t["props"].get("COST") or 0)), order[t["name"]]))

    results = []
    lock = threading.Lock()
    queue = list(tests)

    def worker():
        while True:
            with lock:
                if not queue:
                    return
                test = queue.pop(0)
            r = run_one(test, args.timeout)
            with lock:
                results.append(r)
                print(f"{len(results):3}/{len(tests)} {r['name']:<32} {r['wall']:7.2f} s wall {r['cpu']:7.2f} s cpu  "
                      f"{r['verdict']}", flush=True)
                if r["verdict"].startswith("FAIL"):
                    print(r["output"][-4000:], flush=True)

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(max(1, args.j))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started

    results.sort(key=lambda r: -r["wall"])
    print(f"\n{'test':<32} {'wall s':>8} {'cpu s':>8} {'waits s':>8}")
    for r in results:
        print(f"{r['name']:<32} {r['wall']:8.2f} {r['cpu']:8.2f} {max(0.0, r['wall'] - r['cpu']):8.2f}  {r['verdict']}")
    wall = sum(r["wall"] for r in results)
    cpu = sum(r["cpu"] for r in results)
    failed = [r["name"] for r in results if r["verdict"].startswith("FAIL")]
    load = os.getloadavg()
    print(f"\n{len(results)} tests at -j{args.j}: {elapsed:.1f} s elapsed, {wall:.1f} s summed wall, {cpu:.1f} s summed "
          f"CPU (user + sys); load average at the end {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    if failed:
        print("failed: " + " ".join(failed))
    if args.tsv:
        with open(args.tsv, "w", encoding="utf-8") as f:
            for r in results:
                f.write(f"{r['name']}\t{r['wall']:.2f}\t{r['cpu']:.2f}\t{r['verdict']}\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
