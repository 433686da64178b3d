#include "core/planning/exact_optimizer.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/planning/battery_lp.h"
#include "core/planning/battery_lp_solver.h"
#include "core/planning/cycle_cap.h"
#include "core/planning/fleet_optimizer.h"
#include "core/planning/optimizer_request_validation.h"
#include "core/planning/reachable_soc.h"

namespace gridpilot::planning {
namespace {

using lp::CapSolution;
using lp::ClipTerminal;
using lp::FleetSolution;
using lp::kInf;
using lp::Plan;
using lp::Problem;
using lp::SocPath;
using lp::SolveFleet;
using lp::SolveWithCaps;
using lp::SolveWithMultipliers;
using lp::ValidateRequest;

std::string FormatMwh(double value) { return absl::StrFormat("%.3f MWh", value); }

// "exactly 5.000 MWh", "at least 80.000 MWh", "between 10.000 MWh and 20.000 MWh".
std::string DescribeRange(double lo, double hi) {
  if (lo == hi) return "exactly " + FormatMwh(lo);
  if (hi == kInf) return "at least " + FormatMwh(lo);
  if (lo == -kInf) return "at most " + FormatMwh(hi);
  return absl::StrCat("between ", FormatMwh(lo), " and ", FormatMwh(hi));
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
    FleetSolution fleet =
        SolveFleet(problems, mwh(request.grid_export_limit_mw), mwh(request.grid_import_limit_mw));
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
                    ": feasible plan within £", absl::StrFormat("%.6g", result.optimality_gap_gbp),
                    " of the optimum (Lagrangian bound); ");
  } else {
    result.optimality_gap_gbp = 0.0;
  }
  if (!note.empty()) note.resize(note.size() - 2);  // drop the trailing "; "
  result.note = std::move(note);
  return result;
}

}  // namespace gridpilot::planning
