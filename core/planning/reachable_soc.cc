#include "core/planning/reachable_soc.h"

#include <algorithm>
#include <vector>

namespace gridpilot::planning::lp {

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

}  // namespace gridpilot::planning::lp
