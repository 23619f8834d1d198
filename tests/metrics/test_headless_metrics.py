#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""`signaldeck --headless --listen`: the real binary against a loopback API this script starts.

Usage: test_headless_metrics.py SIGNALDECK_BINARY PROMTOOL

Asserts: /-/healthy and /-/ready answer 200; /metrics is Prometheus text 0.0.4 by default and OpenMetrics
when asked; its values match what the API saw (the endpoint always answered 401 shows S2 state 2 and
outcome="auth" probes, as many attempts as the API counted; the healthy one S1-S4 at 0 and HTTP 200);
the `location` of the config labels every series; the bearer secret of a credential (a JWT) appears
nowhere while its expiry does; `promtool check metrics` accepts the real body; a bare port listens on
127.0.0.1 only; a SIGHUP with a new `location` re-labels every series and keeps the counters; a port in use
and a bad --listen exit 3 with the reason. Needs a Secret Service (tools/run-tests.sh) and prometheus (promtool).
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import metricslib as m  # noqa: E402

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL: " + message, file=sys.stderr)
    return condition


def main():
    binary, promtool = sys.argv[1], sys.argv[2]
    os.environ["SIGNALDECK_STAGGER"] = "off"  # every endpoint probed at start, not spread over its interval
    exp = int(time.time()) + 30 * 86400
    secret = m.make_jwt(exp)
    api = m.Api(secret)
    scratch = tempfile.mkdtemp(prefix="signaldeck-metrics-")
    config = os.path.join(scratch, "config.json")
    m.write_config(config, 'lab "eu"', api)
    # Option errors exit 3 before anything runs: checked below, run meanwhile (on a copy of the config, which
    # `credentials add` rewrites).
    options_config = os.path.join(scratch, "options.json")
    m.write_config(options_config, 'lab "eu"', api)
    option_errors = [(args, needle, subprocess.Popen([binary, "--config", options_config] + args,
                                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
                     for args, needle in ((["--headless", "--listen", "nohost:80"], "not an IP address"),
                                          (["--headless", "--listen", "127.0.0.1:99999"], "port"),
                                          (["--check", "--listen", "9464"], "needs --headless"))]
    stored = m.store_secret(binary, config, secret, scratch)
    if not check(stored.returncode == 0, "credentials add failed: %s" % stored.stderr.decode()):
        return
    written = m.add_bearer_endpoint(config, api)
    check(written.get("location") == 'lab "eu"', "credentials add dropped the config's location: %s" % written)

    port = m.free_port()
    prober = m.start_headless(binary, config, "%d" % port, os.path.join(scratch, "data"))  # a bare port: loopback
    try:
        for args, needle, run in option_errors:
            err = run.communicate(timeout=60)[1].decode()
            check(run.returncode == 3 and needle in err, "%s: exit %d, stderr %r" % (args, run.returncode, err))
        healthy = m.wait_for(lambda: m.get("http://127.0.0.1:%d/-/healthy" % port)[0] == 200, 30)
        if not check(healthy, "/-/healthy did not answer 200 within 30 s"):
            return
        check(m.wait_for(lambda: m.get("http://127.0.0.1:%d/-/ready" % port)[0] == 200, 30),
              "/-/ready did not answer 200 within 30 s")

        def settled():
            content_type, text = m.scrape(port)
            s = m.parse(text)
            done = (m.value(s, "signaldeck_signal_state", endpoint="unauthorized", signal="S2") == 2
                    and (m.value(s, "signaldeck_attempts_total", endpoint="unauthorized") or 0) >= 1
                    and m.value(s, "signaldeck_last_probe_http_status", endpoint="with-token") is not None)
            return (content_type, text, s) if done else None

        got = m.wait_for(settled, 30)
        if not check(got, "no S2 critical for the 401 endpoint within 30 s"):
            return
        content_type, text, s = got
        hits = api.hit_count("/unauthorized")
        # A second prober on the same port exits 3, naming the address (checked below; it runs meanwhile, and
        # is done before the config changes for the reload).
        second = subprocess.Popen([binary, "--config", config, "--headless", "--listen", "127.0.0.1:%d" % port,
                                   "--data-dir", os.path.join(scratch, "data2")], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE)

        check(content_type == "text/plain; version=0.0.4; charset=utf-8", "content type: " + content_type)
        check(m.value(s, "signaldeck_signal_state", endpoint="unauthorized", signal="S2") == 2, "S2 state")
        auth = m.value(s, "signaldeck_probes_total", endpoint="unauthorized", outcome="auth", signal="S2")
        attempts = m.value(s, "signaldeck_attempts_total", endpoint="unauthorized")
        # The API counts a request before the prober can count its result: at most one or two in flight.
        check(auth is not None and auth == attempts and attempts <= hits <= attempts + 2,
              "auth probes %s, attempts %s, API saw %d" % (auth, attempts, hits))
        check(m.value(s, "signaldeck_probes_total", endpoint="unauthorized", outcome="ok", signal="none") == 0,
              "ok probes of the 401 endpoint")
        check(m.value(s, "signaldeck_last_probe_outcome", endpoint="unauthorized", outcome="auth") == 1,
              "last outcome auth")
        check(m.value(s, "signaldeck_last_probe_http_status", endpoint="unauthorized") == 401, "last status 401")
        check(m.value(s, "signaldeck_endpoint_state", endpoint="unauthorized") == 2, "overall state critical")
        for code in ("S1", "S2", "S3", "S4"):
            check(m.value(s, "signaldeck_signal_state", endpoint="healthy", signal=code) == 0,
                  "healthy %s state" % code)
        check(m.value(s, "signaldeck_last_probe_http_status", endpoint="healthy") == 200, "healthy status 200")
        check(m.value(s, "signaldeck_last_probe_http_status", endpoint="with-token") == 200,
              "the bearer endpoint got 200: the secret from the keychain was sent")
        check(m.value(s, "signaldeck_circuit_state", endpoint="healthy") == 0, "circuit closed")
        check(m.value(s, "signaldeck_credential_expiry_timestamp_seconds", endpoint="with-token",
                      credential="api-token") == exp, "credential expiry = the JWT's exp")
        count = m.value(s, "signaldeck_probe_duration_seconds_count", endpoint="healthy")
        inf = m.value(s, "signaldeck_probe_duration_seconds_bucket", endpoint="healthy", le="+Inf")
        check(count is not None and count >= 1 and count == inf, "histogram count %s, +Inf %s" % (count, inf))
        check(m.value(s, "signaldeck_probe_duration_seconds_bucket", endpoint="healthy", le="0.2") is not None
              and m.value(s, "signaldeck_probe_duration_seconds_bucket", endpoint="healthy", le="0.8") is not None,
              "buckets at the 200 and 800 ms thresholds")
        check(all(l.get("location") == 'lab "eu"' for n, l, v in s), "every series has the config's location")
        check(m.value(s, "signaldeck_signal_state", endpoint="healthy", signal="S1", tags="api,prod",
                      url=api.url("/ok")) == 0, "url and sorted tags labels")
        for piece in [secret] + secret.split("."):
            check(piece not in text, "a piece of the secret is in /metrics")

        lint = subprocess.run([promtool, "check", "metrics"], input=text.encode(), capture_output=True, timeout=60)
        check(lint.returncode == 0, "promtool check metrics: %s %s" % (lint.stdout.decode(), lint.stderr.decode()))

        content_type, om = m.scrape(port, "application/openmetrics-text;version=1.0.0,text/plain;q=0.5")
        check(content_type == "application/openmetrics-text; version=1.0.0; charset=utf-8", "OM type " + content_type)
        check(om.endswith("# EOF\n"), "OpenMetrics ends with # EOF")
        check("# TYPE signaldeck_probes counter\n" in om and "\nsignaldeck_probes_total{" in om,
              "OpenMetrics counter family without _total, samples with it")

        status, _, _ = m.get("http://127.0.0.1:%d/nothing" % port)
        check(status == 404, "unknown path: %d" % status)
        status, _, _ = m.get("http://127.0.0.1:%d/metrics" % port, method="POST")
        check(status == 405, "POST: %d" % status)

        # A bare port binds loopback only: the kernel's table of listening sockets says 127.0.0.1, not 0.0.0.0.
        with open("/proc/net/tcp") as f:
            listening = [line.split()[1] for line in f.readlines()[1:] if line.split()[3] == "0A"]
        check("0100007F:%04X" % port in listening and "00000000:%04X" % port not in listening,
              "a bare --listen port is not bound to 127.0.0.1 only: %s" % [a for a in listening if a.endswith(
                  ":%04X" % port)])

        try:
            second_err = second.communicate(timeout=60)[1].decode()
        except subprocess.TimeoutExpired:
            second.kill()
            second_err = second.communicate()[1].decode() + " (still running after 60 s)"
        check(second.returncode == 3 and ("127.0.0.1:%d" % port) in second_err,
              "port in use: exit %s, %r" % (second.returncode, second_err))

        # SIGHUP with a new location: the series are re-labelled, the counters of kept endpoints go on.
        before = m.value(s, "signaldeck_probes_total", endpoint="healthy", outcome="ok", signal="none")
        with open(config) as f:
            reloaded = json.load(f)
        reloaded["location"] = "lab-2"
        with open(config, "w") as f:
            json.dump(reloaded, f)
        prober.send_signal(signal.SIGHUP)

        def relabelled():
            s2 = m.parse(m.scrape(port)[1])
            return s2 if m.value(s2, "signaldeck_build_info", location="lab-2") == 1 else None
        after = m.wait_for(relabelled, 20)
        if check(after, "no series with the reloaded location within 20 s"):
            check(all(l.get("location") == "lab-2" for n, l, v in after), "old location left after the reload")
            kept = m.value(after, "signaldeck_probes_total", endpoint="healthy", outcome="ok", signal="none")
            check(kept is not None and kept >= before, "counter after reload %s < before %s" % (kept, before))
    finally:
        m.stop(prober)
        api.stop()
    with open(os.path.join(scratch, "data", "stderr.txt"), "rb") as f:
        check(secret.encode() not in f.read(), "the secret is on standard error")
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
    if failures:
        sys.exit("%d failure(s)" % len(failures))
    print("ok")
