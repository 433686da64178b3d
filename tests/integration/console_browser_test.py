#!/usr/bin/python3
"""End-to-end test of the web console in a real browser.

Starts the real stack live (`gridpilot up`, 5-minute steps every 0.2 s from 2023-03-08,
with the gateway config injecting an attacker's ramp into the reported net load from
04:00), starts `gridpilot-console --run_dir` on it, logs in with the operator's token, checks the
HTTP API (400 with a message for a bad query parameter, server-sent events that keep
coming with new points), then drives Debian's headless Chromium with playwright-core
(web/browser_check.js): the page sends it to the login form, the token typed in leads to
the charts, which render with data, the injected false data appears as an anomaly in red with its
cause as tooltip, a ramp event appears in the events table, the theme toggle, the CSV and
PNG downloads and the phone-width layout work, and the response thresholds set through
the page's form are applied (the console's GET /api/thresholds, read from the response
agent, then shows them). Screenshots go to the build tree
(<build>/test-output/console/).

Environment (set by ctest): GRIDPILOT_SOURCE_DIR (the repo), GRIDPILOT_BIN_DIR (build/bin);
the forecast model cache is $GRIDPILOT_MODEL_DIR as for every integration test.
"""

import json
import os
import shutil
import subprocess
import time
import unittest
import urllib.error
import urllib.request

from console_login_test import Console, read
from gridpilot_processes import start_live_stack, stop, wait_for_file

SOURCE_DIR = os.environ.get("GRIDPILOT_SOURCE_DIR", "")
BIN_DIR = os.environ.get("GRIDPILOT_BIN_DIR", "")
# Hang detectors, not speed assertions.
START_TIMEOUT_S = 180.0
BROWSER_TIMEOUT_S = 90

CONFIG = {"false_data": [{"from": "2023-03-08T04:00:00Z", "duration_min": 180,
                          "ramp_mw_per_hour": 60}]}


class ConsoleBrowserTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.web_dir = os.path.join(SOURCE_DIR, "web")
        if not os.path.isdir(os.path.join(cls.web_dir, "node_modules", "playwright-core")):
            raise RuntimeError("web/node_modules is missing: run `npm ci` in web/ (deploy/build.sh does)")
        cls.out_dir = os.path.join(os.path.dirname(BIN_DIR), "test-output", "console")
        shutil.rmtree(cls.out_dir, ignore_errors=True)
        os.makedirs(cls.out_dir)
        cls.run_dir = os.path.join(cls.out_dir, "run")
        config = os.path.join(cls.out_dir, "config.json")
        with open(config, "w") as f:
            json.dump(CONFIG, f)
        cls.stack = cls.console = None
        cls.stack_log = open(os.path.join(cls.out_dir, "up.log"), "w")
        cls.stack = start_live_stack(BIN_DIR, cls.run_dir, "2023-03-08", "2023-03-08",
                                     cls.stack_log, "--config", config)
        try:
            if not wait_for_file(os.path.join(cls.run_dir, "trader.port"), START_TIMEOUT_S, cls.stack):
                raise RuntimeError("the stack did not come up; see " + cls.stack_log.name)
            # The console's log and port file are out_dir/console.{log,port}.
            cls.console = Console(cls.out_dir, cls.run_dir, "console", "--poll_seconds", "0.5")
            cls.console.wait()
            cls.port = cls.console.port
            cls.base = cls.console.origin
            cls.token_file = os.path.join(cls.run_dir, "credentials", "operator.token")
            cls.cookie, _, _ = cls.console.session(read(cls.token_file).strip())
        except Exception:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        if cls.console is not None:
            cls.console.stop()
        stop(cls.stack)
        cls.stack_log.close()

    def get(self, path):
        request = urllib.request.Request(self.base + path, headers={"Cookie": self.cookie})
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read()

    def test_1_http_api(self):
        with self.assertRaises(urllib.error.HTTPError) as no_session:
            urllib.request.urlopen(self.base + "/api/snapshot", timeout=30)
        self.assertEqual(no_session.exception.code, 401)
        status, _, body = self.get("/healthz")
        self.assertEqual(status, 200)
        status, ctype, body = self.get("/")
        self.assertIn("text/html", ctype)
        self.assertIn(b'src="/lib/uPlot.iife.min.js"', body)
        status, ctype, body = self.get("/lib/uPlot.iife.min.js")
        with open(os.path.join(self.web_dir, "node_modules/uplot/dist/uPlot.iife.min.js"), "rb") as f:
            self.assertEqual(body, f.read())
        with self.assertRaises(urllib.error.HTTPError) as bad:
            self.get("/api/snapshot?from=yesterday")
        self.assertEqual(bad.exception.code, 400)
        self.assertIn("from: \"yesterday\"", json.loads(bad.exception.read())["error"])
        with self.assertRaises(urllib.error.HTTPError) as bad:
            self.get("/api/stream?after=-5")
        self.assertEqual(bad.exception.code, 400)

    def test_2_server_sent_events_keep_coming(self):
        # Two snapshot events: the first with points has everything, the next only newer
        # points. Until the console holds a point (it may not yet, just started, on a loaded
        # machine) each event has last_index -1 and is a reset: the client has seen nothing.
        request = urllib.request.Request(self.base + "/api/stream", headers={"Cookie": self.cookie})
        with urllib.request.urlopen(request, timeout=30) as r:
            self.assertIn("text/event-stream", r.headers.get("Content-Type", ""))
            events = []
            started = time.monotonic()
            while len(events) < 2:
                line = r.readline().decode()
                if not line.startswith("data: "):
                    continue
                event = json.loads(line[6:])
                if not events and event["last_index"] < 0:
                    self.assertTrue(event["reset"], event)
                    continue
                events.append((time.monotonic() - started, event))
        first, second = events[0][1], events[1][1]
        self.assertTrue(first["reset"])
        self.assertFalse(second["reset"])
        self.assertGreater(second["last_index"], first["last_index"])
        self.assertTrue(all(i > first["last_index"] for i in second["ticks"]["index"]))
        print("sse: first event %.0f ms, second %.0f ms after connecting"
              % (events[0][0] * 1e3, events[1][0] * 1e3))

    def test_3_browser(self):
        screenshot = os.path.join(self.out_dir, "console.png")
        result = subprocess.run(
            ["node", os.path.join(self.web_dir, "browser_check.js"), "--url", self.base + "/",
             "--screenshot", screenshot, "--expect-anomaly", "--expect-event",
             "--token-file", self.token_file, "--set-thresholds", "37.5,4.5",
             "--expect-write", "applied",
             "--timeout-s", str(BROWSER_TIMEOUT_S)],
            capture_output=True, text=True, timeout=BROWSER_TIMEOUT_S * 3)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        figures = json.loads(result.stdout.strip().splitlines()[-1])
        print("browser:", json.dumps(figures))
        self.assertGreater(figures["netload_points"], 0)
        self.assertGreater(figures["anomalies"], 0)
        self.assertGreater(figures["events"], 0)
        self.assertGreater(os.path.getsize(screenshot), 10000)
        self.assertEqual(figures["session"], "logged in: operator")
        self.assertTrue(figures["write_result"].startswith("applied by operator"), figures)
        self.assertRegex(figures["advice"], r"^\d{4}-\d\d-\d\d: (move \S+ MWh of flexible load "
                         r"from .* to |no peak above the limit)", figures)
        _, _, body = self.get("/api/thresholds")
        self.assertEqual(json.loads(body)["thresholds"], {"ramp_limit_mw": 37.5, "margin_mw": 4.5})
        # The anomaly in red is the injected one: the console's data has it in the attack
        # window, judged suspect.
        _, _, body = self.get("/api/snapshot")
        snapshot = json.loads(body)
        attack = [a for a in snapshot["anomalies"]
                  if 1678248000 <= a["t"] < 1678258800 and a["suspect"]]  # 04:00-07:00Z
        self.assertTrue(attack, snapshot["anomalies"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
