#!/usr/bin/python3
"""`gridpilot backtest --html FILE`: a self-contained report with the console's charts.

Runs two days of backtest (2023-03-07..08) with false data injected from 2023-03-08 04:00,
then checks the HTML file: nothing is fetched (no src= or href=, no URL to load), the chart
library from web/node_modules is inlined, the inlined data agrees with the JSON report
(ticks, P&L net) and holds the suspect anomalies and ramp events; then opens it in headless
Chromium (web/browser_check.js) to check that the charts draw and the anomaly shows in red.
Also: --html without a value prints usage and exits 2.

Environment (set by ctest): GRIDPILOT_SOURCE_DIR, GRIDPILOT_BIN_DIR; $GRIDPILOT_MODEL_DIR.
"""

import json
import os
import re
import shutil
import subprocess
import unittest

SOURCE_DIR = os.environ.get("GRIDPILOT_SOURCE_DIR", "")
BIN_DIR = os.environ.get("GRIDPILOT_BIN_DIR", "")
CONFIG = {"false_data": [{"from": "2023-03-08T04:00:00Z", "duration_min": 180,
                          "ramp_mw_per_hour": 60}]}


def inlined_report(html):
    """The JSON the report inlines as window.GRIDPILOT_REPORT."""
    start = html.index("window.GRIDPILOT_REPORT = ") + len("window.GRIDPILOT_REPORT = ")
    end = html.index(";</script>", start)
    return json.loads(html[start:end])


class BacktestHtmlTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.out_dir = os.path.join(os.path.dirname(BIN_DIR), "test-output", "backtest-html")
        shutil.rmtree(cls.out_dir, ignore_errors=True)
        os.makedirs(cls.out_dir)
        config = os.path.join(cls.out_dir, "config.json")
        with open(config, "w") as f:
            json.dump(CONFIG, f)
        cls.html_path = os.path.join(cls.out_dir, "report.html")
        cls.json_path = os.path.join(cls.out_dir, "report.json")
        cls.result = subprocess.run(
            [os.path.join(BIN_DIR, "gridpilot"), "backtest", "--from", "2023-03-07", "--to",
             "2023-03-08", "--config", config, "--json", cls.json_path, "--html", cls.html_path,
             "--run_dir", os.path.join(cls.out_dir, "run")],
            capture_output=True, text=True, timeout=600)

    def test_report_is_self_contained_and_holds_the_run(self):
        self.assertEqual(self.result.returncode, 0, self.result.stdout + self.result.stderr)
        self.assertIn("HTML report written to", self.result.stdout)
        with open(self.html_path, encoding="utf-8") as f:
            html = f.read()
        # Nothing to fetch: no src= or href= attributes, no stylesheet or script links.
        self.assertIsNone(re.search(r"\b(src|href)\s*=", html, re.I))
        self.assertNotIn("<link", html.lower())
        with open(os.path.join(SOURCE_DIR, "web/node_modules/uplot/dist/uPlot.iife.min.js")) as f:
            self.assertIn(f.read().strip()[:2000], html)
        data = inlined_report(html)
        with open(self.json_path) as f:
            report = json.load(f)
        self.assertEqual(len(data["ticks"]["t"]), report["ticks"])
        self.assertEqual(data["summary"]["ticks"], report["ticks"])
        self.assertAlmostEqual(data["pnl"]["net_gbp"], report["ledger_gbp"]["net"], places=6)
        self.assertGreater(len(data["forecast"]["t"]), 0)
        # The band appears once enough forecasts have been scored.
        self.assertTrue(any(v is not None for v in data["forecast"]["upper_mw"]))
        attack = [a for a in data["anomalies"]
                  if 1678248000 <= a["t"] < 1678258800 and a["suspect"]]  # 04:00-07:00Z
        self.assertTrue(attack, data["anomalies"])
        self.assertGreater(len(data["events"]), 0)
        self.assertEqual(len(data["events"]), report["ramp_events"])
        self.assertIsNotNone(data["schedule"])
        self.assertGreater(len(data["decisions"]), 0)

    def test_report_draws_in_a_browser(self):
        self.assertEqual(self.result.returncode, 0, self.result.stdout + self.result.stderr)
        screenshot = os.path.join(self.out_dir, "report.png")
        result = subprocess.run(
            ["node", os.path.join(SOURCE_DIR, "web/browser_check.js"), "--url",
             "file://" + self.html_path, "--screenshot", screenshot, "--expect-anomaly",
             "--expect-event", "--timeout-s", "60"],
            capture_output=True, text=True, timeout=300)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        print("browser:", result.stdout.strip())
        self.assertGreater(os.path.getsize(screenshot), 10000)

    def test_html_needs_a_value(self):
        result = subprocess.run(
            [os.path.join(BIN_DIR, "gridpilot"), "backtest", "--from", "2023-03-07", "--to",
             "2023-03-07", "--html"], capture_output=True, text=True, timeout=60)
        self.assertEqual(result.returncode, 2)
        self.assertIn("--html needs a value", result.stderr)
        self.assertIn("usage:", result.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
