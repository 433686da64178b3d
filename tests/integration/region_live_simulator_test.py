#!/usr/bin/python3
"""The live simulator runs on the region's own series, the one a backtest of its config uses
(issue 21).

Runs the shipped household worked example (data/household_15min.json: 15-minute local
stamps, Europe/London, scale 10) through the simulator with 5-minute steps, no noise and no
events, on 2007-03-27 (after the clock went forward, so local stamps are an hour ahead of
UTC). Every stored step's net load must be the linear interpolation, at the step's middle,
between the centres of the region's own 15-minute intervals (the region runs at its data's
resolution), which the test computes itself from the CSV (rows converted from local time to
UTC, scaled by 10). A
simulator on GB's series (tens of thousands of MW scaled by 10) or on the file's local
stamps read as UTC (an hour off: the test checks that this differs) would fail it.

Environment (set by ctest): GRIDPILOT_SOURCE_DIR, GRIDPILOT_BIN_DIR.
"""

import csv
import datetime
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import unittest
import zoneinfo

SOURCE_DIR = os.environ.get("GRIDPILOT_SOURCE_DIR", "")
BIN_DIR = os.environ.get("GRIDPILOT_BIN_DIR", "")
DAY = "2007-03-27"
STEP = datetime.timedelta(minutes=5)
INTERVAL = datetime.timedelta(minutes=15)  # the household file's resolution_minutes
UTC = datetime.timezone.utc


def region_intervals(config):
    """The region's net load (MW) per 15-minute interval by UTC start, from the config's CSV."""
    zone = zoneinfo.ZoneInfo(config["data"]["time_zone"])
    scale = config["region"]["scale"]
    values = {}
    with open(config["data"]["demand_csv"]) as f:
        for row in csv.DictReader(f):
            if row["load_kw"] == "":  # a gap: its interval stays missing
                continue
            local = datetime.datetime.strptime(row["local_time"], "%Y-%m-%d %H:%M")
            values[local.replace(tzinfo=zone).astimezone(UTC)] = float(row["load_kw"]) * scale
    return values


def interpolated(intervals, at):
    """Linear interpolation between interval centres at instant `at`; one side's value
    where the other is missing, as the simulator does."""
    centre = at - INTERVAL / 2
    first = centre - datetime.timedelta(minutes=centre.minute % 15, seconds=centre.second)
    weight = (at - (first + INTERVAL / 2)) / INTERVAL
    a, b = intervals.get(first), intervals.get(first + INTERVAL)
    if a is None or b is None:
        return b if a is None else a
    return a + (b - a) * weight


class RegionLiveSimulatorTest(unittest.TestCase):

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="region_live_")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def test_each_step_interpolates_the_regions_intervals(self):
        with open(os.path.join(SOURCE_DIR, "data", "household_15min.json")) as f:
            config = json.load(f)
        config["data"]["demand_csv"] = os.path.join(SOURCE_DIR, "data",
                                                    config["data"]["demand_csv"])
        config["live"] = {"random_events_per_hour": 0, "noise_sd_mw": 0, "seed": 1}
        path = os.path.join(self.dir, "cfg.json")
        with open(path, "w") as f:
            json.dump(config, f)
        done = subprocess.run(
            [os.path.join(BIN_DIR, "gridpilot"), "backtest", "--from", DAY, "--to", DAY,
             "--step_seconds", "300", "--config", path, "--run_dir",
             os.path.join(self.dir, "run"), "--model_dir", os.path.join(self.dir, "models")],
            capture_output=True, text=True, timeout=600)
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        db = sqlite3.connect(os.path.join(self.dir, "run", "store.sqlite"))
        rows = db.execute("SELECT interval_start, net_load_mw FROM telemetry "
                          "ORDER BY interval_start").fetchall()
        db.close()
        self.assertEqual(len(rows), 288)  # one day of 5-minute steps
        intervals = region_intervals(config)
        for start_text, net_load_mw in rows:
            start = datetime.datetime.strptime(start_text, "%Y-%m-%dT%H:%M:%SZ").replace(
                tzinfo=UTC)
            expected = interpolated(intervals, start + STEP / 2)
            self.assertAlmostEqual(net_load_mw, expected, delta=1e-9, msg=start_text)
        # The check can tell: local stamps read as UTC (an hour off) give other values.
        naive = dict(config, data=dict(config["data"], time_zone="UTC"))
        naive_intervals = region_intervals(naive)
        differing = sum(
            1 for start_text, net_load_mw in rows
            if abs(net_load_mw - interpolated(naive_intervals, datetime.datetime.strptime(
                start_text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC) + STEP / 2)) > 0.1)
        self.assertGreater(differing, 100)

if __name__ == "__main__":
    unittest.main()
