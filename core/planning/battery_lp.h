// The single-battery LP of the exact optimiser (exact_optimizer.h) in the form its solvers
// work on: one battery of a request after the relaxations, its limits turned into grid-side
// MWh per interval, and a plan as grid-side energies per interval. The solvers
// (battery_lp_solver.h, reachable_soc.h, cycle_cap.h, fleet_optimizer.h) take a Problem
// and return Plans; the functions here evaluate a plan. Everything in namespace lp is
// internal to the exact optimiser: its callers use exact_optimizer.h.
#ifndef GRIDPILOT_CORE_PLANNING_BATTERY_LP_H_
#define GRIDPILOT_CORE_PLANNING_BATTERY_LP_H_

#include <algorithm>
#include <limits>
#include <vector>

namespace gridpilot::planning::lp {

inline constexpr double kInf = std::numeric_limits<double>::infinity();

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

// A plan for a Problem: one entry per interval in each vector, both >= 0.
struct Plan {
  std::vector<double> charge_mwh;     // grid side, per interval
  std::vector<double> discharge_mwh;  // grid side, per interval
};

// Stored energy along `plan` from p.soc_start, MWh: T + 1 values, s_0 = p.soc_start and
// s_t after interval t. `plan` has p.size() entries.
std::vector<double> SocPath(const Problem& p, const Plan& plan);

// The LP objective of `plan`, £: revenue at p.price minus degradation on all throughput.
double Objective(const Problem& p, const Plan& plan);

// Grid-side discharge of `plan` in each horizon day, MWh: one entry per p.day_cap.
std::vector<double> DayDischarge(const Problem& p, const Plan& plan);

}  // namespace gridpilot::planning::lp

#endif  // GRIDPILOT_CORE_PLANNING_BATTERY_LP_H_
