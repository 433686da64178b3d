#include "core/planning/grid_dp_planner.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/core/planning/grid_dp_reference.h"

namespace gridpilot::planning {
namespace {

using ::testing::HasSubstr;

// Default battery (50 MW / 100 MWh, 95% each way, £5/MWh wear), floor 5 + 20 = 25 MWh.
ScheduleRequest DefaultRequest(std::vector<double> prices, double terminal_gbp_per_mwh) {
  ScheduleRequest r;
  r.soc_start_mwh = 50.0;
  r.soc_floor_mwh = r.battery.soc_min_mwh + r.battery.reserve_mwh;
  r.price_gbp_per_mwh = std::move(prices);
  r.terminal_value_gbp_per_mwh = terminal_gbp_per_mwh;
  return r;
}

// What interval i of `r` pays per MWh charged (ScheduleRequest::charge_price_gbp_per_mwh).
double ChargePriceIn(const ScheduleRequest& r, size_t i) {
  return r.charge_price_gbp_per_mwh.empty() ? r.price_gbp_per_mwh[i]
                                            : r.charge_price_gbp_per_mwh[i];
}

// Checks limits, bounds and energy balance of every interval, and that the reported
// objective is what the plan earns. Bounds are relaxed to the start soc when it lies
// outside [floor, soc_max], but then the soc may only move towards the band.
void ExpectPhysicallyConsistent(const ScheduleRequest& r, const BatterySchedule& plan) {
  const assets::BatteryParams& b = r.battery;
  const double h = absl::ToDoubleHours(r.interval);
  const double floor_mwh = std::max(r.soc_floor_mwh, b.soc_min_mwh);
  ASSERT_EQ(plan.power_mw.size(), r.price_gbp_per_mwh.size());
  ASSERT_EQ(plan.soc_after_mwh.size(), r.price_gbp_per_mwh.size());
  double soc = r.soc_start_mwh;
  double objective = 0.0;
  for (size_t i = 0; i < plan.power_mw.size(); ++i) {
    const double p = plan.power_mw[i];
    EXPECT_LE(-p, b.max_charge_mw + 1e-9) << i;
    EXPECT_LE(p, b.max_discharge_mw + 1e-9) << i;
    const double charge_mwh = std::max(-p, 0.0) * h;
    const double discharge_mwh = std::max(p, 0.0) * h;
    const double after = plan.soc_after_mwh[i];
    EXPECT_NEAR(after,
                soc + charge_mwh * b.charge_efficiency - discharge_mwh / b.discharge_efficiency,
                1e-6)
        << i;
    EXPECT_GE(after, std::min(soc, floor_mwh) - 1e-9) << i;  // never crosses the floor
    EXPECT_LE(after, std::max(soc, b.soc_max_mwh) + 1e-9) << i;
    objective += r.price_gbp_per_mwh[i] * discharge_mwh - ChargePriceIn(r, i) * charge_mwh -
                 b.degradation_gbp_per_mwh * (charge_mwh + discharge_mwh);
    soc = after;
  }
  objective += r.terminal_value_gbp_per_mwh * soc;
  EXPECT_NEAR(plan.objective_gbp, objective, 1e-6);
}

TEST(GridDpPlannerTest, ChargesCheapThenDischargesExpensive) {
  // Charging at 20 costs 25/0.95 per stored MWh; selling at 100 earns 95*0.95; both beat
  // the terminal value of 50, so both intervals run as hard as the 1 MWh grid allows.
  const ScheduleRequest r = DefaultRequest({20.0, 100.0}, 50.0);
  const BatterySchedule plan = PlanBatterySchedule(r);
  ExpectPhysicallyConsistent(r, plan);
  // 50 MW for half an hour stores at most 23.75 MWh: 23 on the grid.
  EXPECT_NEAR(plan.soc_after_mwh[0], 73.0, 1e-9);
  EXPECT_NEAR(plan.power_mw[0], -23.0 / 0.95 / 0.5, 1e-9);
  // Discharge removes at most 25 / 0.95 = 26.3 stored MWh: 26 on the grid.
  EXPECT_NEAR(plan.soc_after_mwh[1], 47.0, 1e-9);
  EXPECT_NEAR(plan.power_mw[1], 26.0 * 0.95 / 0.5, 1e-9);
  EXPECT_NEAR(plan.objective_gbp, -25.0 * 23.0 / 0.95 + 95.0 * 26.0 * 0.95 + 50.0 * 47.0, 1e-9);
  EXPECT_EQ(plan.note, "");
}

TEST(GridDpPlannerTest, FlatPricesWithDegradationDoNothing) {
  const ScheduleRequest r = DefaultRequest(std::vector<double>(48, 60.0), 60.0);
  const BatterySchedule plan = PlanBatterySchedule(r);
  ExpectPhysicallyConsistent(r, plan);
  EXPECT_EQ(plan.power_mw, std::vector<double>(48, 0.0));
  EXPECT_EQ(plan.soc_after_mwh, std::vector<double>(48, 50.0));
  EXPECT_DOUBLE_EQ(plan.objective_gbp, 60.0 * 50.0);
}

TEST(GridDpPlannerTest, NegativePricesPayToCharge) {
  // At -30 every grid MWh taken in earns 30 - 5 wear, even with no terminal value.
  const ScheduleRequest r = DefaultRequest({-30.0, -30.0}, 0.0);
  const BatterySchedule plan = PlanBatterySchedule(r);
  ExpectPhysicallyConsistent(r, plan);
  EXPECT_LT(plan.power_mw[0], 0.0);
  EXPECT_LT(plan.power_mw[1], 0.0);
  EXPECT_NEAR(plan.soc_after_mwh[1], 95.0, 1e-9);
  EXPECT_NEAR(plan.objective_gbp, 25.0 * 45.0 / 0.95, 1e-9);
}

TEST(GridDpPlannerTest, ExpensivePricesDrainOnlyToTheFloor) {
  // Selling is worth far more than the terminal value, so it empties as far as allowed.
  const ScheduleRequest r = DefaultRequest(std::vector<double>(6, 300.0), 0.0);
  const BatterySchedule plan = PlanBatterySchedule(r);
  ExpectPhysicallyConsistent(r, plan);
  EXPECT_NEAR(plan.soc_after_mwh.back(), 25.0, 1e-9);
  EXPECT_NEAR(*std::min_element(plan.soc_after_mwh.begin(), plan.soc_after_mwh.end()), 25.0, 1e-9);
}

TEST(GridDpPlannerTest, RandomPricesRespectLimitsAndBalance) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> price(-50.0, 250.0);
  for (double start : {25.0, 50.0, 61.37, 95.0}) {
    std::vector<double> prices(48);
    for (double& p : prices) p = price(rng);
    const ScheduleRequest r = DefaultRequest(prices, 80.0);
    ScheduleRequest from = r;
    from.soc_start_mwh = start;
    const BatterySchedule plan = PlanBatterySchedule(from);
    ExpectPhysicallyConsistent(from, plan);
    EXPECT_EQ(plan.note, "") << start;
  }
}

// The objective of the best path through `levels` found by trying every path.
double BruteForceObjective(const ScheduleRequest& r, const std::vector<double>& levels) {
  const assets::BatteryParams& b = r.battery;
  const double h = absl::ToDoubleHours(r.interval);
  const double floor_mwh = std::max(r.soc_floor_mwh, b.soc_min_mwh);
  double best = -INFINITY;
  std::function<void(size_t, double, double)> visit = [&](size_t i, double soc, double earned) {
    if (i == r.price_gbp_per_mwh.size()) {
      best = std::max(best, earned + r.terminal_value_gbp_per_mwh * soc);
      return;
    }
    for (double next : levels) {
      const double charge_mwh = std::max(next - soc, 0.0) / b.charge_efficiency;
      const double discharge_mwh = std::max(soc - next, 0.0) * b.discharge_efficiency;
      if (charge_mwh > b.max_charge_mw * h + 1e-9) continue;
      if (discharge_mwh > b.max_discharge_mw * h + 1e-9) continue;
      if (next < std::min(soc, floor_mwh) - 1e-9) continue;
      if (next > std::max(soc, b.soc_max_mwh) + 1e-9) continue;
      visit(i + 1, next,
            earned + r.price_gbp_per_mwh[i] * discharge_mwh - ChargePriceIn(r, i) * charge_mwh -
                b.degradation_gbp_per_mwh * (charge_mwh + discharge_mwh));
    }
  };
  visit(0, r.soc_start_mwh, 0.0);
  return best;
}

// A random tiny battery for brute-force comparisons: 12 MWh, charge and discharge limits
// in [min_power_mw, 8] MW, efficiencies in [0.8, 1], degradation in [0, 10] GBP/MWh. Its
// SoC bounds are the defaults until the caller sets them. `uniform(lo, hi)` draws.
template <typename Uniform>
assets::BatteryParams TinyRandomBattery(Uniform& uniform, double min_power_mw) {
  assets::BatteryParams b;
  b.energy_capacity_mwh = 12.0;
  b.max_charge_mw = uniform(min_power_mw, 8.0);
  b.max_discharge_mw = uniform(min_power_mw, 8.0);
  b.charge_efficiency = uniform(0.8, 1.0);
  b.discharge_efficiency = uniform(0.8, 1.0);
  b.degradation_gbp_per_mwh = uniform(0.0, 10.0);
  return b;
}

TEST(GridDpPlannerTest, MatchesBruteForceOnTinyProblems) {
  std::mt19937 rng(2024);
  auto uniform = [&](double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
  };
  for (int trial = 0; trial < 200; ++trial) {
    ScheduleRequest r;
    r.battery = TinyRandomBattery(uniform, 1.0);
    r.battery.soc_min_mwh = uniform(0.0, 2.0);
    r.battery.soc_max_mwh = uniform(6.0, 10.0);
    r.soc_floor_mwh = r.battery.soc_min_mwh + uniform(0.0, 3.0);
    r.soc_step_mwh = std::vector<double>{0.75, 1.0, 2.0}[trial % 3];
    // Every fourth start is on the grid; others may be off it, below the floor or above
    // soc_max.
    r.soc_start_mwh =
        trial % 4 == 0 ? r.soc_floor_mwh + r.soc_step_mwh * (trial % 3) : uniform(0.0, 11.0);
    r.terminal_value_gbp_per_mwh = uniform(0.0, 100.0);
    r.price_gbp_per_mwh.resize(3 + trial % 2);
    for (double& p : r.price_gbp_per_mwh) p = uniform(-60.0, 200.0);

    // Grid levels from the floor spanning [floor, soc_max] and the start, plus the start.
    std::vector<double> levels = {r.soc_start_mwh};
    const double lo = std::min(r.soc_floor_mwh, r.soc_start_mwh);
    const double hi = std::max(r.battery.soc_max_mwh, r.soc_start_mwh);
    for (int j = -100; j <= 100; ++j) {
      const double level = r.soc_floor_mwh + j * r.soc_step_mwh;
      if (level >= lo - 1e-9 && level <= hi + 1e-9) levels.push_back(level);
    }

    const BatterySchedule plan = PlanBatterySchedule(r);
    SCOPED_TRACE(testing::Message() << "trial " << trial << " start " << r.soc_start_mwh);
    ExpectPhysicallyConsistent(r, plan);
    EXPECT_NEAR(plan.objective_gbp, BruteForceObjective(r, levels), 1e-9);
  }
}

// With charging priced above discharging (risk settings), a spread is traded only when it
// pays at both prices.
TEST(GridDpPlannerTest, ChargePricesAboveThePriceNarrowTheTradedSpread) {
  ScheduleRequest r;
  r.soc_start_mwh = 50.0;
  r.soc_floor_mwh = 25.0;
  r.price_gbp_per_mwh = {40.0, 40.0, 100.0, 100.0};
  r.terminal_value_gbp_per_mwh = 0.0;
  const BatterySchedule neutral = PlanBatterySchedule(r);
  EXPECT_LT(neutral.power_mw[0], 0.0);  // charges at 40 to sell at 100
  // A stored MWh bought at 40 costs (40 + 5) / 0.95 = 47.4 and sells for (100 - 5) x 0.95
  // = 90.3; bought at 95 it costs 105.3 and no longer pays: the plan only sells what it
  // holds.
  r.charge_price_gbp_per_mwh = {95.0, 95.0, 130.0, 130.0};
  const BatterySchedule averse = PlanBatterySchedule(r);
  EXPECT_EQ(averse.power_mw[0], 0.0);
  EXPECT_EQ(averse.power_mw[1], 0.0);
  EXPECT_GT(averse.power_mw[2] + averse.power_mw[3], 40.0);  // sells the 25 MWh it holds
  EXPECT_LT(averse.objective_gbp, neutral.objective_gbp);
  EXPECT_TRUE(averse.note.empty()) << averse.note;
}

TEST(GridDpPlannerTest, MatchesBruteForceWithChargePrices) {
  std::mt19937 rng(2025);
  auto uniform = [&](double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
  };
  for (int trial = 0; trial < 100; ++trial) {
    ScheduleRequest r;
    r.battery = TinyRandomBattery(uniform, 1.0);
    r.battery.soc_min_mwh = 1.0;
    r.battery.soc_max_mwh = 9.0;
    r.soc_floor_mwh = 2.0;
    r.soc_start_mwh = uniform(2.0, 9.0);
    r.terminal_value_gbp_per_mwh = uniform(0.0, 100.0);
    r.price_gbp_per_mwh.resize(4);
    for (double& p : r.price_gbp_per_mwh) p = uniform(-60.0, 200.0);
    for (double p : r.price_gbp_per_mwh) r.charge_price_gbp_per_mwh.push_back(p + uniform(0, 60));
    std::vector<double> levels = {r.soc_start_mwh};
    for (double level = 2.0; level <= 9.0 + 1e-9; level += 1.0) levels.push_back(level);
    SCOPED_TRACE(testing::Message() << "trial " << trial);
    const BatterySchedule plan = PlanBatterySchedule(r);
    ExpectPhysicallyConsistent(r, plan);
    EXPECT_NEAR(plan.objective_gbp, BruteForceObjective(r, levels), 1e-9);
  }
}

TEST(GridDpPlannerTest, ChargePricesBelowThePriceAreRefused) {
  ScheduleRequest r;
  r.soc_start_mwh = 50.0;
  r.price_gbp_per_mwh = {40.0, 100.0};
  r.charge_price_gbp_per_mwh = {40.0, 99.0};
  EXPECT_THAT(PlanBatterySchedule(r).note, HasSubstr("charge price 1"));
  r.charge_price_gbp_per_mwh = {40.0};
  EXPECT_THAT(PlanBatterySchedule(r).note, HasSubstr("one per price"));
}

TEST(GridDpPlannerTest, StartBelowFloorOnlyChargesOrHolds) {
  // A slow charger (10 MW: 4.75 stored MWh per interval) starting at soc_min.
  ScheduleRequest r = DefaultRequest(std::vector<double>(6, 300.0), 0.0);
  r.battery.max_charge_mw = 10.0;
  r.soc_start_mwh = 5.0;
  // Expensive throughout and no terminal value: it would sell, but may not below the floor.
  BatterySchedule plan = PlanBatterySchedule(r);
  ExpectPhysicallyConsistent(r, plan);
  EXPECT_EQ(plan.power_mw, std::vector<double>(6, 0.0));
  EXPECT_THAT(plan.note, HasSubstr("below the floor"));

  // Cheap then expensive: charges up through the floor over several intervals, then
  // sells only what lies above the floor.
  r.price_gbp_per_mwh = {0, 0, 0, 0, 0, 0, 300, 200, 100};
  plan = PlanBatterySchedule(r);
  ExpectPhysicallyConsistent(r, plan);
  EXPECT_NEAR(plan.soc_after_mwh[5], 29.0, 1e-9);  // 6 charges of 4 grid-level MWh
  EXPECT_GT(plan.power_mw[6], 0.0);
  EXPECT_NEAR(plan.soc_after_mwh.back(), 25.0, 1e-9);
  for (size_t i = 0; i + 1 < plan.soc_after_mwh.size(); ++i) {
    if (plan.soc_after_mwh[i] < 25.0) {
      EXPECT_GE(plan.soc_after_mwh[i + 1], plan.soc_after_mwh[i]) << i;
    }
  }
}

TEST(GridDpPlannerTest, StartAboveSocMaxOnlyDischargesOrHolds) {
  // Paid to charge, but already above soc_max: it may not charge further.
  ScheduleRequest r = DefaultRequest(std::vector<double>(4, -40.0), 0.0);
  r.soc_start_mwh = 98.0;
  const BatterySchedule plan = PlanBatterySchedule(r);
  ExpectPhysicallyConsistent(r, plan);
  for (double p : plan.power_mw) EXPECT_GE(p, 0.0);
  EXPECT_THAT(plan.note, HasSubstr("above soc_max"));
}

TEST(GridDpPlannerTest, OffGridStartMovesExactlyFromTheTrueSoc) {
  // Charging at 10 is worth less than the terminal 100, so it charges as far as it can.
  ScheduleRequest r = DefaultRequest({10.0, 200.0}, 100.0);
  r.soc_start_mwh = 60.4;
  const BatterySchedule plan = PlanBatterySchedule(r);
  ExpectPhysicallyConsistent(r, plan);
  // Charges to the highest grid level within 23.75 MWh of 60.4.
  EXPECT_NEAR(plan.soc_after_mwh[0], 84.0, 1e-9);
  EXPECT_NEAR(plan.power_mw[0], -(84.0 - 60.4) / 0.95 / 0.5, 1e-9);
  EXPECT_NEAR(plan.soc_after_mwh[1], 58.0, 1e-9);  // sells at most 26.3 stored MWh
}

TEST(GridDpPlannerTest, InvalidRequestHoldsWithReason) {
  ScheduleRequest r = DefaultRequest({10.0, 200.0}, 30.0);
  r.soc_step_mwh = 0.0;
  BatterySchedule plan = PlanBatterySchedule(r);
  EXPECT_EQ(plan.power_mw, std::vector<double>(2, 0.0));
  EXPECT_EQ(plan.soc_after_mwh, std::vector<double>(2, 50.0));
  EXPECT_DOUBLE_EQ(plan.objective_gbp, 30.0 * 50.0);
  EXPECT_THAT(plan.note, HasSubstr("soc_step_mwh must be > 0"));

  r = DefaultRequest({10.0, NAN}, 30.0);
  EXPECT_THAT(PlanBatterySchedule(r).note, HasSubstr("price 1 is not finite"));

  r = DefaultRequest({10.0}, 30.0);
  r.soc_floor_mwh = 96.0;
  EXPECT_THAT(PlanBatterySchedule(r).note, HasSubstr("floor 96 MWh is above soc_max 95 MWh"));
}

TEST(GridDpPlannerTest, NoPricesGivesAnEmptyPlan) {
  const BatterySchedule plan = PlanBatterySchedule(DefaultRequest({}, 40.0));
  EXPECT_TRUE(plan.power_mw.empty());
  EXPECT_TRUE(plan.soc_after_mwh.empty());
  EXPECT_DOUBLE_EQ(plan.objective_gbp, 40.0 * 50.0);
}

}  // namespace
}  // namespace gridpilot::planning

namespace gridpilot::planning {
namespace {

// Ramp awareness: with a 15 MW step limit, a battery charging hard towards soc_max must
// start easing off early enough to come down to 0 in 15 MW steps, and the first interval
// stays within 15 MW of the power already running.
TEST(PlanBatteryScheduleRampTest, FirstStepAndSoftLandingRespectTheStepLimit) {
  ScheduleRequest request;
  request.soc_start_mwh = 60.0;
  request.soc_floor_mwh = 25.0;
  request.max_power_step_mw = 15.0;
  request.initial_power_mw = -40.0;  // charging at 40 MW now
  // Cheap for 4 intervals, then expensive: the unlimited plan charges flat out to full.
  request.price_gbp_per_mwh = {10, 10, 10, 10, 200, 200, 200, 200};
  request.terminal_value_gbp_per_mwh = 0.0;
  const BatterySchedule plan = PlanBatterySchedule(request);
  ASSERT_EQ(plan.power_mw.size(), 8u);
  EXPECT_LE(std::abs(plan.power_mw[0] - request.initial_power_mw), 15.0 + 1e-9);
  // Along the plan, whenever the battery charges at p MW, the stored headroom left must
  // hold the ramp-down p-15, p-30, ... at 0.95 efficiency over half-hours.
  for (size_t i = 0; i < plan.power_mw.size(); ++i) {
    const double p = -plan.power_mw[i];
    if (p <= 0) continue;
    double landing_mwh = 0.0;
    for (double q = p - 15.0; q > 0; q -= 15.0) landing_mwh += q * 0.5 * 0.95;
    EXPECT_GE(request.battery.soc_max_mwh - plan.soc_after_mwh[i], landing_mwh - 1e-6)
        << "interval " << i << " charges at " << p << " MW";
  }
  // Without the limit the same request steps by more than 15 MW somewhere, and earns at
  // least as much (the limit only removes options).
  ScheduleRequest unlimited = request;
  unlimited.max_power_step_mw = 0.0;
  const BatterySchedule free_plan = PlanBatterySchedule(unlimited);
  EXPECT_GE(free_plan.objective_gbp, plan.objective_gbp - 1e-9);
  double largest_step_mw = std::abs(free_plan.power_mw[0] - request.initial_power_mw);
  for (size_t i = 1; i < free_plan.power_mw.size(); ++i) {
    largest_step_mw =
        std::max(largest_step_mw, std::abs(free_plan.power_mw[i] - free_plan.power_mw[i - 1]));
  }
  EXPECT_GT(largest_step_mw, 15.0);
}

TEST(PlanBatteryScheduleRampTest, NegativeStepLimitIsRefused) {
  ScheduleRequest request;
  request.soc_start_mwh = 50.0;
  request.max_power_step_mw = -1.0;
  request.price_gbp_per_mwh = {10, 200};
  const BatterySchedule plan = PlanBatterySchedule(request);
  EXPECT_THAT(plan.note, testing::HasSubstr("max_power_step_mw must be >= 0"));
  EXPECT_EQ(plan.power_mw, std::vector<double>({0.0, 0.0}));
}

}  // namespace
}  // namespace gridpilot::planning

namespace gridpilot::planning {
namespace {

// The changes of power interval i of `r` allows, written out from the contracts of
// step_centre_mw and follow_beyond_mw (not from the planner's code).
std::pair<double, double> AllowedChangeMw(const ScheduleRequest& r, size_t i) {
  const double s = r.max_power_step_mw;
  const double c = r.step_centre_mw.empty() ? 0.0 : r.step_centre_mw[i];
  const double f = r.follow_beyond_mw;
  if (f > 0 && i >= r.follow_from_interval && c > f) return {c - f, c + s};
  if (f > 0 && i >= r.follow_from_interval && c < -f) return {c - s, c + f};
  return {std::min(0.0, c - s), std::max(0.0, c + s)};
}

// Best objective over every path of levels start + k * step (k integer) whose every step,
// from initial_power_mw on, is within its allowed change (AllowedChangeMw; without
// centres +-max_power_step_mw) and which ends at a power that can ramp down to 0 in steps
// of max_power_step_mw within [floor, soc_max]: limit_every_step by exhaustive search.
double BruteForceEveryStepLimited(const ScheduleRequest& r) {
  const assets::BatteryParams& b = r.battery;
  const double h = absl::ToDoubleHours(r.interval);
  const double floor_mwh = std::max(r.soc_floor_mwh, b.soc_min_mwh);
  const double s = r.max_power_step_mw;
  double best = -1e300;
  std::function<void(size_t, double, double, double)> visit = [&](size_t i, double soc,
                                                                  double power, double earned) {
    if (i == r.price_gbp_per_mwh.size()) {
      double rest = 0.0;
      for (double q = std::abs(power) - s; q > 1e-9; q -= s) rest += q;
      const double headroom_mwh =
          power < 0 ? std::max(b.soc_max_mwh, soc) - soc : soc - std::min(floor_mwh, soc);
      const double landing_mwh =
          power < 0 ? rest * h * b.charge_efficiency : rest * h / b.discharge_efficiency;
      const bool lands = headroom_mwh + 1e-9 >= landing_mwh;
      if (lands) best = std::max(best, earned + r.terminal_value_gbp_per_mwh * soc);
      return;
    }
    for (int k = -200; k <= 200; ++k) {
      const double next = soc + k * r.soc_step_mwh;
      if (next < std::min(soc, floor_mwh) - 1e-9 || next > std::max(soc, b.soc_max_mwh) + 1e-9) {
        continue;
      }
      const double charge_mwh = k > 0 ? (next - soc) / b.charge_efficiency : 0.0;
      const double discharge_mwh = k < 0 ? (soc - next) * b.discharge_efficiency : 0.0;
      if (charge_mwh > b.max_charge_mw * h + 1e-9) continue;
      if (discharge_mwh > b.max_discharge_mw * h + 1e-9) continue;
      const double p = (discharge_mwh - charge_mwh) / h;
      const auto [lower_mw, upper_mw] = AllowedChangeMw(r, i);
      if (p - power < lower_mw - 1e-9 || p - power > upper_mw + 1e-9) continue;
      visit(i + 1, next, p,
            earned + r.price_gbp_per_mwh[i] * discharge_mwh - ChargePriceIn(r, i) * charge_mwh -
                b.degradation_gbp_per_mwh * (charge_mwh + discharge_mwh));
    }
  };
  visit(0, r.soc_start_mwh, r.initial_power_mw, 0.0);
  return best;
}

// A random tiny every-step-limited problem (3-5 intervals) for brute-force comparisons;
// `uniform(lo, hi)` draws the numbers, `trial` picks the SoC grid and the length.
template <typename Uniform>
ScheduleRequest TinyEveryStepRequest(Uniform& uniform, int trial) {
  ScheduleRequest r;
  r.battery = TinyRandomBattery(uniform, 2.0);
  r.battery.soc_min_mwh = uniform(0.0, 2.0);
  r.battery.soc_max_mwh = uniform(6.0, 10.0);
  r.soc_floor_mwh = r.battery.soc_min_mwh + uniform(0.0, 3.0);
  r.soc_step_mwh = std::vector<double>{0.5, 1.0}[trial % 2];
  r.soc_start_mwh = uniform(0.0, 11.0);
  r.terminal_value_gbp_per_mwh = uniform(0.0, 100.0);
  r.max_power_step_mw = uniform(0.5, 4.0);
  r.initial_power_mw = uniform(-3.0, 3.0);
  r.limit_every_step = true;
  r.price_gbp_per_mwh.resize(3 + trial % 3);
  for (double& p : r.price_gbp_per_mwh) p = uniform(-60.0, 200.0);
  return r;
}

// Plans `r` and checks it against exhaustive search: physically consistent, the same
// objective, and every step within its allowed change. Returns whether a limited plan
// exists (else the planner must say it limited only the first step); *followed is set
// when some interval's allowed change excludes holding (the plan had to follow).
bool ExpectMatchesBruteForce(const ScheduleRequest& r, bool* followed) {
  const BatterySchedule plan = PlanBatterySchedule(r);
  ExpectPhysicallyConsistent(r, plan);
  const double brute = BruteForceEveryStepLimited(r);
  if (brute < -1e299) {
    // No path keeps every step within the limit: the first-step-only plan, said so.
    EXPECT_THAT(plan.note, HasSubstr("only the first is limited"));
    return false;
  }
  EXPECT_NEAR(plan.objective_gbp, brute, 1e-9);
  double previous_mw = r.initial_power_mw;
  *followed = false;
  for (size_t i = 0; i < plan.power_mw.size(); ++i) {
    const auto [lower_mw, upper_mw] = AllowedChangeMw(r, i);
    EXPECT_GE(plan.power_mw[i] - previous_mw, lower_mw - 1e-9) << i;
    EXPECT_LE(plan.power_mw[i] - previous_mw, upper_mw + 1e-9) << i;
    *followed |= lower_mw > 0 || upper_mw < 0;
    previous_mw = plan.power_mw[i];
  }
  return true;
}

TEST(PlanBatteryScheduleEveryStepTest, MatchesBruteForceOnTinyProblems) {
  std::mt19937 rng(77);
  auto uniform = [&](double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
  };
  int limited_plans = 0;
  for (int trial = 0; trial < 300; ++trial) {
    const ScheduleRequest r = TinyEveryStepRequest(uniform, trial);
    SCOPED_TRACE(testing::Message() << "trial " << trial << " start " << r.soc_start_mwh);
    bool followed = false;
    limited_plans += ExpectMatchesBruteForce(r, &followed) ? 1 : 0;
    EXPECT_FALSE(followed);  // no centres, no following: every step within +-max step
  }
  EXPECT_GT(limited_plans, 200);  // the comparison covered most trials
}

// The same with random step centres, many beyond the step, and a random follow threshold
// from a random interval: the planner's windows match the contracts.
TEST(PlanBatteryScheduleEveryStepTest, MatchesBruteForceWithCentresAndFollowing) {
  std::mt19937 rng(78);
  auto uniform = [&](double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
  };
  int limited_plans = 0, following_plans = 0;
  for (int trial = 0; trial < 300; ++trial) {
    ScheduleRequest r = TinyEveryStepRequest(uniform, trial);
    const double widest_change_mw = r.battery.max_charge_mw + r.battery.max_discharge_mw;
    for (size_t i = 0; i < r.price_gbp_per_mwh.size(); ++i) {
      r.step_centre_mw.push_back(uniform(-widest_change_mw, widest_change_mw));
    }
    if (trial % 4 != 0) {
      r.follow_beyond_mw = uniform(1.0, 5.0);
      r.follow_from_interval = static_cast<size_t>(trial % 3);
    }
    SCOPED_TRACE(testing::Message() << "trial " << trial << " start " << r.soc_start_mwh);
    bool followed = false;
    if (!ExpectMatchesBruteForce(r, &followed)) continue;
    ++limited_plans;
    following_plans += followed ? 1 : 0;
  }
  EXPECT_GT(limited_plans, 100);   // 123 of the 300 trials with this seed
  EXPECT_GT(following_plans, 40);  // 54: plans that had to follow were compared too
}

// The every-step planner with charging priced above discharging, as risk settings ask.
TEST(PlanBatteryScheduleEveryStepTest, MatchesBruteForceWithChargePrices) {
  std::mt19937 rng(79);
  auto uniform = [&](double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
  };
  int limited_plans = 0;
  for (int trial = 0; trial < 200; ++trial) {
    ScheduleRequest r = TinyEveryStepRequest(uniform, trial);
    for (double p : r.price_gbp_per_mwh) r.charge_price_gbp_per_mwh.push_back(p + uniform(0, 60));
    SCOPED_TRACE(testing::Message() << "trial " << trial << " start " << r.soc_start_mwh);
    bool followed = false;
    limited_plans += ExpectMatchesBruteForce(r, &followed) ? 1 : 0;
  }
  EXPECT_GT(limited_plans, 100);
}

// On the default battery with a 9 MW step, a single expensive half-hour can only be met
// by ramping into it: the every-step plan discharges in the intervals before the peak to
// get there, and earns less on paper than the first-step-only plan, which jumps from 0 to
// full power, but everything it plans can run.
TEST(PlanBatteryScheduleEveryStepTest, RampsTowardsAPeakItCanReach) {
  ScheduleRequest r = DefaultRequest({50, 50, 50, 50, 50, 300, 50, 50, 50, 50, 50, 50}, 45.0);
  r.max_power_step_mw = 9.0;
  r.initial_power_mw = 0.0;
  r.limit_every_step = true;
  const BatterySchedule plan = PlanBatterySchedule(r);
  ExpectPhysicallyConsistent(r, plan);
  EXPECT_EQ(plan.note, "");
  double previous_mw = 0.0;
  for (double p : plan.power_mw) {
    EXPECT_LE(std::abs(p - previous_mw), 9.0 + 1e-9);
    previous_mw = p;
  }
  // It ramps into the peak through the dull half-hours before it, and out after it.
  EXPECT_GT(plan.power_mw[4], 0.0);
  EXPECT_GT(plan.power_mw[5], plan.power_mw[4]);
  EXPECT_GT(plan.power_mw[6], 0.0);
  ScheduleRequest first_only = r;
  first_only.limit_every_step = false;
  const BatterySchedule loose = PlanBatterySchedule(first_only);
  EXPECT_GT(loose.power_mw[5] - loose.power_mw[4], 9.0);  // a step it could not take
  EXPECT_GT(loose.objective_gbp, plan.objective_gbp);
}

// Discharging at 50 MW just above the floor with a 9 MW step cannot stop in time: no
// plan keeps every step within the limit, so the first-step-only plan answers, noted.
TEST(PlanBatteryScheduleEveryStepTest, FallsBackWhenNoLimitedPlanExists) {
  ScheduleRequest r = DefaultRequest({100, 100, 100, 100}, 0.0);
  r.soc_start_mwh = 30.0;
  r.max_power_step_mw = 9.0;
  r.initial_power_mw = 50.0;
  r.limit_every_step = true;
  const BatterySchedule plan = PlanBatterySchedule(r);
  ExpectPhysicallyConsistent(r, plan);
  EXPECT_THAT(plan.note, HasSubstr("only the first is limited"));
}

}  // namespace
}  // namespace gridpilot::planning

namespace gridpilot::planning {
namespace {

// A coarse tail keeps every step within the limit and lies between the all-coarse plan
// (whose paths it contains: even levels from the start) and the all-fine plan (which
// contains its paths), on real-looking random days.
TEST(PlanBatteryScheduleEveryStepTest, CoarseTailLiesBetweenCoarseAndFine) {
  std::mt19937 rng(5);
  std::normal_distribution<double> noise(0.0, 25.0);
  for (int trial = 0; trial < 20; ++trial) {
    std::vector<double> prices(48);
    for (size_t i = 0; i < prices.size(); ++i) {
      prices[i] = 90.0 + 40.0 * std::sin(6.283 * (i + trial) / 48.0) + noise(rng);
    }
    ScheduleRequest fine = TradingScheduleRequest(assets::BatteryParams{}, 40.3 + trial,
                                                  trial % 3 - 1.0, prices, absl::Minutes(30), 9.0);
    ASSERT_TRUE(fine.limit_every_step);
    ASSERT_EQ(fine.coarse_from_interval, kTradingFineIntervals);
    const BatterySchedule hybrid = PlanBatterySchedule(fine);
    fine.coarse_from_interval = std::numeric_limits<size_t>::max();
    const BatterySchedule all_fine = PlanBatterySchedule(fine);
    ScheduleRequest coarse = fine;
    coarse.soc_step_mwh = 2.0 * fine.soc_step_mwh;
    const BatterySchedule all_coarse = PlanBatterySchedule(coarse);
    SCOPED_TRACE(testing::Message() << "trial " << trial);
    fine.coarse_from_interval = kTradingFineIntervals;
    ExpectPhysicallyConsistent(fine, hybrid);
    EXPECT_EQ(hybrid.note, "");
    EXPECT_LE(hybrid.objective_gbp, all_fine.objective_gbp + 1e-6);
    EXPECT_GE(hybrid.objective_gbp, all_coarse.objective_gbp - 1e-6);
    double previous_mw = fine.initial_power_mw;
    for (size_t i = 0; i < hybrid.power_mw.size(); ++i) {
      EXPECT_LE(std::abs(hybrid.power_mw[i] - previous_mw), 9.0 + 1e-9) << i;
      previous_mw = hybrid.power_mw[i];
      if (i >= kTradingFineIntervals) {  // whole multiples of 2 MWh from the start soc
        const double moved = (hybrid.soc_after_mwh[i] - fine.soc_start_mwh) / 2.0;
        EXPECT_NEAR(moved, std::round(moved), 1e-9) << i;
      }
    }
  }
}

}  // namespace
}  // namespace gridpilot::planning

namespace gridpilot::planning {
namespace {

// A centred step window moves every step's allowed range: with falling prices the plan
// discharges as early and hard as it may, so the first step reaches the top of
// [centre - 9, centre + 9] = [-5, 13] MW (on the 1.9 MW grid of discharge powers), past the
// symmetric limit; with limit_every_step every later step stays in its own window and
// leans past 9 MW where its centre is 9.
TEST(PlanBatteryScheduleEveryStepTest, StepWindowFollowsItsCentre) {
  ScheduleRequest r = DefaultRequest({300, 280, 260, 240, 220, 200}, 0.0);
  r.soc_start_mwh = 95.0;
  r.max_power_step_mw = 9.0;
  r.step_centre_mw = {4.0, -3.0, 9.0, 0.0, 2.0, -9.0};
  for (bool every_step : {true, false}) {
    r.limit_every_step = every_step;
    const BatterySchedule plan = PlanBatterySchedule(r);
    SCOPED_TRACE(testing::Message() << "limit_every_step " << every_step);
    ExpectPhysicallyConsistent(r, plan);
    EXPECT_EQ(plan.note, "");
    // The first step goes as far as the window and the 1 MWh grid allow: 13 MW at most.
    EXPECT_LE(plan.power_mw[0], 13.0 + 1e-9);
    EXPECT_GT(plan.power_mw[0], 11.0);
    if (!every_step) continue;
    double previous_mw = 0.0;
    for (size_t i = 0; i < plan.power_mw.size(); ++i) {
      const double step_mw = plan.power_mw[i] - previous_mw;
      EXPECT_LE(step_mw, r.step_centre_mw[i] + 9.0 + 1e-9) << i;
      EXPECT_GE(step_mw, r.step_centre_mw[i] - 9.0 - 1e-9) << i;
      previous_mw = plan.power_mw[i];
    }
    EXPECT_GT(plan.power_mw[2] - plan.power_mw[1], 9.0);  // leaning with a centre of 9
  }
}

TEST(PlanBatteryScheduleEveryStepTest, CentresBeyondTheBatteryRangeAreRefused) {
  ScheduleRequest r = DefaultRequest({10, 200}, 0.0);
  r.max_power_step_mw = 9.0;
  r.step_centre_mw = {0.0, 100.5};  // the default battery changes by at most 50 + 50 MW
  EXPECT_THAT(PlanBatterySchedule(r).note, HasSubstr("step centre 1"));
  r.step_centre_mw = {0.0};
  EXPECT_THAT(PlanBatterySchedule(r).note, HasSubstr("one per price"));
  r.step_centre_mw = {0.0, 0.0};
  r.follow_beyond_mw = -1.0;
  EXPECT_THAT(PlanBatterySchedule(r).note, HasSubstr("follow_beyond_mw"));
}

// [min(0, centre - step), max(0, centre + step)]: symmetric about the centre while the
// centre is within the step, and always containing 0 (holding).
TEST(StepWindowForTest, LeansWithTheCentreAndAlwaysAllowsHolding) {
  struct Case {
    double centre_mw, step_mw, lower_mw, upper_mw;
  };
  for (const Case& c : {Case{0, 9, -9, 9}, Case{4, 9, -5, 13}, Case{9, 9, 0, 18},
                        Case{20, 9, 0, 29}, Case{-20, 9, -29, 0}, Case{-3, 0, -3, 0}}) {
    SCOPED_TRACE(testing::Message() << "centre " << c.centre_mw << " step " << c.step_mw);
    const StepWindow w = StepWindowFor(c.centre_mw, c.step_mw);
    EXPECT_DOUBLE_EQ(w.lower_mw, c.lower_mw);
    EXPECT_DOUBLE_EQ(w.upper_mw, c.upper_mw);
  }
}

// A centre beyond the step widens the window on its side (here up to 20 + 9 = 29 MW) but
// still lets the plan hold: with rising prices it holds; with falling ones it discharges
// past the symmetric 18 MW at once.
TEST(PlanBatteryScheduleEveryStepTest, CentreBeyondTheStepWidensTheWindowAndAllowsHolding) {
  for (bool every_step : {true, false}) {
    SCOPED_TRACE(testing::Message() << "limit_every_step " << every_step);
    ScheduleRequest falling = DefaultRequest({300, 280, 260, 240}, 0.0);
    falling.soc_start_mwh = 95.0;
    falling.max_power_step_mw = 9.0;
    falling.limit_every_step = every_step;
    falling.step_centre_mw = {20.0, 0.0, 0.0, 0.0};
    const BatterySchedule sell = PlanBatterySchedule(falling);
    ExpectPhysicallyConsistent(falling, sell);
    EXPECT_GT(sell.power_mw[0], 18.0 + 1e-9);
    EXPECT_LE(sell.power_mw[0], 29.0 + 1e-9);

    ScheduleRequest rising = falling;
    rising.price_gbp_per_mwh = {100, 150, 200, 250};
    rising.soc_start_mwh = 50.0;
    rising.terminal_value_gbp_per_mwh = 240.0;
    const BatterySchedule hold = PlanBatterySchedule(rising);
    ExpectPhysicallyConsistent(rising, hold);
    EXPECT_EQ(hold.note, "");
    EXPECT_LE(hold.power_mw[0], 1e-9);  // never forced to discharge into rising prices
  }
}

// With prices that pay for no trade, a plan holds; asked to follow a +20 MW change of load
// at interval 3 beyond 15 MW, it must step up by at least 5 MW there, so starting at the
// floor it first charges (and gives the charging up into the ramp, or stores the energy
// to discharge into it).
TEST(PlanBatteryScheduleEveryStepTest, FollowsCentresBeyondFollowBeyondMw) {
  ScheduleRequest r = DefaultRequest({100, 100, 100, 100, 100, 100}, 90.0);
  r.soc_start_mwh = 25.0;  // the floor
  r.max_power_step_mw = 9.0;
  r.limit_every_step = true;
  r.step_centre_mw = {0.0, 0.0, 0.0, 20.0, 0.0, 0.0};
  const BatterySchedule free = PlanBatterySchedule(r);
  ExpectPhysicallyConsistent(r, free);
  for (double p : free.power_mw) EXPECT_NEAR(p, 0.0, 1e-9);

  r.follow_beyond_mw = 15.0;
  r.follow_from_interval = 1;
  const BatterySchedule following = PlanBatterySchedule(r);
  ExpectPhysicallyConsistent(r, following);
  EXPECT_EQ(following.note, "");
  EXPECT_GE(following.power_mw[3] - following.power_mw[2], 5.0 - 1e-9);
  EXPECT_LE(following.power_mw[3] - following.power_mw[2], 29.0 + 1e-9);
  EXPECT_LT(*std::min_element(following.power_mw.begin(), following.power_mw.begin() + 3), -1.0);
  // Every other step stays in its lean window.
  double previous_mw = 0.0;
  for (size_t i = 0; i < following.power_mw.size(); ++i) {
    if (i != 3) {
      EXPECT_LE(std::abs(following.power_mw[i] - previous_mw), 9.0 + 1e-9) << i;
    }
    previous_mw = following.power_mw[i];
  }

  // Following from interval 4 on leaves interval 3 free again.
  r.follow_from_interval = 4;
  for (double p : PlanBatterySchedule(r).power_mw) EXPECT_NEAR(p, 0.0, 1e-9);
}

// A ramp no plan can follow from the start (a +40 MW change at interval 1 from the floor,
// with one 9 MW step to prepare) leaves the first-step-only plan, and says so.
TEST(PlanBatteryScheduleEveryStepTest, AnUnfollowableRampFallsBackToTheFirstStepPlan) {
  ScheduleRequest r = DefaultRequest({100, 100, 100, 100}, 90.0);
  r.soc_start_mwh = 25.0;
  r.max_power_step_mw = 9.0;
  r.limit_every_step = true;
  r.step_centre_mw = {0.0, 40.0, 0.0, 0.0};
  r.follow_beyond_mw = 15.0;
  r.follow_from_interval = 1;
  const BatterySchedule plan = PlanBatterySchedule(r);
  ExpectPhysicallyConsistent(r, plan);
  EXPECT_THAT(plan.note, HasSubstr("only the first is limited"));
  EXPECT_LE(std::abs(plan.power_mw[0]), 9.0 + 1e-9);
}

}  // namespace
}  // namespace gridpilot::planning

namespace gridpilot::planning {
namespace {

bool SamePlan(const BatterySchedule& a, const BatterySchedule& b) {
  return a.power_mw == b.power_mw && a.soc_after_mwh == b.soc_after_mwh &&
         a.objective_gbp == b.objective_gbp && a.note == b.note;
}

// The planner gives bit-identical plans (powers, stored energies, objective, note) to the
// reference planner it replaced (tests/core/planning/grid_dp_reference.h) on trading-shaped
// requests: 48 intervals, the default battery from anywhere in [0, 100] MWh, any running
// power, leaning and following step windows, charge prices, fine and coarse tails, ties
// from flat and repeated prices, and horizons short enough to be all fine or all coarse.
TEST(PlanBatteryScheduleEveryStepTest, MatchesTheReferencePlannerBitForBit) {
  std::mt19937 rng(2026);
  auto uniform = [&](double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
  };
  int limited = 0, refused = 0;
  for (int trial = 0; trial < 400; ++trial) {
    const int intervals = std::vector<int>{48, 48, 48, 13, 12, 2, 1}[trial % 7];
    std::vector<double> prices(intervals);
    for (int i = 0; i < intervals; ++i) {
      prices[i] = trial % 5 == 0 ? std::round(uniform(0.0, 3.0)) * 20.0  // many ties
                                 : 90.0 + 50.0 * std::sin(0.13 * (i + trial)) + uniform(-40, 40);
    }
    const double step_mw = std::vector<double>{10.5, 9.0, 3.0, 30.0, 0.7}[trial % 5];
    ScheduleRequest r =
        TradingScheduleRequest(assets::BatteryParams{}, uniform(0.0, 100.0), uniform(-50.0, 50.0),
                               prices, absl::Minutes(30), step_mw);
    if (trial % 3 != 0) {
      r.step_centre_mw.resize(intervals);
      for (double& c : r.step_centre_mw) c = uniform(-1.0, 1.0) * uniform(0.0, 40.0);
      r.follow_beyond_mw = trial % 2 == 0 ? 16.0 : 0.0;
      r.follow_from_interval = 1;
    }
    if (trial % 4 == 1) {
      r.charge_price_gbp_per_mwh = r.price_gbp_per_mwh;
      for (double& p : r.charge_price_gbp_per_mwh) p += uniform(0.0, 30.0);
    }
    if (trial % 6 == 2) r.coarse_from_interval = std::vector<size_t>{1, 0, 47, 1000}[trial % 4];
    if (trial % 10 == 3) r.soc_step_mwh = 0.5;
    SCOPED_TRACE(testing::Message() << "trial " << trial);
    const BatterySchedule plan = PlanBatterySchedule(r);
    const BatterySchedule reference = reference::ReferencePlanBatterySchedule(r);
    EXPECT_TRUE(SamePlan(plan, reference)) << plan.note << " / " << reference.note;
    (plan.note.find("only the first is limited") == std::string::npos ? limited : refused)++;
  }
  // Both outcomes are exercised: plans limited at every step and fallbacks.
  EXPECT_GT(limited, 200);
  EXPECT_GT(refused, 5);
}

// The planner keeps each step window's move ranges between plans (consecutive re-plans
// share most windows) and its value tables per thread. Re-plans that shift the same
// centres along, as the trader's do, alternating between batteries whose moves have other
// powers (efficiencies, power limits, soc steps and sizes down to a grid narrower than
// one eight-column block), must each still match the reference planner bit for bit: a
// window's ranges for one battery are never used for another.
TEST(PlanBatteryScheduleEveryStepTest, ReplansSharingWindowsAcrossBatteriesMatchTheReference) {
  std::vector<assets::BatteryParams> batteries(4);
  batteries[1].charge_efficiency = 0.94;  // the same moves as the default, other powers
  batteries[1].discharge_efficiency = 0.96;
  batteries[2].max_charge_mw = 30.0;
  batteries[2].max_discharge_mw = 40.0;
  batteries[3].energy_capacity_mwh = 10.0;
  batteries[3].soc_min_mwh = 1.0;
  batteries[3].soc_max_mwh = 9.0;
  batteries[3].soc_initial_mwh = 5.0;
  batteries[3].reserve_mwh = 1.0;
  batteries[3].max_charge_mw = 6.0;
  batteries[3].max_discharge_mw = 6.0;
  std::mt19937 rng(20);
  auto uniform = [&](double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
  };
  std::vector<double> centres(48 + 40), prices(48 + 40);
  for (size_t i = 0; i < centres.size(); ++i) {
    centres[i] = 12.0 * std::sin(0.3 * static_cast<double>(i)) + uniform(-6.0, 6.0);
    prices[i] = 80.0 + 40.0 * std::sin(0.2 * static_cast<double>(i)) + uniform(-30.0, 30.0);
  }
  int compared = 0, limited = 0;
  for (int tick = 0; tick < 40; ++tick) {
    for (size_t b = 0; b < batteries.size(); ++b) {
      const assets::BatteryParams& battery = batteries[b];
      const double scale = battery.max_charge_mw / 50.0;
      std::vector<double> horizon_prices(prices.begin() + tick, prices.begin() + tick + 48);
      ScheduleRequest r =
          TradingScheduleRequest(battery, uniform(battery.soc_min_mwh, battery.soc_max_mwh),
                                 uniform(-battery.max_charge_mw, battery.max_discharge_mw),
                                 horizon_prices, absl::Minutes(30), 15.0 * scale);
      if (b == 2 && tick % 2 == 1) r.soc_step_mwh = 0.5;
      r.step_centre_mw.assign(centres.begin() + tick, centres.begin() + tick + 48);
      for (double& c : r.step_centre_mw) c *= scale;
      r.follow_beyond_mw = 17.0 * scale;
      r.follow_from_interval = 1;
      SCOPED_TRACE(testing::Message() << "tick " << tick << " battery " << b);
      const BatterySchedule plan = PlanBatterySchedule(r);
      EXPECT_TRUE(SamePlan(plan, reference::ReferencePlanBatterySchedule(r))) << plan.note;
      EXPECT_TRUE(SamePlan(plan, PlanBatterySchedule(r))) << "planned again";
      ++compared;
      if (plan.note.find("only the first is limited") == std::string::npos) ++limited;
    }
  }
  EXPECT_EQ(compared, 160);
  EXPECT_GT(limited, 80);  // mostly plans limited at every step, which keep the ranges
}

}  // namespace
}  // namespace gridpilot::planning
