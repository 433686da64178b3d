#!/usr/bin/python3
"""A full-stack backtest of the shipped two-battery region behind a shared connection
(deploy/two-batteries-shared-connection.json: 50 + 20 MW behind 30 MW each way), January 2023 (issue 22 part 5).

- Both batteries are dispatched and the trader's P&L is reported per battery.
- No settled interval's battery sum (applied, from the store) is beyond the limit, and the
  limit binds: some intervals sit at it.
- The trader planned within it: its two proposals for each interval together keep within
  the limit (each battery plans within its share, agents/trader/trader_agent.h).
- Any clamp the gateway made for the connection names the limit in the decision's reason
  (the clamp itself: tests/core/region/connection_limit_test.cc).

Environment (set by ctest): GRIDPILOT_SOURCE_DIR, GRIDPILOT_BIN_DIR; $GRIDPILOT_MODEL_DIR.
"""

import unittest

from shipped_config_backtest import ShippedConfigBacktestTest

LIMIT_MW = 30.0


class SharedConnectionBacktestTest(ShippedConfigBacktestTest):
    OUTPUT_NAME = "shared-connection"
    CONFIG = "two-batteries-shared-connection.json"
    DATE_FROM = "2023-01-01"
    DATE_TO = "2023-01-31"

    def test_both_batteries_are_dispatched_and_traded(self):
        dispatches = self.report["dispatches"]
        for battery in ("battery-1", "battery-2"):
            with self.subTest(battery=battery):
                self.assertGreater(dispatches[battery]["count"], 50)
                self.assertGreater(dispatches[battery]["mwh"], 100.0)
        by_battery = self.report["trader_pnl_by_battery"]
        self.assertEqual(set(by_battery), {"battery-1", "battery-2"})
        self.assertAlmostEqual(sum(b["pnl_gbp"] for b in by_battery.values()),
                               self.report["trader_pnl_gbp"], places=3)

    def test_no_settled_interval_is_beyond_the_limit_and_it_binds(self):
        sums = self.query(
            "SELECT interval_start, SUM(applied_mw) FROM decisions "
            "WHERE asset_id IN ('battery-1', 'battery-2') GROUP BY interval_start")
        self.assertEqual(len(sums), 31 * 48)
        for start, total_mw in sums:
            self.assertLessEqual(abs(total_mw), LIMIT_MW + 1e-6, start)
        at_limit = [s for s, total_mw in sums if abs(total_mw) > LIMIT_MW - 1e-3]
        self.assertGreater(len(at_limit), 10)

    def test_the_traders_plans_keep_within_the_limit(self):
        # The last trading proposal for each battery and interval, summed over the batteries.
        pairs = self.query(
            "SELECT lease_start, SUM(power_mw) FROM proposals p WHERE agent = 'trader' AND "
            "proposal_id = (SELECT MAX(proposal_id) FROM proposals q WHERE q.agent = 'trader' "
            "AND q.asset_id = p.asset_id AND q.lease_start = p.lease_start) "
            "GROUP BY lease_start HAVING COUNT(*) = 2")
        self.assertGreater(len(pairs), 31 * 48 - 2)
        for start, total_mw in pairs:
            self.assertLessEqual(abs(total_mw), LIMIT_MW + 1e-6, start)
        # The plans use the connection: many intervals' proposals come near the limit.
        self.assertGreater(sum(1 for _, total_mw in pairs if abs(total_mw) > 0.9 * LIMIT_MW), 50)

    def test_connection_clamps_name_the_limit(self):
        for (reason,) in self.query(
                "SELECT reason FROM decisions WHERE reason LIKE '%shared connection%'"):
            self.assertIn("limit 30.00 MW", reason)


if __name__ == "__main__":
    unittest.main()
