#include "core/advice/load_shift.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace gridpilot::advice {
namespace {

struct ShiftCase {
  std::string name;
  std::vector<double> load;
  std::vector<double> price;
  double share;
  double limit;
  std::vector<double> want_out;
  std::vector<double> want_in;
};

TEST(LoadShiftTest, PlansTheTableCases) {
  const std::vector<ShiftCase> cases = {
      {"no peak above the limit", {1, 2, 3}, {10, 20, 30}, 0.5, 3, {0, 0, 0}, {0, 0, 0}},
      {"peak brought down to the limit into the cheapest slot",
       {1, 2, 5},
       {30, 10, 50},
       0.5,
       4,
       {0, 0, 1},
       {0, 1, 0}},
      {"flexible share caps the move", {1, 1, 10}, {10, 20, 50}, 0.2, 4, {0, 0, 2}, {2, 0, 0}},
      {"the cheapest slot is filled only up to the limit, then the next",
       {3, 1, 6},
       {5, 10, 50},
       0.5,
       4,
       {0, 0, 2},
       {1, 1, 0}},
      {"equal prices: the lower load takes first",
       {2, 1, 6},
       {10, 10, 50},
       0.5,
       4,
       {0, 0, 2},
       {0, 2, 0}},
      {"too little room: every peak scaled by the same factor",
       {3.5, 6, 6},
       {10, 50, 50},
       0.5,
       4,
       {0, 0.25, 0.25},
       {0.5, 0, 0}},
  };
  for (const ShiftCase& c : cases) {
    absl::StatusOr<LoadShiftPlan> plan = PlanLoadShift(c.load, c.price, c.share, c.limit);
    ASSERT_TRUE(plan.ok()) << c.name << ": " << plan.status();
    for (size_t i = 0; i < c.load.size(); ++i) {
      EXPECT_NEAR(plan->out[i], c.want_out[i], 1e-12) << c.name << " out[" << i << "]";
      EXPECT_NEAR(plan->in[i], c.want_in[i], 1e-12) << c.name << " in[" << i << "]";
    }
    double total_out = 0.0;
    for (double v : c.want_out) total_out += v;
    EXPECT_NEAR(plan->shifted_energy, total_out * 0.5, 1e-12) << c.name;
  }
}

TEST(LoadShiftTest, AppliedToItsForecastGivesThePeakReductionAndSaving) {
  const std::vector<double> load = {1, 2, 5};
  const std::vector<double> price = {30, 10, 50};  // £/MWh
  const LoadShiftPlan plan = *PlanLoadShift(load, price, 0.5, 4);
  const ShiftOutcome outcome = *ApplyLoadShift(plan, load, price, 0.5, 0.001);  // kW
  EXPECT_DOUBLE_EQ(outcome.peak_before, 5);
  EXPECT_DOUBLE_EQ(outcome.peak_after, 4);
  EXPECT_DOUBLE_EQ(outcome.peak_reduction(), 1);
  // 1 kW for half an hour = 0.5 kWh moved from £50/MWh to £10/MWh: £0.02.
  EXPECT_NEAR(outcome.saved_gbp(), 0.5 * 0.001 * (50 - 10), 1e-12);
  EXPECT_NEAR(outcome.shifted_energy, 0.5, 1e-12);
}

TEST(LoadShiftTest, AppliedToADayWithLessFlexibleLoadMovesOnlyWhatExisted) {
  const std::vector<double> price = {30, 10, 50};
  const LoadShiftPlan plan = *PlanLoadShift({1, 2, 5}, price, 0.5, 4);  // moves 1 out of [2]
  // The day that happened had only 1 kW in the last half-hour: 0.5 kW was flexible.
  const ShiftOutcome outcome = *ApplyLoadShift(plan, {1, 2, 1}, price, 0.5, 0.001);
  EXPECT_NEAR(outcome.load_after[2], 0.5, 1e-12);
  EXPECT_NEAR(outcome.load_after[1], 2.5, 1e-12);  // receives what was moved, no more
  EXPECT_NEAR(outcome.shifted_energy, 0.25, 1e-12);
  EXPECT_NEAR(outcome.peak_reduction(), 2 - 2.5, 1e-12);  // a new peak: measured, not hidden
}

TEST(LoadShiftTest, PercentileInterpolates) {
  EXPECT_DOUBLE_EQ(*Percentile({4, 1, 3, 2}, 0), 1);
  EXPECT_DOUBLE_EQ(*Percentile({4, 1, 3, 2}, 100), 4);
  EXPECT_DOUBLE_EQ(*Percentile({4, 1, 3, 2}, 50), 2.5);
  EXPECT_FALSE(Percentile({}, 50).ok());
  EXPECT_FALSE(Percentile({1}, 101).ok());
}

TEST(LoadShiftTest, RejectsBadArgumentsNamingThem) {
  EXPECT_NE(PlanLoadShift({1}, {1, 2}, 0.5, 1).status().message().find("price_gbp_per_mwh"),
            std::string::npos);
  EXPECT_NE(PlanLoadShift({1}, {1}, 1.5, 1).status().message().find("flexible_share"),
            std::string::npos);
  EXPECT_NE(PlanLoadShift({-1}, {1}, 0.5, 1).status().message().find("load[0]"), std::string::npos);
  EXPECT_NE(PlanLoadShift({1}, {1}, 0.5, -1).status().message().find("peak_limit"),
            std::string::npos);
}

}  // namespace
}  // namespace gridpilot::advice
