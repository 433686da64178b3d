#include "core/planning/exact_optimizer.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "core/base/time_util.h"
#include "core/data/grid_data_loader.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/core/planning/glpk_oracle.h"

namespace gridpilot::planning {
namespace {

using lp_oracle::OracleLp;
using lp_oracle::OracleSolution;
using lp_oracle::SolveWithGlpk;
using ::testing::HasSubstr;

constexpr double kFeasibilityTolerance = 1e-7;  // MWh, MW
constexpr double kObjectiveTolerance = 1e-6;    // relative, or absolute near zero

double ObjectiveTolerance(double reference_gbp) {
  return kObjectiveTolerance * std::max(1.0, std::abs(reference_gbp));
}

double Hours(const BatteryOptimizerRequest& request) {
  return absl::ToDoubleHours(request.interval);
}

// The lower SoC bound the optimiser documents: the floor, or for a start below it what
// full-power charging reaches by each interval.
std::vector<double> LowerBounds(const BatteryOptimizerRequest& request) {
  const assets::BatteryParams& b = request.batteries[0].params;
  const double floor = b.soc_min_mwh + b.reserve_mwh;
  const double up = b.charge_efficiency * b.max_charge_mw * Hours(request);
  std::vector<double> lower;
  for (size_t t = 1; t <= request.price_gbp_per_mwh.size(); ++t) {
    lower.push_back(std::min(floor, b.soc_initial_mwh + static_cast<double>(t) * up));
  }
  return lower;
}

// UTC day of each interval's start, counted from the first interval's day.
std::vector<int> Days(const BatteryOptimizerRequest& request) {
  std::vector<int> days;
  const int64_t first = absl::ToUnixSeconds(request.start) / 86400;
  for (size_t t = 0; t < request.price_gbp_per_mwh.size(); ++t) {
    const absl::Time start = request.start + static_cast<int64_t>(t) * request.interval;
    days.push_back(static_cast<int>(absl::ToUnixSeconds(start) / 86400 - first));
  }
  return days;
}

std::vector<double> DayCaps(const BatteryOptimizerRequest& request) {
  const OptimizerBatterySpec& spec = request.batteries[0];
  if (!spec.discharge_cap_mwh_per_day) return {};
  const std::vector<int> days = Days(request);
  std::vector<double> caps(days.empty() ? 0 : days.back() + 1, *spec.discharge_cap_mwh_per_day);
  if (!caps.empty()) caps[0] = std::max(0.0, caps[0] - spec.discharged_today_mwh);
  return caps;
}

OracleLp ToOracle(const BatteryOptimizerRequest& request) {
  const OptimizerBatterySpec& spec = request.batteries[0];
  const assets::BatteryParams& b = spec.params;
  OracleLp lp;
  lp.hours = Hours(request);
  lp.price_gbp_per_mwh = request.price_gbp_per_mwh;
  lp.max_charge_mw = b.max_charge_mw;
  lp.max_discharge_mw = b.max_discharge_mw;
  lp.charge_efficiency = b.charge_efficiency;
  lp.discharge_efficiency = b.discharge_efficiency;
  lp.degradation_gbp_per_mwh = b.degradation_gbp_per_mwh;
  lp.soc_initial_mwh = b.soc_initial_mwh;
  lp.soc_lower_mwh = LowerBounds(request);
  lp.soc_upper_mwh = b.soc_max_mwh;
  lp.terminal_soc_min_mwh = spec.terminal_soc_min_mwh;
  lp.terminal_soc_max_mwh = spec.terminal_soc_max_mwh;
  lp.day_cap_mwh = DayCaps(request);
  if (!lp.day_cap_mwh.empty()) lp.day_of_interval = Days(request);
  return lp;
}

// Fixes the terminal SoC at a relaxed plan's end, give or take the rounding of the SoC
// path recomputed from charge and discharge.
void PinTerminal(OracleLp& lp, double soc_mwh) {
  lp.terminal_soc_min_mwh = soc_mwh - 1e-9;
  lp.terminal_soc_max_mwh = soc_mwh + 1e-9;
}

// Recomputes the SoC path from the plan's charge and discharge and checks every
// constraint of the LP, and that the reported money adds up.
void ExpectFeasible(const BatteryOptimizerRequest& request, const BatteryOptimizerResult& result) {
  ASSERT_EQ(result.batteries.size(), 1u);
  const OptimizerBatteryPlan& plan = result.batteries[0];
  const OptimizerBatterySpec& spec = request.batteries[0];
  const assets::BatteryParams& b = spec.params;
  const size_t n = request.price_gbp_per_mwh.size();
  ASSERT_EQ(plan.charge_mw.size(), n);
  ASSERT_EQ(plan.discharge_mw.size(), n);
  ASSERT_EQ(plan.soc_after_mwh.size(), n);
  const double h = Hours(request);
  const std::vector<double> lower = LowerBounds(request);
  const std::vector<int> days = Days(request);
  const std::vector<double> caps = DayCaps(request);
  std::vector<double> discharged(caps.size(), 0.0);
  double soc = b.soc_initial_mwh;
  double revenue = 0.0, degradation = 0.0;
  for (size_t t = 0; t < n; ++t) {
    const double c = plan.charge_mw[t], d = plan.discharge_mw[t];
    EXPECT_GE(c, 0.0) << "t=" << t;
    EXPECT_GE(d, 0.0) << "t=" << t;
    EXPECT_LE(c, b.max_charge_mw + kFeasibilityTolerance) << "t=" << t;
    EXPECT_LE(d, b.max_discharge_mw + kFeasibilityTolerance) << "t=" << t;
    soc += b.charge_efficiency * c * h - d * h / b.discharge_efficiency;
    EXPECT_NEAR(plan.soc_after_mwh[t], soc, kFeasibilityTolerance) << "t=" << t;
    EXPECT_GE(soc, lower[t] - kFeasibilityTolerance) << "t=" << t;
    EXPECT_LE(soc, b.soc_max_mwh + kFeasibilityTolerance) << "t=" << t;
    if (!caps.empty()) discharged[days[t]] += d * h;
    revenue += request.price_gbp_per_mwh[t] * (d - c) * h;
    degradation += b.degradation_gbp_per_mwh * (c + d) * h;
  }
  for (size_t k = 0; k < caps.size(); ++k) {
    EXPECT_LE(discharged[k], caps[k] + kFeasibilityTolerance) << "day " << k;
  }
  if (n > 0 && !plan.terminal_soc_relaxed) {
    if (spec.terminal_soc_min_mwh) {
      EXPECT_GE(soc, *spec.terminal_soc_min_mwh - kFeasibilityTolerance);
    }
    if (spec.terminal_soc_max_mwh) {
      EXPECT_LE(soc, *spec.terminal_soc_max_mwh + kFeasibilityTolerance);
    }
  }
  EXPECT_NEAR(plan.revenue_gbp, revenue, ObjectiveTolerance(revenue));
  EXPECT_NEAR(plan.degradation_gbp, degradation, ObjectiveTolerance(degradation));
  EXPECT_NEAR(plan.objective_gbp, revenue - degradation, ObjectiveTolerance(revenue));
  EXPECT_NEAR(result.objective_gbp, plan.objective_gbp, 1e-9);
}

// The optimiser's objective against GLPK's on the same LP. A relaxed terminal must be one
// GLPK cannot meet either, and the relaxed value the closest it can.
// Stores the relative difference of the objectives in `*difference` if given.
void ExpectMatchesGlpk(const BatteryOptimizerRequest& request, const BatteryOptimizerResult& result,
                       double* difference = nullptr) {
  const OptimizerBatteryPlan& plan = result.batteries[0];
  OracleLp lp = ToOracle(request);
  if (plan.terminal_soc_relaxed) {
    ASSERT_FALSE(SolveWithGlpk(lp).feasible) << "terminal relaxed although GLPK meets it";
    const double planned = plan.soc_after_mwh.back();
    const double step = 1e-5 * std::max(1.0, planned);
    OracleLp nearer = lp;
    if (lp.terminal_soc_max_mwh && *lp.terminal_soc_max_mwh < planned) {
      nearer.terminal_soc_min_mwh.reset();
      nearer.terminal_soc_max_mwh = planned - step;
    } else {
      nearer.terminal_soc_max_mwh.reset();
      nearer.terminal_soc_min_mwh = planned + step;
    }
    EXPECT_FALSE(SolveWithGlpk(nearer).feasible)
        << "a terminal closer than " << planned << " MWh is reachable";
    PinTerminal(lp, planned);
  }
  const OracleSolution glpk = SolveWithGlpk(lp);
  ASSERT_TRUE(glpk.feasible);
  EXPECT_NEAR(result.objective_gbp, glpk.objective_gbp, ObjectiveTolerance(glpk.objective_gbp));
  if (difference != nullptr) {
    *difference = std::abs(result.objective_gbp - glpk.objective_gbp) /
                  std::max(1.0, std::abs(glpk.objective_gbp));
  }
}

// Prices like GB half-hours with the awkward parts exaggerated: negatives down to -150
// and spikes up to 1000.
std::vector<double> RandomPrices(std::mt19937_64& rng, int n) {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::normal_distribution<double> normal(80.0, 50.0);
  std::vector<double> prices;
  for (int t = 0; t < n; ++t) {
    const double u = unit(rng);
    if (u < 0.12) {
      prices.push_back(-150.0 * unit(rng));
    } else if (u < 0.15) {
      prices.push_back(300.0 + 700.0 * unit(rng));
    } else {
      prices.push_back(std::round(normal(rng) * 100) / 100);
    }
  }
  return prices;
}

BatteryOptimizerRequest RandomRequest(std::mt19937_64& rng, int n) {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  auto between = [&](double lo, double hi) { return lo + (hi - lo) * unit(rng); };
  BatteryOptimizerRequest request;
  request.start = absl::FromUnixSeconds(1672531200) +  // 2023-01-01T00:00Z
                  static_cast<int64_t>(between(0, 17000)) * base::kHalfHour;
  const double interval_choice = unit(rng);  // mostly half-hours, some quarters and hours
  request.interval = absl::Minutes(interval_choice < 0.7 ? 30 : interval_choice < 0.85 ? 15 : 60);
  request.price_gbp_per_mwh = RandomPrices(rng, n);
  OptimizerBatterySpec spec;
  assets::BatteryParams& b = spec.params;
  b.energy_capacity_mwh = between(1, 200);
  b.soc_min_mwh = between(0, 0.2) * b.energy_capacity_mwh;
  b.soc_max_mwh = between(0.6, 1.0) * b.energy_capacity_mwh;
  b.reserve_mwh = unit(rng) < 0.2 ? 0.0 : between(0, 0.5) * (b.soc_max_mwh - b.soc_min_mwh);
  b.max_charge_mw = between(0.05, 1.5) * b.energy_capacity_mwh;
  b.max_discharge_mw = between(0.05, 1.5) * b.energy_capacity_mwh;
  b.charge_efficiency = unit(rng) < 0.3 ? 1.0 : between(0.7, 1.0);
  b.discharge_efficiency = unit(rng) < 0.3 ? 1.0 : between(0.7, 1.0);
  b.degradation_gbp_per_mwh = unit(rng) < 0.2 ? 0.0 : between(0, 20);
  // A third start in the reserve, below the trading floor.
  b.soc_initial_mwh = unit(rng) < 1.0 / 3 ? between(b.soc_min_mwh, b.soc_min_mwh + b.reserve_mwh)
                                          : between(b.soc_min_mwh, b.soc_max_mwh);
  // Terminal targets below the floor or above soc_max are unreachable.
  const double terminal = between(0.5 * b.soc_min_mwh, 1.1 * b.soc_max_mwh);
  const double kind = unit(rng);
  if (kind < 1.0 / 3) {
    spec.terminal_soc_min_mwh = spec.terminal_soc_max_mwh = terminal;
  } else if (kind < 2.0 / 3) {
    spec.terminal_soc_min_mwh = terminal;
  }
  request.batteries.push_back(spec);
  return request;
}

TEST(ExactOptimizerTest, MatchesGlpkOnRandomWindows) {
  std::mt19937_64 rng(20240611);
  std::uniform_int_distribution<int> length(1, 200);
  int relaxed_terminals = 0, below_floor = 0, simultaneous = 0;
  double worst = 0.0;
  for (int i = 0; i < 300; ++i) {
    const BatteryOptimizerRequest request = RandomRequest(rng, length(rng));
    SCOPED_TRACE(::testing::Message()
                 << "case " << i << ", " << request.price_gbp_per_mwh.size() << " intervals");
    const absl::StatusOr<BatteryOptimizerResult> result = OptimizeBatterySchedule(request);
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_EQ(result->termination, OptimizerTermination::kOptimal);
    ExpectFeasible(request, *result);
    double difference = 0.0;
    ExpectMatchesGlpk(request, *result, &difference);
    worst = std::max(worst, difference);
    const OptimizerBatteryPlan& plan = result->batteries[0];
    relaxed_terminals += plan.terminal_soc_relaxed;
    below_floor += plan.start_below_floor;
    simultaneous += plan.simultaneous_intervals > 0;
    if (HasFailure()) break;
  }
  std::printf(
      "random windows: worst relative difference %.2g; %d relaxed terminals, %d starts "
      "below the floor, %d with simultaneous charge and discharge\n",
      worst, relaxed_terminals, below_floor, simultaneous);
  // The sample must exercise the awkward paths, or matching GLPK proves little.
  EXPECT_GT(relaxed_terminals, 10);
  EXPECT_GT(below_floor, 10);
  EXPECT_GT(simultaneous, 10);
}

// Real GB prices from Oct 2022 to Dec 2023, missing periods filled with the previous
// period's price (696 of 21,938 are missing; the first is present).
struct RealPrices {
  absl::Time start;
  std::vector<double> price_gbp_per_mwh;
};

const RealPrices& LoadRealPrices() {
  static const RealPrices* prices = [] {
    auto* out = new RealPrices;
    const char* source = std::getenv("GRIDPILOT_SOURCE_DIR");
    if (source == nullptr) return out;
    const std::string data = std::string(source) + "/data/";
    absl::StatusOr<data::GridSeries> series = data::LoadGridSeries(
        data + "gb_demand_2022_2023.csv", data + "gb_price_mid_2022-10_2023-12.csv");
    if (!series.ok()) return out;
    std::optional<double> previous;
    for (const data::GridInterval& interval : series->intervals()) {
      if (!previous && !interval.price_gbp_per_mwh) continue;  // before the price file
      if (interval.price_gbp_per_mwh) previous = interval.price_gbp_per_mwh;
      if (out->price_gbp_per_mwh.empty()) out->start = interval.start;
      out->price_gbp_per_mwh.push_back(*previous);
    }
    return out;
  }();
  return *prices;
}

TEST(ExactOptimizerTest, MatchesGlpkOnRealPriceWindows) {
  const RealPrices& real = LoadRealPrices();
  ASSERT_GT(real.price_gbp_per_mwh.size(), 21000u)
      << "set GRIDPILOT_SOURCE_DIR to the source tree (ctest does)";
  EXPECT_EQ(real.price_gbp_per_mwh.size(), 21938u);
  double worst = 0.0;
  for (int length : {48, 336, 2000}) {
    const int windows = length == 2000 ? 4 : 8;
    for (int w = 0; w < windows; ++w) {
      const size_t offset = (real.price_gbp_per_mwh.size() - length) * w / (windows - 1);
      for (bool terminal : {false, true}) {
        SCOPED_TRACE(::testing::Message() << length << " intervals from " << offset
                                          << (terminal ? ", terminal = start" : ""));
        BatteryOptimizerRequest request;
        request.start = real.start + static_cast<int64_t>(offset) * base::kHalfHour;
        request.price_gbp_per_mwh.assign(real.price_gbp_per_mwh.begin() + offset,
                                         real.price_gbp_per_mwh.begin() + offset + length);
        OptimizerBatterySpec spec;  // the default 50 MW / 100 MWh battery
        if (terminal) {
          spec.terminal_soc_min_mwh = spec.terminal_soc_max_mwh = spec.params.soc_initial_mwh;
        }
        request.batteries.push_back(spec);
        const absl::StatusOr<BatteryOptimizerResult> result = OptimizeBatterySchedule(request);
        ASSERT_TRUE(result.ok()) << result.status();
        EXPECT_EQ(result->termination, OptimizerTermination::kOptimal);
        EXPECT_FALSE(result->relaxed()) << result->note;
        EXPECT_GT(result->objective_gbp, 0.0);
        ExpectFeasible(request, *result);
        double difference = 0.0;
        ExpectMatchesGlpk(request, *result, &difference);
        worst = std::max(worst, difference);
      }
    }
  }
  std::printf("real windows: worst relative difference %.2g\n", worst);
}

BatteryOptimizerRequest DefaultRequest(std::vector<double> prices) {
  BatteryOptimizerRequest request;
  request.start = absl::FromUnixSeconds(1685577600);  // 2023-06-01T00:00Z
  request.price_gbp_per_mwh = std::move(prices);
  request.batteries.emplace_back();
  return request;
}

TEST(ExactOptimizerTest, BuysLowSellsHighWithinTheReserve) {
  // 50 MW / 100 MWh, 0.95 each way, floor 5 + 20 = 25 MWh, soc_max 95, start 50.
  BatteryOptimizerRequest request = DefaultRequest({40, 40, 200, 200, 200});
  const absl::StatusOr<BatteryOptimizerResult> result = OptimizeBatterySchedule(request);
  ASSERT_TRUE(result.ok()) << result.status();
  const OptimizerBatteryPlan& plan = result->batteries[0];
  // Charge 45 MWh stored (to 95) in the cheap hour: 45 / 0.95 grid MWh.
  EXPECT_NEAR(plan.charge_mw[0] + plan.charge_mw[1], 2 * 45 / 0.95, 1e-9);
  EXPECT_NEAR(plan.soc_after_mwh[1], 95.0, 1e-9);
  // Then sell down to the floor, never into the reserve.
  EXPECT_NEAR(plan.soc_after_mwh[4], 25.0, 1e-9);
  for (double soc : plan.soc_after_mwh) EXPECT_GE(soc, 25.0 - 1e-9);
  const double expected = 200 * 70 * 0.95 - 40 * 45 / 0.95 - 5 * (70 * 0.95 + 45 / 0.95);
  EXPECT_NEAR(result->objective_gbp, expected, 1e-6);
  EXPECT_EQ(result->termination, OptimizerTermination::kOptimal);
  EXPECT_FALSE(result->relaxed());
  EXPECT_EQ(result->note, "");
}

TEST(ExactOptimizerTest, UnreachableTerminalBecomesClosestReachable) {
  BatteryOptimizerRequest request = DefaultRequest({100, 100});
  request.batteries[0].params.soc_initial_mwh = 30;
  request.batteries[0].terminal_soc_min_mwh = request.batteries[0].terminal_soc_max_mwh = 95;
  const absl::StatusOr<BatteryOptimizerResult> result = OptimizeBatterySchedule(request);
  ASSERT_TRUE(result.ok()) << result.status();
  const OptimizerBatteryPlan& plan = result->batteries[0];
  // Two half-hours at 50 MW store 2 * 25 * 0.95 = 47.5 MWh: 77.5 is the closest to 95.
  EXPECT_TRUE(plan.terminal_soc_relaxed);
  EXPECT_TRUE(result->relaxed());
  EXPECT_EQ(result->termination, OptimizerTermination::kOptimal);
  EXPECT_NEAR(plan.charge_mw[0], 50.0, 1e-9);
  EXPECT_NEAR(plan.charge_mw[1], 50.0, 1e-9);
  EXPECT_NEAR(plan.soc_after_mwh[1], 77.5, 1e-9);
  EXPECT_THAT(result->note, HasSubstr("unreachable"));
  EXPECT_THAT(result->note, HasSubstr("77.500 MWh"));
  ExpectFeasible(request, *result);
  ExpectMatchesGlpk(request, *result);

  // Below the floor is unreachable too: 5 MWh becomes the floor, 25 MWh.
  BatteryOptimizerRequest low = DefaultRequest(std::vector<double>(48, 80.0));
  low.batteries[0].terminal_soc_min_mwh = low.batteries[0].terminal_soc_max_mwh = 5.0;
  const absl::StatusOr<BatteryOptimizerResult> low_result = OptimizeBatterySchedule(low);
  ASSERT_TRUE(low_result.ok()) << low_result.status();
  EXPECT_TRUE(low_result->batteries[0].terminal_soc_relaxed);
  EXPECT_NEAR(low_result->batteries[0].soc_after_mwh.back(), 25.0, 1e-9);
  ExpectMatchesGlpk(low, *low_result);
}

TEST(ExactOptimizerTest, StartBelowFloorChargesBackUpAtFullPower) {
  // 10 MW charging stores 4.75 MWh a half-hour: from 10 MWh the 25 MWh floor is regained
  // in the 4th interval, even though power is dear then and cheap later.
  BatteryOptimizerRequest request = DefaultRequest({300, 300, 300, 300, 300, 20, 20, 300});
  request.batteries[0].params.soc_initial_mwh = 10.0;
  request.batteries[0].params.max_charge_mw = 10.0;
  const absl::StatusOr<BatteryOptimizerResult> result = OptimizeBatterySchedule(request);
  ASSERT_TRUE(result.ok()) << result.status();
  const OptimizerBatteryPlan& plan = result->batteries[0];
  EXPECT_TRUE(plan.start_below_floor);
  EXPECT_FALSE(plan.terminal_soc_relaxed);
  EXPECT_THAT(result->note, HasSubstr("below the trading floor"));
  EXPECT_THAT(result->note, HasSubstr("after interval 4"));
  for (int t = 0; t < 3; ++t) EXPECT_NEAR(plan.charge_mw[t], 10.0, 1e-9) << t;
  EXPECT_NEAR(plan.soc_after_mwh[2], 10.0 + 3 * 4.75, 1e-9);
  for (size_t t = 3; t < plan.soc_after_mwh.size(); ++t) {
    EXPECT_GE(plan.soc_after_mwh[t], 25.0 - 1e-9) << t;
  }
  // The cheap hour still fills up and the last interval sells down to the floor.
  EXPECT_NEAR(plan.soc_after_mwh.back(), 25.0, 1e-9);
  EXPECT_GT(plan.discharge_mw.back(), 0.0);
  ExpectFeasible(request, *result);
  ExpectMatchesGlpk(request, *result);
}

TEST(ExactOptimizerTest, NegativePricesPayToCharge) {
  BatteryOptimizerRequest request = DefaultRequest({-30, -30, 60, 60});
  request.batteries[0].params.soc_initial_mwh = 25.0;  // at the floor: nothing to sell
  const absl::StatusOr<BatteryOptimizerResult> result = OptimizeBatterySchedule(request);
  ASSERT_TRUE(result.ok()) << result.status();
  const OptimizerBatteryPlan& plan = result->batteries[0];
  // Charging earns £30/MWh minus £5 wear, so it charges flat out although the stored
  // energy can only be partly sold later.
  EXPECT_NEAR(plan.charge_mw[0], 50.0, 1e-9);
  EXPECT_NEAR(plan.charge_mw[1], 50.0, 1e-9);
  EXPECT_EQ(plan.discharge_mw[0], 0.0);
  EXPECT_GT(plan.revenue_gbp, 2 * 25 * 30 - 1e-9);  // £1500 paid to take power, plus sales
  EXPECT_EQ(plan.simultaneous_intervals, 0);        // -30 is not low enough to burn energy
  ExpectFeasible(request, *result);
  ExpectMatchesGlpk(request, *result);
}

TEST(ExactOptimizerTest, VeryNegativePricesChargeAndDischargeAtOnce) {
  // eta = 0.9025, wear £5: burning through the losses pays below
  // -5 * 1.9025 / 0.0975 = -£97.6/MWh. At -150, on a full battery, the plan charges and
  // discharges in the same interval; at -50 it does not.
  BatteryOptimizerRequest request = DefaultRequest({-150, -50, 100});
  request.batteries[0].params.soc_initial_mwh = 95.0;
  const absl::StatusOr<BatteryOptimizerResult> result = OptimizeBatterySchedule(request);
  ASSERT_TRUE(result.ok()) << result.status();
  const OptimizerBatteryPlan& plan = result->batteries[0];
  EXPECT_NEAR(plan.charge_mw[0], 50.0, 1e-9);
  EXPECT_GT(plan.discharge_mw[0], 0.0);
  EXPECT_TRUE(plan.charge_mw[1] == 0.0 || plan.discharge_mw[1] == 0.0);
  EXPECT_EQ(plan.simultaneous_intervals, 1);
  EXPECT_THAT(result->note, HasSubstr("charge and discharge at once"));
  ExpectFeasible(request, *result);
  ExpectMatchesGlpk(request, *result);
}

TEST(ExactOptimizerTest, CycleCapBindsEachDay) {
  // Two days, each with a cheap night and a dear evening. Uncapped, the battery sells
  // 70 MWh stored (66.5 grid MWh) a day; capped at 40 grid MWh a day it sells 40.
  std::vector<double> day(48, 60.0);
  for (int t = 4; t < 10; ++t) day[t] = 20.0;
  for (int t = 36; t < 42; ++t) day[t] = 250.0;
  std::vector<double> prices = day;
  prices.insert(prices.end(), day.begin(), day.end());
  BatteryOptimizerRequest request = DefaultRequest(prices);
  request.batteries[0].params.soc_initial_mwh = 25.0;  // at the floor
  const absl::StatusOr<BatteryOptimizerResult> uncapped = OptimizeBatterySchedule(request);
  ASSERT_TRUE(uncapped.ok()) << uncapped.status();

  request.batteries[0].discharge_cap_mwh_per_day = 40.0;
  const absl::StatusOr<BatteryOptimizerResult> capped = OptimizeBatterySchedule(request);
  ASSERT_TRUE(capped.ok()) << capped.status();
  ExpectFeasible(request, *capped);
  const OptimizerBatteryPlan& plan = capped->batteries[0];
  for (int d = 0; d < 2; ++d) {
    double uncapped_mwh = 0.0, capped_mwh = 0.0;
    for (int t = 48 * d; t < 48 * (d + 1); ++t) {
      uncapped_mwh += uncapped->batteries[0].discharge_mw[t] * 0.5;
      capped_mwh += plan.discharge_mw[t] * 0.5;
    }
    EXPECT_NEAR(uncapped_mwh, 66.5, 1e-6) << "day " << d;
    EXPECT_NEAR(capped_mwh, 40.0, 1e-6) << "day " << d;
  }
  EXPECT_LT(capped->objective_gbp, uncapped->objective_gbp - 1000);
  const OracleSolution glpk = SolveWithGlpk(ToOracle(request));
  ASSERT_TRUE(glpk.feasible);
  EXPECT_NEAR(capped->objective_gbp, glpk.objective_gbp, ObjectiveTolerance(glpk.objective_gbp));

  // Re-planning late in a day: what was sold earlier today counts against its cap.
  request.batteries[0].discharged_today_mwh = 30.0;
  const absl::StatusOr<BatteryOptimizerResult> replan = OptimizeBatterySchedule(request);
  ASSERT_TRUE(replan.ok()) << replan.status();
  double first_day_mwh = 0.0;
  for (int t = 0; t < 48; ++t) first_day_mwh += replan->batteries[0].discharge_mw[t] * 0.5;
  EXPECT_NEAR(first_day_mwh, 10.0, 1e-6);
  ExpectFeasible(request, *replan);
}

// Up to 8 days the cap is solved exactly (column generation): it must match GLPK.
TEST(ExactOptimizerTest, CycleCapMatchesGlpkUpToEightDays) {
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int> length(1, 300);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  double worst_relative_shortfall = 0.0;
  int approximate = 0, binding = 0;
  for (int i = 0; i < 150; ++i) {
    BatteryOptimizerRequest request = RandomRequest(rng, length(rng));
    request.interval = base::kHalfHour;  // at most 300 half-hours: within 8 UTC days
    OptimizerBatterySpec& spec = request.batteries[0];
    spec.discharge_cap_mwh_per_day =
        (0.05 + 0.6 * unit(rng)) * (spec.params.soc_max_mwh - spec.params.soc_min_mwh);
    spec.discharged_today_mwh = unit(rng) < 0.3 ? *spec.discharge_cap_mwh_per_day * unit(rng) : 0;
    SCOPED_TRACE(::testing::Message()
                 << "case " << i << ", " << request.price_gbp_per_mwh.size() << " intervals");
    const absl::StatusOr<BatteryOptimizerResult> result = OptimizeBatterySchedule(request);
    ASSERT_TRUE(result.ok()) << result.status();
    ExpectFeasible(request, *result);
    OracleLp lp = ToOracle(request);
    if (result->batteries[0].terminal_soc_relaxed) {
      EXPECT_FALSE(SolveWithGlpk(lp).feasible);
      PinTerminal(lp, result->batteries[0].soc_after_mwh.back());
    }
    const OracleSolution glpk = SolveWithGlpk(lp);
    ASSERT_TRUE(glpk.feasible);
    OracleLp uncapped = lp;
    uncapped.day_cap_mwh.clear();
    binding += SolveWithGlpk(uncapped).objective_gbp > glpk.objective_gbp + 1e-6;
    const double tolerance = ObjectiveTolerance(glpk.objective_gbp);
    EXPECT_LE(result->objective_gbp, glpk.objective_gbp + tolerance);
    EXPECT_GE(result->objective_gbp + result->optimality_gap_gbp, glpk.objective_gbp - tolerance);
    approximate += result->termination == OptimizerTermination::kApproximate;
    if (result->termination == OptimizerTermination::kOptimal) {
      EXPECT_NEAR(result->objective_gbp, glpk.objective_gbp, tolerance);
    }
    worst_relative_shortfall =
        std::max(worst_relative_shortfall, (glpk.objective_gbp - result->objective_gbp) /
                                               std::max(1.0, std::abs(glpk.objective_gbp)));
    if (HasFailure()) break;
  }
  std::printf("cycle cap: %d of 150 binding, %d approximate, worst shortfall %.3g (relative)\n",
              binding, approximate, worst_relative_shortfall);
  EXPECT_GT(binding, 50);
  EXPECT_EQ(approximate, 0);
}

// Beyond 8 days the cap is solved in receding 4-day windows: feasible, a valid gap, and
// on real prices within 0.5% of the optimum (the worst of these windows is 0.2% short).
TEST(ExactOptimizerTest, LongCycleCapIsFeasibleAndNearGlpk) {
  const RealPrices& real = LoadRealPrices();
  ASSERT_GT(real.price_gbp_per_mwh.size(), 21000u)
      << "set GRIDPILOT_SOURCE_DIR to the source tree (ctest does)";
  double worst = 0.0;
  for (const auto& [offset, length] : {std::pair<size_t, size_t>{0, 500},
                                       {5000, 1000},
                                       {9001, 672},
                                       {12000, 1500},
                                       {15001, 672},
                                       {20000, 1900}}) {
    for (double cap_mwh : {30.0, 50.0}) {
      SCOPED_TRACE(::testing::Message()
                   << length << " intervals from " << offset << ", cap " << cap_mwh << " MWh");
      BatteryOptimizerRequest request;
      request.start = real.start + static_cast<int64_t>(offset) * base::kHalfHour;
      request.price_gbp_per_mwh.assign(real.price_gbp_per_mwh.begin() + offset,
                                       real.price_gbp_per_mwh.begin() + offset + length);
      request.batteries.emplace_back();
      request.batteries[0].discharge_cap_mwh_per_day = cap_mwh;
      request.batteries[0].terminal_soc_min_mwh = 80.0;  // must end fairly full
      const absl::StatusOr<BatteryOptimizerResult> result = OptimizeBatterySchedule(request);
      ASSERT_TRUE(result.ok()) << result.status();
      EXPECT_FALSE(result->relaxed());
      ExpectFeasible(request, *result);
      const OracleSolution glpk = SolveWithGlpk(ToOracle(request));
      ASSERT_TRUE(glpk.feasible);
      const double tolerance = ObjectiveTolerance(glpk.objective_gbp);
      EXPECT_LE(result->objective_gbp, glpk.objective_gbp + tolerance);
      EXPECT_GE(result->objective_gbp + result->optimality_gap_gbp, glpk.objective_gbp - tolerance);
      const double shortfall = (glpk.objective_gbp - result->objective_gbp) / glpk.objective_gbp;
      worst = std::max(worst, shortfall);
      EXPECT_LT(shortfall, 5e-3);
    }
  }
  std::printf("long cycle cap: worst shortfall %.3g (relative)\n", worst);
}

TEST(ExactOptimizerTest, RejectsNaNPriceNamingTheIndex) {
  std::vector<double> prices(24, 50.0);
  prices[17] = std::numeric_limits<double>::quiet_NaN();
  const absl::StatusOr<BatteryOptimizerResult> result =
      OptimizeBatterySchedule(DefaultRequest(prices));
  ASSERT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(result.status().message(), "price_gbp_per_mwh[17] is NaN");
}

TEST(ExactOptimizerTest, RejectsInvalidRequests) {
  BatteryOptimizerRequest request = DefaultRequest({50, 60});
  request.batteries[0].params.charge_efficiency = 1.2;
  EXPECT_EQ(OptimizeBatterySchedule(request).status().message(),
            "batteries[0].params: BatteryParams.charge_efficiency = 1.2: must be in (0, 1]");

  request = DefaultRequest({50, 60});
  request.batteries[0].params.max_discharge_mw = 0.0;
  EXPECT_THAT(OptimizeBatterySchedule(request).status().message(),
              HasSubstr("max_discharge_mw = 0"));

  request = DefaultRequest({50, 60});
  request.batteries[0].terminal_soc_min_mwh = 60;
  request.batteries[0].terminal_soc_max_mwh = 40;
  EXPECT_EQ(OptimizeBatterySchedule(request).status().code(), absl::StatusCode::kInvalidArgument);

  request = DefaultRequest({50, 60});
  request.batteries[0].discharge_cap_mwh_per_day = -1;
  EXPECT_THAT(OptimizeBatterySchedule(request).status().message(),
              HasSubstr("batteries[0].discharge_cap_mwh_per_day = -1"));

  request = DefaultRequest({50, 60});
  request.interval = absl::ZeroDuration();
  EXPECT_EQ(OptimizeBatterySchedule(request).status().code(), absl::StatusCode::kInvalidArgument);

  request = DefaultRequest({50, 60});
  request.batteries.clear();
  EXPECT_EQ(OptimizeBatterySchedule(request).status().code(), absl::StatusCode::kInvalidArgument);
}

// ---------------------------------------------------------------------------------------
// A fleet behind one grid connection.

// The fleet LP for GLPK: each battery as ToOracle writes it, plus the connection limits.
lp_oracle::OracleFleet ToOracleFleet(const BatteryOptimizerRequest& request) {
  lp_oracle::OracleFleet fleet;
  for (const OptimizerBatterySpec& spec : request.batteries) {
    BatteryOptimizerRequest one = request;
    one.batteries = {spec};
    fleet.batteries.push_back(ToOracle(one));
  }
  fleet.export_limit_mw = request.grid_export_limit_mw;
  fleet.import_limit_mw = request.grid_import_limit_mw;
  return fleet;
}

// Every battery's own constraints (as ExpectFeasible checks one), the connection limits
// in every interval, and that the fleet's money adds up.
void ExpectFleetFeasible(const BatteryOptimizerRequest& request,
                         const BatteryOptimizerResult& result) {
  ASSERT_EQ(result.batteries.size(), request.batteries.size());
  double objective = 0.0;
  for (size_t b = 0; b < request.batteries.size(); ++b) {
    SCOPED_TRACE(::testing::Message() << "battery " << b);
    BatteryOptimizerRequest one = request;
    one.batteries = {request.batteries[b]};
    BatteryOptimizerResult own = result;
    own.batteries = {result.batteries[b]};
    own.objective_gbp = result.batteries[b].objective_gbp;
    ExpectFeasible(one, own);
    objective += result.batteries[b].objective_gbp;
  }
  EXPECT_NEAR(result.objective_gbp, objective, 1e-6);
  for (size_t t = 0; t < request.price_gbp_per_mwh.size(); ++t) {
    double net_export_mw = 0.0;
    for (const OptimizerBatteryPlan& plan : result.batteries) {
      net_export_mw += plan.discharge_mw[t] - plan.charge_mw[t];
    }
    if (request.grid_export_limit_mw) {
      EXPECT_LE(net_export_mw, *request.grid_export_limit_mw + kFeasibilityTolerance) << "t=" << t;
    }
    if (request.grid_import_limit_mw) {
      EXPECT_LE(-net_export_mw, *request.grid_import_limit_mw + kFeasibilityTolerance) << "t=" << t;
    }
  }
}

// Two to four random batteries (RandomRequest's) behind one connection whose export and
// import limits are each unset or a random share of the fleet's power. Every battery
// starts at or above its floor and its terminal range (none, at least some SoC below the
// start, or back at the start) is one that holding meets, so no limit can make it
// unreachable.
BatteryOptimizerRequest RandomFleetRequest(std::mt19937_64& rng, int n) {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  BatteryOptimizerRequest request = RandomRequest(rng, n);
  request.batteries.clear();
  const int batteries = 2 + static_cast<int>(unit(rng) * 3);
  double export_mw = 0.0, import_mw = 0.0;
  for (int b = 0; b < batteries; ++b) {
    OptimizerBatterySpec spec = RandomRequest(rng, 1).batteries[0];
    assets::BatteryParams& p = spec.params;
    p.id = "battery-" + std::to_string(b + 1);
    const double floor = p.soc_min_mwh + p.reserve_mwh;
    p.soc_initial_mwh = floor + unit(rng) * (p.soc_max_mwh - floor);
    const double kind = unit(rng);
    spec.terminal_soc_min_mwh.reset();
    spec.terminal_soc_max_mwh.reset();
    if (kind < 1.0 / 3) {
      spec.terminal_soc_min_mwh = floor + unit(rng) * (p.soc_initial_mwh - floor);
    } else if (kind < 2.0 / 3) {
      spec.terminal_soc_min_mwh = spec.terminal_soc_max_mwh = p.soc_initial_mwh;
    }
    export_mw += p.max_discharge_mw;
    import_mw += p.max_charge_mw;
    request.batteries.push_back(spec);
  }
  if (unit(rng) < 0.8) request.grid_export_limit_mw = unit(rng) * export_mw;
  if (unit(rng) < 0.8) request.grid_import_limit_mw = unit(rng) * import_mw;
  return request;
}

TEST(ExactOptimizerFleetTest, MatchesGlpkOnRandomFleets) {
  std::mt19937_64 rng(20261121);
  std::uniform_int_distribution<int> length(1, 60);
  int limited = 0, binding = 0;
  double worst = 0.0;
  for (int i = 0; i < 200; ++i) {
    const BatteryOptimizerRequest request = RandomFleetRequest(rng, length(rng));
    SCOPED_TRACE(::testing::Message()
                 << "case " << i << ", " << request.batteries.size() << " batteries, "
                 << request.price_gbp_per_mwh.size() << " intervals");
    const absl::StatusOr<BatteryOptimizerResult> result = OptimizeBatterySchedule(request);
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_EQ(result->termination, OptimizerTermination::kOptimal) << result->note;
    EXPECT_FALSE(result->relaxed()) << result->note;
    ExpectFleetFeasible(request, *result);
    lp_oracle::OracleFleet fleet = ToOracleFleet(request);
    const OracleSolution glpk = lp_oracle::SolveFleetWithGlpk(fleet);
    ASSERT_TRUE(glpk.feasible);
    EXPECT_NEAR(result->objective_gbp, glpk.objective_gbp, ObjectiveTolerance(glpk.objective_gbp));
    worst = std::max(worst, std::abs(result->objective_gbp - glpk.objective_gbp) /
                                std::max(1.0, std::abs(glpk.objective_gbp)));
    // Whether the limits bind: the same batteries without them earn more.
    if (request.grid_export_limit_mw || request.grid_import_limit_mw) {
      ++limited;
      fleet.export_limit_mw.reset();
      fleet.import_limit_mw.reset();
      binding += lp_oracle::SolveFleetWithGlpk(fleet).objective_gbp >
                 glpk.objective_gbp + ObjectiveTolerance(glpk.objective_gbp);
    }
    if (HasFailure()) break;
  }
  std::printf(
      "random fleets: worst relative difference %.2g; %d with a connection limit, "
      "%d of them binding\n",
      worst, limited, binding);
  EXPECT_GT(binding, 50);  // the limits must matter, or matching GLPK proves little
}

// Two default batteries that would both sell 50 MW into the dear hours share a 60 MW
// export limit: together they export at most 60 MW in every interval, and without the
// limit each battery earns what it earns alone.
TEST(ExactOptimizerFleetTest, ExportLimitIsSharedAndNoLimitMeansEachAlone) {
  BatteryOptimizerRequest request = DefaultRequest({40, 40, 40, 40, 300, 300, 40, 40});
  request.batteries.emplace_back();
  request.batteries[1].params.id = "battery-2";
  absl::StatusOr<BatteryOptimizerResult> apart = OptimizeBatterySchedule(request);
  ASSERT_TRUE(apart.ok()) << apart.status();
  const absl::StatusOr<BatteryOptimizerResult> alone =
      OptimizeBatterySchedule(DefaultRequest(request.price_gbp_per_mwh));
  ASSERT_TRUE(alone.ok()) << alone.status();
  EXPECT_NEAR(apart->objective_gbp, 2 * alone->objective_gbp, 1e-6);
  EXPECT_NEAR(apart->batteries[0].discharge_mw[4], 50.0, 1e-9);

  request.grid_export_limit_mw = 60.0;
  const absl::StatusOr<BatteryOptimizerResult> shared = OptimizeBatterySchedule(request);
  ASSERT_TRUE(shared.ok()) << shared.status();
  ExpectFleetFeasible(request, *shared);
  EXPECT_NEAR(shared->batteries[0].discharge_mw[4] + shared->batteries[1].discharge_mw[4], 60.0,
              1e-6);
  EXPECT_LT(shared->objective_gbp, apart->objective_gbp);
  const OracleSolution glpk = lp_oracle::SolveFleetWithGlpk(ToOracleFleet(request));
  ASSERT_TRUE(glpk.feasible);
  EXPECT_NEAR(shared->objective_gbp, glpk.objective_gbp, ObjectiveTolerance(glpk.objective_gbp));
}

// Both batteries must end 40 MWh fuller but the connection imports at most 10 MW: no plan
// meets both, which GLPK confirms. The optimiser does not fail: the batteries charge what
// the limit lets them, stay within it, and the result says which terminal it missed.
TEST(ExactOptimizerFleetTest, UnreachableTerminalsUnderTheLimitAreSaidAndStayFeasible) {
  BatteryOptimizerRequest request = DefaultRequest({40, 40, 40, 40});
  request.batteries.emplace_back();
  request.batteries[1].params.id = "battery-2";
  for (OptimizerBatterySpec& spec : request.batteries) spec.terminal_soc_min_mwh = 90.0;
  request.grid_import_limit_mw = 10.0;
  ASSERT_FALSE(lp_oracle::SolveFleetWithGlpk(ToOracleFleet(request)).feasible);
  const absl::StatusOr<BatteryOptimizerResult> result = OptimizeBatterySchedule(request);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_TRUE(result->relaxed());
  EXPECT_THAT(result->note, HasSubstr("no plan meets both its terminal SoC and the connection"));
  for (size_t t = 0; t < 4; ++t) {
    EXPECT_LE(result->batteries[0].charge_mw[t] + result->batteries[1].charge_mw[t], 10.0 + 1e-9);
  }
}

TEST(ExactOptimizerFleetTest, BadLimitsAndUnsupportedCombinationsAreRefused) {
  BatteryOptimizerRequest request = DefaultRequest({50, 60});
  request.grid_export_limit_mw = -1.0;
  absl::StatusOr<BatteryOptimizerResult> result = OptimizeBatterySchedule(request);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(result.status().message(), HasSubstr("grid_export_limit_mw"));
  request.grid_export_limit_mw = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(OptimizeBatterySchedule(request).status().code(), absl::StatusCode::kInvalidArgument);

  request = DefaultRequest({50, 60});
  request.grid_import_limit_mw = 30.0;
  request.batteries[0].discharge_cap_mwh_per_day = 50.0;
  result = OptimizeBatterySchedule(request);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(result.status().message(), HasSubstr("cycle cap"));

  request = DefaultRequest({50, 60});
  request.grid_import_limit_mw = 30.0;
  request.batteries[0].params.soc_initial_mwh = 10.0;  // below the 25 MWh floor
  result = OptimizeBatterySchedule(request);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(result.status().message(), HasSubstr("below the trading floor"));
}

TEST(ExactOptimizerTest, EmptyHorizonGivesEmptyPlan) {
  const absl::StatusOr<BatteryOptimizerResult> result = OptimizeBatterySchedule(DefaultRequest({}));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_TRUE(result->batteries[0].charge_mw.empty());
  EXPECT_EQ(result->objective_gbp, 0.0);
}

}  // namespace
}  // namespace gridpilot::planning
