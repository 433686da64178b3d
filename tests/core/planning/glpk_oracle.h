// Test and benchmark helper: the battery schedule LP of core/planning/exact_optimizer.h written
// out row by row for GLPK and solved with its simplex (presolve on), as an independent
// oracle for the optimiser. Header-only; whoever includes it links GLPK (-lglpk).
// Variables: charge c_t and discharge d_t (MW, grid side) and stored energy s_t (MWh)
// after interval t; the rows are the energy balance of every interval and, when given,
// the discharge cap of every day, and for a fleet the shared connection's limits.
#ifndef GRIDPILOT_TESTS_CORE_GLPK_ORACLE_H_
#define GRIDPILOT_TESTS_CORE_GLPK_ORACLE_H_

#include <glpk.h>

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

namespace gridpilot::lp_oracle {

struct OracleLp {
  double hours = 0.5;                     // interval length
  std::vector<double> price_gbp_per_mwh;  // one per interval
  double max_charge_mw = 0.0;
  double max_discharge_mw = 0.0;
  double charge_efficiency = 1.0;
  double discharge_efficiency = 1.0;
  double degradation_gbp_per_mwh = 0.0;
  double soc_initial_mwh = 0.0;
  std::vector<double> soc_lower_mwh;  // lower bound on s_t, t = 1..T (T entries)
  double soc_upper_mwh = 0.0;         // upper bound on every s_t
  std::optional<double> terminal_soc_min_mwh;
  std::optional<double> terminal_soc_max_mwh;
  // Optional cycle cap: day of each interval (0-based) and grid-side discharge MWh per
  // day. Empty = no cap.
  std::vector<int> day_of_interval;
  std::vector<double> day_cap_mwh;
};

struct OracleSolution {
  bool feasible = false;       // GLPK found an optimum
  double objective_gbp = 0.0;  // revenue - degradation, when feasible
};

// Several batteries behind one grid connection: their LPs side by side (the same hours
// and prices in each) plus, in every interval, a row on the net export sum(d - c) and one
// on the net import sum(c - d), MW, where a limit is given.
struct OracleFleet {
  std::vector<OracleLp> batteries;
  std::optional<double> export_limit_mw;
  std::optional<double> import_limit_mw;
};

inline OracleSolution SolveFleetWithGlpk(const OracleFleet& fleet) {
  if (fleet.batteries.empty()) return {true, 0.0};
  const int n = static_cast<int>(fleet.batteries[0].price_gbp_per_mwh.size());
  const double h = fleet.batteries[0].hours;
  for (const OracleLp& in : fleet.batteries) {
    double last_lo = n > 0 ? in.soc_lower_mwh[n - 1] : in.soc_initial_mwh;
    double last_hi = n > 0 ? in.soc_upper_mwh : in.soc_initial_mwh;
    if (in.terminal_soc_min_mwh) last_lo = std::max(last_lo, *in.terminal_soc_min_mwh);
    if (in.terminal_soc_max_mwh) last_hi = std::min(last_hi, *in.terminal_soc_max_mwh);
    if (last_lo > last_hi) return {};
  }
  if (n == 0) return {true, 0.0};

  glp_prob* lp = glp_create_prob();
  glp_set_obj_dir(lp, GLP_MAX);
  std::vector<int> rows = {0}, cols = {0};
  std::vector<double> values = {0.0};
  auto put = [&](int row, int col, double value) {
    rows.push_back(row);
    cols.push_back(col);
    values.push_back(value);
  };
  // Per battery: columns c_t, d_t, s_t; balance rows
  // s_t - s_{t-1} - eta_c h c_t + h / eta_d d_t = 0 (s_0 moved to the rhs); day caps.
  std::vector<int> first_column;
  for (const OracleLp& in : fleet.batteries) {
    const int base = glp_add_cols(lp, 3 * n);
    first_column.push_back(base);
    auto charge = [base](int t) { return base + t; };
    auto discharge = [base, n](int t) { return base + n + t; };
    auto soc = [base, n](int t) { return base + 2 * n + t; };
    double last_lo = in.soc_lower_mwh[n - 1];
    double last_hi = in.soc_upper_mwh;
    if (in.terminal_soc_min_mwh) last_lo = std::max(last_lo, *in.terminal_soc_min_mwh);
    if (in.terminal_soc_max_mwh) last_hi = std::min(last_hi, *in.terminal_soc_max_mwh);
    for (int t = 0; t < n; ++t) {
      const double price = in.price_gbp_per_mwh[t];
      glp_set_col_bnds(lp, charge(t), GLP_DB, 0.0, in.max_charge_mw);
      glp_set_obj_coef(lp, charge(t), -(price + in.degradation_gbp_per_mwh) * h);
      glp_set_col_bnds(lp, discharge(t), GLP_DB, 0.0, in.max_discharge_mw);
      glp_set_obj_coef(lp, discharge(t), (price - in.degradation_gbp_per_mwh) * h);
      const double lo = t == n - 1 ? last_lo : in.soc_lower_mwh[t];
      const double hi = t == n - 1 ? last_hi : in.soc_upper_mwh;
      if (lo > hi) {
        glp_delete_prob(lp);
        return {};
      }
      glp_set_col_bnds(lp, soc(t), lo == hi ? GLP_FX : GLP_DB, lo, hi);
    }
    const int balance = glp_add_rows(lp, n);
    for (int t = 0; t < n; ++t) {
      const int row = balance + t;
      const double rhs = t == 0 ? in.soc_initial_mwh : 0.0;
      glp_set_row_bnds(lp, row, GLP_FX, rhs, rhs);
      put(row, soc(t), 1.0);
      if (t > 0) put(row, soc(t - 1), -1.0);
      put(row, charge(t), -in.charge_efficiency * h);
      put(row, discharge(t), h / in.discharge_efficiency);
    }
    if (!in.day_cap_mwh.empty()) {
      const int first = glp_add_rows(lp, static_cast<int>(in.day_cap_mwh.size()));
      for (size_t k = 0; k < in.day_cap_mwh.size(); ++k) {
        glp_set_row_bnds(lp, first + static_cast<int>(k), GLP_UP, 0.0, in.day_cap_mwh[k]);
      }
      for (int t = 0; t < n; ++t) put(first + in.day_of_interval[t], discharge(t), h);
    }
  }
  for (const auto& [limit, sign] :
       {std::pair{fleet.export_limit_mw, 1.0}, std::pair{fleet.import_limit_mw, -1.0}}) {
    if (!limit) continue;
    const int first = glp_add_rows(lp, n);
    for (int t = 0; t < n; ++t) {
      glp_set_row_bnds(lp, first + t, GLP_UP, 0.0, *limit);
      for (int base : first_column) {
        put(first + t, base + n + t, sign);  // discharge
        put(first + t, base + t, -sign);     // charge
      }
    }
  }
  glp_load_matrix(lp, static_cast<int>(rows.size()) - 1, rows.data(), cols.data(), values.data());

  glp_smcp parm;
  glp_init_smcp(&parm);
  parm.presolve = GLP_ON;
  parm.msg_lev = GLP_MSG_OFF;
  OracleSolution out;
  if (glp_simplex(lp, &parm) == 0 && glp_get_status(lp) == GLP_OPT) {
    out.feasible = true;
    out.objective_gbp = glp_get_obj_val(lp);
  }
  glp_delete_prob(lp);
  return out;
}

inline OracleSolution SolveWithGlpk(const OracleLp& in) {
  return SolveFleetWithGlpk(OracleFleet{{in}, std::nullopt, std::nullopt});
}

}  // namespace gridpilot::lp_oracle

#endif  // GRIDPILOT_TESTS_CORE_GLPK_ORACLE_H_
