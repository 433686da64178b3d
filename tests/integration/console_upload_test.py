#!/usr/bin/python3
"""End-to-end test of the console's upload: a file scored for anomalies by the forecast
service, through the console, in a real browser.

Starts the real stack live (`gridpilot up`, one day) and `gridpilot-console --run_dir` on
it, then:
- over HTTP, as a program would with a session: POST /api/upload without the CSRF token
  is 403; a JSON body is scored (200, the injected spikes flagged); a CSV with a bad value
  is 400 naming its line and column; a body over the limit is 413; another route's body
  over 16 KiB is 413;
- in Debian's headless Chromium (web/upload_check.js): logs in, follows the console's
  link to /upload, uploads a CSV with three injected spikes and sees them drawn as red
  points (data-red-points and the canvas pixels under them), the cause as tooltip, the
  anomalies table and the CSV download; then a bad file's error names its line.
Screenshots go to <build>/test-output/console-upload/.

Environment (set by ctest): GRIDPILOT_SOURCE_DIR, GRIDPILOT_BIN_DIR; $GRIDPILOT_MODEL_DIR.
"""

import calendar
import http.client
import json
import math
import os
import shutil
import subprocess
import time
import unittest

from console_login_test import Console, read
from gridpilot_processes import start_live_stack, stop, wait_for_file

SOURCE_DIR = os.environ.get("GRIDPILOT_SOURCE_DIR", "")
BIN_DIR = os.environ.get("GRIDPILOT_BIN_DIR", "")
# Hang detectors, not speed assertions.
START_TIMEOUT_S = 180.0
BROWSER_TIMEOUT_S = 90

ROWS = 48 * 21  # three weeks of half-hours
SPIKE_ROWS = [400, 610, 905]
START = calendar.timegm((2024, 1, 1, 0, 0, 0))
BAD_LINE = 37  # header = line 1


def value(i):
    clean = 500.0 + 200.0 * math.sin(2 * math.pi * (i % 48) / 48) + 15.0 * math.sin(0.7 * i)
    return clean + (900.0 if i in SPIKE_ROWS else 0.0)


def stamp(i):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(START + 1800 * i))


def good_csv():
    return "timestamp_utc,kwh\n" + "".join("%s,%.3f\n" % (stamp(i), value(i)) for i in range(ROWS))


def bad_csv():
    lines = good_csv().split("\n")
    lines[BAD_LINE - 1] = stamp(BAD_LINE - 2) + ",12..5"
    return "\n".join(lines)


class ConsoleUploadTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.web_dir = os.path.join(SOURCE_DIR, "web")
        if not os.path.isdir(os.path.join(cls.web_dir, "node_modules", "playwright-core")):
            raise RuntimeError("web/node_modules is missing: run `npm ci` in web/")
        cls.out_dir = os.path.join(os.path.dirname(BIN_DIR), "test-output", "console-upload")
        shutil.rmtree(cls.out_dir, ignore_errors=True)
        os.makedirs(cls.out_dir)
        cls.run_dir = os.path.join(cls.out_dir, "run")
        cls.stack = cls.console = None
        cls.stack_log = open(os.path.join(cls.out_dir, "up.log"), "w")
        cls.stack = start_live_stack(BIN_DIR, cls.run_dir, "2023-03-08", "2023-03-08", cls.stack_log)
        try:
            if not wait_for_file(os.path.join(cls.run_dir, "trader.port"), START_TIMEOUT_S, cls.stack):
                raise RuntimeError("the stack did not come up; see " + cls.stack_log.name)
            # The console's log and port file are out_dir/console.{log,port}.
            cls.console = Console(cls.out_dir, cls.run_dir, "console")
            cls.console.wait()
            cls.port = cls.console.port
            cls.base = cls.console.origin
            cls.token_file = os.path.join(cls.run_dir, "credentials", "viewer.token")
            cls.cookie, cls.csrf, _ = cls.console.session(read(cls.token_file).strip())
        except Exception:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        if cls.console is not None:
            cls.console.stop()
        stop(cls.stack)
        cls.stack_log.close()

    @classmethod
    def request(cls, method, path, body, headers):
        conn = http.client.HTTPConnection("127.0.0.1", cls.port, timeout=60)
        try:
            conn.request(method, path, body, headers)
            r = conn.getresponse()
            return r.status, dict(r.getheaders()), r.read()
        finally:
            conn.close()

    def upload(self, path, body, content_type, csrf=True):
        headers = {"Cookie": self.cookie, "Content-Type": content_type, "Origin": self.base}
        if csrf:
            headers["X-CSRF-Token"] = self.csrf
        status, _, data = self.request("POST", path, body, headers)
        return status, json.loads(data) if data else {}

    def test_1_http_api(self):
        status, body = self.upload("/api/upload?name=m.csv", good_csv(), "text/csv", csrf=False)
        self.assertEqual(status, 403, body)
        readings = [{"timestamp_utc": stamp(i), "value": value(i)} for i in range(ROWS)]
        status, body = self.upload("/api/upload?name=prog.json", json.dumps({"readings": readings}),
                                   "application/json")
        self.assertEqual(status, 200, body)
        self.assertEqual(body["rows"], ROWS)
        self.assertEqual(body["step_s"], 1800)
        for row in SPIKE_ROWS:
            self.assertNotEqual(body["kind"][row], "", "row %d not flagged" % row)
            self.assertGreaterEqual(body["score"][row], body["threshold"])
            self.assertEqual(body["t"][row], START + 1800 * row)
        status, body = self.upload("/api/upload?name=m.csv", bad_csv(), "text/csv")
        self.assertEqual(status, 400, body)
        self.assertIn("m.csv:%d: column kwh" % BAD_LINE, body["error"])
        status, body = self.upload("/api/upload?name=m.txt", good_csv(), "text/plain")
        self.assertEqual(status, 400, body)
        self.assertIn("format", body["error"])
        status, _ = self.upload("/api/upload?name=big.csv", "x" * 4000001, "text/csv")
        self.assertEqual(status, 413)
        status, body = self.upload("/api/thresholds", "{" + " " * 20000 + "}", "application/json")
        self.assertEqual(status, 413, body)

    def test_2_browser_upload(self):
        good = os.path.join(self.out_dir, "meter.csv")
        bad = os.path.join(self.out_dir, "broken.csv")
        with open(good, "w") as f:
            f.write(good_csv())
        with open(bad, "w") as f:
            f.write(bad_csv())
        expect_red = ",".join(str(START + 1800 * row) for row in SPIKE_ROWS)
        result = subprocess.run(
            ["node", os.path.join(self.web_dir, "upload_check.js"), "--url", self.base,
             "--token-file", self.token_file, "--good", good, "--expect-red", expect_red,
             "--bad", bad, "--bad-expect", "broken.csv:%d: column kwh" % BAD_LINE,
             "--screenshot", os.path.join(self.out_dir, "upload.png"),
             "--timeout-s", str(BROWSER_TIMEOUT_S)],
            capture_output=True, text=True, timeout=BROWSER_TIMEOUT_S * 3)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        print("upload browser check:", result.stdout.strip())


if __name__ == "__main__":
    unittest.main()
