# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared parts of the /metrics tests: a loopback API whose answers the tests choose, headless probers
started for real, and a small parser of the Prometheus text format."""
import base64
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_jwt(exp):
    def part(obj):
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()
    return part({"alg": "HS256", "typ": "JWT"}) + "." + part({"sub": "probe", "exp": exp}) + ".c2VjcmV0LXNpZ25hdHVyZS14eXo"


class Api:
    """/ok answers 200, /unauthorized 401, /bearer 200 only with the expected bearer token. Counts hits."""

    def __init__(self, token):
        self.token = token
        self.hits = {}
        self.lock = threading.Lock()
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                with api.lock:
                    api.hits[self.path] = api.hits.get(self.path, 0) + 1
                if self.path == "/ok":
                    status = 200
                elif self.path == "/bearer":
                    status = 200 if self.headers.get("Authorization") == "Bearer " + api.token else 401
                else:
                    status = 401
                body = b'{"status":"ok"}' if status == 200 else b'{"error":"invalid_token"}'
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        class Server(ThreadingHTTPServer):
            def handle_error(self, request, client_address):
                if not isinstance(sys.exc_info()[1], ConnectionError):  # a prober stopped mid-probe: not news
                    super().handle_error(request, client_address)

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        # shutdown() waits for serve_forever() to look again: every 50 ms, not the default 500 ms.
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def hit_count(self, path):
        with self.lock:
            return self.hits.get(path, 0)

    def stop(self):
        self.server.shutdown()


def write_config(path, location, api, credential=None):
    config = {"version": 1, "location": location, "endpoints": [
        {"name": "healthy", "url": api.url("/ok"), "interval": "1s", "tags": ["prod", "api"]},
        {"name": "unauthorized", "url": api.url("/unauthorized"), "interval": "1s"},
    ]}
    if credential:
        config["credentials"] = credential
    with open(path, "w") as f:
        json.dump(config, f)


def add_bearer_endpoint(path, api):
    """After `credentials add` wrote the credential's metadata: the endpoint that uses it."""
    with open(path) as f:
        config = json.load(f)
    config["endpoints"].append({"name": "with-token", "url": api.url("/bearer"), "interval": "1s",
                                "credential": "api-token"})
    with open(path, "w") as f:
        json.dump(config, f)
    return config


def store_secret(binary, config_path, secret, scratch):
    return subprocess.run([binary, "credentials", "--config", config_path, "--audit-file",
                           os.path.join(scratch, "audit.jsonl"), "add", "api-token", "--scheme", "bearer"],
                          input=secret.encode(), capture_output=True, timeout=60)


def start_headless(binary, config_path, listen, data_dir):
    """Standard error goes to DATA_DIR/stderr.txt (a pipe nobody reads could fill up and stall it)."""
    os.makedirs(data_dir, exist_ok=True)
    with open(os.path.join(data_dir, "stderr.txt"), "wb") as err:
        return subprocess.Popen([binary, "--config", config_path, "--headless", "--listen", listen, "--data-dir",
                                 data_dir], stdout=subprocess.DEVNULL, stderr=err)


def launch_headless(binary, config_path, data_dir):
    """start_headless on a free loopback port, without waiting: (process, port). await_headless() waits."""
    port = free_port()
    return start_headless(binary, config_path, "127.0.0.1:%d" % port, data_dir), port


def await_headless(process, port):
    """True once the prober answers /-/healthy; False when it exited first (its port taken: the suite runs in
    parallel, and a port picked by free_port() can go to another test before the prober binds it) or never
    answered; then it is stopped."""
    healthy = wait_for(lambda: process.poll() is not None
                       or get("http://127.0.0.1:%d/-/healthy" % port, timeout=2)[0] == 200, 30, 0.05)
    if healthy and process.poll() is None:
        return True
    if process.poll() is None:
        process.kill()
    process.wait()
    return False


def start_listening_headless(binary, config_path, data_dir, tries=3, launched=None):
    """A prober on a free loopback port, answering /-/healthy: (process, port). `launched`, a (process, port) of
    launch_headless(), is awaited first. A prober that lost its port is started again on another one."""
    for _ in range(tries):
        process, port = launched or launch_headless(binary, config_path, data_dir)
        launched = None
        if await_headless(process, port):
            return process, port
    with open(os.path.join(data_dir, "stderr.txt"), "rb") as err:
        sys.stderr.write("prober in %s never answered /-/healthy:\n%s\n" % (data_dir, err.read().decode(errors="replace")))
    return process, port


def get(url, accept=None, method="GET", timeout=5):
    request = urllib.request.Request(url, method=method)
    if accept:
        request.add_header("Accept", accept)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:
            return reply.status, reply.headers.get("Content-Type", ""), reply.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read()


def wait_for(predicate, seconds, step=0.1):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(step)
    return None


def parse(text):
    """[(name, {label: value}, float)] of every sample line."""
    samples = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = SAMPLE.match(line)
        if not m:
            raise ValueError("not a sample line: " + line)
        labels = {k: v.replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")
                  for k, v in LABEL.findall(m.group(3) or "")}
        samples.append((m.group(1), labels, float(m.group(4))))
    return samples


def value(samples, name, **labels):
    """The value of the one sample of `name` whose labels include `labels`; None when there is none."""
    found = [v for n, l, v in samples if n == name and all(l.get(k) == x for k, x in labels.items())]
    if len(found) > 1:
        raise ValueError("%d samples of %s %s" % (len(found), name, labels))
    return found[0] if found else None


def scrape(port, accept=None):
    status, content_type, body = get("http://127.0.0.1:%d/metrics" % port, accept)
    if status != 200:
        raise OSError("scrape answered %d" % status)
    return content_type, body.decode()


def stop(*processes):
    """SIGTERM to each at once, then waits for each (killed after 20 s)."""
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
