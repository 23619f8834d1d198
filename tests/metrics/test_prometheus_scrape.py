#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A real Prometheus scrapes two real headless probers with different `location`s.

Usage: test_prometheus_scrape.py SIGNALDECK_BINARY PROMETHEUS RULES_FILE

Starts a loopback API, two `signaldeck --headless --listen` with the same endpoints but locations "loc-a"
and "loc-b", and `prometheus` (the Debian package) on loopback scraping every 500 ms, its storage in a
temporary directory and the shipped rules loaded, all at once: Prometheus applies its targets on its own 5 s
discovery tick from its start, the probers start meanwhile. Waits (bounded) until Prometheus holds samples from
both, then compares what it stored with what each prober's own /metrics says: the signal states of both
locations, the endpoint count, the counters (never ahead of the prober), and the S2 alert firing for the
401 endpoint from both locations. Needs prometheus (Makefile TEST_PKGS).
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import metricslib as m  # noqa: E402

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL: " + message, file=sys.stderr)
    return condition


def query(port, expr):
    status, _, body = m.get("http://127.0.0.1:%d/api/v1/query?query=%s" % (port, urllib.parse.quote(expr)))
    if status != 200:
        raise OSError("query answered %d" % status)
    reply = json.loads(body)
    return reply["data"]["result"]


def targets(port):
    """What Prometheus says of its scrape targets (URL, health, last error), for a failure message."""
    try:
        _, _, body = m.get("http://127.0.0.1:%d/api/v1/targets" % port)
        return [(t["scrapeUrl"], t["health"], t["lastError"])
                for t in json.loads(body)["data"]["activeTargets"]]
    except (OSError, ValueError, KeyError) as error:
        return "unreadable: %s" % error


def main():
    binary, prometheus, rules = sys.argv[1], sys.argv[2], sys.argv[3]
    os.environ["SIGNALDECK_STAGGER"] = "off"  # every endpoint probed at start, not spread over its interval
    api = m.Api("unused")
    scratch = tempfile.mkdtemp(prefix="signaldeck-prom-")
    probers = {}
    ports = {}
    prom = None
    launched = {}
    try:
        configs = {}
        for location in ("loc-a", "loc-b"):
            configs[location] = os.path.join(scratch, location + ".json")
            m.write_config(configs[location], location, api)
            launched[location] = m.launch_headless(binary, configs[location], os.path.join(scratch, "data-" + location))
            ports[location] = launched[location][1]
        prom_port = m.free_port()
        shutil.copy(rules, os.path.join(scratch, "rules.yml"))

        def write_prometheus_yml():
            with open(os.path.join(scratch, "prometheus.yml"), "w") as f:
                f.write("global:\n  scrape_interval: 500ms\n  scrape_timeout: 500ms\n  evaluation_interval: 500ms\n"
                        "rule_files:\n  - rules.yml\n"
                        "scrape_configs:\n  - job_name: signaldeck\n    static_configs:\n"
                        "      - targets: ['127.0.0.1:%d', '127.0.0.1:%d']\n" % (ports["loc-a"], ports["loc-b"]))
        write_prometheus_yml()
        prom_log = open(os.path.join(scratch, "prometheus.log"), "w")
        prom = subprocess.Popen([prometheus, "--config.file=" + os.path.join(scratch, "prometheus.yml"),
                                 "--storage.tsdb.path=" + os.path.join(scratch, "tsdb"),
                                 "--web.listen-address=127.0.0.1:%d" % prom_port, "--log.level=warn"],
                                cwd=scratch, stdout=prom_log, stderr=subprocess.STDOUT)
        for location in ("loc-a", "loc-b"):
            probers[location], ports[location] = m.start_listening_headless(
                binary, configs[location], os.path.join(scratch, "data-" + location), launched=launched[location])
        ready = m.wait_for(lambda: m.get("http://127.0.0.1:%d/-/ready" % prom_port)[0] == 200, 60)
        if not check(ready, "prometheus not ready within 60 s"):
            return
        if ports["loc-a"] != launched["loc-a"][1] or ports["loc-b"] != launched["loc-b"][1]:
            write_prometheus_yml()  # a prober lost its port to another test (rare): Prometheus reloads its targets
            prom.send_signal(signal.SIGHUP)
        s2 = 'signaldeck_signal_state{job="signaldeck",endpoint="unauthorized",signal="S2"}'
        both = m.wait_for(lambda: len(query(prom_port, s2)) == 2 and query(prom_port, s2), 60)
        if not both:
            check(False, "prometheus has no S2 samples from both probers within 60 s (targets: %s)"
                  % targets(prom_port))
            return
        up = {}

        def both_up():
            up.clear()
            up.update({r["metric"]["instance"]: r["value"][1] for r in query(prom_port, 'up{job="signaldeck"}')})
            return sorted(up.values()) == ["1", "1"]
        check(m.wait_for(both_up, 20), "up: %s" % up)

        def stored_query(expr):
            """The last sample Prometheus stored, also when the newest scrape failed (a scrape that does not answer
            within 500 ms on a loaded machine marks the series stale until the next one)."""
            return query(prom_port, "last_over_time(%s[10s])" % expr)

        for location, port in ports.items():
            _, text = m.scrape(port)
            own = m.parse(text)
            instance = "127.0.0.1:%d" % port
            sel = '{job="signaldeck",instance="%s"' % instance
            stored = stored_query('signaldeck_signal_state' + sel + '}')
            check(stored and all(r["metric"]["location"] == location for r in stored),
                  "%s: stored location labels %s" % (location, [r["metric"].get("location") for r in stored]))
            for r in stored:
                mine = m.value(own, "signaldeck_signal_state", endpoint=r["metric"]["endpoint"],
                               signal=r["metric"]["signal"])
                check(float(r["value"][1]) == mine, "%s %s %s: prometheus %s, prober %s" % (
                    location, r["metric"]["endpoint"], r["metric"]["signal"], r["value"][1], mine))
            check(len(stored) == 8, "%s: %d signal-state series stored (2 endpoints x 4 signals)" % (
                location, len(stored)))
            endpoints = stored_query('signaldeck_endpoints' + sel + '}')
            check(endpoints and float(endpoints[0]["value"][1]) == 2.0, "%s endpoints: %s" % (location, endpoints))
            for r in stored_query('signaldeck_probes_total' + sel + ',outcome=~"ok|auth"}'):
                now = m.value(m.parse(m.scrape(port)[1]), "signaldeck_probes_total",
                              endpoint=r["metric"]["endpoint"], outcome=r["metric"]["outcome"],
                              signal=r["metric"]["signal"])
                check(now is not None and 0 <= float(r["value"][1]) <= now, "%s counter %s: prometheus %s, prober %s"
                      % (location, r["metric"], r["value"][1], now))
            auth = stored_query('signaldeck_probes_total' + sel + ',endpoint="unauthorized",outcome="auth"}')
            check(auth and float(auth[0]["value"][1]) >= 1, "%s: stored auth probes %s" % (location, auth))

        def s2_alerts():
            status, _, body = m.get("http://127.0.0.1:%d/api/v1/alerts" % prom_port)
            alerts = [a for a in json.loads(body)["data"]["alerts"]
                      if a["labels"]["alertname"] == "SignalDeckS2AuthCredentials" and a["state"] == "firing"]
            return alerts if len(alerts) == 2 else None
        alerts = m.wait_for(s2_alerts, 20)
        if check(alerts, "SignalDeckS2AuthCredentials not firing for both locations within 20 s"):
            check(sorted(a["labels"]["location"] for a in alerts) == ["loc-a", "loc-b"]
                  and all(a["labels"]["endpoint"] == "unauthorized" and a["labels"]["severity"] == "critical"
                          and "rotate the credential" in a["annotations"]["action"] for a in alerts),
                  "S2 alerts: %s" % alerts)
    finally:
        if prom is not None:
            prom.kill()  # its storage is thrown away: no need for its orderly shutdown
            prom.wait()
        m.stop(*probers.values(), *[p for p, _ in launched.values()])
        api.stop()
        if failures and os.path.exists(os.path.join(scratch, "prometheus.log")):
            print(open(os.path.join(scratch, "prometheus.log")).read()[-3000:], file=sys.stderr)
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
    if failures:
        sys.exit("%d failure(s)" % len(failures))
    print("ok")
