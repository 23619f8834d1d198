#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A loopback HTTP/1.1 server for faults no real server makes on demand (tests and benchmarks only).

Usage: fault_server.py PORT. Every answer is chosen by the request path:
  /ok                      200, 2 bytes, Content-Length
  /gzip-ok                 200, a valid gzip body (Content-Encoding: gzip, Content-Length of the encoded bytes)
  /chunked-ok              200, chunked, complete
  /short-close             Content-Length: 1000, 418 bytes sent, then FIN
  /short-reset             Content-Length: 1000, 418 bytes sent, then RST
  /gzip-short              Content-Encoding: gzip, Content-Length of the whole encoded body, half of it sent, then FIN
  /gzip-chunked-short      Content-Encoding: gzip, chunked, half of the encoded body, terminating chunk, FIN
  /chunked-close           chunked, two chunks, no terminating chunk, then FIN
  /chunked-reset           chunked, two chunks, no terminating chunk, then RST
  /gzip-corrupt            Content-Encoding: gzip with bytes that are not gzip (length matches)
  /big-header              a 10 MiB header line, then 200 with a 2-byte body
  /endless                 200, chunked, 64 KiB chunks for as long as the client reads
Connections are closed after each answer (Connection: close on the complete ones). A query "?pause=MS" waits
that long between the last byte sent and the close or reset of the faulty answers.
"""
import gzip
import socket
import socketserver
import struct
import sys
import time

BODY = b"x" * 418
GZIP_BODY = gzip.compress(b",".join(b"{\"n\": %d}" % (i * 7919 % 100003) for i in range(4000)))


def head(status, headers):
    lines = ["HTTP/1.1 %s" % status] + ["%s: %s" % kv for kv in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


class Handler(socketserver.BaseRequestHandler):
    def reset(self):
        # SO_LINGER with a zero timeout turns close() into an RST.
        self.request.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    def handle(self):
        data = b""
        while b"\r\n\r\n" not in data:
            more = self.request.recv(65536)
            if not more:
                return
            data += more
        target = data.split(b" ", 2)[1].decode("latin-1")
        path, _, query = target.partition("?")
        pause = int(query[len("pause="):]) / 1000.0 if query.startswith("pause=") else 0.0
        s = self.request
        try:
            if path == "/ok":
                s.sendall(head("200 OK", [("Content-Length", "2"), ("Connection", "close")]) + b"ok")
            elif path == "/gzip-ok":
                s.sendall(head("200 OK", [("Content-Encoding", "gzip"), ("Content-Length", str(len(GZIP_BODY))),
                                          ("Connection", "close")]) + GZIP_BODY)
            elif path == "/chunked-ok":
                s.sendall(head("200 OK", [("Transfer-Encoding", "chunked"), ("Connection", "close")])
                          + b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
            elif path in ("/short-close", "/short-reset"):
                s.sendall(head("200 OK", [("Content-Length", "1000")]) + BODY)
                time.sleep(pause)
                if path == "/short-reset":
                    self.reset()
            elif path == "/gzip-short":
                s.sendall(head("200 OK", [("Content-Encoding", "gzip"), ("Content-Length", str(len(GZIP_BODY)))])
                          + GZIP_BODY[: len(GZIP_BODY) // 2])
                time.sleep(pause)
            elif path == "/gzip-chunked-short":
                half = GZIP_BODY[: len(GZIP_BODY) // 2]
                s.sendall(head("200 OK", [("Content-Encoding", "gzip"), ("Transfer-Encoding", "chunked"),
                                          ("Connection", "close")]) + b"%x\r\n" % len(half) + half + b"\r\n0\r\n\r\n")
            elif path in ("/chunked-close", "/chunked-reset"):
                s.sendall(head("200 OK", [("Transfer-Encoding", "chunked")]) + b"5\r\nhello\r\n6\r\n world\r\n")
                time.sleep(pause)
                if path == "/chunked-reset":
                    self.reset()
            elif path == "/gzip-corrupt":
                junk = b"\x1f\x8b\x08\x00" + b"this is not deflate data at all" * 4
                s.sendall(head("200 OK", [("Content-Encoding", "gzip"), ("Content-Length", str(len(junk))),
                                          ("Connection", "close")]) + junk)
            elif path == "/big-header":
                s.sendall(b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * (10 * 1024 * 1024) + b"\r\n"
                          + b"Content-Length: 2\r\nConnection: close\r\n\r\nok")
            elif path == "/endless":
                s.sendall(head("200 OK", [("Transfer-Encoding", "chunked")]))
                chunk = b"%x\r\n" % 65536 + b"y" * 65536 + b"\r\n"
                while True:
                    s.sendall(chunk)
            else:
                s.sendall(head("404 Not Found", [("Content-Length", "0"), ("Connection", "close")]))
        except OSError:
            pass  # the client went away (endless bodies end this way)


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


if __name__ == "__main__":
    with Server(("127.0.0.1", int(sys.argv[1])), Handler) as server:
        server.serve_forever()
