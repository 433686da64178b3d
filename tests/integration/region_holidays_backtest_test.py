#!/usr/bin/python3
"""The config's data.holidays reaches the forecast process through the launcher (issue 21).

Runs the shipped household worked example (data/household_15min.json) for two days with a
holidays file named relative to the config: the forecast process logs the calendar it was
given (the file's dates) and serves; in another time zone, the calendar counts its days
on that zone's clock. (That the calendar is part of the model cache key is
tests/core/forecast/models/change_model_holidays_test.cc.) A config whose holidays file
has a bad line stops the launcher before any process starts, naming the key, file and line.

Environment (set by ctest): GRIDPILOT_SOURCE_DIR, GRIDPILOT_BIN_DIR.
"""

import json
import os
import shutil
import subprocess
import tempfile
import unittest

SOURCE_DIR = os.environ.get("GRIDPILOT_SOURCE_DIR", "")
BIN_DIR = os.environ.get("GRIDPILOT_BIN_DIR", "")


def write_config(out_dir, name, holidays, time_zone=None):
    with open(os.path.join(SOURCE_DIR, "data", "household_15min.json")) as f:
        config = json.load(f)
    config["data"]["demand_csv"] = os.path.join(SOURCE_DIR, "data",
                                                config["data"]["demand_csv"])
    config["data"]["holidays"] = holidays
    if time_zone is not None:
        config["data"]["time_zone"] = time_zone
    path = os.path.join(out_dir, name)
    with open(path, "w") as f:
        json.dump(config, f)
    return path


def backtest(out_dir, config, run, model_dir):
    return subprocess.run(
        [os.path.join(BIN_DIR, "gridpilot"), "backtest", "--from", "2007-03-20", "--to",
         "2007-03-21", "--config", config, "--run_dir", os.path.join(out_dir, run),
         "--model_dir", model_dir],
        capture_output=True, text=True, timeout=600)


class RegionHolidaysBacktestTest(unittest.TestCase):

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="region_holidays_")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def test_the_forecast_process_gets_the_configs_calendar(self):
        with open(os.path.join(self.dir, "holidays.txt"), "w") as f:
            f.write("# made up for the test\n2007-03-05\n2007-03-12\n")
        config = write_config(self.dir, "cfg.json", "holidays.txt")
        done = backtest(self.dir, config, "run", os.path.join(self.dir, "models"))
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        with open(os.path.join(self.dir, "run", "forecast.log")) as f:
            log = f.read()
        self.assertIn("holidays for the forecast features: 2 dates from "
                      + os.path.join(self.dir, "holidays.txt"), log)
        self.assertIn("net-load change models", log)

    def test_a_region_in_another_zone_counts_its_holidays_on_its_own_days(self):
        # The household's stamps read as Tokyo time: the forecast process is told the zone.
        with open(os.path.join(self.dir, "holidays.txt"), "w") as f:
            f.write("2007-03-21\n")
        config = write_config(self.dir, "tokyo.json", "holidays.txt", "Asia/Tokyo")
        done = backtest(self.dir, config, "run", os.path.join(self.dir, "models"))
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        with open(os.path.join(self.dir, "run", "forecast.log")) as f:
            log = f.read()
        self.assertIn("holidays for the forecast features: 1 dates from "
                      + os.path.join(self.dir, "holidays.txt") + " on Asia/Tokyo days", log)

    def test_a_bad_dates_file_stops_the_launcher(self):
        with open(os.path.join(self.dir, "bad.txt"), "w") as f:
            f.write("2007-03-05\n05/03/2007\n")
        config = write_config(self.dir, "bad.json", "bad.txt")
        done = backtest(self.dir, config, "run", os.path.join(self.dir, "models"))
        self.assertEqual(done.returncode, 2, done.stdout + done.stderr)
        self.assertIn("data.holidays: " + os.path.join(self.dir, "bad.txt") + ":2:",
                      done.stdout + done.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "run", "forecast.log")))


if __name__ == "__main__":
    unittest.main()
