// Perfect foresight: the exact schedule optimiser run on the actual prices of a window.
// It is the yardstick for a trader's capture ratio and is labelled as hindsight wherever
// it is reported; no decision ever uses it.
#ifndef GRIDPILOT_CORE_MARKET_PERFECT_FORESIGHT_H_
#define GRIDPILOT_CORE_MARKET_PERFECT_FORESIGHT_H_

#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/assets/battery.h"
#include "core/planning/exact_optimizer.h"

namespace gridpilot::market {

struct PerfectForesight {
  planning::BatteryOptimizerResult result;
  std::vector<double> price_gbp_per_mwh;  // the prices solved on (missing ones filled)
  int missing_prices = 0;                 // how many were filled
};

// Solves the window of half-hours starting at `start` with `prices` (GBP/MWh; a missing
// price is replaced by the previous known one, a leading gap by the first known one, as
// a persistence forecast would), for `battery` starting at its soc_initial_mwh, trading
// above soc_min + reserve, optionally ending at `terminal_soc_mwh`.
// InvalidArgument if no price is known or the battery is invalid (message names it).
absl::StatusOr<PerfectForesight> SolvePerfectForesight(
    absl::Time start, const std::vector<std::optional<double>>& prices,
    const assets::BatteryParams& battery, std::optional<double> terminal_soc_mwh);

}  // namespace gridpilot::market

#endif  // GRIDPILOT_CORE_MARKET_PERFECT_FORESIGHT_H_
