#!/usr/bin/python3
"""The shipped winter-stress region (deploy/winter-stress.json), where the peaker pays
(issue 22, part 5): the whole stack, as real processes, backtests two January days on the
shipped GB data, and the peaker is called on the forecast with enough lead time, starts, runs
at least its minimum up time and stops.

Checked on the backtest JSON (dispatches.peaker-1: starts and runs) and on the stored
decisions and proposals (store.sqlite):
- at least one run, and every run that came online: started by a response-agent proposal whose
  lease began at least the start-up time (20 min) before the first interval the unit produced
  in, issued from a forecast ("forecast: predicted ... peaker start requested");
- the forecast was right to call it: the net load rose by more than the ramp limit into that
  first producing interval;
- online at least the start-up time after the command, on for at least the minimum up time
  (1 h), producing at least min stable load (20 MW) while on, and stopped before the end;
- the ledger charges one start cost per start and the fuel of the energy it generated.

Environment (set by ctest): GRIDPILOT_SOURCE_DIR, GRIDPILOT_BIN_DIR; $GRIDPILOT_MODEL_DIR.
"""

import datetime
import json
import os
import shutil
import sqlite3
import subprocess
import unittest

SOURCE_DIR = os.environ.get("GRIDPILOT_SOURCE_DIR", "")
BIN_DIR = os.environ.get("GRIDPILOT_BIN_DIR", "")
DATE_FROM, DATE_TO = "2023-01-10", "2023-01-11"
INTERVAL = datetime.timedelta(minutes=30)


def utc(stamp):
    return datetime.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ")


def stamp(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


class PeakerRegionTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.out_dir = os.path.join(os.path.dirname(BIN_DIR), "test-output", "peaker-region")
        shutil.rmtree(cls.out_dir, ignore_errors=True)
        os.makedirs(cls.out_dir)
        cls.config_path = os.path.join(SOURCE_DIR, "deploy", "winter-stress.json")
        with open(cls.config_path) as f:
            cls.config = json.load(f)
        cls.json_path = os.path.join(cls.out_dir, "report.json")
        cls.run_dir = os.path.join(cls.out_dir, "run")
        cls.result = subprocess.run(
            [os.path.join(BIN_DIR, "gridpilot"), "backtest", "--from", DATE_FROM, "--to",
             DATE_TO, "--config", cls.config_path, "--run_dir", cls.run_dir,
             "--json", cls.json_path],
            capture_output=True, text=True, timeout=300)
        cls.store = os.path.join(cls.run_dir, "store.sqlite")

    def setUp(self):
        self.assertEqual(self.result.returncode, 0, self.result.stdout + self.result.stderr)
        with open(self.json_path) as f:
            self.report = json.load(f)
        self.peaker = self.report["dispatches"]["peaker-1"]

    def query(self, sql, *args):
        with sqlite3.connect(self.store) as db:
            return db.execute(sql, args).fetchall()

    def test_region_is_the_shipped_winter_stress_config(self):
        self.assertEqual(self.report["region"]["name"], "winter-stress")
        self.assertEqual(self.report["region"]["instability_penalty_gbp_per_mw"], 1000)
        self.assertEqual(self.report["ticks"], 2 * 48)

    def test_peaker_called_with_lead_time_runs_min_up_time_and_stops(self):
        # The shipped config keeps the default 60 MW OCGT: 20 min start-up, 1 h min up time,
        # 20 MW min stable load.
        self.assertNotIn("peakers", self.config)
        start_up, min_up, min_stable_mw = (datetime.timedelta(minutes=20),
                                           datetime.timedelta(hours=1), 20.0)
        runs = self.peaker["runs"]
        self.assertGreaterEqual(self.peaker["starts"], 1)
        self.assertEqual(len(runs), self.peaker["starts"])
        online_runs = [r for r in runs if r["online"] is not None]
        self.assertGreaterEqual(len(online_runs), 1, runs)
        for run in online_runs:
            with self.subTest(run=run):
                command, online = utc(run["start_command"]), utc(run["online"])
                self.assertIsNotNone(run["stopped"], "still running at the end of the window")
                stopped = utc(run["stopped"])
                self.assertGreaterEqual(online - command, start_up)
                self.assertGreaterEqual(stopped - online, min_up)
                # The start was the response agent's, on a forecast, leased from the
                # command's interval.
                (reason, status, requested_mw, applied_mw), = self.query(
                    "SELECT reason, peaker_status, requested_mw, applied_mw FROM decisions "
                    "WHERE asset_id = 'peaker-1' AND interval_start = ?", stamp(command))
                self.assertEqual(status, "starting")
                self.assertGreaterEqual(requested_mw, min_stable_mw)
                self.assertEqual(applied_mw, 0.0)
                self.assertTrue(reason.startswith("forecast: "), reason)
                self.assertIn("peaker start requested", reason)
                lease_starts = [utc(s) for (s,) in self.query(
                    "SELECT lease_start FROM proposals WHERE agent = 'response' AND "
                    "asset_id = 'peaker-1' AND lease_start = ? AND power_mw > 0",
                    stamp(command))]
                self.assertEqual(lease_starts, [command])
                # The first producing interval, at least the start-up time after the request.
                produced = [(utc(t), mw, s) for t, mw, s in self.query(
                    "SELECT interval_start, applied_mw, peaker_status FROM decisions WHERE "
                    "asset_id = 'peaker-1' AND interval_start > ? AND interval_start < ? "
                    "ORDER BY interval_start", stamp(command), stamp(stopped))]
                first = produced[0][0]
                self.assertGreaterEqual(first - command, start_up)
                self.assertLess(first - command, start_up + INTERVAL)
                for t, mw, status in produced:
                    self.assertEqual(status, "on", t)
                    self.assertGreaterEqual(mw, min_stable_mw - 1e-6, t)
                self.assertGreaterEqual(len(produced) * INTERVAL, min_up)
                # The ramp it was called for happened: the net load rose by more than the
                # limit into the first producing interval.
                loads = dict(self.query(
                    "SELECT interval_start, net_load_mw FROM telemetry WHERE interval_start "
                    "IN (?, ?)", stamp(first - INTERVAL), stamp(first)))
                self.assertGreater(loads[stamp(first)] - loads[stamp(first - INTERVAL)],
                                   self.report["region"]["ramp_limit_mw"])
                # Off from the stop on, and nothing generated then.
                (status_after, applied_after), = self.query(
                    "SELECT peaker_status, applied_mw FROM decisions WHERE asset_id = 'peaker-1' "
                    "AND interval_start = ?", stamp(stopped))
                self.assertEqual((status_after, applied_after), ("off", 0.0))

    def test_ledger_charges_starts_and_fuel(self):
        ledger = self.report["ledger_gbp"]
        self.assertAlmostEqual(ledger["peaker_starts"], -2500.0 * self.peaker["starts"])
        self.assertAlmostEqual(ledger["peaker_fuel"], -160.0 * self.peaker["mwh"], places=3)
        self.assertGreater(self.peaker["mwh"], 0.0)


if __name__ == "__main__":
    unittest.main()
