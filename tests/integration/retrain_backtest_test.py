#!/usr/bin/python3
"""Scheduled walk-forward retraining in a lock-step backtest (issue 22, part 4).

Runs `gridpilot backtest` over 2023-01-01..2023-03-05 with a config whose "retrain" section
retrains the net-load change models every month on the 35 days before each cut-off, and
checks that the JSON report lists the cut-offs used (2023-02-01 and 2023-03-01), that each
retrained set served from its cut-off exactly (the swap is at a deterministic tick), that it
was trained on 35 days of intervals, and that each was published in the run's registry.

No look-ahead across a retraining, and determinism: a second run over 2023-01-01..02-05 on a
copy of the demand file whose every ND from 2023-02-02 00:00 on is raised by 30% stores the
same decisions and proposals as the first run before then (a day after the 02-01
retraining), and different ones after.

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
CUTOFFS = ["2023-02-01T00:00:00Z", "2023-03-01T00:00:00Z"]
CHANGE_FROM_UTC = "2023-02-02T00:00:00Z"
DECISIONS_SQL = ("SELECT interval_start, asset_id, agent, priority, requested_mw, applied_mw, "
                 "soc_before_mwh, soc_after_mwh, peaker_status, reason FROM decisions "
                 "WHERE interval_start {} ? ORDER BY interval_start, asset_id")
PROPOSALS_SQL = ("SELECT agent, asset_id, priority, power_mw, lease_start, lease_end, status, "
                 "idempotency_key, reason FROM proposals WHERE lease_start {} ? "
                 "ORDER BY lease_start, agent, asset_id, idempotency_key, status")


def query(store, sql, *args):
    with sqlite3.connect(store) as db:
        return db.execute(sql, args).fetchall()


def backtest(out_dir, run, date_to, *extra):
    return subprocess.run(
        [os.path.join(BIN_DIR, "gridpilot"), "backtest", "--from", "2023-01-01", "--to", date_to,
         "--config", os.path.join(out_dir, "config.json"), "--run_dir",
         os.path.join(out_dir, run), "--price_csv",
         os.path.join(SOURCE_DIR, "data", "gb_price_mid_2022-10_2023-12.csv"), "--day_ahead_csv",
         os.path.join(SOURCE_DIR, "data", "gb_demand_forecast_dayahead_2022-10_2023-12.csv"),
         *extra],
        capture_output=True, text=True, timeout=600)


class RetrainBacktestTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.out_dir = os.path.join(os.path.dirname(BIN_DIR), "test-output", "retrain-backtest")
        shutil.rmtree(cls.out_dir, ignore_errors=True)
        os.makedirs(cls.out_dir)
        with open(os.path.join(cls.out_dir, "config.json"), "w") as f:
            json.dump({"retrain": {"every": "month", "at": "00:00", "training_days": 35}}, f)
        cls.json_path = os.path.join(cls.out_dir, "report.json")
        cls.result = backtest(cls.out_dir, "run", "2023-03-05", "--json", cls.json_path)
        # The demand file with every ND from CHANGE_FROM_UTC on raised by 30%.
        changed = os.path.join(cls.out_dir, "demand_changed.csv")
        with open(os.path.join(SOURCE_DIR, "data", "gb_demand_2022_2023.csv")) as f, \
                open(changed, "w") as out:
            header = f.readline()
            out.write(header)
            nd = header.strip().split(",").index("ND")
            for line in f:
                fields = line.rstrip("\n").split(",")
                if fields[0] >= CHANGE_FROM_UTC and fields[nd]:
                    fields[nd] = str(round(float(fields[nd]) * 1.3))
                out.write(",".join(fields) + "\n")
        cls.changed_result = backtest(cls.out_dir, "changed", "2023-02-05", "--demand_csv", changed)

    def test_report_lists_the_cutoffs_and_when_each_was_swapped_in(self):
        self.assertEqual(self.result.returncode, 0, self.result.stdout + self.result.stderr)
        with open(self.json_path) as f:
            report = json.load(f)
        retraining = report["retraining"]
        self.assertEqual(retraining["every"], "month")
        self.assertEqual(retraining["training_days"], 35)
        self.assertEqual(retraining["cutoffs"], CUTOFFS)
        models = retraining["models"]
        self.assertEqual([m["source"] for m in models], ["startup", "retrain", "retrain"])
        self.assertEqual(models[0]["cutoff"], "2023-01-01T00:00:00Z")
        for model, cutoff in zip(models[1:], CUTOFFS):
            self.assertEqual(model["cutoff"], cutoff)
            # Swapped in at its cut-off exactly: the forecast issued then is its first.
            self.assertEqual(model["first_issue_time"], cutoff)
            self.assertEqual(model["training_intervals"], 35 * 48)
            self.assertGreater(model["training_wall_seconds"], 0.0)
            self.assertGreaterEqual(model["waited_wall_seconds"], 0.0)
        self.assertEqual(retraining["latest_issue_time"], "2023-03-05T23:30:00Z")
        self.assertEqual(models[-1]["age_seconds"], (4 * 24 + 23.5) * 3600)
        self.assertIn("retrained every month at 00:00 UTC on 35 days: 2 cut-offs",
                      self.result.stdout)
        # The agents never had to decide without a forecast.
        self.assertEqual(report["response_degraded_ticks"], 0)
        self.assertEqual(report["missed_answers"], 0)

    def test_each_retrained_set_is_published_in_the_run_registry(self):
        for cutoff in CUTOFFS:
            name = "change_" + cutoff.replace("-", "").replace(":", "")
            with open(os.path.join(self.out_dir, "run", "registry", name, "metadata.json")) as f:
                metadata = json.load(f)
            self.assertEqual(metadata["cutoff"], cutoff)
            self.assertEqual(metadata["training_to"], cutoff)
            self.assertEqual(metadata["training_intervals"], 35 * 48)

    def test_data_after_the_retraining_leaves_earlier_decisions_unchanged(self):
        self.assertEqual(self.result.returncode, 0, self.result.stderr)
        self.assertEqual(self.changed_result.returncode, 0,
                         self.changed_result.stdout + self.changed_result.stderr)
        store = os.path.join(self.out_dir, "run", "store.sqlite")
        changed_store = os.path.join(self.out_dir, "changed", "store.sqlite")
        before = query(store, DECISIONS_SQL.format("<"), CHANGE_FROM_UTC)
        self.assertGreater(len(before), 31 * 48)
        self.assertEqual(before, query(changed_store, DECISIONS_SQL.format("<"), CHANGE_FROM_UTC))
        self.assertEqual(query(store, PROPOSALS_SQL.format("<"), CHANGE_FROM_UTC),
                         query(changed_store, PROPOSALS_SQL.format("<"), CHANGE_FROM_UTC))
        # The change did reach the decisions after it.
        after_sql = DECISIONS_SQL.format(">=") .replace("ORDER BY", "AND interval_start < "
                                                          "'2023-02-05T00:00:00Z' ORDER BY")
        self.assertNotEqual(query(store, after_sql, CHANGE_FROM_UTC),
                            query(changed_store, after_sql, CHANGE_FROM_UTC))


if __name__ == "__main__":
    unittest.main()
