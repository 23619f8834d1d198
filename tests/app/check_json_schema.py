#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Validates the real `signaldeck --check --json` output against resources/schemas/check-result.schema.json.

Usage: check_json_schema.py SIGNALDECK_BINARY SCHEMA

Three runs of the real binary, at once: the built-in demo (every signal), and two configs against a loopback HTTP
server this script starts (python3's http.server): one healthy endpoint (the `ok` path, exit 0) and a mix
(404, 500, a failed body check, 429 with Retry-After). Each output must validate, and its exit code must
be the Nagios code of its `worst`. Then mutations of real output that a careless change would produce
must be rejected, so the schema is shown to be able to fail. Needs python3-jsonschema (Makefile TEST_PKGS).
"""
import copy
import json
import os
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

try:
    import jsonschema
except ImportError:
    sys.exit("python3-jsonschema is not installed (make deps-test installs it)")

NAGIOS = {"ok": 0, "warning": 1, "critical": 2, "unknown": 3}
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL: " + message, file=sys.stderr)


class Handler(BaseHTTPRequestHandler):
    ROUTES = {
        "/ok": (200, {}, b'{"status":"ok"}'),
        "/missing": (404, {}, b'{"message":"no such thing"}'),
        "/boom": (500, {}, b'{"message":"it broke"}'),
        "/wrong-body": (200, {}, b'{"status":"degraded"}'),
        "/limited": (429, {"Retry-After": "2"}, b'{"message":"slow down"}'),
    }

    def do_GET(self):
        status, headers, body = self.ROUTES.get(self.path, (404, {}, b"{}"))
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def start_check(binary, args):
    """Starts `--check --json`; the runs wait on their endpoints' answers, so they run at once."""
    return subprocess.Popen([binary, *args, "--check", "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def run_check(running, args):
    stdout, stderr = running.communicate(timeout=120)
    done = subprocess.CompletedProcess(running.args, running.returncode, stdout, stderr)
    label = " ".join(args)
    try:
        document = json.loads(done.stdout)
    except ValueError as error:
        check(False, f"{label}: stdout is not JSON ({error}); exit {done.returncode}; stderr: {done.stderr[-500:]!r}")
        return None, done.returncode
    return document, done.returncode


def validate(validator, document, label):
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    for error in errors:
        where = "/".join(str(p) for p in error.absolute_path)
        check(False, f"{label}: schema violation at /{where}: {error.message}")
    return not errors


def main():
    binary, schema_path = sys.argv[1], sys.argv[2]
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)

    # The three runs wait on their endpoints (the demo's hanging ones time out): started together.
    demo_run = start_check(binary, ["--demo"])
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    with tempfile.TemporaryDirectory() as tmp:
        def config(name, endpoints):
            path = os.path.join(tmp, name)
            with open(path, "w", encoding="utf-8") as f:
                json.dump({"version": 1, "endpoints": endpoints}, f)
            return path

        healthy = config("healthy.json", [{"name": "ok", "url": base + "/ok", "timeout": "5s"}])
        mixed = config("mixed.json", [
            {"name": "ok", "url": base + "/ok", "timeout": "5s"},
            {"name": "missing", "url": base + "/missing", "timeout": "5s"},
            {"name": "boom", "url": base + "/boom", "timeout": "5s"},
            {"name": "wrong-body", "url": base + "/wrong-body", "timeout": "5s",
             "checks": [{"jsonPointer": "/status", "equals": "ok"}]},
            {"name": "limited", "url": base + "/limited", "timeout": "5s"},
        ])
        healthy_run = start_check(binary, ["--config", healthy])
        mixed_run = start_check(binary, ["--config", mixed])

        # 1. The demo raises every signal.
        demo, code = run_check(demo_run, ["--demo"])
        if demo is not None:
            validate(validator, demo, "--demo")
            check(code == NAGIOS.get(demo.get("worst")), f"--demo: exit {code} for worst {demo.get('worst')!r}")
            seen = {r.get("signal") for r in demo.get("results", [])}
            check({"S1", "S2", "S3", "S4"} <= seen, f"--demo: signals seen {seen}")

        # 2. and 3. Configs against a loopback server of our own.
        doc, code = run_check(healthy_run, ["--config", healthy])
        if doc is not None:
            validate(validator, doc, "healthy")
            check(code == 0 and doc.get("worst") == "ok", f"healthy: exit {code}, worst {doc.get('worst')!r}")
            result = (doc.get("results") or [{}])[0]
            check(result.get("outcome") == "ok" and result.get("signal") is None and result.get("httpStatus") == 200,
                  f"healthy: {result}")

        doc, code = run_check(mixed_run, ["--config", mixed])
        if doc is not None:
            validate(validator, doc, "mixed")
            check(code == NAGIOS.get(doc.get("worst")), f"mixed: exit {code} for worst {doc.get('worst')!r}")
            outcomes = {r.get("endpoint"): r.get("outcome") for r in doc.get("results", [])}
            check(outcomes == {"ok": "ok", "missing": "input", "boom": "server_error",
                               "wrong-body": "assertion_failed", "limited": "throttled"}, f"mixed: outcomes {outcomes}")
            limited = [r for r in doc.get("results", []) if r.get("endpoint") == "limited"]
            check(bool(limited) and limited[0].get("retryAfterMs") == 2000, f"mixed: limited {limited}")
    server.shutdown()

    # 4. The schema must reject what careless changes to the output would produce.
    if demo is not None and demo.get("results"):
        sent = next(r for r in demo["results"] if r.get("attempts", 0) > 0)
        index = demo["results"].index(sent)
        mutations = {
            "httpStatus as a string": lambda r: r.update(httpStatus="200"),
            "traceId missing": lambda r: r.pop("traceId"),
            "unknown outcome": lambda r: r.update(outcome="error"),
            "signal spelled s1": lambda r: r.update(signal="s1"),
            "state in capitals": lambda r: r.update(state="CRITICAL"),
            "an undocumented key": lambda r: r.update(certificateDaysLeft=12),
            "timeout without S1": lambda r: r.update(outcome="timeout", signal=None),
            "sent probe without trace id": lambda r: r.update(traceId=""),
            "negative latency": lambda r: r.update(latencyMs=-1),
        }
        for name, mutate in mutations.items():
            mutated = copy.deepcopy(demo)
            mutate(mutated["results"][index])
            check(not validator.is_valid(mutated), f"the schema accepts a mutation: {name}")
        wrong_worst = copy.deepcopy(demo)
        wrong_worst["worst"] = "fine"
        check(not validator.is_valid(wrong_worst), "the schema accepts worst = 'fine'")

    if failures:
        print(f"{len(failures)} failure(s)", file=sys.stderr)
        return 1
    print("check-result.schema.json: demo, healthy and mixed outputs valid; 10 mutations rejected")
    return 0


if __name__ == "__main__":
    sys.exit(main())
