#include "core/advice/load_shift.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "absl/strings/str_cat.h"

namespace gridpilot::advice {
namespace {

constexpr double kHours = 0.5;

absl::Status CheckPath(const std::vector<double>& load, const std::vector<double>& price) {
  if (load.size() != price.size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "load has ", load.size(), " half-hours but price_gbp_per_mwh has ", price.size()));
  }
  for (size_t i = 0; i < load.size(); ++i) {
    if (!(load[i] >= 0) || std::isinf(load[i])) {
      return absl::InvalidArgumentError(
          absl::StrCat("load[", i, "] is ", load[i], "; must be finite and >= 0"));
    }
    if (!std::isfinite(price[i])) {
      return absl::InvalidArgumentError(absl::StrCat("price_gbp_per_mwh[", i, "] is not finite"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<double> Percentile(std::vector<double> values, double q) {
  if (values.empty()) return absl::InvalidArgumentError("percentile of no values");
  if (!(q >= 0 && q <= 100)) {
    return absl::InvalidArgumentError(absl::StrCat("percentile ", q, " is outside [0, 100]"));
  }
  std::sort(values.begin(), values.end());
  const double rank = q / 100.0 * static_cast<double>(values.size() - 1);
  const size_t below = static_cast<size_t>(std::floor(rank));
  const size_t above = std::min(below + 1, values.size() - 1);
  const double fraction = rank - static_cast<double>(below);
  return values[below] + (values[above] - values[below]) * fraction;
}

absl::StatusOr<LoadShiftPlan> PlanLoadShift(const std::vector<double>& load,
                                            const std::vector<double>& price_gbp_per_mwh,
                                            double flexible_share, double peak_limit) {
  if (absl::Status s = CheckPath(load, price_gbp_per_mwh); !s.ok()) return s;
  if (!(flexible_share >= 0 && flexible_share <= 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("flexible_share ", flexible_share, " is outside [0, 1]"));
  }
  if (!(peak_limit >= 0) || std::isinf(peak_limit)) {
    return absl::InvalidArgumentError(
        absl::StrCat("peak_limit ", peak_limit, " must be finite and >= 0"));
  }
  const size_t n = load.size();
  LoadShiftPlan plan;
  plan.peak_limit = peak_limit;
  plan.out.assign(n, 0.0);
  plan.in.assign(n, 0.0);
  double wanted = 0.0;
  double room = 0.0;
  for (size_t i = 0; i < n; ++i) {
    if (load[i] > peak_limit) {
      plan.out[i] = std::min(flexible_share * load[i], load[i] - peak_limit);
      wanted += plan.out[i];
    } else {
      room += peak_limit - load[i];
    }
  }
  if (wanted <= 0) return plan;
  if (wanted > room) {
    const double scale = room / wanted;
    for (double& out : plan.out) out *= scale;
    wanted = room;
  }
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (price_gbp_per_mwh[a] != price_gbp_per_mwh[b]) {
      return price_gbp_per_mwh[a] < price_gbp_per_mwh[b];
    }
    return load[a] < load[b];
  });
  double left = wanted;
  for (size_t i : order) {
    if (left <= 0) break;
    if (load[i] >= peak_limit) continue;
    const double take = std::min(left, peak_limit - load[i]);
    plan.in[i] = take;
    left -= take;
  }
  plan.shifted_energy = wanted * kHours;
  return plan;
}

absl::StatusOr<ShiftOutcome> ApplyLoadShift(const LoadShiftPlan& plan,
                                            const std::vector<double>& load,
                                            const std::vector<double>& price_gbp_per_mwh,
                                            double flexible_share, double mwh_per_unit_hour) {
  if (absl::Status s = CheckPath(load, price_gbp_per_mwh); !s.ok()) return s;
  if (load.size() != plan.out.size() || load.size() != plan.in.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("load has ", load.size(), " half-hours but the plan has ", plan.out.size()));
  }
  const size_t n = load.size();
  ShiftOutcome outcome;
  outcome.load_after = load;
  double planned = 0.0;
  double moved = 0.0;
  for (size_t i = 0; i < n; ++i) {
    const double out = std::min(plan.out[i], flexible_share * load[i]);
    outcome.load_after[i] -= out;
    planned += plan.out[i];
    moved += out;
  }
  const double scale = planned > 0 ? moved / planned : 0.0;
  for (size_t i = 0; i < n; ++i) outcome.load_after[i] += plan.in[i] * scale;
  for (size_t i = 0; i < n; ++i) {
    outcome.peak_before = std::max(outcome.peak_before, load[i]);
    outcome.peak_after = std::max(outcome.peak_after, outcome.load_after[i]);
    outcome.cost_before_gbp += price_gbp_per_mwh[i] * load[i] * kHours * mwh_per_unit_hour;
    outcome.cost_after_gbp +=
        price_gbp_per_mwh[i] * outcome.load_after[i] * kHours * mwh_per_unit_hour;
  }
  outcome.shifted_energy = moved * kHours;
  return outcome;
}

}  // namespace gridpilot::advice
