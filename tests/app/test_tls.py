#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""TLS as operators meet it (issue 16), against real nginx on loopback.

The test makes its own private CA and certificates with the openssl CLI (a valid leaf, one expiring in 2
days, an expired one, one not yet valid, one for the wrong host name, a client certificate), starts one
nginx with a server per case (one of them requiring a client certificate, one speaking TLS 1.2 only), and
runs the real binary: `signaldeck --check --json` with and without tls.caFile, and
`signaldeck credentials add --scheme clientCert`. It runs on whichever transport the binary uses by default
(SIGNALDECK_TRANSPORT selects another). The client's private key must be found only in the keychain: the
test greps the private HOME, the config, every output, the history and the CSV export for it.

Usage: test_tls.py SIGNALDECK_BINARY [SCHEMA]  (with SCHEMA, every --check --json output is validated)
"""
import datetime
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

BINARY = sys.argv[1]
FAILURES = []


def check(condition, what):
    if condition:
        print("ok   " + what)
    else:
        print("FAIL " + what)
        FAILURES.append(what)


def run(args, **kwargs):
    return subprocess.run(args, check=True, capture_output=True, timeout=60, **kwargs)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stamp(delta):
    return (datetime.datetime.now(datetime.timezone.utc) + delta).strftime("%Y%m%d%H%M%SZ")


class Pki:
    """A private CA that signs leaves with exact validity windows (`openssl ca -startdate/-enddate`)."""

    def __init__(self, directory):
        self.d = directory
        os.makedirs(os.path.join(directory, "newcerts"))
        open(os.path.join(directory, "index.txt"), "w").close()
        with open(os.path.join(directory, "serial"), "w") as f:
            f.write("1000\n")
        self.cnf = os.path.join(directory, "ca.cnf")
        with open(self.cnf, "w") as f:
            f.write(f"""[ ca ]
default_ca = testca
[ testca ]
database = {directory}/index.txt
new_certs_dir = {directory}/newcerts
serial = {directory}/serial
default_md = sha256
policy = policy_any
unique_subject = no
[ policy_any ]
commonName = supplied
[ leaf ]
basicConstraints = CA:FALSE
subjectAltName = $ENV::SAN
extendedKeyUsage = serverAuth, clientAuth
""")
        self.key = self.path("ca.key")
        self.cert = self.path("ca.pem")
        run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-keyout", self.key, "-out", self.cert, "-days", "30", "-subj", "/CN=SignalDeck Test CA"])

    def path(self, name):
        return os.path.join(self.d, name)

    def leaf(self, name, cn, san, start, end):
        key, csr, cert = self.path(name + ".key"), self.path(name + ".csr"), self.path(name + ".pem")
        run(["openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
             "-keyout", key, "-out", csr, "-subj", "/CN=" + cn])
        run(["openssl", "ca", "-batch", "-config", self.cnf, "-cert", self.cert, "-keyfile", self.key,
             "-in", csr, "-out", cert, "-notext", "-extensions", "leaf", "-startdate", stamp(start),
             "-enddate", stamp(end)], env=dict(os.environ, SAN=san))
        return cert, key


def start_nginx(directory, servers):
    """servers: name -> (port, inside of the server block). Returns the process once every port answers."""
    blocks = "".join(f"  server {{\n    listen 127.0.0.1:{port} ssl;\n{inside}\n"
                     f"    location / {{ return 200 'ok {name}\\n'; }}\n  }}\n"
                     for name, (port, inside) in servers.items())
    os.makedirs(directory, exist_ok=True)
    conf = os.path.join(directory, "nginx.conf")
    with open(conf, "w") as f:
        f.write(f"""daemon off;
master_process off;
worker_processes 1;
pid {directory}/nginx.pid;
error_log {directory}/error.log;
events {{ worker_connections 64; }}
http {{
  access_log off;
  client_body_temp_path {directory}/body;
  proxy_temp_path {directory}/proxy;
  fastcgi_temp_path {directory}/fastcgi;
  uwsgi_temp_path {directory}/uwsgi;
  scgi_temp_path {directory}/scgi;
{blocks}}}
""")
    proc = subprocess.Popen(["/usr/sbin/nginx", "-p", directory, "-c", conf, "-e", directory + "/error.log"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 15
    for port, _ in servers.values():
        while True:
            if proc.poll() is not None:
                raise SystemExit("nginx exited: " + proc.stderr.read().decode(errors="replace"))
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit(f"nginx does not answer on {port}")
                time.sleep(0.05)
    return proc


def check_json(config_path, env):
    p = subprocess.run([BINARY, "--check", "--json", "--config", config_path], capture_output=True, timeout=60,
                       env=env)
    doc = json.loads(p.stdout)
    if len(sys.argv) > 2:
        import jsonschema
        with open(sys.argv[2], encoding="utf-8") as f:
            schema = json.load(f)
        errors = [e.message for e in jsonschema.validators.validator_for(schema)(schema).iter_errors(doc)]
        check(not errors, f"--check --json with TLS facts matches the schema ({errors[:3]})")
    return {r["endpoint"]: r for r in doc["results"]}, p


def main():
    work = tempfile.mkdtemp(prefix="signaldeck-tls-")
    nginx = None
    try:
        home = os.path.join(work, "home")
        os.makedirs(home)
        env = dict(os.environ, HOME=home, XDG_DATA_HOME=os.path.join(home, "data"),
                   XDG_CONFIG_HOME=os.path.join(home, "config"), QT_QPA_PLATFORM="offscreen")
        pki = Pki(os.path.join(work, "pki"))
        day = datetime.timedelta(days=1)
        hour = datetime.timedelta(hours=1)
        local = "DNS:localhost,IP:127.0.0.1"
        certs = {
            "good": pki.leaf("good", "localhost", local, -hour, 60 * day),
            "expiring": pki.leaf("expiring", "localhost", local, -hour, 2 * day + hour),
            "expired": pki.leaf("expired", "localhost", local, -10 * day, -day),
            "notyet": pki.leaf("notyet", "localhost", local, day, 30 * day),
            "wronghost": pki.leaf("wronghost", "wrong.example", "DNS:wrong.example", -hour, 60 * day),
        }
        client_cert, client_key = pki.leaf("client", "signaldeck-client", "DNS:signaldeck-client", -hour,
                                           10 * day + hour)
        ports = {name: free_port() for name in list(certs) + ["mtls", "tls12"]}
        servers = {}
        for name, (cert, key) in certs.items():
            servers[name] = (ports[name], f"    ssl_certificate {cert};\n    ssl_certificate_key {key};")
        cert, key = certs["good"]
        servers["mtls"] = (ports["mtls"], f"    ssl_certificate {cert};\n    ssl_certificate_key {key};\n"
                           f"    ssl_client_certificate {pki.cert};\n    ssl_verify_client on;")
        servers["tls12"] = (ports["tls12"], f"    ssl_certificate {cert};\n    ssl_certificate_key {key};\n"
                            "    ssl_protocols TLSv1.2;")
        nginx = start_nginx(os.path.join(work, "nginx"), servers)

        def endpoint(name, server, **tls):
            e = {"name": name, "url": f"https://localhost:{ports[server]}/", "timeout": "5s"}
            if tls:
                e["tls"] = tls
            return e

        ca = {"caFile": pki.cert}
        config = {"version": 1, "endpoints": [
            endpoint("good-system-store", "good"),
            endpoint("good", "good", **ca),
            endpoint("expiring-system-store", "expiring"),
            endpoint("expiring", "expiring", **ca),
            endpoint("expiring-warn", "expiring", caFile=pki.cert, certCriticalDays=1),
            endpoint("expired", "expired", **ca),
            endpoint("expired-system-store", "expired"),
            endpoint("expired-skip-verify", "expired", insecureSkipVerify=True),
            endpoint("not-yet-valid", "notyet", **ca),
            endpoint("wrong-host", "wronghost", **ca),
            endpoint("wrong-host-servername", "wronghost", caFile=pki.cert, serverName="wrong.example"),
            endpoint("mtls-no-cert", "mtls", **ca),
            endpoint("tls12-min13", "tls12", caFile=pki.cert, minVersion="1.3"),
            endpoint("tls12-min12", "tls12", caFile=pki.cert, minVersion="1.2"),
        ]}
        config_path = os.path.join(work, "config.json")
        with open(config_path, "w") as f:
            json.dump(config, f)
        results, proc = check_json(config_path, env)
        outputs = [proc.stdout, proc.stderr]

        def expect(name, outcome, signal, reason_part, state=None):
            r = results[name]
            ok = r["outcome"] == outcome and r["signal"] == signal and reason_part in r["reason"]
            if state:
                ok = ok and r["state"] == state
            check(ok, f"{name}: {outcome} {signal} '{reason_part}' {state or ''} (got {r['outcome']} "
                      f"{r['signal']} {r['state']} '{r['reason']}')")

        expect("good-system-store", "connection", "S1", "issuer not trusted")
        expect("good", "ok", None, "", "ok")
        g = results["good"]
        check(g["certExpiresAt"] is not None and g["certExpiresAt"].startswith(
            (datetime.datetime.now(datetime.timezone.utc) + 60 * day).strftime("%Y-%m-%d")),
            f"good: certExpiresAt in 60 days ({g['certExpiresAt']})")
        check(g.get("tls", {}).get("protocol", "").startswith("TLSv1."), f"good: protocol {g.get('tls')}")
        check(any("SignalDeck Test CA" in line for line in g.get("tls", {}).get("chain", [])),
              f"good: chain names the issuer {g.get('tls')}")
        expect("expiring-system-store", "connection", "S1", "issuer not trusted")
        expect("expiring", "ok", None, "", "critical")
        check(results["expiring"]["signals"]["S2"] == "critical", "expiring: S2 critical within certCriticalDays")
        expect("expiring-warn", "ok", None, "", "warning")
        check(results["expiring-warn"]["signals"]["S2"] == "warning", "expiring-warn: S2 warning within certWarnDays")
        expect("expired", "connection", "S1", "certificate expired")
        expect("expired-system-store", "connection", "S1", "issuer not trusted")
        expect("expired-skip-verify", "ok", None, "")
        check(results["expired-skip-verify"]["signals"]["S2"] == "critical",
              "expired-skip-verify: the probe passes, S2 says the certificate expired")
        expect("not-yet-valid", "connection", "S1", "not yet valid")
        expect("wrong-host", "connection", "S1", "does not match the host name localhost")
        expect("wrong-host-servername", "ok", None, "", "ok")
        expect("mtls-no-cert", "auth", "S2", "requires a client certificate")
        expect("tls12-min13", "connection", "S1", "protocol")
        expect("tls12-min12", "ok", None, "", "ok")
        for name in ("good-system-store", "expired", "wrong-host", "tls12-min13"):
            check(results[name]["attempts"] == 1, f"{name}: a verification failure is not retried "
                                                  f"({results[name]['attempts']} attempts)")

        # A server that refuses the handshake itself without a client certificate (openssl s_server -Verify):
        # the TLS 1.3 alert "certificate required" and the TLS 1.2 "handshake failure" are S2 as well.
        cert, key = certs["good"]
        for proto in ("-tls1_3", "-tls1_2"):
            port = free_port()
            server = subprocess.Popen(["openssl", "s_server", "-accept", str(port), "-cert", cert, "-key", key,
                                       "-CAfile", pki.cert, "-Verify", "1", "-www", proto],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                deadline = time.monotonic() + 10
                while True:
                    try:
                        socket.create_connection(("127.0.0.1", port), timeout=1).close()
                        break
                    except OSError:
                        if time.monotonic() > deadline or server.poll() is not None:
                            raise SystemExit("openssl s_server did not start")
                        time.sleep(0.05)
                alert_path = os.path.join(work, "alert.json")
                with open(alert_path, "w") as f:
                    json.dump({"version": 1, "endpoints": [
                        {"name": "alert", "url": f"https://localhost:{port}/", "timeout": "5s", "tls": ca}]}, f)
                alert, _ = check_json(alert_path, env)
                r = alert["alert"]
                check(r["outcome"] == "auth" and r["signal"] == "S2"
                      and "requires a client certificate" in r["reason"] and r["attempts"] == 1,
                      f"s_server {proto} without a client certificate: S2, not retried ({r['reason']})")
            finally:
                server.kill()
                server.wait()

        # A CA file that cannot be read is a config error naming the file and the key.
        bad = dict(config, endpoints=[endpoint("x", "good", caFile=os.path.join(work, "missing.pem"))])
        bad_path = os.path.join(work, "bad.json")
        with open(bad_path, "w") as f:
            json.dump(bad, f)
        p = subprocess.run([BINARY, "--check", "--config", bad_path], capture_output=True, timeout=60, env=env)
        text = (p.stdout + p.stderr).decode()
        check(p.returncode != 0 and "endpoints[0].tls.caFile" in text and "missing.pem" in text,
              f"unreadable caFile: config error with key path and file ({text.strip()[:200]})")

        # Mutual TLS: the key goes to the keychain on standard input; the certificate stays a file.
        mconfig = {"version": 1, "tls": {"caFile": pki.cert},
                   "endpoints": [endpoint("mtls", "mtls")]}
        mconfig["endpoints"][0]["credential"] = "mtls-client"
        mconfig_path = os.path.join(work, "mtls.json")
        # The credential is added first (the config must not name it before it exists).
        with open(mconfig_path, "w") as f:
            json.dump({"version": 1, "tls": {"caFile": pki.cert}, "endpoints": []}, f)
        with open(client_key, "rb") as f:
            key_pem = f.read()
        audit = os.path.join(work, "audit.log")
        add = subprocess.run([BINARY, "credentials", "--config", mconfig_path, "--audit-file", audit, "add",
                              "mtls-client", "--scheme", "clientCert", "--cert", client_cert], input=key_pem,
                             capture_output=True, timeout=60, env=env)
        outputs += [add.stdout, add.stderr]
        check(add.returncode == 0, f"credentials add --scheme clientCert ({add.stderr.decode().strip()})")
        with open(mconfig_path) as f:
            written = json.load(f)
        written["endpoints"] = mconfig["endpoints"]
        with open(mconfig_path, "w") as f:
            json.dump(written, f)
        results, proc = check_json(mconfig_path, env)
        outputs += [proc.stdout, proc.stderr]
        expect("mtls", "ok", None, "", "warning")
        check("client certificate" in results["mtls"]["reason"] or results["mtls"]["signals"]["S2"] == "warning",
              f"mtls: the client certificate expiring in 10 days raises S2 warning ({results['mtls']})")
        # The same endpoint under --headless records history; export writes the CSV. The watch runs until it has
        # printed the S2 transition, then stops on SIGTERM (a clean exit stores every probe).
        data = os.path.join(work, "data")
        h = subprocess.Popen([BINARY, "--headless", "--config", mconfig_path, "--data-dir", data],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        stopper = threading.Timer(60, h.terminate)  # bounds the wait if the line never comes
        stopper.start()
        seen = b""
        for line in h.stdout:
            seen += line
            if b"renew the certificate" in line:
                break
        h.terminate()
        rest, err = h.communicate(timeout=60)
        stopper.cancel()
        outputs += [seen + rest, err]
        headless = (seen + rest + err).decode(errors="replace")
        check("client certificate CN=signaldeck-client (credential mtls-client) expires in 10 days" in headless
              and "renew the certificate" in headless,
              f"mtls: S2 names the client certificate and the action ({headless.strip()[:600]})")
        csv = os.path.join(work, "export.csv")
        summary = os.path.join(work, "summary.csv")
        e = subprocess.run([BINARY, "export", "--from=-1h", "--data-dir", data, "-o", csv], capture_output=True,
                           timeout=60, env=env)
        outputs += [e.stdout, e.stderr]
        check(e.returncode == 0 and os.path.exists(csv), f"the CSV export was written ({e.stderr.decode().strip()})")
        e = subprocess.run([BINARY, "export", "--from=-1h", "--summary", "--data-dir", data, "-o", summary],
                           capture_output=True, timeout=60, env=env)
        outputs += [e.stdout, e.stderr]
        check(e.returncode == 0 and os.path.exists(summary),
              f"the CSV summary was written ({e.stderr.decode().strip()})")
        # Rotation as for tokens: the new certificate replaces the file, the new key comes on standard input,
        # both are verified against the server before the keychain changes; a key that does not fit is refused.
        new_cert, new_key = pki.leaf("client2", "signaldeck-client-2", "DNS:signaldeck-client", -hour, 60 * day)
        shutil.copyfile(new_cert, client_cert)
        with open(certs["good"][1], "rb") as f:
            wrong_key = f.read()
        wrong = subprocess.run([BINARY, "credentials", "--config", mconfig_path, "--audit-file", audit, "rotate",
                                "mtls-client"], input=wrong_key, capture_output=True, timeout=60, env=env)
        outputs += [wrong.stdout, wrong.stderr]
        check(wrong.returncode == 1, f"rotate with a key that does not fit the certificate is refused "
                                     f"({wrong.returncode}: {(wrong.stdout + wrong.stderr).decode().strip()[:300]})")
        with open(new_key, "rb") as f:
            new_key_pem = f.read()
        rotated = subprocess.run([BINARY, "credentials", "--config", mconfig_path, "--audit-file", audit, "rotate",
                                  "mtls-client"], input=new_key_pem, capture_output=True, timeout=60, env=env)
        outputs += [rotated.stdout, rotated.stderr]
        check(rotated.returncode == 0, f"rotate with the new certificate's key is verified and committed "
                                       f"({(rotated.stdout + rotated.stderr).decode().strip()[:300]})")
        results, proc = check_json(mconfig_path, env)
        outputs += [proc.stdout, proc.stderr]
        expect("mtls", "ok", None, "", "ok")

        key_lines = [line for pem in (key_pem, new_key_pem)
                     for line in pem.splitlines() if line and not line.startswith(b"-----")]
        check(len(key_lines) >= 2, "the client key has body lines to look for")
        leaks = []
        for root in (home, work):
            for dirpath, _, files in os.walk(root):
                for name in files:
                    path = os.path.join(dirpath, name)
                    if path.startswith(pki.d):
                        continue
                    with open(path, "rb") as f:
                        content = f.read()
                    if any(line in content for line in key_lines):
                        leaks.append(path)
        for i, out in enumerate(outputs):
            if any(line in out for line in key_lines):
                leaks.append(f"output #{i}")
        check(not leaks, f"the client key is found only in the keychain (leaks: {leaks})")
    finally:
        if nginx:
            nginx.kill()
            nginx.wait()
        shutil.rmtree(work, ignore_errors=True)
    if FAILURES:
        print(f"{len(FAILURES)} failed")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
