#include "core/planning/battery_lp_solver.h"

#include <algorithm>
#include <numeric>
#include <vector>

#include "core/planning/slope_segments.h"

namespace gridpilot::planning::lp {

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

}  // namespace gridpilot::planning::lp
