#!/usr/bin/python3
"""`gridpilot detect` against scikit-learn's IsolationForest on the same features.

Injects labelled anomalies with a fixed seed into two real, unlabelled series (the shipped
household meter, January 2007, 1 min; GB national demand ND 2022-2023, 30 min): spikes,
drops, stuck values, slow gain drifts and a false-data ramp. Runs the real `gridpilot
detect` on each (which also writes its feature matrix with --features), computes the ROC
AUC of its score over the rows that have a value, fits sklearn's IsolationForest (100
trees, 256 samples, the same contamination) on exactly that feature matrix, and checks:

  * our AUC >= sklearn's;
  * the false-data ramp: our residual detector flags it (kind false_data) where the
    Isolation Forest, ours and sklearn's, misses it (on GB demand nearly all of it; on the
    house, whose nights are less predictable, a smaller share, still more than a forest).

Prints the figures. Environment (set by ctest): GRIDPILOT_SOURCE_DIR, GRIDPILOT_BIN_DIR.
"""

import csv
import os
import subprocess
import sys
import tempfile
import unittest

import numpy as np
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score

SOURCE_DIR = os.environ.get("GRIDPILOT_SOURCE_DIR", "")
BIN_DIR = os.environ.get("GRIDPILOT_BIN_DIR", "")
SEED = 20240607
CONTAMINATION = 0.02

# name, file, column, rows per day, lengths in rows of: stuck run, drift, ramp; the ramp's
# height (units of the column: kW, MW), the local hour its start is drawn from (plus up
# to 2 h) and the least share of its second half the residual detector must flag. Row 0
# of both files is at local midnight (the household logger's clock; GB in winter), so
# row % rows-per-day is the local time of day.
DATASETS = [
    ("household", "data/household_power_1min_2007-01.csv", "Global_active_power", 1440,
     90, 360, 240, 3.0, 1, 0.15),
    ("gb_demand", "data/gb_demand_2022_2023.csv", "ND", 48, 12, 96, 16, 8000.0, 20, 0.8),
]


def read_column(path, column):
    """Returns (header, rows as lists of fields, index of column)."""
    with open(path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = list(reader)
    return header, rows, header.index(column)


def inject(values, rng, periods_per_day, stuck_rows, drift_rows, ramp_rows, ramp_height,
           ramp_hour):
    """Injects anomalies into a copy of values (NaN = missing), away from the first week.

    Returns (new values, label per row: '' or the kind injected). Stretches never overlap
    and keep an hour apart, so each one is judged on its own.
    """
    v = values.copy()
    n = len(v)
    labels = np.array([""] * n, dtype=object)
    present = v[~np.isnan(v)]
    sigma = float(np.std(present))
    low = float(np.min(present))
    busy = np.zeros(n, dtype=bool)
    margin = periods_per_day // 24

    def place(length, hour=None):
        for _ in range(10000):
            start = int(rng.integers(7 * periods_per_day, n - length - periods_per_day))
            if hour is not None:  # start between hour and hour + 2, local
                start = (start // periods_per_day * periods_per_day +
                         int(rng.integers(hour * periods_per_day // 24,
                                          (hour + 2) * periods_per_day // 24)))
            lo, hi = start - margin, start + length + margin
            if not busy[lo:hi].any() and not np.isnan(v[start:start + length]).any():
                busy[lo:hi] = True
                return start
        raise RuntimeError("no room to inject")

    for _ in range(30):  # spikes: one reading 1.5-3 sd up
        i = place(1)
        v[i] += rng.uniform(1.5, 3.0) * sigma
        labels[i] = "spike"
    for _ in range(30):  # drops: one reading 1.5-3 sd down, not below the series' minimum
        i = place(1)
        v[i] = max(v[i] - rng.uniform(1.5, 3.0) * sigma, low)
        labels[i] = "drop"
    for _ in range(6):  # stuck meter: the reading freezes (the first row is still true)
        i = place(stuck_rows)
        v[i:i + stuck_rows] = v[i]
        labels[i + 1:i + stuck_rows] = "stuck"
    for _ in range(4):  # calibration drift: gain rising to +25%, then back to normal
        i = place(drift_rows)
        v[i:i + drift_rows] *= 1.0 + 0.25 * np.linspace(1.0 / drift_rows, 1.0, drift_rows)
        labels[i:i + drift_rows] = "drift"
    ramps = []
    # False data: an additive ramp to +ramp_height, then back to normal, in the hours when
    # the series is predictable from earlier days (GB's evening and night; the house's small
    # hours, between its water heater's runs), where false data can be told from real
    # consumption at all. By day (solar under GB demand, appliances in the house) a
    # forecast from earlier days is too loose for a ramp of this height: measured, the
    # residual's robust scale is 1.0-1.7 kW there against 0.3 kW at 02:00-06:00.
    for _ in range(2):
        i = place(ramp_rows, hour=ramp_hour)
        v[i:i + ramp_rows] += ramp_height * np.linspace(1.0 / ramp_rows, 1.0, ramp_rows)
        labels[i:i + ramp_rows] = "ramp"
        ramps.append(i)
    return v, labels, ramps


def fmt(x):
    return "" if np.isnan(x) else repr(float(x))


class AnomalyAucTest(unittest.TestCase):
    results = {}

    def run_dataset(self, name, rel_path, column, periods_per_day, stuck_rows, drift_rows,
                    ramp_rows, ramp_height, ramp_hour, min_ramp_caught):
        header, rows, index = read_column(os.path.join(SOURCE_DIR, rel_path), column)
        values = np.array([float(r[index]) if r[index] not in ("", "?") else np.nan
                           for r in rows])
        rng = np.random.default_rng(SEED)
        injected, labels, ramps = inject(values, rng, periods_per_day, stuck_rows, drift_rows,
                                         ramp_rows, ramp_height, ramp_hour)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, name + ".csv")
            with open(path, "w", newline="") as f:
                f.write("timestamp_utc," + column + "\n")
                for r, x in zip(rows, injected):
                    f.write(r[0] + "," + fmt(x) + "\n")
            out = os.path.join(tmp, "scores.csv")
            features_path = os.path.join(tmp, "features.csv")
            done = subprocess.run(
                [os.path.join(BIN_DIR, "gridpilot"), "detect", "--input", path, "--column",
                 column, "--contamination", str(CONTAMINATION), "--features", features_path,
                 "--out", out], capture_output=True, text=True, timeout=120)
            self.assertEqual(done.returncode, 0, done.stderr)
            with open(out, newline="") as f:
                reader = csv.reader(f)
                self.assertEqual(next(reader),
                                 ["timestamp_utc", "value", "score", "is_anomaly", "kind",
                                  "cause"])
                scored = list(reader)
            with open(features_path, newline="") as f:
                reader = csv.reader(f)
                next(reader)
                features = np.array([[float(x) if x else np.nan for x in r[1:]]
                                     for r in reader])
        self.assertEqual(len(scored), len(rows))
        has_value = ~np.isnan(injected)
        y = labels[has_value] != ""
        ours = np.array([float(r[2]) for r, ok in zip(scored, has_value) if ok])
        kinds = np.array([r[4] for r in scored], dtype=object)

        x = features[has_value]
        forest = IsolationForest(n_estimators=100, max_samples=256,
                                 contamination=CONTAMINATION, random_state=SEED).fit(x)
        theirs = -forest.score_samples(x)  # higher = more anomalous, as ours
        theirs_flagged = np.zeros(len(rows), dtype=bool)
        theirs_flagged[has_value] = forest.predict(x) == -1

        auc_ours = roc_auc_score(y, ours)
        auc_theirs = roc_auc_score(y, theirs)
        per_kind = {}
        for kind in ("spike", "drop", "stuck", "drift", "ramp"):
            mask = (labels[has_value] == kind) | ~y
            per_kind[kind] = (roc_auc_score(labels[has_value][mask] == kind, ours[mask]),
                              roc_auc_score(labels[has_value][mask] == kind, theirs[mask]))
        # The ramps' second halves (offset above half a standard deviation).
        ramp_rows_idx = np.concatenate([np.arange(i + ramp_rows // 2, i + ramp_rows)
                                        for i in ramps])
        ramp_false_data = float(np.mean(kinds[ramp_rows_idx] == "false_data"))
        ramp_ours_forest = float(np.mean(np.isin(kinds[ramp_rows_idx], ["spike", "drop"])))
        ramp_sklearn = float(np.mean(theirs_flagged[ramp_rows_idx]))
        print(f"{name}: {len(rows)} rows, {int(y.sum())} injected anomalous rows;"
              f" AUC ours {auc_ours:.4f}, sklearn IsolationForest {auc_theirs:.4f}")
        for kind, (a, b) in per_kind.items():
            print(f"  {kind:6s} AUC ours {a:.4f}  sklearn {b:.4f}")
        print(f"  false-data ramps, second half ({len(ramp_rows_idx)} rows): flagged"
              f" false_data {ramp_false_data:.2f}; our forest {ramp_ours_forest:.2f};"
              f" sklearn IsolationForest {ramp_sklearn:.2f}")
        sys.stdout.flush()
        self.assertGreaterEqual(auc_ours, auc_theirs)
        # Both forests miss the ramp; the residual detector catches it: most of it on GB
        # demand (measured: all of the second halves), less on the house, whose small hours
        # still hold its water heater's runs (measured: 19%), but never less than a forest.
        self.assertGreaterEqual(ramp_false_data, min_ramp_caught)
        self.assertGreater(ramp_false_data, max(ramp_ours_forest, ramp_sklearn))
        self.assertLessEqual(ramp_ours_forest, 0.1)
        self.assertLessEqual(ramp_sklearn, 0.1)

    def test_household(self):
        self.run_dataset(*DATASETS[0])

    def test_gb_demand(self):
        self.run_dataset(*DATASETS[1])


if __name__ == "__main__":
    if not SOURCE_DIR or not BIN_DIR:
        sys.exit("set GRIDPILOT_SOURCE_DIR and GRIDPILOT_BIN_DIR")
    unittest.main(verbosity=2)
