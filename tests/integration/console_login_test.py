#!/usr/bin/python3
"""The web console's login, sessions and CSRF against a real console on a real stack
(docs/decisions.md, "Console sessions").

Starts `gridpilot up` (which makes RUN_DIR/credentials) and two `gridpilot-console`
processes on it: one on plain loopback HTTP, one on HTTPS with the stack's console
certificate. Against each: no session gives 401 (API) or a redirect to /login (page); a
wrong token at login gives 401, no cookie, and the token is not echoed; the session
cookie is HttpOnly, SameSite=Strict, Path=/ (and Secure under HTTPS); a viewer's write
is the response agent's PERMISSION_DENIED as 403; an operator's write without the CSRF
token, with a wrong one or from another origin is 403 and changes nothing; with it the
thresholds change, as the stack's own gRPC GetThresholds then shows; logout ends the
session. Also: the console refuses to start without credentials, and the metrics
endpoints of the stack bind loopback.

Environment (set by ctest): GRIDPILOT_SOURCE_DIR (the repo), GRIDPILOT_BIN_DIR (build/bin).
"""

import http.client
import importlib
import json
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import unittest
import urllib.parse

import grpc

import gridpilot_processes
from python_client_test import generate_stubs

SOURCE_DIR = os.environ.get("GRIDPILOT_SOURCE_DIR", "")
BIN_DIR = os.environ.get("GRIDPILOT_BIN_DIR", "")
# Hang detectors, not speed assertions.
START_TIMEOUT_S = 180.0
HTTP_TIMEOUT_S = 30.0
RPC_TIMEOUT_S = 10.0


def read(path, mode="r"):
    with open(path, mode) as f:
        return f.read()


def listening_addresses(port):
    """The local addresses with a listening TCP socket on `port`, from /proc/net/tcp{,6}
    ("127.0.0.1", "0.0.0.0", or an IPv6 address's hex)."""
    found = set()
    for table in ["/proc/net/tcp", "/proc/net/tcp6"]:
        if not os.path.exists(table):
            continue
        for line in read(table).splitlines()[1:]:
            fields = line.split()
            address, port_hex = fields[1].split(":")
            if fields[3] != "0A" or int(port_hex, 16) != port:  # 0A = LISTEN
                continue
            if len(address) == 8:  # IPv4, little-endian hex
                found.add(".".join(str(int(address[i:i + 2], 16)) for i in (6, 4, 2, 0)))
            else:
                found.add(address)
    return found


class Console:
    """One gridpilot-console process and an HTTP(S) client for it."""

    def __init__(self, tmp, run_dir, name, *extra):
        self.port_file = os.path.join(tmp, name + ".port")
        self.log_path = os.path.join(tmp, name + ".log")
        self.log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [os.path.join(BIN_DIR, "gridpilot-console"), "--run_dir", run_dir,
             "--http_port", "0", "--http_port_file", self.port_file,
             "--web_dir", os.path.join(SOURCE_DIR, "web"), *extra],
            stdout=self.log, stderr=subprocess.STDOUT)
        self.https = "--tls_cert" in extra
        self.ssl_context = None
        if self.https:
            self.ssl_context = ssl.create_default_context(
                cafile=os.path.join(run_dir, "credentials", "ca.pem"))

    def wait(self):
        if not gridpilot_processes.wait_for_file(self.port_file, START_TIMEOUT_S, self.process):
            raise RuntimeError("console did not start:\n" + read(self.log_path))
        text = ""
        while not text:
            text = read(self.port_file).strip()
        self.port = int(text)
        self.origin = "%s://127.0.0.1:%d" % ("https" if self.https else "http", self.port)

    def request(self, method, path, body=None, headers=None):
        """(status, headers dict with lower-case names, body bytes); never follows redirects."""
        if self.https:
            conn = http.client.HTTPSConnection("127.0.0.1", self.port, timeout=HTTP_TIMEOUT_S,
                                               context=self.ssl_context)
        else:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=HTTP_TIMEOUT_S)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            r = conn.getresponse()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
        finally:
            conn.close()

    def login(self, token):
        return self.request("POST", "/login", urllib.parse.urlencode({"token": token}),
                            {"Content-Type": "application/x-www-form-urlencoded"})

    def session(self, token):
        """Logs in; returns (cookie header value, csrf token, the Set-Cookie value)."""
        status, headers, _ = self.login(token)
        if status != 303:
            raise AssertionError("login answered %d" % status)
        set_cookie = headers["set-cookie"]
        cookie = set_cookie.split(";")[0]
        status, _, body = self.request("GET", "/api/session", headers={"Cookie": cookie})
        if status != 200:
            raise AssertionError("/api/session answered %d" % status)
        return cookie, json.loads(body)["csrf_token"], set_cookie

    def set_thresholds(self, cookie, csrf, ramp_limit_mw, margin_mw, extra_headers=None):
        headers = {"Cookie": cookie, "Content-Type": "application/json"}
        if csrf is not None:
            headers["X-CSRF-Token"] = csrf
        headers.update(extra_headers or {})
        status, _, body = self.request(
            "POST", "/api/thresholds",
            json.dumps({"ramp_limit_mw": ramp_limit_mw, "margin_mw": margin_mw}), headers)
        return status, json.loads(body)

    def stop(self):
        gridpilot_processes.stop(self.process)
        self.log.close()


class ConsoleLoginTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        if not SOURCE_DIR or not BIN_DIR:
            raise RuntimeError("GRIDPILOT_SOURCE_DIR and GRIDPILOT_BIN_DIR must be set")
        cls.tmp = tempfile.mkdtemp(prefix="gridpilot_console_login_")
        stub_dir = os.path.join(cls.tmp, "stubs")
        os.makedirs(stub_dir)
        generate_stubs(stub_dir)
        sys.path.insert(0, stub_dir)
        cls.response_pb = importlib.import_module("gridpilot.v1.response_pb2")
        cls.run_dir = os.path.join(cls.tmp, "run")
        cls.stack_log = open(os.path.join(cls.tmp, "up.log"), "wb")
        cls.stack = gridpilot_processes.start_live_stack(
            BIN_DIR, cls.run_dir, "2023-03-08", "2023-03-09", cls.stack_log)
        cls.consoles = []
        try:
            if not gridpilot_processes.wait_for_file(os.path.join(cls.run_dir, "trader.port"),
                                                     START_TIMEOUT_S, cls.stack):
                raise RuntimeError("the stack did not come up:\n" + read(cls.stack_log.name))
            creds = os.path.join(cls.run_dir, "credentials")
            cls.tokens = {role: read(os.path.join(creds, role + ".token")).strip()
                          for role in ["viewer", "operator"]}
            cls.plain = Console(cls.tmp, cls.run_dir, "console-http")
            cls.secure = Console(cls.tmp, cls.run_dir, "console-https",
                                 "--tls_cert", os.path.join(creds, "console.pem"),
                                 "--tls_key", os.path.join(creds, "console.key"))
            cls.consoles = [cls.plain, cls.secure]
            for c in cls.consoles:
                c.wait()
        except Exception:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        for c in cls.consoles:
            c.stop()
        gridpilot_processes.stop(cls.stack)
        cls.stack_log.close()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def grpc_thresholds(self):
        """The response agent's thresholds as the stack's gRPC shows them (viewer token)."""
        creds = grpc.composite_channel_credentials(
            grpc.ssl_channel_credentials(
                root_certificates=read(os.path.join(self.run_dir, "credentials", "ca.pem"), "rb")),
            grpc.access_token_call_credentials(self.tokens["viewer"]))
        port = int(read(os.path.join(self.run_dir, "response.port")).strip())
        with grpc.secure_channel("127.0.0.1:%d" % port, creds) as channel:
            stub = channel.unary_unary(
                "/gridpilot.v1.ResponseService/GetThresholds",
                request_serializer=self.response_pb.GetThresholdsRequest.SerializeToString,
                response_deserializer=self.response_pb.GetThresholdsResponse.FromString)
            t = stub(self.response_pb.GetThresholdsRequest(), timeout=RPC_TIMEOUT_S).thresholds
            return t.ramp_limit_mw, t.margin_mw

    def check_console(self, c, ramp_limit_mw):
        # No session: 401 for the API, the login page for the page.
        for path in ["/api/snapshot", "/api/stream", "/api/session", "/api/thresholds"]:
            status, headers, body = c.request("GET", path)
            self.assertEqual(status, 401, path)
            self.assertIn("log in", json.loads(body)["error"])
        status, headers, _ = c.request("GET", "/")
        self.assertEqual((status, headers.get("location")), (303, "/login"))
        status, _, body = c.request("GET", "/login")
        self.assertEqual(status, 200)
        self.assertIn(b'name="token"', body)

        # A wrong token: 401, no cookie, not echoed.
        wrong = "0" * 64
        status, headers, body = c.login(wrong)
        self.assertEqual(status, 401)
        self.assertNotIn("set-cookie", headers)
        self.assertNotIn(wrong.encode(), body)

        # A login posted from another origin (or with the "null" origin a no-referrer page
        # sends) is refused before the token is looked at.
        for origin in ["http://evil.example", "null"]:
            status, headers, _ = c.request(
                "POST", "/login", urllib.parse.urlencode({"token": self.tokens["operator"]}),
                {"Content-Type": "application/x-www-form-urlencoded", "Origin": origin})
            self.assertEqual(status, 403, origin)
            self.assertNotIn("set-cookie", headers)

        # The cookie's attributes.
        _, _, set_cookie = c.session(self.tokens["viewer"])
        attributes = [a.strip() for a in set_cookie.split(";")]
        self.assertTrue(attributes[0].startswith("gridpilot_session="))
        for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"]:
            self.assertIn(attribute, attributes)
        self.assertEqual("Secure" in attributes, c.https)
        self.assertNotIn(self.tokens["viewer"], set_cookie)

        before = self.grpc_thresholds()
        self.assertNotEqual(before[0], ramp_limit_mw)

        # A viewer's write: the response agent's PERMISSION_DENIED, as 403 with its message.
        cookie, csrf, _ = c.session(self.tokens["viewer"])
        status, body = c.set_thresholds(cookie, csrf, ramp_limit_mw, 5.0)
        self.assertEqual(status, 403, body)
        self.assertIn("viewer", body["error"])
        self.assertIn("SetThresholds", body["error"])

        # An operator without the CSRF token, with a wrong one, from another origin: 403.
        cookie, csrf, _ = c.session(self.tokens["operator"])
        status, body = c.set_thresholds(cookie, None, ramp_limit_mw, 5.0)
        self.assertEqual(status, 403)
        self.assertIn("X-CSRF-Token", body["error"])
        status, _ = c.set_thresholds(cookie, "f" * 64, ramp_limit_mw, 5.0)
        self.assertEqual(status, 403)
        status, _ = c.set_thresholds(cookie, csrf, ramp_limit_mw, 5.0,
                                     {"Origin": "http://evil.example"})
        self.assertEqual(status, 403)
        status, _ = c.set_thresholds(cookie, csrf, ramp_limit_mw, 5.0,
                                     {"Sec-Fetch-Site": "same-site"})
        self.assertEqual(status, 403)
        self.assertEqual(self.grpc_thresholds(), before)

        # With it, from the console's own origin: applied, and the stack shows it.
        status, body = c.set_thresholds(cookie, csrf, ramp_limit_mw, 5.0,
                                        {"Origin": c.origin, "Sec-Fetch-Site": "same-origin"})
        self.assertEqual(status, 200, body)
        self.assertEqual(body["by"], "operator")
        self.assertEqual(body["thresholds"]["ramp_limit_mw"], ramp_limit_mw)
        self.assertEqual(self.grpc_thresholds(), (ramp_limit_mw, 5.0))
        print("%s: thresholds %s -> %s" % (c.origin.split(":")[0], before,
                                          self.grpc_thresholds()))

        # Logout ends the session.
        status, headers, _ = c.request("POST", "/api/logout",
                                       headers={"Cookie": cookie, "X-CSRF-Token": csrf})
        self.assertEqual(status, 200)
        self.assertIn("Max-Age=0", headers["set-cookie"])
        status, _, _ = c.request("GET", "/api/snapshot", headers={"Cookie": cookie})
        self.assertEqual(status, 401)

    def test_http(self):
        self.check_console(self.plain, 41.0)
        log = read(self.plain.log_path)
        self.assertIn("operator.token", log)  # the log line says where the token is
        for token in self.tokens.values():
            self.assertNotIn(token, log)
        # `gridpilot up` says how to log in.
        self.assertIn("log in with the token in %s/operator.token"
                      % os.path.join(self.run_dir, "credentials"), read(self.stack_log.name))

    def test_https(self):
        self.check_console(self.secure, 43.0)
        self.assertIn("console at https://", read(self.secure.log_path))
        # Plain HTTP to the HTTPS port gets no page.
        conn = http.client.HTTPConnection("127.0.0.1", self.secure.port, timeout=HTTP_TIMEOUT_S)
        try:
            conn.request("GET", "/login")
            status = conn.getresponse().status
        except (http.client.HTTPException, ConnectionError):
            status = None
        finally:
            conn.close()
        self.assertNotEqual(status, 200)

    def test_refuses_to_start_without_credentials(self):
        empty = os.path.join(self.tmp, "no-credentials")
        os.makedirs(empty, exist_ok=True)
        result = subprocess.run(
            [os.path.join(BIN_DIR, "gridpilot-console"), "--gateway", "127.0.0.1:1",
             "--forecast", "127.0.0.1:1", "--response", "127.0.0.1:1", "--trader", "127.0.0.1:1",
             "--http_port", "0", "--web_dir", os.path.join(SOURCE_DIR, "web")],
            capture_output=True, text=True, timeout=60, cwd=empty)
        self.assertEqual(result.returncode, 2, result.stdout + result.stderr)
        self.assertIn("credentials", result.stdout + result.stderr)

    def test_metrics_bind_loopback(self):
        # Every metrics port file the launcher's processes wrote: each listens on loopback
        # only (an external address is refused), and answers GET /metrics read-only.
        ports = [f for f in os.listdir(self.run_dir) if f.endswith(".metrics.port")]
        self.assertGreaterEqual(len(ports), 5, os.listdir(self.run_dir))
        for name in ports:
            port = int(read(os.path.join(self.run_dir, name)).strip())
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=HTTP_TIMEOUT_S)
            conn.request("POST", "/metrics", body="x")
            status = conn.getresponse().status
            conn.close()
            self.assertNotEqual(status, 200, name)
            self.assertEqual(listening_addresses(port), {"127.0.0.1"}, name)


if __name__ == "__main__":
    unittest.main(verbosity=2)
