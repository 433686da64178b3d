#include "core/battery_schedule.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace gridpilot {
namespace {

// Slack for comparing energies: levels are built by floating-point arithmetic, and a move
// that uses exactly the power limit must count as feasible.
constexpr double kToleranceMwh = 1e-9;
// Bounds memory (levels x intervals choices) for absurdly fine grids.
constexpr double kMaxLevels = 100000;

// Why the request cannot be planned, or empty if it can.
std::string RequestProblem(const ScheduleRequest& r) {
  const BatteryParams& b = r.battery;
  auto finite = [](double v) { return std::isfinite(v); };
  if (!finite(r.soc_step_mwh) || r.soc_step_mwh <= 0) return "soc_step_mwh must be > 0";
  if (!finite(r.max_power_step_mw) || r.max_power_step_mw < 0) {
    return "max_power_step_mw must be >= 0";
  }
  if (!finite(r.initial_power_mw)) return "initial_power_mw must be finite";
  if (r.interval <= absl::ZeroDuration() || r.interval == absl::InfiniteDuration()) {
    return "interval must be > 0";
  }
  if (!finite(b.max_charge_mw) || b.max_charge_mw <= 0) return "max_charge_mw must be > 0";
  if (!finite(b.max_discharge_mw) || b.max_discharge_mw <= 0) {
    return "max_discharge_mw must be > 0";
  }
  if (!(b.charge_efficiency > 0 && b.charge_efficiency <= 1)) {
    return "charge_efficiency must be in (0, 1]";
  }
  if (!(b.discharge_efficiency > 0 && b.discharge_efficiency <= 1)) {
    return "discharge_efficiency must be in (0, 1]";
  }
  if (!finite(b.degradation_gbp_per_mwh) || b.degradation_gbp_per_mwh < 0) {
    return "degradation_gbp_per_mwh must be >= 0";
  }
  if (!finite(b.soc_min_mwh) || !finite(b.soc_max_mwh) || !finite(r.soc_start_mwh) ||
      !finite(r.soc_floor_mwh) || !finite(r.terminal_value_gbp_per_mwh)) {
    return "soc bounds, start soc, floor and terminal value must be finite";
  }
  if (std::max(r.soc_floor_mwh, b.soc_min_mwh) > b.soc_max_mwh) {
    return absl::StrFormat("floor %g MWh is above soc_max %g MWh",
                           std::max(r.soc_floor_mwh, b.soc_min_mwh), b.soc_max_mwh);
  }
  for (size_t i = 0; i < r.price_gbp_per_mwh.size(); ++i) {
    if (!finite(r.price_gbp_per_mwh[i])) return absl::StrCat("price ", i, " is not finite");
  }
  return "";
}

BatterySchedule HoldPlan(const ScheduleRequest& r, std::string note) {
  BatterySchedule plan;
  plan.power_mw.assign(r.price_gbp_per_mwh.size(), 0.0);
  plan.soc_after_mwh.assign(r.price_gbp_per_mwh.size(), r.soc_start_mwh);
  plan.objective_gbp = r.terminal_value_gbp_per_mwh * r.soc_start_mwh;
  plan.note = std::move(note);
  return plan;
}

}  // namespace

BatterySchedule PlanBatterySchedule(const ScheduleRequest& request) {
  if (std::string problem = RequestProblem(request); !problem.empty()) {
    return HoldPlan(request, absl::StrCat("invalid request, holding: ", problem));
  }
  const BatteryParams& b = request.battery;
  const double hours = absl::ToDoubleHours(request.interval);
  const double floor_mwh = std::max(request.soc_floor_mwh, b.soc_min_mwh);
  const double top_mwh = b.soc_max_mwh;
  const double start_mwh = request.soc_start_mwh;
  const double step_mwh = request.soc_step_mwh;
  const double max_gain_mwh = b.max_charge_mw * hours * b.charge_efficiency;      // stored
  const double max_loss_mwh = b.max_discharge_mw * hours / b.discharge_efficiency;  // stored
  const double inv_charge_eff = 1.0 / b.charge_efficiency;
  const double discharge_eff = b.discharge_efficiency;
  const double degradation = b.degradation_gbp_per_mwh;

  std::vector<std::string> notes;
  if (request.soc_floor_mwh < b.soc_min_mwh) {
    notes.push_back(absl::StrFormat("floor raised to soc_min %g MWh", b.soc_min_mwh));
  }
  if (start_mwh < floor_mwh - kToleranceMwh) {
    notes.push_back(absl::StrFormat(
        "start soc %g MWh is below the floor %g MWh: charge or hold only until it is reached",
        start_mwh, floor_mwh));
  }
  if (start_mwh > top_mwh + kToleranceMwh) {
    notes.push_back(absl::StrFormat(
        "start soc %g MWh is above soc_max %g MWh: discharge or hold only until it is reached",
        start_mwh, top_mwh));
  }
  if (step_mwh > max_gain_mwh + kToleranceMwh && step_mwh > max_loss_mwh + kToleranceMwh) {
    notes.push_back("soc_step_mwh exceeds one interval's energy limits: grid levels can only hold");
  }

  // Levels: the floor-anchored grid spanning [floor, soc_max] and the start, plus the
  // start itself (replacing a grid level it coincides with).
  const double low_mwh = std::min(floor_mwh, start_mwh);
  const double high_mwh = std::max(top_mwh, start_mwh);
  const double j_min = std::ceil((low_mwh - floor_mwh) / step_mwh - kToleranceMwh);
  const double j_max = std::floor((high_mwh - floor_mwh) / step_mwh + kToleranceMwh);
  if (j_max - j_min + 2 > kMaxLevels) {
    return HoldPlan(request, absl::StrFormat("invalid request, holding: soc_step_mwh %g "
                                             "gives more than %g levels",
                                             step_mwh, kMaxLevels));
  }
  std::vector<double> levels;
  levels.reserve(static_cast<size_t>(j_max - j_min) + 2);
  for (double j = j_min; j <= j_max; ++j) levels.push_back(floor_mwh + j * step_mwh);
  auto start_it = std::lower_bound(levels.begin(), levels.end(), start_mwh - kToleranceMwh);
  if (start_it != levels.end() && std::abs(*start_it - start_mwh) <= kToleranceMwh) {
    *start_it = start_mwh;
  } else {
    start_it = levels.insert(start_it, start_mwh);
  }
  const int start_index = static_cast<int>(start_it - levels.begin());
  const int n = static_cast<int>(levels.size());

  // Reachable band of each level, the same for every interval: within the power limits,
  // never below min(level, floor) nor above max(level, soc_max). Levels are sorted, so the
  // band is a contiguous index range that always includes holding.
  std::vector<int> band_lo(n), band_hi(n);
  int first_lo = 0, first_hi = 0;  // the first interval's range from the start
  for (int a = 0; a < n; ++a) {
    const double from = levels[a];
    const double lowest = std::max(from - max_loss_mwh, std::min(from, floor_mwh));
    const double highest = std::min(from + max_gain_mwh, std::max(from, top_mwh));
    band_lo[a] = static_cast<int>(
        std::lower_bound(levels.begin(), levels.end(), lowest - kToleranceMwh) -
        levels.begin());
    band_hi[a] = static_cast<int>(
        std::upper_bound(levels.begin(), levels.end(), highest + kToleranceMwh) -
        levels.begin()) - 1;
  }

  // Soft landing: from grid power p, ramping down by `step` per interval stores (or
  // draws) sum_k max(0, p - k*step) * h more; that must fit before the bound.
  const double power_step_mw = request.max_power_step_mw;
  auto landing_mw_intervals = [power_step_mw](double p) {
    double sum = 0.0;
    for (double q = p - power_step_mw; q > 0.0; q -= power_step_mw) sum += q;
    return sum;
  };
  auto grid_power_mw = [&](double from, double to) {
    const double delta = to - from;
    return delta > 0 ? -delta * inv_charge_eff / hours : -delta * discharge_eff / hours;
  };
  if (power_step_mw > 0.0) {
    for (int a = 0; a < n; ++a) {
      // The band is contiguous and the landing need grows with the move, so trimming
      // from the far ends keeps it contiguous.
      while (band_hi[a] > a) {
        const double p = -grid_power_mw(levels[a], levels[band_hi[a]]);
        const double headroom = std::max(top_mwh, levels[a]) - levels[band_hi[a]];
        if (headroom + kToleranceMwh >= landing_mw_intervals(p) * hours * b.charge_efficiency) break;
        --band_hi[a];
      }
      while (band_lo[a] < a) {
        const double p = grid_power_mw(levels[a], levels[band_lo[a]]);
        const double headroom = levels[band_lo[a]] - std::min(floor_mwh, levels[a]);
        if (headroom + kToleranceMwh >= landing_mw_intervals(p) * hours / discharge_eff) break;
        ++band_lo[a];
      }
    }
    // First interval: within one step of the power already running. If no move is
    // within a step (the battery sits at a bound), the nearest feasible move is kept.
    int lo = band_lo[start_index], hi = band_hi[start_index];
    auto power_from_start = [&](int to) { return grid_power_mw(levels[start_index], levels[to]); };
    while (lo < hi && power_from_start(lo) > request.initial_power_mw + power_step_mw + 1e-9) ++lo;
    while (hi > lo && power_from_start(hi) < request.initial_power_mw - power_step_mw - 1e-9) --hi;
    first_lo = lo;
    first_hi = hi;
  }

  if (power_step_mw <= 0.0) {
    first_lo = band_lo[start_index];
    first_hi = band_hi[start_index];
  }

  // Stage reward (£) of moving from stored level `from` to `to` at `price`.
  auto reward = [&](double from, double to, double price) {
    const double delta = to - from;
    if (delta > 0) return -(price + degradation) * delta * inv_charge_eff;
    return (price - degradation) * (-delta) * discharge_eff;
  };

  // Backward pass. value[a] = best reward-to-go from level a; choice holds the argmax per
  // interval and level. Holding is tried first and only a strictly better move replaces
  // it, so ties resolve to doing nothing.
  const size_t intervals = request.price_gbp_per_mwh.size();
  std::vector<double> value(n), next_value(n);
  for (int a = 0; a < n; ++a) next_value[a] = request.terminal_value_gbp_per_mwh * levels[a];
  std::vector<int32_t> choice(intervals * n);
  for (size_t i = intervals; i-- > 0;) {
    const double price = request.price_gbp_per_mwh[i];
    // Reward per MWh of stored energy given up (> 0 discharging, < 0 charging): the two
    // branches of reward() as constants, so the inner loops are branch-free.
    const double gbp_per_stored_mwh_out = (price - degradation) * discharge_eff;
    const double gbp_per_stored_mwh_in = (price + degradation) * inv_charge_eff;
    int32_t* stage_choice = choice.data() + i * n;
    for (int a = 0; a < n; ++a) {
      const bool first_move = i == 0 && a == start_index;
      const int lo = first_move ? first_lo : band_lo[a];
      const int hi = first_move ? first_hi : band_hi[a];
      const bool may_hold = lo <= a && a <= hi;
      double best = may_hold ? next_value[a] : -std::numeric_limits<double>::infinity();
      int32_t best_to = may_hold ? a : lo;
      const double from = levels[a];
      // Same order as a single lo..hi scan (ties keep the earlier choice).
      for (int to = lo; to < std::min(a, hi + 1); ++to) {
        const double candidate = gbp_per_stored_mwh_out * (from - levels[to]) + next_value[to];
        if (candidate > best) {
          best = candidate;
          best_to = to;
        }
      }
      for (int to = std::max(a + 1, lo); to <= hi; ++to) {
        const double candidate = gbp_per_stored_mwh_in * (from - levels[to]) + next_value[to];
        if (candidate > best) {
          best = candidate;
          best_to = to;
        }
      }
      value[a] = best;
      stage_choice[a] = best_to;
    }
    value.swap(next_value);
  }

  // Forward pass from the start, recomputing the objective from the chosen moves.
  BatterySchedule plan;
  plan.power_mw.reserve(intervals);
  plan.soc_after_mwh.reserve(intervals);
  int at = start_index;
  for (size_t i = 0; i < intervals; ++i) {
    const int to = choice[i * n + at];
    const double delta = levels[to] - levels[at];
    const double grid_mwh = delta > 0 ? -delta * inv_charge_eff : -delta * discharge_eff;
    plan.power_mw.push_back(grid_mwh / hours);
    plan.soc_after_mwh.push_back(levels[to]);
    plan.objective_gbp += reward(levels[at], levels[to], request.price_gbp_per_mwh[i]);
    at = to;
  }
  plan.objective_gbp += request.terminal_value_gbp_per_mwh * levels[at];
  plan.note = absl::StrJoin(notes, "; ");
  return plan;
}

ScheduleRequest TradingScheduleRequest(const BatteryParams& battery, double soc_start_mwh,
                                       double initial_power_mw, std::vector<double> prices,
                                       absl::Duration interval, double max_power_step_mw) {
  ScheduleRequest request;
  request.battery = battery;
  request.soc_start_mwh = soc_start_mwh;
  request.soc_floor_mwh = battery.soc_min_mwh + battery.reserve_mwh;
  request.interval = interval;
  request.max_power_step_mw = max_power_step_mw;
  request.initial_power_mw = initial_power_mw;
  const double mean_price =
      std::accumulate(prices.begin(), prices.end(), 0.0) / static_cast<double>(prices.size());
  request.terminal_value_gbp_per_mwh =
      std::max(0.0, mean_price * battery.discharge_efficiency - battery.degradation_gbp_per_mwh);
  request.price_gbp_per_mwh = std::move(prices);
  return request;
}

}  // namespace gridpilot
