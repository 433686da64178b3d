// SimulateDispatch: a dry run on copies of the region, against the same steps without the
// proposal; the engine given is never changed.
#include "core/region/dispatch_simulation.h"

#include <optional>
#include <vector>

#include "core/base/time_util.h"
#include "gtest/gtest.h"
#include "tests/core/region/proposal_builder.h"

namespace gridpilot::region {
namespace {

const absl::Time kT0 = *base::ParseUtcTimestamp("2023-01-01T00:00:00Z");
absl::Time At(int k) { return kT0 + k * absl::Minutes(30); }

RegionEngine MakeEngine() {
  assets::BatteryParams battery;  // battery-1: 100 MWh, 50/50 MW, soc 50 MWh
  battery.soc_initial_mwh = 50.0;
  return RegionEngine(RegionConfig{}, {battery}, {assets::PeakerParams{}}, 300.0);
}

class DispatchSimulationTest : public ::testing::Test {
 protected:
  DispatchSimulationTest() {
    const absl::StatusOr<DispatchArbiter::SubmitResult> trader =
        engine_.arbiter().Submit(MakeProposal("trader", "battery-1", DispatchPriority::kTrading,
                                              -10.0, At(0), At(4), "charge cheap"),
                                 At(0));
    EXPECT_TRUE(trader.ok());
    trader_id_ = trader.ok() ? trader->proposal_id : 0;
  }
  RegionEngine engine_ = MakeEngine();
  int64_t trader_id_ = 0;
  const std::vector<std::optional<double>> rising_ = {340.0, 340.0, 340.0, 340.0};
};

TEST_F(DispatchSimulationTest, ShowsWhatTheArbiterWouldApplyAndWhomItDisplaces) {
  const DispatchProposal discharge = MakeProposal(
      "operator", "battery-1", DispatchPriority::kResilience, 20.0, At(0), At(2), "ramp up");
  absl::StatusOr<DispatchSimulationResult> result =
      SimulateDispatch(engine_, discharge, At(0), rising_, {});
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->steps.size(), 4u);
  // The lease [0, 2): resilience outranks the trader, who is displaced.
  for (int k : {0, 1}) {
    EXPECT_EQ(result->steps[k].start, At(k));
    EXPECT_EQ(result->steps[k].with.agent, "operator");
    EXPECT_NEAR(result->steps[k].with.applied_mw, 20.0, 1e-9);
    EXPECT_EQ(result->steps[k].without.agent, "trader");
    EXPECT_EQ(result->steps[k].without.proposal_id, trader_id_);
    EXPECT_NEAR(result->steps[k].without.applied_mw, -10.0, 1e-9);
  }
  // After the lease the trader governs again in both runs.
  EXPECT_EQ(result->steps[2].with.agent, "trader");
  EXPECT_EQ(result->steps[3].with.proposal_id, trader_id_);
  // Discharging into a rising net load cuts the ramp and its penalty.
  EXPECT_LT(result->steps[0].excess_with_mw, result->steps[0].excess_without_mw);
  EXPECT_LT(result->penalty_with_gbp, result->penalty_without_gbp);
  EXPECT_NE(result->net_with_gbp, result->net_without_gbp);
}

TEST_F(DispatchSimulationTest, LeavesTheEngineUntouched) {
  const DispatchProposal discharge = MakeProposal(
      "operator", "battery-1", DispatchPriority::kResilience, 20.0, At(0), At(2), "ramp up");
  ASSERT_TRUE(SimulateDispatch(engine_, discharge, At(0), rising_, {}).ok());
  EXPECT_EQ(engine_.arbiter().Active().size(), 1u);
  EXPECT_EQ(engine_.intervals_applied(), 0);
  EXPECT_DOUBLE_EQ(engine_.battery_soc_mwh()[0], 50.0);
  EXPECT_DOUBLE_EQ(engine_.ledger().Net(), 0.0);
  // The real engine then applies the trader's proposal as if no simulation had run.
  const IntervalOutcome applied = engine_.ApplyStep(At(0), 340.0, std::nullopt);
  EXPECT_EQ(applied.decisions[0].proposal_id, trader_id_);
}

TEST_F(DispatchSimulationTest, RefusesWhatTheArbiterWouldRefuseAndUnboundedWindows) {
  const DispatchProposal too_big = MakeProposal(
      "operator", "battery-1", DispatchPriority::kResilience, 5000.0, At(0), At(2), "too big");
  EXPECT_EQ(SimulateDispatch(engine_, too_big, At(0), rising_, {}).status().code(),
            absl::StatusCode::kInvalidArgument);
  const DispatchProposal fine =
      MakeProposal("operator", "battery-1", DispatchPriority::kResilience, 5.0, At(0), At(2), "");
  EXPECT_FALSE(SimulateDispatch(engine_, fine, At(0), {}, {}).ok());
  EXPECT_FALSE(SimulateDispatch(engine_, fine, At(0),
                                std::vector<std::optional<double>>(kMaxSimulatedSteps + 1, 300.0),
                                {})
                   .ok());
  EXPECT_FALSE(SimulateDispatch(engine_, fine, At(0), rising_, {50.0}).ok());
}

}  // namespace
}  // namespace gridpilot::region
