#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A loopback API that behaves badly on purpose, for tst_hostileserver.

It echoes the credential it receives back in every way a real server might (an OAuth 2 error
description, a JSON error message, a JSON-RPC error, an error-code message, a value a body check
quotes, a header, a plain-text body), answers 500 / JSON-RPC -32603 / failed checks, writes terminal
escape sequences into its messages, hangs when asked, and issues OAuth 2 tokens. With --tls CERT KEY it
also serves the same routes over HTTPS with that (self-signed) certificate.

Prints "PORT <http> <https>" on its first line; runs until killed. The OAuth 2 access token it issues is
read from the environment (SD_TEST_OAUTH_TOKEN), never from the command line.
"""
import base64
import json
import os
import ssl
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def echoed(header):
    """The secret the client sent, in raw, base64 and URL-encoded forms, as one string."""
    scheme, _, value = (header or "").partition(" ")
    if scheme.lower() == "basic":
        raw = base64.b64decode(value).decode("utf-8", "replace")
        password = raw.partition(":")[2]
        return "basic=%s password=%s user-pass=%s" % (value, password, raw)
    raw = value
    b64 = base64.b64encode(raw.encode()).decode()
    url = urllib.parse.quote(raw, safe="")
    return "%s b64=%s url=%s" % (raw, b64, url)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet: the test reads stdout for the port only
        pass

    def send(self, status, body, content_type="application/json", headers=()):
        data = body if isinstance(body, bytes) else body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()
        served = os.environ.get("SD_TEST_SERVED_LOG")
        if served:  # tests wait on this instead of the wall clock: "this answer has left the server"
            with open(served, "a") as log:
                log.write(self.path + "\n")

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        if self.path.startswith("/token"):
            token = os.environ.get("SD_TEST_OAUTH_TOKEN", "")
            self.send(200, json.dumps({"access_token": token, "token_type": "Bearer", "expires_in": 3600}))
            return
        self.do_GET()

    def do_GET(self):
        path = self.path.split("?")[0]
        secret = echoed(self.headers.get("Authorization"))
        if path == "/ok":
            self.send(200, '{"ok":true,"object":"thing"}')
        elif path == "/authed":
            expected = "Bearer " + os.environ.get("SD_TEST_OAUTH_TOKEN", "-")
            if self.headers.get("Authorization") == expected:
                self.send(200, '{"ok":true}')
            else:
                self.send(401, "{}", headers=[("WWW-Authenticate", 'Bearer error="invalid_token"')])
        elif path == "/plain500":
            self.send(500, "oops", "text/plain")
        elif path == "/rpc-internal":
            self.send(200, json.dumps({"jsonrpc": "2.0", "id": 1, "error": {"code": -32603, "message": "internal"}}))
        elif path == "/slow":
            time.sleep(30)  # wait-ok: the server hangs; the test's --deadline or SIGTERM ends the wait
            self.send(200, "{}")
        elif path == "/escape":
            self.send(500, json.dumps({"error": {"message": "\x1b[2J\x1b[31mred alert\x1b[0m\x07 bell"}}))
        # The seven ways a server reflects the credential.
        elif path == "/echo/401-description":
            self.send(401, "{}", headers=[
                ("WWW-Authenticate", 'Bearer error="invalid_token", error_description="token %s expired"' % secret)])
        elif path == "/echo/401-json":
            self.send(401, json.dumps({"error": {"message": "bad token " + secret}}))
        elif path == "/echo/500-json":
            self.send(500, json.dumps({"error": {"message": "failed for " + secret}}))
        elif path == "/echo/jsonrpc":
            self.send(200, json.dumps({"jsonrpc": "2.0", "id": 1, "error": {"code": -32050, "message": secret}}))
        elif path == "/echo/error-code":
            self.send(200, json.dumps({"error": {"code": 500150, "message": "code for " + secret}}))
        elif path == "/echo/check":
            self.send(200, json.dumps({"object": secret}))
        elif path == "/echo/check-escaped":
            # JSON may escape any character: the secret only appears once the body is parsed.
            escaped = "".join("\\u%04x" % ord(c) for c in secret)
            self.send(200, '{"object":"%s"}' % escaped)
        elif path == "/echo/header":
            self.send(500, secret, "text/plain", headers=[("X-Echo", secret)])
        else:
            self.send(404, '{"error":{"message":"no such route"}}')


def serve(server):
    threading.Thread(target=server.serve_forever, daemon=True).start()


def main():
    http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    http.daemon_threads = True
    serve(http)
    https_port = 0
    if len(sys.argv) == 4 and sys.argv[1] == "--tls":
        https = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        https.daemon_threads = True
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(sys.argv[2], sys.argv[3])
        https.socket = context.wrap_socket(https.socket, server_side=True)
        serve(https)
        https_port = https.server_address[1]
    print("PORT %d %d" % (http.server_address[1], https_port), flush=True)
    try:
        while True:
            time.sleep(3600)  # wait-ok: the server's main thread idles until the test kills it
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
