#include "core/planning/battery_lp.h"

#include <vector>

namespace gridpilot::planning::lp {

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

}  // namespace gridpilot::planning::lp
