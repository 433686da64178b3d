#include "core/battery_optimizer.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace gridpilot {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Cycle-cap search limits. Bisection stops when the bracket on a multiplier is this
// narrow (relative); a sweep visits every capped day once; the work budget counts
// interval-steps of the dynamic programme over all evaluations.
constexpr double kMultiplierTolerance = 1e-11;
constexpr int kMaxSweeps = 30;
constexpr int64_t kCapWorkBudget = 4'000'000;

// The single-battery LP after relaxation. Energies are MWh; charge and discharge are
// grid-side energies per interval.
struct Problem {
  std::vector<double> price;  // £/MWh per interval
  double charge_efficiency = 1.0;
  double discharge_efficiency = 1.0;
  double degradation = 0.0;         // £ per grid-side MWh of throughput
  double max_charge_mwh = 0.0;      // per interval, grid side
  double max_discharge_mwh = 0.0;   // per interval, grid side
  double soc_start = 0.0;
  std::vector<double> lower;        // lower[t] bounds s_t for t = 1..T; lower[0] unused
  double upper = 0.0;               // soc_max, for every t
  double terminal_lo = -kInf;       // s_T range after relaxation
  double terminal_hi = kInf;
  std::vector<int> day;             // horizon day (0-based) of each interval
  std::vector<double> day_cap;      // grid-side discharge MWh allowed per day; kInf = none

  int size() const { return static_cast<int>(price.size()); }
  // Largest stored-energy rise and fall in one interval.
  double stored_up() const { return charge_efficiency * max_charge_mwh; }
  double stored_down() const { return max_discharge_mwh / discharge_efficiency; }
  bool capped() const {
    return std::any_of(day_cap.begin(), day_cap.end(), [](double c) { return c < kInf; });
  }
};

struct Plan {
  std::vector<double> charge_mwh;     // grid side, per interval
  std::vector<double> discharge_mwh;  // grid side, per interval
};

std::vector<double> SocPath(const Problem& p, const Plan& plan) {
  std::vector<double> soc(p.size() + 1);
  soc[0] = p.soc_start;
  for (int t = 0; t < p.size(); ++t) {
    soc[t + 1] = soc[t] + p.charge_efficiency * plan.charge_mwh[t] -
                 plan.discharge_mwh[t] / p.discharge_efficiency;
  }
  return soc;
}

double Objective(const Problem& p, const Plan& plan) {
  double total = 0.0;
  for (int t = 0; t < p.size(); ++t) {
    total += (p.price[t] - p.degradation) * plan.discharge_mwh[t] -
             (p.price[t] + p.degradation) * plan.charge_mwh[t];
  }
  return total;
}

std::vector<double> DayDischarge(const Problem& p, const Plan& plan) {
  std::vector<double> total(p.day_cap.size(), 0.0);
  for (int t = 0; t < p.size(); ++t) total[p.day[t]] += plan.discharge_mwh[t];
  return total;
}

double CapTolerance(double cap_mwh) { return 1e-9 * std::max(1.0, cap_mwh); }

bool MeetsCaps(const Problem& p, const std::vector<double>& day_discharge) {
  for (size_t k = 0; k < day_discharge.size(); ++k) {
    if (day_discharge[k] > p.day_cap[k] + CapTolerance(p.day_cap[k])) return false;
  }
  return true;
}

// The segments of a concave piecewise-linear function, kept by slope rank (rank 0 =
// steepest). Every slope that can occur is known before the pass, so ranks are fixed and
// two Fenwick trees give, in O(log n), the length of all segments steeper than a rank
// and the first or last non-empty rank. Counts are integers so that "empty" is exact.
class SlopeSegments {
 public:
  explicit SlopeSegments(int ranks)
      : length_(ranks, 0.0), tree_length_(ranks + 1, 0.0), tree_count_(ranks + 1, 0) {}

  void Add(int rank, double length) {
    if (!(length > 0)) return;
    if (length_[rank] == 0) UpdateCount(rank, 1);
    length_[rank] += length;
    UpdateLength(rank, length);
  }

  // Total length of segments with rank < `rank`.
  double LengthBefore(int rank) const {
    double sum = 0.0;
    for (int i = rank; i > 0; i -= i & -i) sum += tree_length_[i];
    return sum;
  }

  // Removes `length` from the steep end (left of the domain) or the shallow end (right).
  void CutSteep(double length) { Cut(length, /*steep=*/true); }
  void CutShallow(double length) { Cut(length, /*steep=*/false); }

 private:
  void Cut(double length, bool steep) {
    while (length > 0 && count_ > 0) {
      const int rank = RankOfNth(steep ? 1 : count_);
      const double take = std::min(length, length_[rank]);
      length -= take;
      if (take == length_[rank]) {
        UpdateLength(rank, -length_[rank]);
        length_[rank] = 0.0;
        UpdateCount(rank, -1);
      } else {
        length_[rank] -= take;
        UpdateLength(rank, -take);
      }
    }
  }

  void UpdateLength(int rank, double delta) {
    for (int i = rank + 1; i < static_cast<int>(tree_length_.size()); i += i & -i) {
      tree_length_[i] += delta;
    }
  }

  void UpdateCount(int rank, int delta) {
    count_ += delta;
    for (int i = rank + 1; i < static_cast<int>(tree_count_.size()); i += i & -i) {
      tree_count_[i] += delta;
    }
  }

  // The rank of the n-th non-empty rank (1-based), by binary lifting on the count tree.
  int RankOfNth(int n) const {
    const int size = static_cast<int>(tree_count_.size()) - 1;
    int position = 0;
    int step = 1;
    while (step * 2 <= size) step *= 2;
    for (; step > 0; step /= 2) {
      if (position + step <= size && tree_count_[position + step] < n) {
        position += step;
        n -= tree_count_[position];
      }
    }
    return position;  // tree index position + 1 holds rank `position`
  }

  std::vector<double> length_;
  std::vector<double> tree_length_;
  std::vector<int> tree_count_;
  int count_ = 0;
};

// Best plan for the LP with each day's discharge charged an extra lambda[day] £/MWh and
// no cap (with all lambdas zero: the LP optimum when there is no cap).
//
// Backward pass: V_t(s), the best value from SoC s after interval t, is concave and
// piecewise linear. V_T is 0 on [terminal_lo, terminal_hi]. One interval adds a stored
// change x whose best reward is concave in x with two pieces: charging at marginal cost
// charge_slope = (price + degradation) / charge_efficiency per stored MWh (length
// stored_up) and discharging at marginal value discharge_slope = (price - degradation -
// lambda) * discharge_efficiency (length stored_down); when discharge_slope exceeds
// charge_slope the cheapest stored change is charge and discharge at once. The new value
// function is the sup-convolution, i.e. both segments merged into V's slope sequence, and
// then its domain is cut to [lower, upper]. Recording, before each merge, the SoC at
// which V's slope falls below each of the two slopes is enough for the forward pass.
Plan SolveWithMultipliers(const Problem& p, const std::vector<double>& lambda) {
  const int n = p.size();
  const double up = p.stored_up();
  const double down = p.stored_down();
  std::vector<double> slope(2 * n + 1);  // 2t: charge, 2t+1: discharge, 2n: terminal
  for (int t = 0; t < n; ++t) {
    slope[2 * t] = (p.price[t] + p.degradation) / p.charge_efficiency;
    slope[2 * t + 1] =
        (p.price[t] - p.degradation - lambda[p.day[t]]) * p.discharge_efficiency;
  }
  slope[2 * n] = 0.0;
  std::vector<int> order(slope.size());
  std::iota(order.begin(), order.end(), 0);
  // Ties broken by index so the plan is deterministic.
  std::sort(order.begin(), order.end(), [&](int a, int b) {
    return slope[a] != slope[b] ? slope[a] > slope[b] : a < b;
  });
  std::vector<int> rank(slope.size());
  for (size_t i = 0; i < order.size(); ++i) rank[order[i]] = static_cast<int>(i);

  SlopeSegments segments(static_cast<int>(slope.size()));
  double lo = p.terminal_lo;
  double hi = p.terminal_hi;
  segments.Add(rank[2 * n], hi - lo);
  // Domain of V_{t+1} and the SoC where its slope drops below each slope of interval t.
  std::vector<double> domain_lo(n), domain_hi(n), charge_turn(n), discharge_turn(n);
  for (int t = n - 1; t >= 0; --t) {
    domain_lo[t] = lo;
    domain_hi[t] = hi;
    charge_turn[t] = std::min(hi, lo + segments.LengthBefore(rank[2 * t]));
    discharge_turn[t] = std::min(hi, lo + segments.LengthBefore(rank[2 * t + 1]));
    segments.Add(rank[2 * t], up);
    segments.Add(rank[2 * t + 1], down);
    lo -= up;
    hi += down;
    if (t == 0) break;  // s_0 is given, not bounded
    if (lo < p.lower[t]) {
      segments.CutSteep(p.lower[t] - lo);
      lo = p.lower[t];
    }
    if (hi > p.upper) {
      segments.CutShallow(hi - p.upper);
      hi = p.upper;
    }
    hi = std::max(hi, lo);  // only rounding can cross them: relaxation kept it feasible
  }

  // Forward pass: from s, go to the SoC y that balances V's slope against the interval's
  // two marginal prices, within one interval's reach.
  Plan plan{std::vector<double>(n), std::vector<double>(n)};
  double s = p.soc_start;
  for (int t = 0; t < n; ++t) {
    const bool simultaneous = slope[2 * t + 1] > slope[2 * t];
    double y;
    if (!simultaneous) {
      y = std::clamp(s, charge_turn[t], std::max(charge_turn[t], discharge_turn[t]));
    } else {
      y = std::clamp(s + up - down, discharge_turn[t],
                     std::max(discharge_turn[t], charge_turn[t]));
    }
    y = std::clamp(y, s - down, s + up);
    y = std::clamp(y, domain_lo[t], std::max(domain_lo[t], domain_hi[t]));
    const double x = y - s;
    double charge, discharge;
    if (!simultaneous) {
      charge = x > 0 ? x / p.charge_efficiency : 0.0;
      discharge = x < 0 ? -x * p.discharge_efficiency : 0.0;
    } else if (x <= up - down) {  // full discharge, charge makes up the rest
      discharge = p.max_discharge_mwh;
      charge = (x + down) / p.charge_efficiency;
    } else {  // full charge, discharge takes the excess
      charge = p.max_charge_mwh;
      discharge = (up - x) * p.discharge_efficiency;
    }
    plan.charge_mwh[t] = std::clamp(charge, 0.0, p.max_charge_mwh);
    plan.discharge_mwh[t] = std::clamp(discharge, 0.0, p.max_discharge_mwh);
    s += p.charge_efficiency * plan.charge_mwh[t] - plan.discharge_mwh[t] / p.discharge_efficiency;
  }
  return plan;
}

// Moves the SoC into [band_lo, band_hi] (clipped to each interval's bounds) as fast as
// the power limits and the days' discharge caps allow, then holds. With band (-inf, -inf)
// this is the lowest reachable path, with (+inf, +inf) the highest: discharging as early
// as possible minimises every s_t at once, and so does charging for the highest path.
Plan GreedyPlan(const Problem& p, double band_lo, double band_hi) {
  const int n = p.size();
  Plan plan{std::vector<double>(n, 0.0), std::vector<double>(n, 0.0)};
  std::vector<double> budget = p.day_cap;
  double s = p.soc_start;
  for (int t = 0; t < n; ++t) {
    const double lower = p.lower[t + 1];
    const double desired = std::min(std::max(s, std::max(lower, band_lo)),
                                    std::min(p.upper, band_hi));
    const double most_down = std::max(
        0.0, std::min(p.stored_down(), budget[p.day[t]] / p.discharge_efficiency));
    double next = std::clamp(desired, s - most_down, s + p.stored_up());
    next = std::clamp(next, lower, std::max(lower, p.upper));
    if (next > s) {
      plan.charge_mwh[t] = std::min((next - s) / p.charge_efficiency, p.max_charge_mwh);
    } else if (next < s) {
      plan.discharge_mwh[t] = std::min((s - next) * p.discharge_efficiency,
                                       std::min(p.max_discharge_mwh, budget[p.day[t]]));
      budget[p.day[t]] -= plan.discharge_mwh[t];
    }
    s += p.charge_efficiency * plan.charge_mwh[t] - plan.discharge_mwh[t] / p.discharge_efficiency;
  }
  return plan;
}

// Where charge and discharge overlap at a price that does not pay for the round trip,
// trades the overlap for the same net stored change: better objective, less discharge.
void RemoveUnprofitableOverlap(const Problem& p, Plan& plan) {
  const double round_trip = p.charge_efficiency * p.discharge_efficiency;
  for (int t = 0; t < p.size(); ++t) {
    const double gain =
        (p.price[t] - p.degradation) * round_trip - (p.price[t] + p.degradation);
    if (gain > 0) continue;
    const double overlap = std::min(plan.charge_mwh[t], plan.discharge_mwh[t] / round_trip);
    plan.charge_mwh[t] -= overlap;
    plan.discharge_mwh[t] = std::max(0.0, plan.discharge_mwh[t] - overlap * round_trip);
  }
}

Plan Mix(const Plan& a, const Plan& b, double weight_a) {
  Plan mixed = a;
  for (size_t t = 0; t < a.charge_mwh.size(); ++t) {
    mixed.charge_mwh[t] = weight_a * a.charge_mwh[t] + (1 - weight_a) * b.charge_mwh[t];
    mixed.discharge_mwh[t] = weight_a * a.discharge_mwh[t] + (1 - weight_a) * b.discharge_mwh[t];
  }
  return mixed;
}

// The largest weight on `violating` in a mix with `feasible` (which meets every cap)
// that still meets every cap.
double LargestFeasibleWeight(const Problem& p, const std::vector<double>& violating,
                             const std::vector<double>& feasible) {
  double weight = 1.0;
  for (size_t k = 0; k < violating.size(); ++k) {
    if (violating[k] > p.day_cap[k] && violating[k] > feasible[k]) {
      weight = std::min(weight, std::max(0.0, (p.day_cap[k] - feasible[k]) /
                                                  (violating[k] - feasible[k])));
    }
  }
  return weight;
}

struct CapSolution {
  Plan plan;
  double objective = 0.0;
  double gap = 0.0;  // dual bound - objective
};

// Cycle cap by Lagrangian relaxation. For multipliers lambda >= 0, the best plan with
// discharge on day k charged lambda_k more gives the bound objective - sum_k lambda_k *
// (discharge_k - cap_k) >= the LP optimum. Each capped day's multiplier is bisected in turn
// (days in order, sweeps until nothing moves) to the smallest value at which the day meets
// its cap; the plans either side of that value are mixed so the day meets it exactly.
// The best plan that meets every cap is kept (starting from the greedy plan, which does)
// and the smallest bound gives the gap.
CapSolution SolveWithCaps(const Problem& p) {
  const size_t days = p.day_cap.size();
  struct Evaluation {
    Plan plan;
    std::vector<double> day_discharge;
    double objective = 0.0;
  };
  CapSolution best;
  best.plan = GreedyPlan(p, p.terminal_lo, p.terminal_hi);
  best.objective = Objective(p, best.plan);
  double dual_bound = kInf;
  int64_t work = 0;
  auto consider = [&](Plan plan) {
    RemoveUnprofitableOverlap(p, plan);
    const std::vector<double> discharge = DayDischarge(p, plan);
    if (!MeetsCaps(p, discharge)) return;
    const double objective = Objective(p, plan);
    if (objective > best.objective) {
      best.plan = std::move(plan);
      best.objective = objective;
    }
  };
  std::vector<double> lambda(days, 0.0);
  auto evaluate = [&](const std::vector<double>& multipliers) {
    Evaluation e;
    e.plan = SolveWithMultipliers(p, multipliers);
    e.day_discharge = DayDischarge(p, e.plan);
    e.objective = Objective(p, e.plan);
    double bound = e.objective;
    for (size_t k = 0; k < days; ++k) {
      if (p.day_cap[k] < kInf) bound -= multipliers[k] * (e.day_discharge[k] - p.day_cap[k]);
    }
    dual_bound = std::min(dual_bound, bound);
    work += p.size() + 1;
    consider(e.plan);
    return e;
  };
  // Beyond this multiplier every discharge slope of the day lies below every other slope
  // of the problem, so the day discharges only what the constraints force.
  double price_scale = p.degradation + 1.0;
  for (double price : p.price) price_scale = std::max(price_scale, std::abs(price) + p.degradation);
  const double lambda_max = 4.0 * price_scale / (p.charge_efficiency * p.discharge_efficiency);
  auto tolerance = [](double value) { return kMultiplierTolerance * (1.0 + value); };

  Evaluation current = evaluate(lambda);
  for (int sweep = 0; sweep < kMaxSweeps && work < kCapWorkBudget; ++sweep) {
    bool moved = false;
    for (size_t k = 0; k < days && work < kCapWorkBudget; ++k) {
      const double cap = p.day_cap[k];
      if (!(cap < kInf)) continue;
      const double slack = CapTolerance(cap);
      double lo, hi;
      Evaluation at_lo, at_hi;
      if (current.day_discharge[k] > cap + slack) {
        lo = lambda[k];
        at_lo = current;
        hi = lambda_max;
        lambda[k] = hi;
        at_hi = evaluate(lambda);
        if (at_hi.day_discharge[k] > cap + slack) {  // forced discharge: nothing to tune
          current = std::move(at_hi);
          continue;
        }
      } else if (lambda[k] > 0 && current.day_discharge[k] < cap - slack) {
        // Already at the smallest multiplier that meets the cap? Then just below it the
        // day must exceed the cap.
        hi = lambda[k];
        at_hi = current;
        lambda[k] = std::max(0.0, hi - 2 * tolerance(hi));
        at_lo = evaluate(lambda);
        if (at_lo.day_discharge[k] > cap + slack) {
          lambda[k] = hi;
          continue;
        }
        lo = 0.0;
        lambda[k] = lo;
        at_lo = evaluate(lambda);
        if (at_lo.day_discharge[k] <= cap + slack) {
          current = std::move(at_lo);
          moved = true;
          continue;
        }
      } else {
        continue;
      }
      moved = true;
      while (hi - lo > tolerance(hi) && work < kCapWorkBudget) {
        lambda[k] = 0.5 * (lo + hi);
        Evaluation mid = evaluate(lambda);
        if (mid.day_discharge[k] > cap + slack) {
          lo = lambda[k];
          at_lo = std::move(mid);
        } else {
          hi = lambda[k];
          at_hi = std::move(mid);
        }
      }
      lambda[k] = hi;
      const double excess = at_lo.day_discharge[k] - at_hi.day_discharge[k];
      if (excess > 0) {
        consider(Mix(at_lo.plan, at_hi.plan, (cap - at_hi.day_discharge[k]) / excess));
      }
      current = std::move(at_hi);
    }
    if (!moved || dual_bound - best.objective <= 1e-9 * std::max(1.0, std::abs(best.objective))) {
      break;
    }
  }
  // The last plan may break another day's cap: mix it with the best feasible plan.
  const std::vector<double> best_discharge = DayDischarge(p, best.plan);
  consider(Mix(current.plan, best.plan,
               LargestFeasibleWeight(p, current.day_discharge, best_discharge)));
  best.gap = std::max(0.0, dual_bound - best.objective);
  return best;
}

std::string FormatMwh(double value) { return absl::StrFormat("%.3f MWh", value); }

absl::Status ValidateRequest(const BatteryOptimizerRequest& request) {
  for (size_t t = 0; t < request.price_gbp_per_mwh.size(); ++t) {
    const double price = request.price_gbp_per_mwh[t];
    if (std::isnan(price)) {
      return absl::InvalidArgumentError(absl::StrCat("price_gbp_per_mwh[", t, "] is NaN"));
    }
    if (std::isinf(price)) {
      return absl::InvalidArgumentError(
          absl::StrCat("price_gbp_per_mwh[", t, "] is infinite (", price, ")"));
    }
  }
  if (request.interval <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("interval must be > 0, got ", absl::FormatDuration(request.interval)));
  }
  if (request.batteries.empty()) {
    return absl::InvalidArgumentError("batteries is empty: one battery is required");
  }
  if (request.batteries.size() > 1) {
    return absl::UnimplementedError(absl::StrCat(
        "batteries has ", request.batteries.size(),
        " entries: only one battery per request is supported so far"));
  }
  if (request.grid_import_limit_mw || request.grid_export_limit_mw) {
    return absl::UnimplementedError(
        "grid_import_limit_mw / grid_export_limit_mw (a shared grid connection) are not "
        "supported yet");
  }
  for (size_t b = 0; b < request.batteries.size(); ++b) {
    const OptimizerBatterySpec& spec = request.batteries[b];
    const std::string where = absl::StrCat("batteries[", b, "].");
    const absl::Status params = spec.params.Validate();
    if (!params.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(where, "params: ", params.message()));
    }
    auto check = [&](const char* field, std::optional<double> value) -> absl::Status {
      if (value && !(*value >= 0 && *value < kInf)) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, field, " = ", *value, ": must be finite and >= 0"));
      }
      return absl::OkStatus();
    };
    for (const absl::Status& status :
         {check("terminal_soc_min_mwh", spec.terminal_soc_min_mwh),
          check("terminal_soc_max_mwh", spec.terminal_soc_max_mwh),
          check("discharge_cap_mwh_per_day", spec.discharge_cap_mwh_per_day),
          check("discharged_today_mwh", spec.discharged_today_mwh)}) {
      if (!status.ok()) return status;
    }
    if (spec.terminal_soc_min_mwh && spec.terminal_soc_max_mwh &&
        *spec.terminal_soc_min_mwh > *spec.terminal_soc_max_mwh) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, "terminal_soc_min_mwh (", *spec.terminal_soc_min_mwh,
          ") > terminal_soc_max_mwh (", *spec.terminal_soc_max_mwh, ")"));
    }
  }
  return absl::OkStatus();
}

// Builds the LP for one battery, applying the relaxations; adds to `note` what it relaxed.
Problem BuildProblem(const BatteryOptimizerRequest& request, const OptimizerBatterySpec& spec,
                     OptimizerBatteryPlan& out, std::string& note) {
  const BatteryParams& params = spec.params;
  const double hours = absl::ToDoubleHours(request.interval);
  Problem p;
  p.price = request.price_gbp_per_mwh;
  const int n = p.size();
  p.charge_efficiency = params.charge_efficiency;
  p.discharge_efficiency = params.discharge_efficiency;
  p.degradation = params.degradation_gbp_per_mwh;
  p.max_charge_mwh = params.max_charge_mw * hours;
  p.max_discharge_mwh = params.max_discharge_mw * hours;
  p.soc_start = params.soc_initial_mwh;
  p.upper = params.soc_max_mwh;
  const double floor = params.soc_min_mwh + params.reserve_mwh;
  out.soc_floor_mwh = floor;

  // Start below the floor: the floor at t is what full-power charging reaches by t.
  p.lower.assign(n + 1, floor);
  if (p.soc_start < floor && n > 0) {
    out.start_below_floor = true;
    int reached = -1;
    for (int t = 1; t <= n; ++t) {
      p.lower[t] = std::min(floor, p.soc_start + t * p.stored_up());
      if (reached < 0 && p.lower[t] >= floor) reached = t;
    }
    absl::StrAppend(&note, "start SoC ", FormatMwh(p.soc_start), " is below the trading floor ",
                    FormatMwh(floor), ": the floor is relaxed to what full-power charging ",
                    "reaches, ",
                    reached > 0 ? absl::StrCat("back at the floor after interval ", reached)
                                : std::string("not reached within the horizon"),
                    "; ");
  }

  // UTC days of the intervals, for the cycle cap: an interval counts in the day it starts.
  auto utc_day = [](absl::Time t) {
    const int64_t seconds = absl::ToUnixSeconds(t);
    return seconds >= 0 ? seconds / 86400 : -((86399 - seconds) / 86400);
  };
  p.day.assign(n, 0);
  int days = n > 0 ? 1 : 0;
  for (int t = 0; t < n; ++t) {
    p.day[t] = static_cast<int>(utc_day(request.start + t * request.interval) -
                                utc_day(request.start));
    days = std::max(days, p.day[t] + 1);
  }
  p.day_cap.assign(days, kInf);
  if (spec.discharge_cap_mwh_per_day) {
    std::fill(p.day_cap.begin(), p.day_cap.end(), *spec.discharge_cap_mwh_per_day);
    if (days > 0) {
      p.day_cap[0] = std::max(0.0, *spec.discharge_cap_mwh_per_day - spec.discharged_today_mwh);
    }
  }

  // Terminal range: clip to what some plan reaches.
  const double wanted_lo = spec.terminal_soc_min_mwh.value_or(-kInf);
  const double wanted_hi = spec.terminal_soc_max_mwh.value_or(kInf);
  const std::vector<double> lowest = SocPath(p, GreedyPlan(p, -kInf, -kInf));
  const std::vector<double> highest = SocPath(p, GreedyPlan(p, kInf, kInf));
  const double reach_lo = lowest.back();
  const double reach_hi = std::max(reach_lo, highest.back());
  if (wanted_hi < reach_lo || wanted_lo > reach_hi) {
    out.terminal_soc_relaxed = true;
    const double closest = wanted_hi < reach_lo ? reach_lo : reach_hi;
    p.terminal_lo = p.terminal_hi = closest;
    absl::StrAppend(&note, "terminal SoC range [", FormatMwh(wanted_lo), ", ",
                    FormatMwh(wanted_hi), "] is unreachable (reachable: [", FormatMwh(reach_lo),
                    ", ", FormatMwh(reach_hi), "]): planned the closest, ", FormatMwh(closest),
                    "; ");
  } else {
    p.terminal_lo = std::max(wanted_lo, reach_lo);
    p.terminal_hi = std::min(wanted_hi, reach_hi);
  }
  return p;
}

}  // namespace

bool BatteryOptimizerResult::relaxed() const {
  return std::any_of(batteries.begin(), batteries.end(), [](const OptimizerBatteryPlan& b) {
    return b.start_below_floor || b.terminal_soc_relaxed;
  });
}

absl::StatusOr<BatteryOptimizerResult> OptimizeBatterySchedule(
    const BatteryOptimizerRequest& request) {
  if (absl::Status status = ValidateRequest(request); !status.ok()) return status;
  BatteryOptimizerResult result;
  const double hours = absl::ToDoubleHours(request.interval);
  std::string note;
  for (const OptimizerBatterySpec& spec : request.batteries) {
    OptimizerBatteryPlan out;
    out.battery_id = spec.params.id;
    const Problem p = BuildProblem(request, spec, out, note);
    Plan plan;
    if (p.capped()) {
      CapSolution capped = SolveWithCaps(p);
      plan = std::move(capped.plan);
      result.optimality_gap_gbp += capped.gap;
    } else {
      plan = SolveWithMultipliers(p, std::vector<double>(p.day_cap.size(), 0.0));
    }
    const std::vector<double> soc = SocPath(p, plan);
    for (int t = 0; t < p.size(); ++t) {
      out.charge_mw.push_back(plan.charge_mwh[t] / hours);
      out.discharge_mw.push_back(plan.discharge_mwh[t] / hours);
      out.soc_after_mwh.push_back(soc[t + 1]);
      out.revenue_gbp += p.price[t] * (plan.discharge_mwh[t] - plan.charge_mwh[t]);
      out.degradation_gbp += p.degradation * (plan.charge_mwh[t] + plan.discharge_mwh[t]);
      if (plan.charge_mwh[t] > 0 && plan.discharge_mwh[t] > 0) ++out.simultaneous_intervals;
    }
    out.objective_gbp = out.revenue_gbp - out.degradation_gbp;
    if (out.simultaneous_intervals > 0) {
      absl::StrAppend(&note, out.simultaneous_intervals,
                      " interval(s) charge and discharge at once: at those prices burning ",
                      "energy through the round-trip losses earns money; ");
    }
    result.revenue_gbp += out.revenue_gbp;
    result.degradation_gbp += out.degradation_gbp;
    result.objective_gbp += out.objective_gbp;
    result.batteries.push_back(std::move(out));
  }
  if (result.optimality_gap_gbp > 1e-7 * std::max(1.0, std::abs(result.objective_gbp))) {
    result.termination = OptimizerTermination::kApproximate;
    absl::StrAppend(&note, "cycle cap: feasible plan within £",
                    absl::StrFormat("%.6g", result.optimality_gap_gbp),
                    " of the optimum (Lagrangian bound); ");
  } else {
    result.optimality_gap_gbp = 0.0;
  }
  if (!note.empty()) note.resize(note.size() - 2);  // drop the trailing "; "
  result.note = std::move(note);
  return result;
}

}  // namespace gridpilot
