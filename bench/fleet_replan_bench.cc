// Times a fleet's 48-interval re-plan behind one grid connection four ways, in the same
// process, on the same LPs, with real GB prices (Oct 2022 - Dec 2023; missing prices are
// filled with the previous period's):
//  * the current fleet LP: Dantzig-Wolfe column generation (lp::SolveFleetCoupled);
//  * the new fleet solve (lp::SolveFleet): each battery alone, and the column generation
//    only when their plans together break a limit;
//  * GLPK's simplex (presolve on) on the same LP (tests/core/planning/glpk_oracle.h).
//  * the trader's plan behind a shared connection: each battery alone with its share of
//    the connection (TraderAgent::ConnectionShare), valued at its own problem.
// For each fleet: median and mean microseconds per re-plan over consecutive windows, the
// share of windows where a limit binds, each method's ratio to the current fleet LP, the
// worst relative objective difference from it, and the split's objective against the
// fleet optimum. Then, for the two-battery fleets, the year of
// 2023's re-plans (17,520 windows) with the new solve against the current one, objective by
// objective. $FLEET_BENCH_WINDOWS (default 1000), $FLEET_BENCH_SKIP_YEAR.
// Optional argument: the data directory (default: the source tree's).
#include <glpk.h>

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
#include "core/assets/battery.h"
#include "core/base/time_util.h"
#include "core/data/grid_data_loader.h"
#include "core/planning/battery_lp.h"
#include "core/planning/battery_lp_solver.h"
#include "core/planning/fleet_optimizer.h"
#include "tests/core/planning/glpk_oracle.h"

namespace gridpilot {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int kIntervals = 48;
constexpr double kHours = 0.5;

double MicrosSince(Clock::time_point start) {
  return std::chrono::duration<double, std::micro>(Clock::now() - start).count();
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

double Mean(const std::vector<double>& values) {
  double sum = 0.0;
  for (double v : values) sum += v;
  return sum / static_cast<double>(values.size());
}

struct Fleet {
  const char* name;
  std::vector<assets::BatteryParams> batteries;
  double connection_mw;  // import and export
};

assets::BatteryParams Small() {
  assets::BatteryParams p;
  p.id = "battery-2";
  p.energy_capacity_mwh = 40.0;
  p.max_charge_mw = p.max_discharge_mw = 20.0;
  p.soc_min_mwh = 2.0;
  p.soc_max_mwh = 38.0;
  p.soc_initial_mwh = 20.0;
  p.reserve_mwh = 8.0;
  return p;
}

// 20 MW / 80 MWh: a four-hour battery beside the two-hour ones, so that the fleet is not
// one battery scaled (where the split of the connection is exactly the fleet optimum).
assets::BatteryParams LongSmall() {
  assets::BatteryParams p = Small();
  p.energy_capacity_mwh = 80.0;
  p.soc_min_mwh = 4.0;
  p.soc_max_mwh = 76.0;
  p.soc_initial_mwh = 40.0;
  p.reserve_mwh = 16.0;
  return p;
}

// 50 MW batteries of four hours and one hour.
assets::BatteryParams LongBig() {
  assets::BatteryParams p;
  p.id = "battery-long";
  p.energy_capacity_mwh = 200.0;
  p.soc_min_mwh = 10.0;
  p.soc_max_mwh = 190.0;
  p.soc_initial_mwh = 100.0;
  p.reserve_mwh = 40.0;
  return p;
}
assets::BatteryParams ShortBig() {
  assets::BatteryParams p;
  p.id = "battery-short";
  p.energy_capacity_mwh = 50.0;
  p.soc_min_mwh = 2.5;
  p.soc_max_mwh = 47.5;
  p.soc_initial_mwh = 25.0;
  p.reserve_mwh = 10.0;
  return p;
}

// One battery's LP for the window, starting at its initial SoC, floor soc_min + reserve,
// no terminal requirement (a range of [floor, soc_max], which every plan meets), no cap.
planning::lp::Problem Problem(const assets::BatteryParams& b, const std::vector<double>& prices) {
  planning::lp::Problem p;
  p.price = prices;
  p.charge_efficiency = b.charge_efficiency;
  p.discharge_efficiency = b.discharge_efficiency;
  p.degradation = b.degradation_gbp_per_mwh;
  p.max_charge_mwh = b.max_charge_mw * kHours;
  p.max_discharge_mwh = b.max_discharge_mw * kHours;
  p.soc_start = b.soc_initial_mwh;
  p.upper = b.soc_max_mwh;
  p.lower.assign(prices.size() + 1, b.soc_min_mwh + b.reserve_mwh);
  p.terminal_lo = b.soc_min_mwh + b.reserve_mwh;
  p.terminal_hi = b.soc_max_mwh;
  p.day.assign(prices.size(), 0);
  p.day_cap.assign(1, planning::lp::kInf);
  return p;
}

lp_oracle::OracleLp Oracle(const assets::BatteryParams& b, const std::vector<double>& prices) {
  lp_oracle::OracleLp lp;
  lp.hours = kHours;
  lp.price_gbp_per_mwh = prices;
  lp.max_charge_mw = b.max_charge_mw;
  lp.max_discharge_mw = b.max_discharge_mw;
  lp.charge_efficiency = b.charge_efficiency;
  lp.discharge_efficiency = b.discharge_efficiency;
  lp.degradation_gbp_per_mwh = b.degradation_gbp_per_mwh;
  lp.soc_initial_mwh = b.soc_initial_mwh;
  lp.soc_lower_mwh.assign(prices.size(), b.soc_min_mwh + b.reserve_mwh);
  lp.soc_upper_mwh = b.soc_max_mwh;
  return lp;
}

double FleetObjective(const std::vector<planning::lp::Problem>& problems,
                      const planning::lp::FleetSolution& s) {
  double objective = 0.0;
  for (size_t b = 0; b < problems.size(); ++b) {
    objective += planning::lp::Objective(problems[b], s.plans[b]);
  }
  return objective;
}

// Each battery's problem with its power limits capped at its share of the connection, pro
// rata to its limit in each direction where the fleet's exceed the connection: the trader's
// plan behind a shared connection (agents/trader: TraderAgent::ConnectionShare).
std::vector<planning::lp::Problem> SplitProblems(const Fleet& fleet,
                                                 const std::vector<double>& prices) {
  double fleet_discharge_mw = 0.0, fleet_charge_mw = 0.0;
  for (const assets::BatteryParams& b : fleet.batteries) {
    fleet_discharge_mw += b.max_discharge_mw;
    fleet_charge_mw += b.max_charge_mw;
  }
  std::vector<planning::lp::Problem> problems;
  for (assets::BatteryParams b : fleet.batteries) {
    if (fleet_discharge_mw > fleet.connection_mw) {
      b.max_discharge_mw = fleet.connection_mw * b.max_discharge_mw / fleet_discharge_mw;
    }
    if (fleet_charge_mw > fleet.connection_mw) {
      b.max_charge_mw = fleet.connection_mw * b.max_charge_mw / fleet_charge_mw;
    }
    problems.push_back(Problem(b, prices));
  }
  return problems;
}

struct WindowResult {
  double current_us = 0.0, new_us = 0.0, glpk_us = 0.0, split_us = 0.0;
  double current_gbp = 0.0, new_gbp = 0.0, glpk_gbp = 0.0, split_gbp = 0.0;
  bool binding = false;
};

// `with_glpk`: also GLPK and the split; otherwise the current fleet LP and the new solve.
WindowResult RunWindow(const Fleet& fleet, const std::vector<double>& prices, bool with_glpk) {
  std::vector<planning::lp::Problem> problems;
  for (const assets::BatteryParams& b : fleet.batteries) problems.push_back(Problem(b, prices));
  const double limit_mwh = fleet.connection_mw * kHours;
  WindowResult r;
  Clock::time_point start = Clock::now();
  const planning::lp::FleetSolution current =
      planning::lp::SolveFleetCoupled(problems, limit_mwh, limit_mwh);
  r.current_us = MicrosSince(start);
  start = Clock::now();
  const planning::lp::FleetSolution fast = planning::lp::SolveFleet(problems, limit_mwh, limit_mwh);
  r.new_us = MicrosSince(start);
  r.binding = !planning::lp::SolveFleetIfUnbound(problems, limit_mwh, limit_mwh).has_value();
  r.current_gbp = FleetObjective(problems, current);
  r.new_gbp = FleetObjective(problems, fast);
  if (!with_glpk) return r;
  start = Clock::now();
  const std::vector<planning::lp::Problem> split_problems = SplitProblems(fleet, prices);
  double split_gbp = 0.0;
  for (size_t b = 0; b < split_problems.size(); ++b) {
    const planning::lp::Plan plan = planning::lp::SolveWithMultipliers(
        split_problems[b], std::vector<double>(split_problems[b].day_cap.size(), 0.0));
    // Valued at the battery's own problem: the same prices, SoC bounds and wear.
    split_gbp += planning::lp::Objective(problems[b], plan);
  }
  r.split_us = MicrosSince(start);
  r.split_gbp = split_gbp;
  lp_oracle::OracleFleet oracle{{}, fleet.connection_mw, fleet.connection_mw};
  for (const assets::BatteryParams& b : fleet.batteries) {
    oracle.batteries.push_back(Oracle(b, prices));
  }
  start = Clock::now();
  r.glpk_gbp = lp_oracle::SolveFleetWithGlpk(oracle).objective_gbp;
  r.glpk_us = MicrosSince(start);
  return r;
}

double RelativeDifference(double a, double b) {
  return std::abs(a - b) / std::max(1.0, std::abs(b));
}

void BenchFleet(const Fleet& fleet, const std::vector<double>& prices, size_t first, size_t count) {
  std::vector<double> current_us, new_us, glpk_us, new_binding_us, new_unbound_us, split_us;
  double worst_new = 0.0, worst_glpk = 0.0, worst_new_glpk = 0.0;
  double optimum_gbp = 0.0, split_gbp = 0.0;
  int binding = 0;
  for (size_t w = 0; w < count; ++w) {
    const std::vector<double> window(prices.begin() + first + w,
                                     prices.begin() + first + w + kIntervals);
    const WindowResult r = RunWindow(fleet, window, true);
    current_us.push_back(r.current_us);
    new_us.push_back(r.new_us);
    glpk_us.push_back(r.glpk_us);
    split_us.push_back(r.split_us);
    optimum_gbp += r.glpk_gbp;
    split_gbp += r.split_gbp;
    (r.binding ? new_binding_us : new_unbound_us).push_back(r.new_us);
    binding += r.binding ? 1 : 0;
    if (RelativeDifference(r.new_gbp, r.current_gbp) > 1e-6) {
      std::printf("  window %zu: current fleet LP %.6f GBP, new %.6f GBP, GLPK %.6f GBP\n",
                  first + w, r.current_gbp, r.new_gbp, r.glpk_gbp);
    }
    worst_new = std::max(worst_new, RelativeDifference(r.new_gbp, r.current_gbp));
    worst_glpk = std::max(worst_glpk, RelativeDifference(r.glpk_gbp, r.current_gbp));
    worst_new_glpk = std::max(worst_new_glpk, RelativeDifference(r.new_gbp, r.glpk_gbp));
  }
  std::printf("%s: %zu windows, a limit binds in %d\n", fleet.name, count, binding);
  std::printf("  %-28s %10s %10s %12s %14s\n", "method", "median us", "mean us", "mean ratio",
              "worst rel diff");
  const double current_mean = Mean(current_us);
  std::printf("  %-28s %10.1f %10.1f %11.2fx %14s\n", "current fleet LP (DW)", Median(current_us),
              current_mean, 1.0, "-");
  std::printf("  %-28s %10.1f %10.1f %11.3fx %14.1e\n", "new: alone, DW if it binds",
              Median(new_us), Mean(new_us), Mean(new_us) / current_mean, worst_new);
  std::printf("  %-28s %10.1f %10.1f %11.3fx %14.1e\n", "GLPK simplex", Median(glpk_us),
              Mean(glpk_us), Mean(glpk_us) / current_mean, worst_glpk);
  std::printf("  %-28s %10.1f %10.1f %11.3fx %14s\n", "split of the connection", Median(split_us),
              Mean(split_us), Mean(split_us) / current_mean, "-");
  std::printf("  worst rel diff against GLPK: new %.1e\n", worst_new_glpk);
  std::printf(
      "  objective summed over the windows: fleet optimum %.0f GBP, split of the connection "
      "%.0f GBP (%.2f%% of it)\n",
      optimum_gbp, split_gbp, optimum_gbp != 0.0 ? 100.0 * split_gbp / optimum_gbp : 0.0);
  if (!new_unbound_us.empty()) {
    std::printf("  new, windows where no limit binds: median %.1f us (%.1f us per battery)\n",
                Median(new_unbound_us), Median(new_unbound_us) / fleet.batteries.size());
  }
  if (!new_binding_us.empty()) {
    std::printf("  new, windows where a limit binds: median %.1f us\n", Median(new_binding_us));
  }
}

// Every window of 2023: the new solve against the current one.
void YearOfReplans(const Fleet& fleet, const std::vector<double>& prices, size_t first,
                   size_t count) {
  double worst = 0.0, current_s = 0.0, new_s = 0.0;
  int binding = 0;
  for (size_t w = 0; w < count; ++w) {
    const std::vector<double> window(prices.begin() + first + w,
                                     prices.begin() + first + w + kIntervals);
    const WindowResult r = RunWindow(fleet, window, false);
    worst = std::max(worst, RelativeDifference(r.new_gbp, r.current_gbp));
    current_s += r.current_us * 1e-6;
    new_s += r.new_us * 1e-6;
    binding += r.binding ? 1 : 0;
  }
  std::printf(
      "%s, every 2023 window (%zu): a limit binds in %d; current %.2f s, new %.2f s in all; "
      "worst rel objective diff %.1e\n",
      fleet.name, count, binding, current_s, new_s, worst);
}

int Main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // each line as it is measured
  std::string data_dir;
  if (argc > 1) {
    data_dir = argv[1];
  } else if (const char* source = std::getenv("GRIDPILOT_SOURCE_DIR")) {
    data_dir = std::string(source) + "/data";
  } else {
    data_dir = GRIDPILOT_DEFAULT_DATA_DIR;
  }
  const absl::StatusOr<data::GridSeries> series = data::LoadGridSeries(
      data_dir + "/gb_demand_2022_2023.csv", data_dir + "/gb_price_mid_2022-10_2023-12.csv");
  if (!series.ok()) {
    std::fprintf(stderr, "%s\n", std::string(series.status().message()).c_str());
    return 1;
  }
  std::vector<double> prices;
  absl::Time first_start;
  std::optional<double> previous;
  for (const data::GridInterval& interval : series->intervals()) {
    if (!previous && !interval.price_gbp_per_mwh) continue;
    if (prices.empty()) first_start = interval.start;
    if (interval.price_gbp_per_mwh) previous = interval.price_gbp_per_mwh;
    prices.push_back(*previous);
  }
  const absl::Time year_start = *base::ParseUtcTimestamp("2023-01-01T00:00:00Z");
  const size_t year_first = static_cast<size_t>((year_start - first_start) / base::kHalfHour);
  const size_t year_windows = std::min<size_t>(17520, prices.size() - year_first - kIntervals);
  glp_term_out(GLP_OFF);
  const bool full_year = std::getenv("FLEET_BENCH_SKIP_YEAR") == nullptr;
  const std::vector<Fleet> fleets = {
      {"3 x 50 MW / 100 MWh behind 60 MW", {assets::BatteryParams{}, {}, {}}, 60.0},
      {"50 MW/100 MWh + 20 MW/40 MWh behind 60 MW", {assets::BatteryParams{}, Small()}, 60.0},
      {"50 MW/100 MWh + 20 MW/40 MWh behind 70 MW", {assets::BatteryParams{}, Small()}, 70.0},
      {"50 MW/100 MWh + 20 MW/40 MWh behind 30 MW (shipped)",
       {assets::BatteryParams{}, Small()},
       30.0},
      {"50 MW/100 MWh + 20 MW/80 MWh behind 30 MW", {assets::BatteryParams{}, LongSmall()}, 30.0},
      {"3 x 50 MW / 100 MWh, 200 MWh, 50 MWh behind 60 MW",
       {assets::BatteryParams{}, LongBig(), ShortBig()},
       60.0},
  };
  const size_t windows = std::getenv("FLEET_BENCH_WINDOWS") != nullptr
                             ? std::strtoul(std::getenv("FLEET_BENCH_WINDOWS"), nullptr, 10)
                             : 1000;
  if (windows > 0) {
    for (const Fleet& fleet : fleets) BenchFleet(fleet, prices, 10000, windows);
  }
  if (full_year) {
    // The shipped two-battery region's batteries (the three-battery fleet's year would take
    // minutes of the current fleet LP).
    for (size_t f = 1; f < 3; ++f) {
      YearOfReplans(fleets[f], prices, year_first, year_windows);
    }
  }
  return 0;
}

}  // namespace
}  // namespace gridpilot

int main(int argc, char** argv) { return gridpilot::Main(argc, argv); }
