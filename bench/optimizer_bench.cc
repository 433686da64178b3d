// Times the exact schedule optimiser (core/planning/exact_optimizer.h) against GLPK's simplex on
// the same LPs, in the same run, with real GB prices (Oct 2022 - Dec 2023, 21,938
// half-hours; the 696 missing prices are filled with the previous period's price):
//  * the perfect-foresight solve of the whole span with the default battery
//    (50 MW / 100 MWh, floor = soc_min + reserve = 25 MWh, start 50 MWh, no terminal);
//  * a 48-interval re-plan, the trader's every-interval job: 1,000 windows starting at
//    consecutive half-hours, median time per solve;
//  * the same re-plans with a 50 MWh/day discharge cap, and the whole span with it;
//  * the same re-plans for a fleet of three default batteries behind one 60 MW grid
//    connection (import and export), solved together.
// Prints a table; optional argument: the data directory (default: the source tree's).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/base/time_util.h"
#include "core/data/grid_data_loader.h"
#include "core/planning/exact_optimizer.h"
#include "tests/core/planning/glpk_oracle.h"

namespace gridpilot {
namespace {

using Clock = std::chrono::steady_clock;

double MillisSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

// `batteries` default batteries; with `connection_mw`, behind one connection of that
// import and export limit.
planning::BatteryOptimizerRequest Request(absl::Time start, std::vector<double> prices,
                                          std::optional<double> cap_mwh_per_day, int batteries = 1,
                                          std::optional<double> connection_mw = std::nullopt) {
  planning::BatteryOptimizerRequest request;
  request.start = start;
  request.price_gbp_per_mwh = std::move(prices);
  for (int b = 0; b < batteries; ++b) {
    planning::OptimizerBatterySpec& spec = request.batteries.emplace_back();
    spec.params.id = "battery-" + std::to_string(b + 1);
    spec.discharge_cap_mwh_per_day = cap_mwh_per_day;
  }
  request.grid_import_limit_mw = connection_mw;
  request.grid_export_limit_mw = connection_mw;
  return request;
}

// The same LP for GLPK: the default battery starts above the floor, so the floor is flat.
lp_oracle::OracleLp Oracle(const planning::BatteryOptimizerRequest& request,
                           const planning::OptimizerBatterySpec& spec) {
  const assets::BatteryParams& b = spec.params;
  lp_oracle::OracleLp lp;
  lp.hours = absl::ToDoubleHours(request.interval);
  lp.price_gbp_per_mwh = request.price_gbp_per_mwh;
  lp.max_charge_mw = b.max_charge_mw;
  lp.max_discharge_mw = b.max_discharge_mw;
  lp.charge_efficiency = b.charge_efficiency;
  lp.discharge_efficiency = b.discharge_efficiency;
  lp.degradation_gbp_per_mwh = b.degradation_gbp_per_mwh;
  lp.soc_initial_mwh = b.soc_initial_mwh;
  lp.soc_lower_mwh.assign(request.price_gbp_per_mwh.size(), b.soc_min_mwh + b.reserve_mwh);
  lp.soc_upper_mwh = b.soc_max_mwh;
  if (spec.discharge_cap_mwh_per_day) {
    const int64_t first = absl::ToUnixSeconds(request.start) / 86400;
    for (size_t t = 0; t < request.price_gbp_per_mwh.size(); ++t) {
      const absl::Time start = request.start + static_cast<int64_t>(t) * request.interval;
      lp.day_of_interval.push_back(static_cast<int>(absl::ToUnixSeconds(start) / 86400 - first));
    }
    lp.day_cap_mwh.assign(lp.day_of_interval.back() + 1, *spec.discharge_cap_mwh_per_day);
  }
  return lp;
}

struct Timed {
  double millis = 0.0;
  double objective_gbp = 0.0;
  std::string detail;
};

Timed RunOptimizer(const planning::BatteryOptimizerRequest& request) {
  const Clock::time_point start = Clock::now();
  const absl::StatusOr<planning::BatteryOptimizerResult> result =
      planning::OptimizeBatterySchedule(request);
  Timed out{MillisSince(start), 0.0, ""};
  if (!result.ok()) {
    std::fprintf(stderr, "optimiser failed: %s\n", std::string(result.status().message()).c_str());
    std::exit(1);
  }
  out.objective_gbp = result->objective_gbp;
  out.detail = result->termination == planning::OptimizerTermination::kOptimal
                   ? "optimal"
                   : "approximate, gap £" + std::to_string(result->optimality_gap_gbp);
  return out;
}

Timed RunGlpk(const planning::BatteryOptimizerRequest& request) {
  lp_oracle::OracleFleet fleet{{}, request.grid_export_limit_mw, request.grid_import_limit_mw};
  for (const planning::OptimizerBatterySpec& spec : request.batteries) {
    fleet.batteries.push_back(Oracle(request, spec));
  }
  const Clock::time_point start = Clock::now();
  const lp_oracle::OracleSolution solution = lp_oracle::SolveFleetWithGlpk(fleet);
  Timed out{MillisSince(start), solution.objective_gbp, solution.feasible ? "" : "infeasible"};
  return out;
}

void PrintRow(const char* what, const Timed& ours, const Timed& glpk) {
  const double difference = std::abs(ours.objective_gbp - glpk.objective_gbp) /
                            std::max(1.0, std::abs(glpk.objective_gbp));
  std::printf("%-34s %12.4f %12.4f %9.1fx %16.2f %16.2f %9.1e  %s\n", what, ours.millis,
              glpk.millis, glpk.millis / ours.millis, ours.objective_gbp, glpk.objective_gbp,
              difference, ours.detail.c_str());
}

// Median times and the worst objective difference over 1,000 consecutive 48-interval
// windows.
void BenchReplans(const char* what, absl::Time first_start, const std::vector<double>& prices,
                  size_t first_offset, std::optional<double> cap_mwh_per_day, int batteries = 1,
                  std::optional<double> connection_mw = std::nullopt) {
  std::vector<double> ours_ms, glpk_ms;
  double worst = 0.0;
  Timed last_ours, last_glpk;
  for (size_t w = 0; w < 1000; ++w) {
    const size_t offset = first_offset + w;
    const planning::BatteryOptimizerRequest request =
        Request(first_start + static_cast<int64_t>(offset) * base::kHalfHour,
                std::vector<double>(prices.begin() + offset, prices.begin() + offset + 48),
                cap_mwh_per_day, batteries, connection_mw);
    last_ours = RunOptimizer(request);
    last_glpk = RunGlpk(request);
    ours_ms.push_back(last_ours.millis);
    glpk_ms.push_back(last_glpk.millis);
    worst = std::max(worst, std::abs(last_ours.objective_gbp - last_glpk.objective_gbp) /
                                std::max(1.0, std::abs(last_glpk.objective_gbp)));
  }
  const double ours = Median(ours_ms), glpk = Median(glpk_ms);
  std::printf("%-34s %12.4f %12.4f %9.1fx %16s %16s %9.1e  median of 1000 windows\n", what, ours,
              glpk, glpk / ours, "-", "-", worst);
}

int Main(int argc, char** argv) {
  std::string data_dir;
  if (argc > 1) {
    data_dir = argv[1];
  } else if (const char* source = std::getenv("GRIDPILOT_SOURCE_DIR")) {
    data_dir = std::string(source) + "/data";
  } else {
#ifdef GRIDPILOT_DEFAULT_DATA_DIR
    data_dir = GRIDPILOT_DEFAULT_DATA_DIR;
#else
    std::fprintf(stderr, "usage: optimizer_bench DATA_DIR (or set GRIDPILOT_SOURCE_DIR)\n");
    return 2;
#endif
  }
  const absl::StatusOr<data::GridSeries> series = data::LoadGridSeries(
      data_dir + "/gb_demand_2022_2023.csv", data_dir + "/gb_price_mid_2022-10_2023-12.csv");
  if (!series.ok()) {
    std::fprintf(stderr, "%s\n", std::string(series.status().message()).c_str());
    return 1;
  }
  std::vector<double> prices;
  absl::Time first_start;
  int filled = 0;
  std::optional<double> previous;
  for (const data::GridInterval& interval : series->intervals()) {
    if (!previous && !interval.price_gbp_per_mwh) continue;  // before the price file
    if (prices.empty()) first_start = interval.start;
    if (interval.price_gbp_per_mwh) {
      previous = interval.price_gbp_per_mwh;
    } else {
      ++filled;
    }
    prices.push_back(*previous);
  }
  std::printf("%zu half-hours from %s, %d missing prices filled with the previous one\n\n",
              prices.size(), base::FormatUtcTimestamp(first_start).c_str(), filled);
  std::printf("%-34s %12s %12s %10s %16s %16s %9s\n", "problem", "optimiser ms", "GLPK ms",
              "speed-up", "optimiser £", "GLPK £", "rel diff");

  const planning::BatteryOptimizerRequest year = Request(first_start, prices, std::nullopt);
  std::vector<double> year_ms;
  Timed year_ours;
  for (int run = 0; run < 5; ++run) {
    year_ours = RunOptimizer(year);
    year_ms.push_back(year_ours.millis);
  }
  year_ours.millis = Median(year_ms);
  PrintRow("whole span, perfect foresight", year_ours, RunGlpk(year));

  BenchReplans("48-interval re-plan", first_start, prices, 10000, std::nullopt);
  BenchReplans("48-interval re-plan, cap 50 MWh/d", first_start, prices, 10000, 50.0);
  BenchReplans("48-int. fleet: 3 batteries, 60 MW", first_start, prices, 10000, std::nullopt, 3,
               60.0);

  const planning::BatteryOptimizerRequest capped_year = Request(first_start, prices, 50.0);
  PrintRow("whole span, cap 50 MWh/day", RunOptimizer(capped_year), RunGlpk(capped_year));
  return 0;
}

}  // namespace
}  // namespace gridpilot

int main(int argc, char** argv) { return gridpilot::Main(argc, argv); }
