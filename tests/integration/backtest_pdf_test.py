#!/usr/bin/python3
"""`gridpilot backtest --pdf FILE`: the HTML report's page printed by headless Chromium.

Runs a week of backtest (2023-03-07..13) with --json and --pdf, then reads the PDF's text
with Debian's pdftotext (poppler-utils) and finds the summary figures of the JSON report in
it as the page's summary table shows them (3 decimals): net £ (ledger_gbp.net), the
trader's P&L and the 30-minute forecast MAE; and the P&L card's net in whole pounds.
Then `--resume RUN_DIR --pdf OTHER` on the finished run writes the same figures again.
Also: --pdf without a value is a usage error, and a missing Chromium stops the command
before any process starts, saying how to install it.

Environment (set by ctest): GRIDPILOT_SOURCE_DIR, GRIDPILOT_BIN_DIR; $GRIDPILOT_MODEL_DIR.
"""

import json
import os
import shutil
import subprocess
import unittest

BIN_DIR = os.environ.get("GRIDPILOT_BIN_DIR", "")


def pdf_text(path):
    return subprocess.run(["pdftotext", "-layout", path, "-"], capture_output=True, text=True,
                          check=True, timeout=60).stdout


def table_cell(v):
    """A number as console.js's summary table writes it."""
    return str(v) if isinstance(v, int) else "%.3f" % v


def summary_figures(report):
    return {"ledger_gbp.net": report["ledger_gbp"]["net"],
            "trader_pnl_gbp": report["trader_pnl_gbp"],
            "forecast_change_30min_mae_mw": report["forecast_change_30min_mae_mw"]}


class BacktestPdfTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.out_dir = os.path.join(os.path.dirname(BIN_DIR), "test-output", "backtest-pdf")
        shutil.rmtree(cls.out_dir, ignore_errors=True)
        os.makedirs(cls.out_dir)
        cls.pdf_path = os.path.join(cls.out_dir, "report.pdf")
        cls.json_path = os.path.join(cls.out_dir, "report.json")
        cls.run_dir = os.path.join(cls.out_dir, "run")
        cls.result = subprocess.run(
            [os.path.join(BIN_DIR, "gridpilot"), "backtest", "--from", "2023-03-07", "--to",
             "2023-03-13", "--json", cls.json_path, "--pdf", cls.pdf_path,
             "--run_dir", cls.run_dir],
            capture_output=True, text=True, timeout=600)

    def check_pdf_holds_figures(self, pdf_path, report):
        with open(pdf_path, "rb") as f:
            self.assertEqual(f.read(5), b"%PDF-")
        text = pdf_text(pdf_path)
        lines = text.splitlines()
        for key, value in summary_figures(report).items():
            row = [line for line in lines if line.split()[:1] == [key]]
            self.assertEqual(len(row), 1, "%s not in the PDF's summary table:\n%s" % (key, text))
            self.assertEqual(row[0].split()[-1], table_cell(value), row[0])
        # The P&L card's net, in whole pounds with thousands separators.
        self.assertIn("{:,}".format(round(report["ledger_gbp"]["net"])), text)
        self.assertIn("2023-03-07", text)

    def test_pdf_text_holds_the_summary_figures(self):
        self.assertEqual(self.result.returncode, 0, self.result.stdout + self.result.stderr)
        self.assertIn("PDF report written to " + self.pdf_path, self.result.stdout)
        with open(self.json_path) as f:
            report = json.load(f)
        self.assertEqual(report["from"], "2023-03-07")
        self.assertEqual(report["to"], "2023-03-13")
        self.check_pdf_holds_figures(self.pdf_path, report)

    def test_resume_of_the_finished_run_writes_the_pdf_again(self):
        self.assertEqual(self.result.returncode, 0, self.result.stdout + self.result.stderr)
        again_pdf = os.path.join(self.out_dir, "again.pdf")
        again_json = os.path.join(self.out_dir, "again.json")
        result = subprocess.run(
            [os.path.join(BIN_DIR, "gridpilot"), "backtest", "--resume", self.run_dir,
             "--json", again_json, "--pdf", again_pdf],
            capture_output=True, text=True, timeout=600)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        with open(again_json) as f:
            report = json.load(f)
        with open(self.json_path) as f:
            first = json.load(f)
        self.assertEqual(summary_figures(report), summary_figures(first))
        self.check_pdf_holds_figures(again_pdf, report)

    def test_pdf_needs_a_value(self):
        result = subprocess.run(
            [os.path.join(BIN_DIR, "gridpilot"), "backtest", "--from", "2023-03-07", "--to",
             "2023-03-07", "--pdf"], capture_output=True, text=True, timeout=60)
        self.assertEqual(result.returncode, 2)
        self.assertIn("--pdf needs a value", result.stderr)

    def test_missing_chromium_stops_before_the_run(self):
        run_dir = os.path.join(self.out_dir, "no-chromium-run")
        env = dict(os.environ, GRIDPILOT_CHROMIUM="/nonexistent/chromium")
        result = subprocess.run(
            [os.path.join(BIN_DIR, "gridpilot"), "backtest", "--from", "2023-03-07", "--to",
             "2023-03-07", "--pdf", os.path.join(self.out_dir, "never.pdf"),
             "--run_dir", run_dir], capture_output=True, text=True, timeout=60, env=env)
        self.assertEqual(result.returncode, 2, result.stdout + result.stderr)
        self.assertIn("--pdf: headless Chromium not found", result.stderr)
        self.assertIn("apt-get install chromium", result.stderr)
        self.assertFalse(os.path.exists(os.path.join(run_dir, "run.json")))


if __name__ == "__main__":
    unittest.main(verbosity=2)
