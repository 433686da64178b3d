// The figures a what-if compares, read from a backtest's JSON report, and the difference.
#include "services/mcp/whatif_report.h"

#include <gtest/gtest.h>

namespace gridpilot::mcp {
namespace {

using nlohmann::json;

json Report(double net, double penalty, double trader, int battery_count) {
  return {{"ledger_gbp", {{"net", net}, {"instability_penalty", penalty}, {"peaker_fuel", 0.0}}},
          {"ramp_events", 12},
          {"ramp_episodes", {{"countered", 3}, {"not_countered", 2}, {"open", 0}}},
          {"trader_pnl_gbp", trader},
          {"trader_capture_ratio", 0.4},
          {"battery_cycles", 1.5},
          {"ticks", 96},
          {"dispatches",
           {{"battery-1", {{"count", battery_count}, {"mwh", 40.0}}},
            {"peaker-1", {{"count", 0}, {"mwh", 0.0}}}}},
          {"wall_seconds", 3.2}};
}

TEST(WhatifReportTest, ReadsTheComparedFigures) {
  absl::StatusOr<json> figures = WhatifFigures(Report(1000, -250, 800, 30));
  ASSERT_TRUE(figures.ok()) << figures.status();
  EXPECT_EQ((*figures)["ledger_gbp"]["net"], 1000.0);
  EXPECT_EQ((*figures)["instability"]["penalty_gbp"], -250.0);
  EXPECT_EQ((*figures)["instability"]["episodes_not_countered"], 2.0);
  EXPECT_EQ((*figures)["trader_pnl_gbp"], 800.0);
  EXPECT_EQ((*figures)["dispatches"]["battery-1"]["count"], 30.0);
  EXPECT_FALSE(figures->contains("wall_seconds"));  // not a figure of the run
}

TEST(WhatifReportTest, NamesWhatIsMissing) {
  json report = Report(1, 2, 3, 4);
  report.erase("trader_pnl_gbp");
  EXPECT_EQ(WhatifFigures(report).status().message(), "report.trader_pnl_gbp: missing");
  report = Report(1, 2, 3, 4);
  report["ramp_episodes"]["countered"] = "many";
  EXPECT_EQ(WhatifFigures(report).status().message(),
            "report.ramp_episodes.countered: not a number");
}

TEST(WhatifReportTest, DifferenceIsWhatifMinusBaselineForEveryFigure) {
  const json baseline = *WhatifFigures(Report(1000, -250, 800, 30));
  const json whatif = *WhatifFigures(Report(1100, -100, 750, 41));
  const json difference = WhatifDifference(baseline, whatif);
  EXPECT_DOUBLE_EQ(difference["ledger_gbp"]["net"].get<double>(), 100.0);
  EXPECT_DOUBLE_EQ(difference["instability"]["penalty_gbp"].get<double>(), 150.0);
  EXPECT_DOUBLE_EQ(difference["trader_pnl_gbp"].get<double>(), -50.0);
  EXPECT_DOUBLE_EQ(difference["dispatches"]["battery-1"]["count"].get<double>(), 11.0);
  EXPECT_DOUBLE_EQ(difference["ticks"].get<double>(), 0.0);
  // A key in only one run is left out.
  EXPECT_EQ(WhatifDifference({{"a", 1}}, {{"a", 3}, {"b", 2}}), (json{{"a", 2.0}}));
}

}  // namespace
}  // namespace gridpilot::mcp
