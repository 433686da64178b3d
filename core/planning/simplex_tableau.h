// A dense simplex tableau for the small restricted master problems of the exact
// optimiser's column generation: the cycle cap's (cycle_cap.cc) and the fleet's
// (fleet_optimizer.cc). Each master adds columns as column generation finds new plans and
// re-optimises from the last basis, so the tableau keeps B^-1 A, B^-1 b, the reduced costs
// c_B B^-1 a_j - c_j of every column (maximising), the objective c_B B^-1 b and the basis.
// Both masters start from an identity basis, so the start basis' columns hold B^-1.
// Plain data, not thread-safe; internal to the exact optimiser.
#ifndef GRIDPILOT_CORE_PLANNING_SIMPLEX_TABLEAU_H_
#define GRIDPILOT_CORE_PLANNING_SIMPLEX_TABLEAU_H_

#include <vector>

namespace gridpilot::planning::lp {

struct SimplexTableau {
  std::vector<std::vector<double>> rows;  // one per constraint
  std::vector<double> rhs;
  std::vector<double> reduced;
  double value = 0.0;
  std::vector<int> basis;

  // The identity basis on `rhs.size()` rows, one column each, reduced costs 0.
  explicit SimplexTableau(std::vector<double> start_rhs);

  // Appends column `raw` (in the start basis' terms) with reduced cost `reduced_cost`.
  void AddColumn(const std::vector<double>& raw, double reduced_cost);

  // Pivots on row `r`, column `c` (rows[r][c] != 0): column c enters the basis in row r.
  void Pivot(int r, int c);

  // Pivots to an optimum by Bland's rule (lowest index enters and leaves), which rules
  // out cycling: a column enters when its reduced cost is below -tolerance (never
  // `never_enters`), on a pivot element above `smallest_pivot`. Stops if no row limits
  // the entering column (the masters' weights are bounded, so that does not happen).
  void Solve(double tolerance, double smallest_pivot, int never_enters = -1);
};

}  // namespace gridpilot::planning::lp

#endif  // GRIDPILOT_CORE_PLANNING_SIMPLEX_TABLEAU_H_
