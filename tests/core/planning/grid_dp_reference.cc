#include "tests/core/planning/grid_dp_reference.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace gridpilot::planning::reference {
namespace {

// Slack for comparing energies: levels are built by floating-point arithmetic, and a move
// that uses exactly the power limit must count as feasible.
constexpr double kToleranceMwh = 1e-9;
// Bounds memory (levels x intervals choices) for absurdly fine grids.
constexpr double kMaxLevels = 100000;

// Why the request cannot be planned, or empty if it can.
std::string RequestProblem(const ScheduleRequest& r) {
  const assets::BatteryParams& b = r.battery;
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
  if (!r.charge_price_gbp_per_mwh.empty()) {
    if (r.charge_price_gbp_per_mwh.size() != r.price_gbp_per_mwh.size()) {
      return "charge_price_gbp_per_mwh must be empty or one per price";
    }
    for (size_t i = 0; i < r.charge_price_gbp_per_mwh.size(); ++i) {
      if (!finite(r.charge_price_gbp_per_mwh[i]) ||
          !(r.charge_price_gbp_per_mwh[i] >= r.price_gbp_per_mwh[i])) {
        return absl::StrCat("charge price ", i, " is not finite or below price ", i);
      }
    }
  }
  if (!(r.follow_beyond_mw >= 0.0) || !finite(r.follow_beyond_mw)) {
    return "follow_beyond_mw must be finite and >= 0";
  }
  if (!r.step_centre_mw.empty()) {
    if (r.step_centre_mw.size() != r.price_gbp_per_mwh.size()) {
      return "step_centre_mw must be empty or one per price";
    }
    const double widest_change_mw = b.max_charge_mw + b.max_discharge_mw;
    for (size_t i = 0; i < r.step_centre_mw.size(); ++i) {
      if (!(std::abs(r.step_centre_mw[i]) <= widest_change_mw)) {
        return absl::StrCat("step centre ", i,
                            " is not within +-(max_charge_mw + max_discharge_mw)");
      }
    }
  }
  return "";
}

StepWindow ReferenceStepWindowFor(double centre_mw, double max_power_step_mw) {
  return {std::min(0.0, centre_mw - max_power_step_mw),
          std::max(0.0, centre_mw + max_power_step_mw)};
}

// The changes of power interval i may make: StepWindowFor its centre, or, from
// follow_from_interval on and where the centre lies beyond +-follow_beyond_mw, the window
// that follows it (ScheduleRequest::follow_beyond_mw), which excludes holding.
StepWindow StepWindowOf(const ScheduleRequest& r, size_t i) {
  const double centre_mw = r.step_centre_mw.empty() ? 0.0 : r.step_centre_mw[i];
  const double step_mw = r.max_power_step_mw;
  const double follow_mw = r.follow_beyond_mw;
  if (follow_mw > 0.0 && i >= r.follow_from_interval) {
    if (centre_mw > follow_mw) return {centre_mw - follow_mw, centre_mw + step_mw};
    if (centre_mw < -follow_mw) return {centre_mw - step_mw, centre_mw + follow_mw};
  }
  return ReferenceStepWindowFor(centre_mw, step_mw);
}

// The price of charging in interval i (ScheduleRequest::charge_price_gbp_per_mwh).
double ChargePrice(const ScheduleRequest& r, size_t i) {
  return r.charge_price_gbp_per_mwh.empty() ? r.price_gbp_per_mwh[i]
                                            : r.charge_price_gbp_per_mwh[i];
}

BatterySchedule HoldPlan(const ScheduleRequest& r, std::string note) {
  BatterySchedule plan;
  plan.power_mw.assign(r.price_gbp_per_mwh.size(), 0.0);
  plan.soc_after_mwh.assign(r.price_gbp_per_mwh.size(), r.soc_start_mwh);
  plan.objective_gbp = r.terminal_value_gbp_per_mwh * r.soc_start_mwh;
  plan.note = std::move(note);
  return plan;
}

// The plan whose every step stays within request.max_power_step_mw (see
// ScheduleRequest::limit_every_step), or nullopt when none exists from the start state.
// State of the backward pass: (level k, move e of the interval before), where levels are
// start + k * step and a move is a change of e levels; the stage reward depends only on
// the move, and the step limit only on the previous and next move.
std::optional<BatterySchedule> PlanEveryStepLimited(const ScheduleRequest& request,
                                                    double floor_mwh) {
  const assets::BatteryParams& b = request.battery;
  const double hours = absl::ToDoubleHours(request.interval);
  const double start_mwh = request.soc_start_mwh;
  const double step_mwh = request.soc_step_mwh;
  const double top_mwh = b.soc_max_mwh;
  const double inv_charge_eff = 1.0 / b.charge_efficiency;
  const double discharge_eff = b.discharge_efficiency;
  const double degradation = b.degradation_gbp_per_mwh;
  const double power_step_mw = request.max_power_step_mw;
  constexpr double kPowerToleranceMw = 1e-9;
  const double inf = std::numeric_limits<double>::infinity();

  // Level indices k: start + k * step within [min(floor, start), max(top, start)].
  const int k_lo = static_cast<int>(
      std::ceil((std::min(floor_mwh, start_mwh) - start_mwh) / step_mwh - kToleranceMwh));
  const int k_hi = static_cast<int>(
      std::floor((std::max(top_mwh, start_mwh) - start_mwh) / step_mwh + kToleranceMwh));
  // The lowest level at or above the floor and the highest at or below soc_max.
  const int k_floor =
      static_cast<int>(std::ceil((floor_mwh - start_mwh) / step_mwh - kToleranceMwh));
  const int k_top = static_cast<int>(std::floor((top_mwh - start_mwh) / step_mwh + kToleranceMwh));
  // Moves e (levels per interval) within the power limits.
  const int e_min = -static_cast<int>(
      std::floor(b.max_discharge_mw * hours / discharge_eff / step_mwh + kToleranceMwh));
  const int e_max = static_cast<int>(
      std::floor(b.max_charge_mw * hours * b.charge_efficiency / step_mwh + kToleranceMwh));
  const int levels = k_hi - k_lo + 1;
  const int moves = e_max - e_min + 1;
  if (e_min < -127 || e_max > 127 ||  // moves are stored as int8_t
      static_cast<double>(levels) * moves * (request.price_gbp_per_mwh.size() + 2) > 5e7) {
    return std::nullopt;  // too fine a grid for the second state; the caller falls back
  }
  auto level_mwh = [&](int k) { return start_mwh + k * step_mwh; };
  auto move_power_mw = [&](int e) {  // grid power, > 0 discharge
    const double delta_mwh = e * step_mwh;
    return delta_mwh > 0 ? -delta_mwh * inv_charge_eff / hours : -delta_mwh * discharge_eff / hours;
  };
  // The change of power interval i may make.
  auto window_of = [&](size_t i) { return StepWindowOf(request, i); };
  // Moves allowed after a move at power p, within `w`: P(e) falls as e grows, so they are
  // a range.
  auto next_range = [&](double p, StepWindow w, int* lo, int* hi) {
    *lo = e_min;
    while (*lo <= e_max && move_power_mw(*lo) > p + w.upper_mw + kPowerToleranceMw) ++*lo;
    *hi = e_max;
    while (*hi >= *lo && move_power_mw(*hi) < p + w.lower_mw - kPowerToleranceMw) --*hi;
  };
  std::vector<int> range_lo(moves), range_hi(moves);
  StepWindow ranges_window{std::numeric_limits<double>::quiet_NaN(), 0.0};
  // next_range for every move at once: as e grows its power falls, and both ends of its
  // range rise, so two pointers sweep them in O(moves).
  auto set_ranges = [&](StepWindow w) {
    if (w.lower_mw == ranges_window.lower_mw && w.upper_mw == ranges_window.upper_mw) return;
    ranges_window = w;
    int lo = e_min, last_within = e_min - 1;
    for (int e = e_min; e <= e_max; ++e) {
      const double p = move_power_mw(e);
      while (lo <= e_max && move_power_mw(lo) > p + w.upper_mw + kPowerToleranceMw) ++lo;
      while (last_within < e_max &&
             move_power_mw(last_within + 1) >= p + w.lower_mw - kPowerToleranceMw) {
        ++last_within;
      }
      range_lo[e - e_min] = lo;
      range_hi[e - e_min] = std::max(last_within, lo - 1);
    }
  };
  // Levels reachable from level k: never below min(level, floor) nor above
  // max(level, soc_max), as in the first-step-only plan.
  auto band = [&](int k, int* lo, int* hi) {
    *lo = k < k_floor ? k : std::max(k + e_min, k_floor);
    *hi = k > k_top ? k : std::min(k + e_max, k_top);
    *lo = std::max(*lo, k_lo);
    *hi = std::min(*hi, k_hi);
  };
  // Soft landing at the horizon: from move e at level k, ramping down to 0 in steps of
  // the limit must stay within the band.
  auto lands = [&](int k, int e) {
    const double p = move_power_mw(e);
    double rest_mw_intervals = 0.0;
    for (double q = std::abs(p) - power_step_mw; q > kPowerToleranceMw; q -= power_step_mw) {
      rest_mw_intervals += q;
    }
    const double at = level_mwh(k);
    if (p < 0) {
      return std::max(top_mwh, at) - at + kToleranceMwh >=
             rest_mw_intervals * hours * b.charge_efficiency;
    }
    return at - std::min(floor_mwh, at) + kToleranceMwh >=
           rest_mw_intervals * hours / discharge_eff;
  };

  const size_t intervals = request.price_gbp_per_mwh.size();
  const size_t states = static_cast<size_t>(levels) * moves;
  auto state = [&](int k, int e) { return static_cast<size_t>(k - k_lo) * moves + (e - e_min); };
  std::vector<double> value(states), next_value(states);
  for (int k = k_lo; k <= k_hi; ++k) {
    for (int e = e_min; e <= e_max; ++e) {
      next_value[state(k, e)] =
          lands(k, e) ? request.terminal_value_gbp_per_mwh * level_mwh(k) : -inf;
    }
  }
  // choice[i][state] = the move taken in interval i from that state (i >= 1).
  std::vector<int8_t> choice(intervals * states, 0);
  std::vector<double> move_reward(moves), best_by_move(moves);
  std::vector<int> window(moves);  // deque of candidate moves, see below
  auto stage_rewards = [&](size_t i) {
    const double price = request.price_gbp_per_mwh[i];
    const double charge_price = ChargePrice(request, i);
    for (int e = e_min; e <= e_max; ++e) {
      const double delta_mwh = e * step_mwh;
      move_reward[e - e_min] = delta_mwh > 0
                                   ? -(charge_price + degradation) * delta_mwh * inv_charge_eff
                                   : (price - degradation) * (-delta_mwh) * discharge_eff;
    }
  };
  // Multiples of g at or below / at or above x (g > 0).
  auto round_down = [](int x, int g) { return x >= 0 ? x - x % g : x - (g + x % g) % g; };
  auto round_up = [&](int x, int g) { return -round_down(-x, g); };
  const size_t coarse_from = std::max<size_t>(1, request.coarse_from_interval);
  for (size_t i = intervals; i-- > 1;) {
    stage_rewards(i);
    set_ranges(window_of(i));
    int8_t* stage_choice = choice.data() + i * states;
    // A coarse interval moves between even levels by even moves only: states with an odd
    // level or an odd last move are unreachable and worth -inf to the interval before.
    const int g = i >= coarse_from ? 2 : 1;
    if (g > 1) std::fill(value.begin(), value.end(), -inf);
    for (int k = round_up(k_lo, g); k <= k_hi; k += g) {
      int lo, hi;
      band(k, &lo, &hi);
      lo = round_up(lo, g);  // k itself (holding) stays in the band
      hi = round_down(hi, g);
      // The value of each move from k, whatever came before (set for the moves
      // lo - k .. hi - k in steps of g, the only ones read below).
      {
        // State (to, to - k) steps by g * (moves + 1) as `to` grows by g.
        const double* next = next_value.data() + state(lo, lo - k);
        for (int e = lo - k; e <= hi - k; e += g, next += g * (moves + 1)) {
          best_by_move[e - e_min] = move_reward[e - e_min] + *next;
        }
      }
      // The best move in a window of moves for each previous move. The windows slide
      // upwards as the previous move grows (both ends are monotone), so a deque of
      // candidates with falling values gives each maximum in amortised O(1); equal values
      // keep the smaller move in front.
      // Only states a move can arrive in (from level k - prev) are ever read.
      double* value_row = value.data() + state(k, 0);
      int8_t* choice_row = stage_choice + state(k, 0);
      int head = 0, tail = 0, pushed = lo - k;
      const int prev_last = std::min(e_max, k - k_lo);
      for (int prev = round_up(std::max(e_min, k - k_hi), g); prev <= prev_last; prev += g) {
        const int from = round_up(std::max(range_lo[prev - e_min], lo - k), g);
        const int until = round_down(std::min(range_hi[prev - e_min], hi - k), g);
        for (; pushed <= until; pushed += g) {
          const double v = best_by_move[pushed - e_min];
          while (tail > head && best_by_move[window[tail - 1] - e_min] < v) --tail;
          window[tail++] = pushed;
        }
        while (tail > head && window[head] < from) ++head;
        double best = -inf;
        int best_e = from;
        if (tail > head && from <= until) {
          best_e = window[head];
          best = best_by_move[best_e - e_min];
          // Ties resolve to doing nothing, then to the smaller move.
          if (from <= 0 && 0 <= until && best_by_move[-e_min] == best) best_e = 0;
        }
        value_row[prev] = best;
        choice_row[prev] = static_cast<int8_t>(best_e);
      }
    }
    value.swap(next_value);
  }
  // The first interval, from the start (k = 0) after initial_power_mw.
  int first_lo, first_hi, lo, hi;
  next_range(request.initial_power_mw, window_of(0), &first_lo, &first_hi);
  band(0, &lo, &hi);
  first_lo = std::max(first_lo, lo);
  first_hi = std::min(first_hi, hi);
  stage_rewards(0);
  double best = -inf;
  int first_move = 0;
  if (first_lo <= 0 && 0 <= first_hi) {
    best = move_reward[-e_min] + next_value[state(0, 0)];
  }
  for (int e = first_lo; e <= first_hi; ++e) {
    const double candidate = move_reward[e - e_min] + next_value[state(e, e)];
    if (candidate > best) {
      best = candidate;
      first_move = e;
    }
  }
  if (!(best > -inf)) return std::nullopt;

  BatterySchedule plan;
  plan.power_mw.reserve(intervals);
  plan.soc_after_mwh.reserve(intervals);
  int k = 0, e = first_move;
  for (size_t i = 0; i < intervals; ++i) {
    if (i > 0) e = choice[i * states + state(k, e)];
    const double from_mwh = level_mwh(k);
    k += e;
    const double to_mwh = level_mwh(k);
    const double delta = to_mwh - from_mwh;
    plan.power_mw.push_back(move_power_mw(e));
    plan.soc_after_mwh.push_back(to_mwh);
    plan.objective_gbp +=
        delta > 0 ? -(ChargePrice(request, i) + degradation) * delta * inv_charge_eff
                  : (request.price_gbp_per_mwh[i] - degradation) * (-delta) * discharge_eff;
  }
  plan.objective_gbp += request.terminal_value_gbp_per_mwh * level_mwh(k);
  return plan;
}

}  // namespace

BatterySchedule ReferencePlanBatterySchedule(const ScheduleRequest& request) {
  if (std::string problem = RequestProblem(request); !problem.empty()) {
    return HoldPlan(request, absl::StrCat("invalid request, holding: ", problem));
  }
  const assets::BatteryParams& b = request.battery;
  const double hours = absl::ToDoubleHours(request.interval);
  const double floor_mwh = std::max(request.soc_floor_mwh, b.soc_min_mwh);
  const double top_mwh = b.soc_max_mwh;
  const double start_mwh = request.soc_start_mwh;
  const double step_mwh = request.soc_step_mwh;
  const double max_gain_mwh = b.max_charge_mw * hours * b.charge_efficiency;        // stored
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

  // A step window covering the whole power range limits nothing: the plain plan is the same.
  double widest_centre_mw = 0.0;
  for (double c : request.step_centre_mw)
    widest_centre_mw = std::max(widest_centre_mw, std::abs(c));
  if (request.limit_every_step && request.max_power_step_mw > 0.0 &&
      request.max_power_step_mw - widest_centre_mw < b.max_charge_mw + b.max_discharge_mw &&
      !request.price_gbp_per_mwh.empty()) {
    if (std::optional<BatterySchedule> limited = PlanEveryStepLimited(request, floor_mwh)) {
      limited->note = absl::StrJoin(notes, "; ");
      return *std::move(limited);
    }
    notes.push_back(
        "no plan keeps every step within the limit from here: only the first is limited");
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
        std::lower_bound(levels.begin(), levels.end(), lowest - kToleranceMwh) - levels.begin());
    band_hi[a] =
        static_cast<int>(std::upper_bound(levels.begin(), levels.end(), highest + kToleranceMwh) -
                         levels.begin()) -
        1;
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
        if (headroom + kToleranceMwh >= landing_mw_intervals(p) * hours * b.charge_efficiency)
          break;
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
    const StepWindow first_window = StepWindowOf(request, 0);
    const double first_lowest_mw = request.initial_power_mw + first_window.lower_mw;
    const double first_highest_mw = request.initial_power_mw + first_window.upper_mw;
    while (lo < hi && power_from_start(lo) > first_highest_mw + 1e-9) ++lo;
    while (hi > lo && power_from_start(hi) < first_lowest_mw - 1e-9) --hi;
    first_lo = lo;
    first_hi = hi;
  }

  if (power_step_mw <= 0.0) {
    first_lo = band_lo[start_index];
    first_hi = band_hi[start_index];
  }

  // Stage reward (£) of moving from stored level `from` to `to` in interval i.
  auto reward = [&](double from, double to, size_t i) {
    const double delta = to - from;
    if (delta > 0) return -(ChargePrice(request, i) + degradation) * delta * inv_charge_eff;
    return (request.price_gbp_per_mwh[i] - degradation) * (-delta) * discharge_eff;
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
    const double gbp_per_stored_mwh_in = (ChargePrice(request, i) + degradation) * inv_charge_eff;
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
    plan.objective_gbp += reward(levels[at], levels[to], i);
    at = to;
  }
  plan.objective_gbp += request.terminal_value_gbp_per_mwh * levels[at];
  plan.note = absl::StrJoin(notes, "; ");
  return plan;
}

}  // namespace gridpilot::planning::reference
