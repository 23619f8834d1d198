#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Runs Debian's httpbin (python3-httpbin) on 127.0.0.1:PORT with werkzeug's threaded server (tests only).

Usage: httpbin_server.py PORT
"""
import logging
import sys

try:
    from httpbin import app
    from werkzeug.serving import run_simple
except ImportError as e:
    sys.exit("httpbin_server.py: %s: install the Debian package python3-httpbin" % e)

logging.getLogger("werkzeug").setLevel(logging.ERROR)
run_simple("127.0.0.1", int(sys.argv[1]), app, threaded=True)
