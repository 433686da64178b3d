#include "core/planning/fleet_optimizer.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <optional>
#include <utility>
#include <vector>

#include "core/planning/battery_lp_solver.h"
#include "core/planning/simplex_tableau.h"

namespace gridpilot::planning::lp {
namespace {

// Shared grid connection: column generation rounds before settling for the best mix so
// far (with its gap); a 48-interval fleet of a few batteries needs tens.
constexpr int kMaxFleetRounds = 1000;

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
  // tableau drift far enough to stop short of the optimum (docs/decisions.md,
  // "Exact optimiser").
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
  SimplexTableau tableau_;
  std::vector<double> cost_;  // objective of each column
  double scale_ = 1.0;
};

}  // namespace

std::optional<FleetSolution> SolveFleetIfUnbound(const std::vector<Problem>& problems,
                                                 std::optional<double> export_limit_mwh,
                                                 std::optional<double> import_limit_mwh) {
  const int n = problems[0].size();
  FleetSolution out;
  out.terminal_missed.assign(problems.size(), false);
  std::vector<double> net_export_mwh(n, 0.0);
  double scale_mwh = 0.0;
  for (const Problem& p : problems) {
    Plan& plan =
        out.plans.emplace_back(SolveWithMultipliers(p, std::vector<double>(p.day_cap.size(), 0.0)));
    for (int t = 0; t < n; ++t) net_export_mwh[t] += plan.discharge_mwh[t] - plan.charge_mwh[t];
    scale_mwh += p.max_charge_mwh + p.max_discharge_mwh;
  }
  // The plans' own rounding only: a flow over the limit by more is a binding limit.
  const double tolerance_mwh = 1e-9 * std::max(1.0, scale_mwh);
  for (int t = 0; t < n; ++t) {
    if (export_limit_mwh && net_export_mwh[t] > *export_limit_mwh + tolerance_mwh) {
      return std::nullopt;
    }
    if (import_limit_mwh && -net_export_mwh[t] > *import_limit_mwh + tolerance_mwh) {
      return std::nullopt;
    }
  }
  return out;
}

FleetSolution SolveFleet(const std::vector<Problem>& problems,
                         std::optional<double> export_limit_mwh,
                         std::optional<double> import_limit_mwh) {
  if (std::optional<FleetSolution> unbound =
          SolveFleetIfUnbound(problems, export_limit_mwh, import_limit_mwh)) {
    return *std::move(unbound);
  }
  return SolveFleetCoupled(problems, export_limit_mwh, import_limit_mwh);
}

namespace {

// One coupling row: the fleet's net export (sign +1) or net import (-1) in one interval,
// MWh, at most limit_mwh.
struct CouplingRow {
  int interval = 0;
  int sign = 1;
  double limit_mwh = 0.0;
};

// The coupling rows of a fleet: for each interval, net export then net import, where limited.
std::vector<CouplingRow> AllRows(int intervals, std::optional<double> export_limit_mwh,
                                 std::optional<double> import_limit_mwh) {
  std::vector<CouplingRow> rows;
  for (int t = 0; t < intervals; ++t) {
    if (export_limit_mwh) rows.push_back({t, +1, *export_limit_mwh});
    if (import_limit_mwh) rows.push_back({t, -1, *import_limit_mwh});
  }
  return rows;
}

// The column generation over `rows` only.
FleetSolution DecomposeOverRows(const std::vector<Problem>& problems,
                                const std::vector<CouplingRow>& rows) {
  const int batteries = static_cast<int>(problems.size());
  const int n = problems[0].size();
  std::vector<double> limit;
  std::vector<int> row_interval, row_sign;
  for (const CouplingRow& row : rows) {
    limit.push_back(row.limit_mwh);
    row_interval.push_back(row.interval);
    row_sign.push_back(row.sign);
  }
  double penalty = 1.0;
  for (const Problem& p : problems) {
    for (int t = 0; t < n; ++t) {
      penalty +=
          10.0 * (std::abs(p.price[t]) + p.degradation) * (p.max_charge_mwh + p.max_discharge_mwh);
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
    std::vector<std::pair<int, Plan>> entering;
    double lagrangian = 0.0;
    for (int r = 0; r < couplings; ++r) lagrangian += std::max(0.0, y[r]) * limit[r];
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
      // `value` is the column's reduced cost at the master's duals; against the master's
      // scale: the duals, and so `value`, can be far larger.
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
  out.plans.assign(batteries, Plan{std::vector<double>(n, 0.0), std::vector<double>(n, 0.0)});
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

}  // namespace

FleetSolution SolveFleetCoupled(const std::vector<Problem>& problems,
                                std::optional<double> export_limit_mwh,
                                std::optional<double> import_limit_mwh) {
  return DecomposeOverRows(problems,
                           AllRows(problems[0].size(), export_limit_mwh, import_limit_mwh));
}

}  // namespace gridpilot::planning::lp
