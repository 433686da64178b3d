#!/usr/bin/python3
"""`gridpilot backtest` on a region's own CSV (issue 21, part 1): not GB, another column name,
15-minute resolution run natively (ticks, decisions and settlement every 15 minutes), local
stamps (Europe/London) across the 2007-03-25 clock change, no prices.

Runs the shipped household worked example (data/household_15min.json) over 2007-03-20..26 on a
copy of its file with three quarter-hours removed, and checks that the run completes, that the
JSON report and the printed summary count the 3 gaps, 0 repeats and 4 holes met, and that the
trader stood aside and said so. No look-ahead at 15 minutes: a second run on the same file with
every load from 2007-03-23 12:00 raised by half stores the same decisions and proposals before
then, and different ones after. Then bad input stops the launcher before any process starts,
with a message naming the file, line, column or key.

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
DATA_FILE = "household_load_15min_local_2007-02_03.csv"
REMOVED = ("2007-03-21 10:15", "2007-03-21 10:30", "2007-03-21 10:45")
# The no-look-ahead run changes every load from this local stamp on (GMT then: = UTC).
CHANGE_FROM_LOCAL = "2007-03-23 12:00"
CHANGE_FROM_UTC = "2007-03-23T12:00:00Z"
DECISIONS_SQL = ("SELECT interval_start, asset_id, agent, priority, requested_mw, applied_mw, "
                 "soc_before_mwh, soc_after_mwh, peaker_status, reason FROM decisions "
                 "WHERE interval_start {} ? ORDER BY interval_start, asset_id")
PROPOSALS_SQL = ("SELECT agent, asset_id, priority, power_mw, lease_start, lease_end, status, "
                 "submitted_at, idempotency_key, reason FROM proposals WHERE lease_start < ? "
                 "ORDER BY lease_start, agent, asset_id, submitted_at, idempotency_key, status")


def query(store, sql, *args):
    with sqlite3.connect(store) as db:
        return db.execute(sql, args).fetchall()


def write_config(out_dir, name, demand_csv, **overrides):
    with open(os.path.join(SOURCE_DIR, "data", "household_15min.json")) as f:
        config = json.load(f)
    config["data"]["demand_csv"] = demand_csv
    config["data"].update(overrides)
    path = os.path.join(out_dir, name)
    with open(path, "w") as f:
        json.dump(config, f)
    return path


def backtest(out_dir, config, run, *extra):
    return subprocess.run(
        [os.path.join(BIN_DIR, "gridpilot"), "backtest", "--from", "2007-03-20", "--to",
         "2007-03-26", "--config", config, "--run_dir", os.path.join(out_dir, run), *extra],
        capture_output=True, text=True, timeout=600)


class RegionCsvBacktestTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.out_dir = os.path.join(os.path.dirname(BIN_DIR), "test-output", "region-csv")
        shutil.rmtree(cls.out_dir, ignore_errors=True)
        os.makedirs(cls.out_dir)
        with open(os.path.join(SOURCE_DIR, "data", DATA_FILE)) as f:
            lines = f.readlines()
        cls.lines = lines
        cls.demand = os.path.join(cls.out_dir, "household_with_gaps.csv")
        with open(cls.demand, "w") as f:
            f.writelines(l for l in lines if not l.startswith(REMOVED))
        cls.json_path = os.path.join(cls.out_dir, "report.json")
        config = write_config(cls.out_dir, "config.json", cls.demand)
        cls.result = backtest(cls.out_dir, config, "run", "--json", cls.json_path)
        # The same file with every load from CHANGE_FROM_LOCAL on raised by half.
        changed = os.path.join(cls.out_dir, "household_changed.csv")
        with open(cls.demand) as f, open(changed, "w") as out:
            for line in f:
                stamp, _, value = line.rstrip("\n").partition(",")
                if stamp[:1].isdigit() and stamp >= CHANGE_FROM_LOCAL and value:
                    value = f"{float(value) * 1.5:.4f}"
                out.write(f"{stamp},{value}\n")
        cls.changed_result = backtest(
            cls.out_dir, write_config(cls.out_dir, "changed.json", changed), "changed")

    def test_run_completes_and_reports_gaps_repeats_and_holes(self):
        self.assertEqual(self.result.returncode, 0, self.result.stdout + self.result.stderr)
        with open(self.json_path) as f:
            report = json.load(f)
        data = report["data"]
        self.assertEqual(data["time_zone"], "Europe/London")
        self.assertEqual(data["resolution_minutes"], 15)
        self.assertEqual(data["demand"]["rows"], len(self.lines) - 1 - len(REMOVED))
        self.assertEqual(data["demand"]["gaps"], 3)
        self.assertEqual(data["demand"]["repeats"], 0)
        self.assertEqual(data["demand"]["holes"], 4)  # 01:00-01:45 local on 2007-03-25
        self.assertIsNone(data["price"])
        # 7 days (--to is inclusive) of quarter-hours, 4 ticks an hour; UTC days are 96
        # quarter-hours, clock change or not.
        self.assertEqual(report["ticks"], 7 * 96)
        self.assertEqual(report["step_seconds"], 900)
        starts = [r[0] for r in query(os.path.join(self.out_dir, "run", "store.sqlite"),
                                      "SELECT DISTINCT interval_start FROM decisions "
                                      "ORDER BY interval_start")]
        self.assertEqual(len(starts), 7 * 96)
        self.assertEqual(starts[:3], ["2007-03-20T00:00:00Z", "2007-03-20T00:15:00Z",
                                      "2007-03-20T00:30:00Z"])
        self.assertIn("15 min", self.result.stdout)
        self.assertIn("0 repeats, 4 holes", self.result.stdout)
        self.assertIn("3 gaps", self.result.stdout)
        self.assertIn("no prices: the trader stands aside", self.result.stdout)
        # No prices: nothing traded, and the trader said why.
        self.assertEqual(report["trader_pnl_gbp"], 0)
        with open(os.path.join(self.out_dir, "run", "trader.log")) as f:
            self.assertIn("no price seen yet: the trader stands aside", f.read())

    def test_no_look_ahead_at_native_15_minutes(self):
        """Changing the data from CHANGE_FROM on leaves every decision and proposal before it
        unchanged, and changes some decision after it."""
        self.assertEqual(self.result.returncode, 0, self.result.stdout + self.result.stderr)
        self.assertEqual(self.changed_result.returncode, 0,
                         self.changed_result.stdout + self.changed_result.stderr)
        original = os.path.join(self.out_dir, "run", "store.sqlite")
        changed = os.path.join(self.out_dir, "changed", "store.sqlite")
        before = DECISIONS_SQL.format("<")
        rows = query(original, before, CHANGE_FROM_UTC)
        self.assertEqual(len(rows), 2 * 96 * 3 + 2 * 48)  # two assets, 3.5 days of quarter-hours
        self.assertEqual(rows, query(changed, before, CHANGE_FROM_UTC))
        proposals = query(original, PROPOSALS_SQL, CHANGE_FROM_UTC)
        self.assertTrue(proposals, "no proposal before the change: nothing compared")
        self.assertEqual(proposals, query(changed, PROPOSALS_SQL, CHANGE_FROM_UTC))
        after = DECISIONS_SQL.format(">=")
        self.assertNotEqual(query(original, after, CHANGE_FROM_UTC),
                            query(changed, after, CHANGE_FROM_UTC),
                            "the changed data made no difference: was it read at all?")

    def test_bad_input_names_file_line_column_or_key(self):
        renamed = os.path.join(self.out_dir, "renamed.csv")
        with open(renamed, "w") as f:
            f.write("local_time,kw\n" + "".join(self.lines[1:]))
        result = backtest(self.out_dir, write_config(self.out_dir, "c1.json", renamed), "r1")
        self.assertEqual(result.returncode, 2, result.stdout + result.stderr)
        self.assertIn(renamed + ": no column load_kw; columns found: local_time, kw",
                      result.stderr)

        bad_stamp = os.path.join(self.out_dir, "bad_stamp.csv")
        with open(bad_stamp, "w") as f:
            f.writelines(self.lines[:5] + ["25/03/2007 00:00,1.0\n"] + self.lines[6:])
        result = backtest(self.out_dir, write_config(self.out_dir, "c2.json", bad_stamp), "r2")
        self.assertEqual(result.returncode, 2, result.stdout + result.stderr)
        self.assertIn(bad_stamp + ":6: column local_time: \"25/03/2007 00:00\"", result.stderr)

        zone = write_config(self.out_dir, "c3.json", self.demand, time_zone="Europe/Londres")
        result = backtest(self.out_dir, zone, "r3")
        self.assertEqual(result.returncode, 2, result.stdout + result.stderr)
        self.assertIn("c3.json: data.time_zone: \"Europe/Londres\"", result.stderr)


if __name__ == "__main__":
    unittest.main()
