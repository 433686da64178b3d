#include "core/market/perfect_foresight.h"

#include "core/base/status_macros.h"
#include "core/base/time_util.h"

namespace gridpilot::market {

absl::StatusOr<PerfectForesight> SolvePerfectForesight(
    absl::Time start, const std::vector<std::optional<double>>& prices,
    const assets::BatteryParams& battery, std::optional<double> terminal_soc_mwh) {
  PerfectForesight out;
  std::optional<double> fill;
  for (const std::optional<double>& p : prices) {
    if (p.has_value()) {
      fill = p;
      break;
    }
  }
  if (!fill.has_value()) return absl::InvalidArgumentError("no price is known in the window");
  for (const std::optional<double>& p : prices) {
    if (p.has_value()) {
      fill = p;
    } else {
      ++out.missing_prices;
    }
    out.price_gbp_per_mwh.push_back(*fill);
  }
  planning::BatteryOptimizerRequest request;
  request.start = start;
  request.interval = base::kHalfHour;
  request.price_gbp_per_mwh = out.price_gbp_per_mwh;
  planning::OptimizerBatterySpec spec;
  spec.params = battery;
  if (terminal_soc_mwh.has_value()) {
    spec.terminal_soc_min_mwh = terminal_soc_mwh;
    spec.terminal_soc_max_mwh = terminal_soc_mwh;
  }
  request.batteries.push_back(spec);
  ASSIGN_OR_RETURN(out.result, planning::OptimizeBatterySchedule(request));
  return out;
}

}  // namespace gridpilot::market
