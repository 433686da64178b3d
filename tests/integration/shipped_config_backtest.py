"""A lock-step backtest of one shipped config, run once for a whole test class.

Shared by the tests next to this file (each runs as a script, so this directory is on
sys.path) that check a shipped deploy/*.json over a stretch of 2023: a subclass sets
OUTPUT_NAME (its folder under build/test-output), CONFIG (the file under deploy/), DATE_FROM
and DATE_TO; setUpClass runs `gridpilot backtest` with --run_dir and --json there and keeps
the finished process (`result`), the parsed JSON report (`report`) and the run directory
(`run_dir`); `query` reads the run's SQLite store.

Environment (set by ctest): GRIDPILOT_SOURCE_DIR, GRIDPILOT_BIN_DIR; $GRIDPILOT_MODEL_DIR.
"""

import json
import os
import shutil
import sqlite3
import subprocess
import unittest

SOURCE_DIR = os.environ.get("GRIDPILOT_SOURCE_DIR", "")
BIN_DIR = os.environ.get("GRIDPILOT_BIN_DIR", "")

# A hang detector, not a speed assertion.
BACKTEST_TIMEOUT_S = 600


class ShippedConfigBacktestTest(unittest.TestCase):
    OUTPUT_NAME = ""
    CONFIG = ""
    DATE_FROM = ""
    DATE_TO = ""

    @classmethod
    def setUpClass(cls):
        if not SOURCE_DIR or not BIN_DIR:
            raise unittest.SkipTest("GRIDPILOT_SOURCE_DIR/GRIDPILOT_BIN_DIR not set (run under ctest)")
        if not (cls.OUTPUT_NAME and cls.CONFIG and cls.DATE_FROM and cls.DATE_TO):
            raise AssertionError(f"{cls.__name__}: set OUTPUT_NAME, CONFIG, DATE_FROM and DATE_TO")
        cls.out_dir = os.path.join(os.path.dirname(BIN_DIR), "test-output", cls.OUTPUT_NAME)
        shutil.rmtree(cls.out_dir, ignore_errors=True)
        os.makedirs(cls.out_dir)
        cls.json_path = os.path.join(cls.out_dir, "report.json")
        cls.run_dir = os.path.join(cls.out_dir, "run")
        cls.result = subprocess.run(
            [os.path.join(BIN_DIR, "gridpilot"), "backtest", "--from", cls.DATE_FROM, "--to",
             cls.DATE_TO, "--config", os.path.join(SOURCE_DIR, "deploy", cls.CONFIG),
             "--run_dir", cls.run_dir, "--json", cls.json_path],
            capture_output=True, text=True, timeout=BACKTEST_TIMEOUT_S)
        if cls.result.returncode != 0:
            raise AssertionError("backtest failed:\n" + cls.result.stdout + cls.result.stderr)
        with open(cls.json_path) as f:
            cls.report = json.load(f)

    def query(self, sql, *args):
        with sqlite3.connect(os.path.join(self.run_dir, "store.sqlite")) as db:
            return db.execute(sql, args).fetchall()
