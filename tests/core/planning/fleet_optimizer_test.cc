// The fleet solve behind one connection (core/planning/fleet_optimizer.h) on random fleets
// of 2-4 batteries with random prices and limits from tight to loose: SolveFleet (each
// battery alone, column generation only when a limit binds) equals GLPK's optimum of the
// same LP and the column generation alone (SolveFleetCoupled) to 1e-9 relative, its plans
// keep within the limits, and where it says no limit binds its plans are each
// battery's own optimum.
#include "core/planning/fleet_optimizer.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <random>
#include <vector>

#include "core/planning/battery_lp.h"
#include "core/planning/battery_lp_solver.h"
#include "gtest/gtest.h"
#include "tests/core/planning/glpk_oracle.h"

namespace gridpilot::planning::lp {
namespace {

constexpr double kHours = 0.5;

struct RandomFleet {
  std::vector<Problem> problems;
  lp_oracle::OracleFleet oracle;
  double limit_mwh = 0.0;
};

RandomFleet MakeFleet(std::mt19937& rng, int intervals) {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const int batteries = 2 + static_cast<int>(rng() % 3);
  std::vector<double> prices(intervals);
  for (int t = 0; t < intervals; ++t) {
    // A daily shape plus noise, now and then negative or a spike.
    prices[t] = 60.0 + 40.0 * std::sin(t * 2.0 * M_PI / 48.0) + 30.0 * (unit(rng) - 0.5);
    if (unit(rng) < 0.05) prices[t] = -20.0 * unit(rng);
    if (unit(rng) < 0.03) prices[t] = 300.0 * unit(rng) + 100.0;
  }
  RandomFleet fleet;
  double rating_mw = 0.0;
  for (int b = 0; b < batteries; ++b) {
    const double power_mw = 5.0 + 45.0 * unit(rng);
    const double energy_mwh = power_mw * (1.0 + 3.0 * unit(rng));
    const double soc_min = 0.05 * energy_mwh, soc_max = 0.95 * energy_mwh;
    const double floor = soc_min + 0.2 * energy_mwh * unit(rng);
    const double start = floor + (soc_max - floor) * unit(rng);
    Problem p;
    p.price = prices;
    p.charge_efficiency = 0.85 + 0.15 * unit(rng);
    p.discharge_efficiency = 0.85 + 0.15 * unit(rng);
    p.degradation = 10.0 * unit(rng);
    p.max_charge_mwh = power_mw * kHours;
    p.max_discharge_mwh = power_mw * kHours;
    p.soc_start = start;
    p.upper = soc_max;
    p.lower.assign(intervals + 1, floor);
    p.terminal_lo = floor;
    p.terminal_hi = soc_max;
    p.day.assign(intervals, 0);
    p.day_cap.assign(1, kInf);
    fleet.problems.push_back(p);
    lp_oracle::OracleLp lp;
    lp.hours = kHours;
    lp.price_gbp_per_mwh = prices;
    lp.max_charge_mw = lp.max_discharge_mw = power_mw;
    lp.charge_efficiency = p.charge_efficiency;
    lp.discharge_efficiency = p.discharge_efficiency;
    lp.degradation_gbp_per_mwh = p.degradation;
    lp.soc_initial_mwh = start;
    lp.soc_lower_mwh.assign(intervals, floor);
    lp.soc_upper_mwh = soc_max;
    fleet.oracle.batteries.push_back(lp);
    rating_mw += power_mw;
  }
  // From a quarter of the fleet's rating (binds nearly always) to all of it (never binds).
  const double limit_mw =
      rating_mw * (0.25 + 0.75 * unit(rng) * unit(rng) + (unit(rng) < 0.3 ? 0.75 : 0.0));
  fleet.limit_mwh = std::min(limit_mw, rating_mw) * kHours;
  fleet.oracle.export_limit_mw = fleet.oracle.import_limit_mw = fleet.limit_mwh / kHours;
  return fleet;
}

double FleetObjective(const std::vector<Problem>& problems, const FleetSolution& s) {
  double objective = 0.0;
  for (size_t b = 0; b < problems.size(); ++b) objective += Objective(problems[b], s.plans[b]);
  return objective;
}

TEST(FleetOptimizerTest, EqualsGlpkAndTheColumnGenerationOnRandomFleets) {
  std::mt19937 rng(20261206);
  int unbound = 0, binding = 0;
  for (int trial = 0; trial < 120; ++trial) {
    SCOPED_TRACE(trial);
    const RandomFleet fleet = MakeFleet(rng, 48);
    const FleetSolution solved = SolveFleet(fleet.problems, fleet.limit_mwh, fleet.limit_mwh);
    const FleetSolution coupled =
        SolveFleetCoupled(fleet.problems, fleet.limit_mwh, fleet.limit_mwh);
    const lp_oracle::OracleSolution glpk = lp_oracle::SolveFleetWithGlpk(fleet.oracle);
    ASSERT_TRUE(glpk.feasible);
    const double objective = FleetObjective(fleet.problems, solved);
    const double scale = std::max(1.0, std::abs(glpk.objective_gbp));
    EXPECT_NEAR(objective, glpk.objective_gbp, 1e-9 * scale);
    EXPECT_NEAR(objective, FleetObjective(fleet.problems, coupled), 1e-9 * scale);
    // Within the limits, interval by interval.
    for (int t = 0; t < 48; ++t) {
      double net_export_mwh = 0.0;
      for (const Plan& plan : solved.plans) {
        net_export_mwh += plan.discharge_mwh[t] - plan.charge_mwh[t];
      }
      EXPECT_LE(std::abs(net_export_mwh), fleet.limit_mwh + 1e-6) << "interval " << t;
    }
    const std::optional<FleetSolution> alone =
        SolveFleetIfUnbound(fleet.problems, fleet.limit_mwh, fleet.limit_mwh);
    if (alone.has_value()) {
      ++unbound;
      for (size_t b = 0; b < fleet.problems.size(); ++b) {
        const Plan own = SolveWithMultipliers(fleet.problems[b], {0.0});
        EXPECT_EQ(alone->plans[b].charge_mwh, own.charge_mwh);
        EXPECT_EQ(alone->plans[b].discharge_mwh, own.discharge_mwh);
      }
    } else {
      ++binding;
    }
  }
  // Both paths were exercised.
  EXPECT_GT(unbound, 12);
  EXPECT_GT(binding, 12);
}

}  // namespace
}  // namespace gridpilot::planning::lp
