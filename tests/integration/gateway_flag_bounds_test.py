#!/usr/bin/python3
"""The gateway refuses wait and tick flags outside their bounds, naming the flag.

--tick_seconds and --deadline_seconds must be in (0, 3600], --forecast_deadline_seconds in
[0, 3600], --forecast_lead_ticks in [0, 16]: each bad value exits 2 before the gateway
serves, with the flag and its bounds in the message. Environment (set by ctest):
GRIDPILOT_BIN_DIR (build/bin).
"""

import os
import subprocess
import tempfile
import unittest

BIN_DIR = os.environ.get("GRIDPILOT_BIN_DIR", "")

BAD = [
    ("--tick_seconds", "0", "(0, 3600]"),
    ("--tick_seconds", "-1", "(0, 3600]"),
    ("--deadline_seconds", "nan", "(0, 3600]"),
    ("--deadline_seconds", "-3", "(0, 3600]"),
    ("--deadline_seconds", "3601", "(0, 3600]"),
    ("--forecast_deadline_seconds", "-0.5", "[0, 3600]"),
    ("--forecast_deadline_seconds", "inf", "[0, 3600]"),
    ("--forecast_lead_ticks", "17", "[0, 16]"),
    ("--forecast_lead_ticks", "-1", "[0, 16]"),
]


class GatewayFlagBoundsTest(unittest.TestCase):
    def run_gateway(self, flag, value, run_dir):
        return subprocess.run(
            [os.path.join(BIN_DIR, "gridpilot-gateway"), "--insecure", "--port=0",
             "--from=2023-06-01", "--to=2023-06-02", f"--store={run_dir}/store.sqlite",
             f"{flag}={value}"],
            capture_output=True, text=True, timeout=30)

    def test_bad_values_exit_2_naming_the_flag(self):
        with tempfile.TemporaryDirectory() as run_dir:
            for flag, value, bounds in BAD:
                with self.subTest(flag=flag, value=value):
                    result = self.run_gateway(flag, value, run_dir)
                    self.assertEqual(result.returncode, 2, result.stderr)
                    self.assertIn(f"{flag}: ", result.stderr)
                    self.assertIn(f"is not in {bounds}", result.stderr)
                    self.assertFalse(os.path.exists(f"{run_dir}/store.sqlite"),
                                     "refused before the store is opened")

    def test_a_value_in_bounds_passes_the_check(self):
        # In bounds, the gateway goes on to its next check: an unknown mode, exit 2 there.
        with tempfile.TemporaryDirectory() as run_dir:
            result = subprocess.run(
                [os.path.join(BIN_DIR, "gridpilot-gateway"), "--insecure", "--port=0",
                 "--from=2023-06-01", "--to=2023-06-02", f"--store={run_dir}/store.sqlite",
                 "--deadline_seconds=3600", "--tick_seconds=0.01",
                 "--forecast_deadline_seconds=0", "--forecast_lead_ticks=16", "--step_seconds=7"],
                capture_output=True, text=True, timeout=30)
            self.assertEqual(result.returncode, 2, result.stderr)
            self.assertNotIn("is not in", result.stderr)
            self.assertIn("step must be > 0 and divide the data's 30m interval", result.stderr)


if __name__ == "__main__":
    unittest.main()
