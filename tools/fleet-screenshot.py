#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A screenshot of the dashboard as the fleet's window (issue 15.3), from real parts on loopback.

Usage: tools/fleet-screenshot.py SIGNALDECK_BINARY OUT.png

Starts a loopback API (tests/metrics/metricslib.py: /ok 200, others 401), two `signaldeck --headless --listen`
probers "eu-office" and "us-east" with the same endpoints except that us-east's path to "checkout" is broken
(its URL points at a port nobody listens on), a real prometheus-blackbox-exporter probing three targets, a real
`prometheus` (1 s scrape) over all of them, and then the window with two local endpoints and both sources
(`prometheus` and `blackbox`) for 14 s, saving a PNG just before it quits (offscreen Qt).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "metrics"))
import metricslib as m  # noqa: E402


def main():
    binary, out = sys.argv[1], os.path.abspath(sys.argv[2])
    api = m.Api("unused")
    scratch = tempfile.mkdtemp(prefix="signaldeck-fleet-")
    processes = []
    try:
        dead = "http://127.0.0.1:%d/ok" % m.free_port()
        ports = {}
        for location in ("eu-office", "us-east"):
            config = {"version": 1, "location": location, "endpoints": [
                {"name": "catalog", "url": api.url("/ok"), "interval": "1s"},
                {"name": "checkout", "url": api.url("/ok") if location == "eu-office" else dead, "interval": "1s",
                 "timeout": "500ms"},
                {"name": "search", "url": api.url("/ok"), "interval": "1s"},
                {"name": "login", "url": api.url("/unauthorized"), "interval": "1s"},
            ]}
            path = os.path.join(scratch, location + ".json")
            with open(path, "w") as f:
                json.dump(config, f)
            ports[location] = m.free_port()
            processes.append(m.start_headless(binary, path, "127.0.0.1:%d" % ports[location],
                                              os.path.join(scratch, "data-" + location)))
        bb_port = m.free_port()
        with open(os.path.join(scratch, "blackbox.yml"), "w") as f:
            f.write("modules:\n  http_2xx:\n    prober: http\n    timeout: 2s\n")
        processes.append(subprocess.Popen(["prometheus-blackbox-exporter", "--config.file=" + os.path.join(
            scratch, "blackbox.yml"), "--web.listen-address=127.0.0.1:%d" % bb_port, "--log.level=warn"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        prom_port = m.free_port()
        targets = "', '".join([api.url("/ok"), api.url("/unauthorized"), "http://127.0.0.1:%d/" % m.free_port()])
        with open(os.path.join(scratch, "prometheus.yml"), "w") as f:
            f.write("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n"
                    "  - job_name: signaldeck\n    static_configs:\n      - targets: ['127.0.0.1:%d', '127.0.0.1:%d']\n"
                    "  - job_name: blackbox\n    metrics_path: /probe\n    params:\n      module: [http_2xx]\n"
                    "    static_configs:\n      - targets: ['%s']\n        labels:\n          location: dc-lab\n"
                    "    relabel_configs:\n      - source_labels: [__address__]\n        target_label: __param_target\n"
                    "      - source_labels: [__param_target]\n        target_label: instance\n"
                    "      - target_label: __address__\n        replacement: 127.0.0.1:%d\n"
                    % (ports["eu-office"], ports["us-east"], targets, bb_port))
        processes.append(subprocess.Popen(["prometheus", "--config.file=" + os.path.join(scratch, "prometheus.yml"),
                                           "--storage.tsdb.path=" + os.path.join(scratch, "tsdb"),
                                           "--web.listen-address=127.0.0.1:%d" % prom_port, "--log.level=warn"],
                                          cwd=scratch, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        if not m.wait_for(lambda: m.get("http://127.0.0.1:%d/-/ready" % prom_port)[0] == 200, 30, 0.5):
            sys.exit("prometheus not ready")
        gui = {"version": 1, "location": "desk", "endpoints": [
            {"name": "status page", "url": api.url("/ok"), "interval": "2s"},
            {"name": "admin api", "url": api.url("/unauthorized"), "interval": "2s"}],
            "sources": [{"prometheus": "http://127.0.0.1:%d" % prom_port, "name": "prometheus",
                         "match": "{job=\"signaldeck\"}", "interval": "2s"},
                        {"blackbox": "http://127.0.0.1:%d" % prom_port, "name": "blackbox fleet",
                         "match": "{job=\"blackbox\"}", "interval": "2s"}]}
        gui_path = os.path.join(scratch, "gui.json")
        with open(gui_path, "w") as f:
            json.dump(gui, f)
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
        result = subprocess.run([binary, "--config", gui_path, "--data-dir", os.path.join(scratch, "gui-data"),
                                 "--screenshot", out, "--quit-after", "14"], env=env, timeout=60)
        print("screenshot:", out, "exit", result.returncode)
    finally:
        for p in processes:
            m.stop(p)
        api.stop()
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
