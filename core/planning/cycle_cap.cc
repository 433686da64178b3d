#include "core/planning/cycle_cap.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <utility>
#include <vector>

#include "core/planning/battery_lp_solver.h"
#include "core/planning/reachable_soc.h"
#include "core/planning/simplex_tableau.h"

namespace gridpilot::planning::lp {
namespace {

// Cycle-cap work budget: interval-steps of the dynamic programme summed over all column
// generation rounds (about a second; a 48-interval re-plan needs a few thousand).
constexpr int64_t kCapWorkBudget = 2'000'000;
constexpr int kMaxCapRounds = 400;
// Up to this many days a cycle cap is solved exactly over the whole horizon; beyond it in
// receding windows of kRollingWindowDays days (see SolveCapsRolling).
constexpr int kExactCapDays = 8;
constexpr int kRollingWindowDays = 4;

// Where charge and discharge overlap at a price that does not pay for the round trip,
// trades the overlap for the same net stored change: better objective, less discharge.
void RemoveUnprofitableOverlap(const Problem& p, Plan& plan) {
  const double round_trip = p.charge_efficiency * p.discharge_efficiency;
  for (int t = 0; t < p.size(); ++t) {
    const double gain = (p.price[t] - p.degradation) * round_trip - (p.price[t] + p.degradation);
    if (gain > 0) continue;
    const double overlap = std::min(plan.charge_mwh[t], plan.discharge_mwh[t] / round_trip);
    plan.charge_mwh[t] -= overlap;
    plan.discharge_mwh[t] = std::max(0.0, plan.discharge_mwh[t] - overlap * round_trip);
  }
}

// The restricted master problem of the cycle cap: the best mix of the plans found so far,
//   max sum_j w_j objective_j  s.t.  sum_j w_j discharge_j[k] <= cap[k] for every day k,
//   sum_j w_j = 1, w >= 0,
// kept as a simplex tableau so that each new plan costs a few pivots from the last basis.
// Columns: one slack per day, an artificial column for the convexity row (basic only
// until the first plan replaces it, never entering again), then one column per plan. The
// slack and artificial columns hold B^-1, which brings each new plan into the tableau.
// Bland's rule (lowest index enters and leaves) rules out cycling.
class MasterProblem {
 public:
  // `discharge` of the first plan must meet every cap, so the start is feasible.
  MasterProblem(const std::vector<double>& cap, double objective,
                const std::vector<double>& discharge)
      : days_(static_cast<int>(cap.size())), tableau_(WithConvexity(cap)) {
    AddPlan(objective, discharge);
    tableau_.Pivot(days_, days_ + 1);
  }

  void AddPlan(double objective, const std::vector<double>& discharge) {
    std::vector<double> raw = discharge;
    raw.push_back(1.0);
    double reduced = -objective;
    // y = the reduced costs of the start basis' columns (their costs are 0).
    for (int i = 0; i <= days_; ++i) reduced += tableau_.reduced[i] * raw[i];
    tableau_.AddColumn(raw, reduced);
    scale_ = std::max(scale_, std::abs(objective));
  }

  void Solve() { tableau_.Solve(1e-12 * scale_, 1e-12, /*never_enters=*/days_); }

  double objective() const { return tableau_.value; }
  // Shadow price of each day's cap, £ per grid MWh, >= 0 at the optimum.
  std::vector<double> CapPrices() const {
    std::vector<double> prices(tableau_.reduced.begin(), tableau_.reduced.begin() + days_);
    for (double& price : prices) price = std::max(0.0, price);
    return prices;
  }
  // Weight of plan j (in the order added).
  std::vector<double> Weights(int plans) const {
    std::vector<double> weights(plans, 0.0);
    for (int r = 0; r <= days_; ++r) {
      const int column = tableau_.basis[r];
      if (column > days_) weights[column - days_ - 1] = std::max(0.0, tableau_.rhs[r]);
    }
    const double total = std::accumulate(weights.begin(), weights.end(), 0.0);
    for (double& w : weights) w /= total;
    return weights;
  }

 private:
  static std::vector<double> WithConvexity(std::vector<double> cap) {
    cap.push_back(1.0);
    return cap;
  }

  int days_;
  SimplexTableau tableau_;
  double scale_ = 1.0;
};

// The cycle cap, exactly, by Dantzig-Wolfe column generation. Relaxing the caps with a
// price pi_k >= 0 per day on discharge leaves the uncapped problem, which
// SolveWithMultipliers solves exactly; its value plus sum_k pi_k * cap_k bounds the LP
// optimum from above. The master problem mixes the plans found so far within the caps;
// its shadow prices are the next pi. When the bound meets the master's value the mix is
// optimal (the LP's feasible set is convex, so a mix of feasible plans is feasible).
// Starts from the greedy plan, which meets every cap; stops at the work budget with the
// best mix so far and the gap.
CapSolution SolveCapsExactly(const Problem& p) {
  const int days = static_cast<int>(p.day_cap.size());
  std::vector<Plan> plans = {GreedyPlan(p, p.terminal_lo, p.terminal_hi)};
  MasterProblem master(p.day_cap, Objective(p, plans[0]), DayDischarge(p, plans[0]));
  double bound = kInf;
  int64_t work = 0;
  while (true) {
    master.Solve();
    Plan candidate = SolveWithMultipliers(p, master.CapPrices());
    work += p.size() + 1;
    const double value = Objective(p, candidate);
    const std::vector<double> day_discharge = DayDischarge(p, candidate);
    const std::vector<double> cap_price = master.CapPrices();
    double lagrangian = value;
    for (int k = 0; k < days; ++k) lagrangian -= cap_price[k] * (day_discharge[k] - p.day_cap[k]);
    bound = std::min(bound, lagrangian);
    if (bound - master.objective() <= 1e-9 * std::max(1.0, std::abs(master.objective())) ||
        work > kCapWorkBudget || static_cast<int>(plans.size()) >= kMaxCapRounds) {
      break;
    }
    master.AddPlan(value, day_discharge);
    plans.push_back(std::move(candidate));
  }
  CapSolution out;
  out.plan = Plan{std::vector<double>(p.size(), 0.0), std::vector<double>(p.size(), 0.0)};
  const std::vector<double> weight = master.Weights(static_cast<int>(plans.size()));
  for (size_t j = 0; j < plans.size(); ++j) {
    for (int t = 0; t < p.size(); ++t) {
      out.plan.charge_mwh[t] += weight[j] * plans[j].charge_mwh[t];
      out.plan.discharge_mwh[t] += weight[j] * plans[j].discharge_mwh[t];
    }
  }
  RemoveUnprofitableOverlap(p, out.plan);
  out.objective = Objective(p, out.plan);
  out.gap = std::max(0.0, bound - out.objective);
  out.cap_price = master.CapPrices();
  return out;
}

// The cycle cap over many days, where column generation over the whole horizon would need
// too many rounds: receding windows of kRollingWindowDays days, each solved exactly, of
// which only the first day is kept. Each window must end in the range of SoC from which
// the horizon's terminal range is still reachable under the later days' caps, so the
// plan stays feasible. The windows' shadow prices for their first day give a Lagrangian
// bound on the whole horizon, hence the gap.
CapSolution SolveCapsRolling(const Problem& p) {
  const int n = p.size();
  const int days = static_cast<int>(p.day_cap.size());
  std::vector<int> day_start(days + 1, n);  // first interval of each day (days may be empty)
  for (int t = n - 1; t >= 0; --t) day_start[p.day[t]] = t;
  for (int k = days - 1; k >= 0; --k) day_start[k] = std::min(day_start[k], day_start[k + 1]);
  // SoC range at the start of each day from which the terminal range can be reached.
  std::vector<double> target_lo(days + 1), target_hi(days + 1);
  target_lo[days] = p.terminal_lo;
  target_hi[days] = p.terminal_hi;
  for (int k = days - 1; k >= 1; --k) {
    const int intervals = day_start[k + 1] - day_start[k];
    target_hi[k] =
        std::min(p.upper, target_hi[k + 1] + std::min(intervals * p.stored_down(),
                                                      p.day_cap[k] / p.discharge_efficiency));
    target_lo[k] = std::max(p.lower[day_start[k]], target_lo[k + 1] - intervals * p.stored_up());
  }
  CapSolution out;
  out.plan = Plan{std::vector<double>(n, 0.0), std::vector<double>(n, 0.0)};
  out.cap_price.assign(days, 0.0);
  double soc = p.soc_start;
  for (int d = 0; d < days; ++d) {
    const int first = day_start[d];
    if (first == day_start[d + 1]) continue;
    const int end_day = std::min(days, d + kRollingWindowDays);
    const int last = day_start[end_day];
    Problem window;
    window.price.assign(p.price.begin() + first, p.price.begin() + last);
    window.charge_efficiency = p.charge_efficiency;
    window.discharge_efficiency = p.discharge_efficiency;
    window.degradation = p.degradation;
    window.max_charge_mwh = p.max_charge_mwh;
    window.max_discharge_mwh = p.max_discharge_mwh;
    window.soc_start = soc;
    window.lower.assign(p.lower.begin() + first, p.lower.begin() + last + 1);
    window.upper = p.upper;
    window.day.assign(p.day.begin() + first, p.day.begin() + last);
    for (int& day : window.day) day -= d;
    window.day_cap.assign(p.day_cap.begin() + d, p.day_cap.begin() + end_day);
    double reach_lo, reach_hi;
    ClipTerminal(window, target_lo[end_day], target_hi[end_day], reach_lo, reach_hi);
    const CapSolution solved = SolveCapsExactly(window);
    for (int t = first; t < day_start[d + 1]; ++t) {
      out.plan.charge_mwh[t] = solved.plan.charge_mwh[t - first];
      out.plan.discharge_mwh[t] = solved.plan.discharge_mwh[t - first];
      soc += p.charge_efficiency * out.plan.charge_mwh[t] -
             out.plan.discharge_mwh[t] / p.discharge_efficiency;
    }
    out.cap_price[d] = solved.cap_price[0];
  }
  out.objective = Objective(p, out.plan);
  const Plan relaxed = SolveWithMultipliers(p, out.cap_price);
  const std::vector<double> day_discharge = DayDischarge(p, relaxed);
  double bound = Objective(p, relaxed);
  for (int k = 0; k < days; ++k) bound -= out.cap_price[k] * (day_discharge[k] - p.day_cap[k]);
  out.gap = std::max(0.0, bound - out.objective);
  return out;
}

}  // namespace

CapSolution SolveWithCaps(const Problem& p) {
  return static_cast<int>(p.day_cap.size()) <= kExactCapDays ? SolveCapsExactly(p)
                                                             : SolveCapsRolling(p);
}

}  // namespace gridpilot::planning::lp
