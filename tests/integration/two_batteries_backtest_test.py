#!/usr/bin/python3
"""A full-stack backtest of the shipped two-battery region (deploy/two-batteries.json, issue 22
part 5): a week of 2023 in which both batteries are dispatched.

- The JSON report's dispatches list every configured asset (battery-1, battery-2, peaker-1)
  and both batteries moved energy (non-zero MWh in non-zero intervals).
- The trader's P&L is reported per battery and the parts add up to the total.
- Both agents acted on both batteries: the store holds the trader's proposals for each
  battery at every boundary, and response decisions split across both (response
  proposals for both batteries for the same interval).

Environment (set by ctest): GRIDPILOT_SOURCE_DIR, GRIDPILOT_BIN_DIR; $GRIDPILOT_MODEL_DIR.
"""

import unittest

from shipped_config_backtest import ShippedConfigBacktestTest

class TwoBatteriesBacktestTest(ShippedConfigBacktestTest):
    OUTPUT_NAME = "two-batteries"
    CONFIG = "two-batteries.json"
    DATE_FROM = "2023-01-01"
    DATE_TO = "2023-01-07"

    def test_every_asset_is_listed_and_both_batteries_are_dispatched(self):
        dispatches = self.report["dispatches"]
        self.assertEqual(set(dispatches), {"battery-1", "battery-2", "peaker-1"})
        for battery in ("battery-1", "battery-2"):
            with self.subTest(battery=battery):
                self.assertGreater(dispatches[battery]["count"], 50)
                self.assertGreater(dispatches[battery]["mwh"], 100.0)
        self.assertEqual(self.report["ticks"], 7 * 48)
        for battery in ("battery-1", "battery-2"):
            self.assertIn(f"  {battery}: dispatched in", self.result.stdout)

    def test_trader_pnl_per_battery_adds_up(self):
        by_battery = self.report["trader_pnl_by_battery"]
        self.assertEqual(set(by_battery), {"battery-1", "battery-2"})
        self.assertAlmostEqual(sum(b["pnl_gbp"] for b in by_battery.values()),
                               self.report["trader_pnl_gbp"], places=3)
        self.assertAlmostEqual(
            sum(b["perfect_foresight_pnl_gbp"] for b in by_battery.values()),
            self.report["perfect_foresight_pnl_gbp"], places=3)
        for battery, b in by_battery.items():
            self.assertGreater(b["perfect_foresight_pnl_gbp"], 0.0, battery)
            self.assertNotEqual(b["pnl_gbp"], 0.0, battery)

    def test_both_agents_act_on_both_batteries(self):
        trader = dict(self.query(
            "SELECT asset_id, COUNT(DISTINCT lease_start) FROM proposals WHERE agent = 'trader' "
            "GROUP BY asset_id"))
        self.assertEqual(trader.get("battery-1"), 7 * 48)
        self.assertEqual(trader.get("battery-2"), 7 * 48)
        # Response decisions split across both batteries: both proposed for the same interval.
        split = self.query(
            "SELECT a.lease_start FROM proposals a JOIN proposals b "
            "ON a.lease_start = b.lease_start AND a.agent = b.agent "
            "WHERE a.agent = 'response' AND a.asset_id = 'battery-1' AND b.asset_id = 'battery-2'")
        self.assertGreater(len(split), 10)


if __name__ == "__main__":
    unittest.main()
