#include "core/planning/exact_optimizer.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace gridpilot::planning {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Cycle-cap work budget: interval-steps of the dynamic programme summed over all column
// generation rounds (about a second; a 48-interval re-plan needs a few thousand).
constexpr int64_t kCapWorkBudget = 2'000'000;
constexpr int kMaxCapRounds = 400;
// Up to this many days a cycle cap is solved exactly over the whole horizon; beyond it in
// receding windows of kRollingWindowDays days (see SolveCapsRolling).
constexpr int kExactCapDays = 8;
constexpr int kRollingWindowDays = 4;
// Shared grid connection: column generation rounds before settling for the best mix so
// far (with its gap); a 48-interval fleet of a few batteries needs tens.
constexpr int kMaxFleetRounds = 1000;

// The single-battery LP after relaxation. Energies are MWh; charge and discharge are
// grid-side energies per interval.
struct Problem {
  std::vector<double> price;  // £/MWh per interval
  double charge_efficiency = 1.0;
  double discharge_efficiency = 1.0;
  double degradation = 0.0;        // £ per grid-side MWh of throughput
  double max_charge_mwh = 0.0;     // per interval, grid side
  double max_discharge_mwh = 0.0;  // per interval, grid side
  double soc_start = 0.0;
  std::vector<double> lower;   // lower[t] bounds s_t for t = 1..T; lower[0] unused
  double upper = 0.0;          // soc_max, for every t
  double terminal_lo = -kInf;  // s_T range after relaxation
  double terminal_hi = kInf;
  std::vector<int> day;         // horizon day (0-based) of each interval
  std::vector<double> day_cap;  // grid-side discharge MWh allowed per day; kInf = none

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
    slope[2 * t + 1] = (p.price[t] - p.degradation - lambda[p.day[t]]) * p.discharge_efficiency;
  }
  slope[2 * n] = 0.0;
  std::vector<int> order(slope.size());
  std::iota(order.begin(), order.end(), 0);
  // Ties broken by index so the plan is deterministic.
  std::sort(order.begin(), order.end(),
            [&](int a, int b) { return slope[a] != slope[b] ? slope[a] > slope[b] : a < b; });
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
      y = std::clamp(s + up - down, discharge_turn[t], std::max(discharge_turn[t], charge_turn[t]));
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
    const double desired =
        std::min(std::max(s, std::max(lower, band_lo)), std::min(p.upper, band_hi));
    const double most_down =
        std::max(0.0, std::min(p.stored_down(), budget[p.day[t]] / p.discharge_efficiency));
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
    const double gain = (p.price[t] - p.degradation) * round_trip - (p.price[t] + p.degradation);
    if (gain > 0) continue;
    const double overlap = std::min(plan.charge_mwh[t], plan.discharge_mwh[t] / round_trip);
    plan.charge_mwh[t] -= overlap;
    plan.discharge_mwh[t] = std::max(0.0, plan.discharge_mwh[t] - overlap * round_trip);
  }
}

// A simplex tableau for the master problems below: B^-1 A, B^-1 b, the reduced costs
// c_B B^-1 a_j - c_j of every column (maximising), the objective c_B B^-1 b and the basis.
// Both masters start from an identity basis, so the start basis' columns hold B^-1.
struct Tableau {
  std::vector<std::vector<double>> rows;  // one per constraint
  std::vector<double> rhs;
  std::vector<double> reduced;
  double value = 0.0;
  std::vector<int> basis;

  // The identity basis on `rhs.size()` rows, one column each, reduced costs 0.
  explicit Tableau(std::vector<double> start_rhs)
      : rows(start_rhs.size(), std::vector<double>(start_rhs.size(), 0.0)),
        rhs(std::move(start_rhs)),
        reduced(rhs.size(), 0.0),
        basis(rhs.size()) {
    for (size_t i = 0; i < rhs.size(); ++i) {
      rows[i][i] = 1.0;
      basis[i] = static_cast<int>(i);
    }
  }

  // Appends column `raw` (in the start basis' terms) with reduced cost `reduced_cost`.
  void AddColumn(const std::vector<double>& raw, double reduced_cost) {
    for (size_t r = 0; r < rows.size(); ++r) {
      double entry = 0.0;
      for (size_t i = 0; i < raw.size(); ++i) entry += rows[r][i] * raw[i];
      rows[r].push_back(entry);
    }
    reduced.push_back(reduced_cost);
  }

  void Pivot(int r, int c) {
    const double divisor = rows[r][c];
    for (double& v : rows[r]) v /= divisor;
    rhs[r] /= divisor;
    for (size_t i = 0; i < rows.size(); ++i) {
      const double factor = rows[i][c];
      if (static_cast<int>(i) == r || factor == 0.0) continue;
      for (size_t j = 0; j < rows[i].size(); ++j) rows[i][j] -= factor * rows[r][j];
      rhs[i] -= factor * rhs[r];
    }
    const double factor = reduced[c];
    for (size_t j = 0; j < reduced.size(); ++j) reduced[j] -= factor * rows[r][j];
    value -= factor * rhs[r];
    basis[r] = c;
  }

  // Pivots to an optimum by Bland's rule (lowest index enters and leaves), which rules
  // out cycling: a column enters when its reduced cost is below -tolerance (never
  // `never_enters`), on a pivot element above `smallest_pivot`. Stops if no row limits
  // the entering column (the masters' weights are bounded, so that does not happen).
  void Solve(double tolerance, double smallest_pivot, int never_enters = -1) {
    while (true) {
      int enter = -1;
      for (size_t j = 0; j < reduced.size() && enter < 0; ++j) {
        if (static_cast<int>(j) != never_enters && reduced[j] < -tolerance) {
          enter = static_cast<int>(j);
        }
      }
      if (enter < 0) return;
      int leave = -1;
      double best_ratio = kInf;
      for (size_t r = 0; r < rows.size(); ++r) {
        if (rows[r][enter] <= smallest_pivot) continue;
        const double ratio = rhs[r] / rows[r][enter];
        if (ratio < best_ratio || (ratio == best_ratio && basis[r] < basis[leave])) {
          best_ratio = ratio;
          leave = static_cast<int>(r);
        }
      }
      if (leave < 0) return;
      Pivot(leave, enter);
    }
  }
};

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
  Tableau tableau_;
  double scale_ = 1.0;
};

struct CapSolution {
  Plan plan;
  double objective = 0.0;
  double gap = 0.0;               // Lagrangian bound - objective
  std::vector<double> cap_price;  // the caps' final shadow prices, £ per grid MWh
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

// The restricted master problem of a fleet behind one grid connection: the best mix, per
// battery, of the plans found so far,
//   max sum_bj w_bj objective_bj
//   s.t. sum_bj w_bj flow_bj[r] <= limit[r] for every coupling row r (net export or net
//        import of one interval, MWh), sum_j w_bj = 1 for every battery b, w >= 0.
// The start basis is the coupling rows' slacks and one "idle" column per battery (the
// battery holding its start SoC, which meets every limit).
class FleetMaster {
 public:
  FleetMaster(std::vector<double> limit, const std::vector<double>& idle_objective)
      : couplings_(static_cast<int>(limit.size())),
        rows_count_(couplings_ + static_cast<int>(idle_objective.size())),
        tableau_(WithConvexity(std::move(limit), idle_objective.size())),
        cost_(rows_count_, 0.0) {
    for (size_t b = 0; b < idle_objective.size(); ++b) {
      cost_[couplings_ + b] = idle_objective[b];
      tableau_.value += idle_objective[b];
      scale_ = std::max(scale_, std::abs(idle_objective[b]));
    }
  }

  // A plan of battery `battery`: its objective and its flow in every coupling row.
  void AddColumn(int battery, double objective, const std::vector<double>& flow) {
    std::vector<double> raw = flow;
    raw.resize(rows_count_, 0.0);
    raw[couplings_ + battery] = 1.0;
    const std::vector<double> y = Duals();
    double reduced = -objective;
    for (int i = 0; i < rows_count_; ++i) reduced += y[i] * raw[i];
    tableau_.AddColumn(raw, reduced);
    cost_.push_back(objective);
    scale_ = std::max(scale_, std::abs(objective));
  }

  // Pivots on elements above 1e-9 only: with many coupling rows, smaller ones let the
  // tableau drift far enough (about 1e-5 relative) to stop short of the optimum.
  void Solve() { tableau_.Solve(1e-12 * scale_, 1e-9); }

  double objective() const { return tableau_.value; }
  // y = c_B B^-1: the coupling rows' shadow prices (£/MWh, >= 0 at the optimum), then each
  // battery's convexity row. Read off the start basis' columns: reduced = y_i - cost_i.
  std::vector<double> Duals() const {
    std::vector<double> y(rows_count_);
    for (int i = 0; i < rows_count_; ++i) y[i] = tableau_.reduced[i] + cost_[i];
    return y;
  }
  int couplings() const { return couplings_; }
  // Weight of every column (slacks included, all columns in the order added).
  std::vector<double> Weights() const {
    std::vector<double> weights(tableau_.reduced.size(), 0.0);
    for (int r = 0; r < rows_count_; ++r) {
      weights[tableau_.basis[r]] = std::max(0.0, tableau_.rhs[r]);
    }
    return weights;
  }

 private:
  static std::vector<double> WithConvexity(std::vector<double> limit, size_t batteries) {
    limit.resize(limit.size() + batteries, 1.0);
    return limit;
  }

  int couplings_;
  int rows_count_;
  Tableau tableau_;
  std::vector<double> cost_;  // objective of each column
  double scale_ = 1.0;
};

struct FleetSolution {
  std::vector<Plan> plans;           // one per battery
  std::vector<bool> terminal_missed; // the battery had to hold where no plan met its terminal
  double gap = 0.0;                  // Lagrangian bound - objective
};

// Several batteries behind one connection, exactly, by Dantzig-Wolfe column generation.
// Pricing each coupling row at its shadow price y >= 0 separates the batteries: each
// solves its own problem (SolveWithMultipliers) at the price p_t - y_export_t +
// y_import_t, whose value, summed, plus sum_r y_r limit_r bounds the fleet optimum from
// above. The master mixes the plans found so far within the limits; mixing plans of one
// battery gives a plan of that battery (its feasible set is convex). Every battery must
// start within [floor, soc_max], so that holding is feasible for it; holding is worth
// `-penalty` where it misses the battery's terminal range, so it is used only when no mix
// of plans can meet both the limits and that range.
FleetSolution SolveFleet(const std::vector<Problem>& problems,
                         std::optional<double> export_limit_mwh,
                         std::optional<double> import_limit_mwh) {
  const int batteries = static_cast<int>(problems.size());
  const int n = problems[0].size();
  // Coupling rows: for each interval, net export then net import, where limited.
  std::vector<double> limit;
  std::vector<int> row_interval, row_sign;
  for (int t = 0; t < n; ++t) {
    if (export_limit_mwh) {
      limit.push_back(*export_limit_mwh);
      row_interval.push_back(t);
      row_sign.push_back(+1);
    }
    if (import_limit_mwh) {
      limit.push_back(*import_limit_mwh);
      row_interval.push_back(t);
      row_sign.push_back(-1);
    }
  }
  double penalty = 1.0;
  for (const Problem& p : problems) {
    for (int t = 0; t < n; ++t) {
      penalty += 10.0 * (std::abs(p.price[t]) + p.degradation) *
                 (p.max_charge_mwh + p.max_discharge_mwh);
    }
  }
  std::vector<double> idle_objective(batteries, 0.0);
  for (int b = 0; b < batteries; ++b) {
    const Problem& p = problems[b];
    if (p.soc_start < p.terminal_lo || p.soc_start > p.terminal_hi) idle_objective[b] = -penalty;
  }
  FleetMaster master(limit, idle_objective);
  const int couplings = master.couplings();
  // Columns in the order added: couplings slacks, idle columns, then plans.
  std::vector<int> column_battery;
  std::vector<Plan> column_plan;
  auto flows = [&](const Plan& plan) {
    std::vector<double> flow(couplings);
    for (int r = 0; r < couplings; ++r) {
      const int t = row_interval[r];
      flow[r] = row_sign[r] * (plan.discharge_mwh[t] - plan.charge_mwh[t]);
    }
    return flow;
  };
  double bound = kInf;
  for (int round = 0;; ++round) {
    master.Solve();
    const std::vector<double> y = master.Duals();
    double lagrangian = 0.0;
    for (int r = 0; r < couplings; ++r) lagrangian += std::max(0.0, y[r]) * limit[r];
    std::vector<std::pair<int, Plan>> entering;
    for (int b = 0; b < batteries; ++b) {
      Problem priced = problems[b];
      for (int r = 0; r < couplings; ++r) {
        priced.price[row_interval[r]] -= row_sign[r] * std::max(0.0, y[r]);
      }
      Plan plan = SolveWithMultipliers(priced, std::vector<double>(priced.day_cap.size(), 0.0));
      const double value = Objective(priced, plan);
      // The idle column is priced on its own: 0, or -penalty where holding misses the
      // battery's terminal range.
      lagrangian += std::max(value, idle_objective[b]);
      // Against the master's scale: the duals, and so `value`, can be far larger.
      if (value - y[couplings + b] > 1e-10 * std::max(1.0, std::abs(master.objective()))) {
        entering.emplace_back(b, std::move(plan));
      }
    }
    bound = std::min(bound, lagrangian);
    if (entering.empty() || round >= kMaxFleetRounds) break;
    for (auto& [b, plan] : entering) {
      master.AddColumn(b, Objective(problems[b], plan), flows(plan));
      column_battery.push_back(b);
      column_plan.push_back(std::move(plan));
    }
  }
  FleetSolution out;
  out.plans.assign(batteries,
                   Plan{std::vector<double>(n, 0.0), std::vector<double>(n, 0.0)});
  out.terminal_missed.assign(batteries, false);
  const std::vector<double> weight = master.Weights();
  for (int b = 0; b < batteries; ++b) {
    if (idle_objective[b] < 0 && weight[couplings + b] > 1e-9) out.terminal_missed[b] = true;
  }
  double objective = 0.0;
  for (size_t j = 0; j < column_plan.size(); ++j) {
    const double w = weight[couplings + batteries + j];
    if (w == 0.0) continue;
    Plan& mix = out.plans[column_battery[j]];
    for (int t = 0; t < n; ++t) {
      mix.charge_mwh[t] += w * column_plan[j].charge_mwh[t];
      mix.discharge_mwh[t] += w * column_plan[j].discharge_mwh[t];
    }
  }
  for (int b = 0; b < batteries; ++b) objective += Objective(problems[b], out.plans[b]);
  out.gap = std::max(0.0, bound - objective);
  return out;
}

// Clips the terminal range of `p` to what some plan reaches from its start. Returns false
// (and sets the range to the closest reachable SoC) when none of it is reachable;
// `reach_lo` and `reach_hi` receive the reachable range.
bool ClipTerminal(Problem& p, double wanted_lo, double wanted_hi, double& reach_lo,
                  double& reach_hi) {
  reach_lo = SocPath(p, GreedyPlan(p, -kInf, -kInf)).back();
  reach_hi = std::max(reach_lo, SocPath(p, GreedyPlan(p, kInf, kInf)).back());
  if (wanted_hi < reach_lo || wanted_lo > reach_hi) {
    p.terminal_lo = p.terminal_hi = wanted_hi < reach_lo ? reach_lo : reach_hi;
    return false;
  }
  p.terminal_lo = std::max(wanted_lo, reach_lo);
  p.terminal_hi = std::min(wanted_hi, reach_hi);
  return true;
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

CapSolution SolveWithCaps(const Problem& p) {
  return static_cast<int>(p.day_cap.size()) <= kExactCapDays ? SolveCapsExactly(p)
                                                             : SolveCapsRolling(p);
}

std::string FormatMwh(double value) { return absl::StrFormat("%.3f MWh", value); }

// "exactly 5.000 MWh", "at least 80.000 MWh", "between 10.000 MWh and 20.000 MWh".
std::string DescribeRange(double lo, double hi) {
  if (lo == hi) return "exactly " + FormatMwh(lo);
  if (hi == kInf) return "at least " + FormatMwh(lo);
  if (lo == -kInf) return "at most " + FormatMwh(hi);
  return absl::StrCat("between ", FormatMwh(lo), " and ", FormatMwh(hi));
}

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
  for (const auto& [field, value] : {std::pair{"grid_import_limit_mw", request.grid_import_limit_mw},
                                     std::pair{"grid_export_limit_mw", request.grid_export_limit_mw}}) {
    if (value && !(*value >= 0 && *value < kInf)) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, " = ", *value, ": must be finite and >= 0"));
    }
  }
  const bool shared_connection = request.grid_import_limit_mw || request.grid_export_limit_mw;
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
      return absl::InvalidArgumentError(
          absl::StrCat(where, "terminal_soc_min_mwh (", *spec.terminal_soc_min_mwh,
                       ") > terminal_soc_max_mwh (", *spec.terminal_soc_max_mwh, ")"));
    }
    if (shared_connection && spec.discharge_cap_mwh_per_day) {
      return absl::UnimplementedError(
          absl::StrCat(where, "discharge_cap_mwh_per_day: a cycle cap together with a shared "
                       "grid connection limit is not supported yet"));
    }
    const double floor = spec.params.soc_min_mwh + spec.params.reserve_mwh;
    if (shared_connection && spec.params.soc_initial_mwh < floor) {
      return absl::UnimplementedError(absl::StrCat(
          where, "params.soc_initial_mwh (", spec.params.soc_initial_mwh,
          ") is below the trading floor (", floor,
          "): with a shared grid connection limit that is not supported yet"));
    }
  }
  return absl::OkStatus();
}

// Builds the LP for one battery, applying the relaxations; adds to `note` what it relaxed.
Problem BuildProblem(const BatteryOptimizerRequest& request, const OptimizerBatterySpec& spec,
                     OptimizerBatteryPlan& out, std::string& note) {
  const assets::BatteryParams& params = spec.params;
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
    p.day[t] =
        static_cast<int>(utc_day(request.start + t * request.interval) - utc_day(request.start));
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
  double reach_lo, reach_hi;
  if (!ClipTerminal(p, wanted_lo, wanted_hi, reach_lo, reach_hi)) {
    out.terminal_soc_relaxed = true;
    absl::StrAppend(&note, "terminal SoC ", DescribeRange(wanted_lo, wanted_hi),
                    " is unreachable (reachable: ", DescribeRange(reach_lo, reach_hi),
                    "): planned the closest, ", FormatMwh(p.terminal_lo), "; ");
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
  std::vector<Problem> problems;
  std::vector<OptimizerBatteryPlan> outs(request.batteries.size());
  for (size_t b = 0; b < request.batteries.size(); ++b) {
    outs[b].battery_id = request.batteries[b].params.id;
    problems.push_back(BuildProblem(request, request.batteries[b], outs[b], note));
  }
  std::vector<Plan> plans;
  const bool shared_connection = request.grid_import_limit_mw || request.grid_export_limit_mw;
  if (shared_connection && !request.price_gbp_per_mwh.empty()) {
    auto mwh = [hours](std::optional<double> mw) -> std::optional<double> {
      if (!mw) return std::nullopt;
      return *mw * hours;
    };
    FleetSolution fleet = SolveFleet(problems, mwh(request.grid_export_limit_mw),
                                     mwh(request.grid_import_limit_mw));
    plans = std::move(fleet.plans);
    result.optimality_gap_gbp += fleet.gap;
    for (size_t b = 0; b < plans.size(); ++b) {
      if (!fleet.terminal_missed[b]) continue;
      outs[b].terminal_soc_relaxed = true;
      absl::StrAppend(&note, outs[b].battery_id, ": no plan meets both its terminal SoC and ",
                      "the connection limits, so part of it holds its start SoC; ");
    }
  } else {
    for (const Problem& p : problems) {
      if (p.capped()) {
        CapSolution capped = SolveWithCaps(p);
        plans.push_back(std::move(capped.plan));
        result.optimality_gap_gbp += capped.gap;
      } else {
        plans.push_back(SolveWithMultipliers(p, std::vector<double>(p.day_cap.size(), 0.0)));
      }
    }
  }
  for (size_t b = 0; b < problems.size(); ++b) {
    const Problem& p = problems[b];
    const Plan& plan = plans[b];
    OptimizerBatteryPlan& out = outs[b];
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
                      shared_connection
                          ? " interval(s) charge and discharge at once (a mix of plans within "
                            "the connection limits); "
                          : " interval(s) charge and discharge at once: at those prices "
                            "burning energy through the round-trip losses earns money; ");
    }
    result.revenue_gbp += out.revenue_gbp;
    result.degradation_gbp += out.degradation_gbp;
    result.objective_gbp += out.objective_gbp;
    result.batteries.push_back(std::move(out));
  }
  if (result.optimality_gap_gbp > 1e-7 * std::max(1.0, std::abs(result.objective_gbp))) {
    result.termination = OptimizerTermination::kApproximate;
    absl::StrAppend(&note, shared_connection ? "connection limits" : "cycle cap",
                    ": feasible plan within £",
                    absl::StrFormat("%.6g", result.optimality_gap_gbp),
                    " of the optimum (Lagrangian bound); ");
  } else {
    result.optimality_gap_gbp = 0.0;
  }
  if (!note.empty()) note.resize(note.size() - 2);  // drop the trailing "; "
  result.note = std::move(note);
  return result;
}

}  // namespace gridpilot::planning
