// Risk settings of a trading plan: how far into each forecast price's interval the plan
// looks before it trusts a trade.
//
// With risk aversion a in [0, 1], a forecast price p and the half-width w of its interval
// (the trader's 90% interval from its own past errors), the plan values a MWh charged at
// p + a * w and a MWh discharged at p - a * w. At a = 0 it trades on the forecast alone
// (risk-neutral, the default); at a = 1 every MWh it buys or sells must pay even if its
// price lands at the unfavourable edge of its interval, so it trades only spreads wider
// than its own forecast uncertainty. An interval with no half-width yet (too few scored
// errors) is valued at p both ways.
#ifndef GRIDPILOT_CORE_MARKET_PRICE_RISK_H_
#define GRIDPILOT_CORE_MARKET_PRICE_RISK_H_

#include <optional>
#include <vector>

#include "absl/status/status.h"

namespace gridpilot::market {

struct RiskAdjustedPrices {
  std::vector<double> discharge_gbp_per_mwh;  // p - a * w, one per forecast price
  std::vector<double> charge_gbp_per_mwh;     // p + a * w, likewise
  int intervals_without_half_width = 0;       // valued at p both ways
};

// InvalidArgument unless `risk_aversion` is a number in [0, 1].
absl::Status ValidateRiskAversion(double risk_aversion);

// The prices a plan values trades at, as above. `half_width_gbp_per_mwh` has one entry
// per forecast price (nullopt = none yet; a negative one counts as 0); `risk_aversion`
// must pass ValidateRiskAversion. Pure.
RiskAdjustedPrices AdjustPricesForRisk(
    const std::vector<double>& forecast_gbp_per_mwh,
    const std::vector<std::optional<double>>& half_width_gbp_per_mwh, double risk_aversion);

}  // namespace gridpilot::market

#endif  // GRIDPILOT_CORE_MARKET_PRICE_RISK_H_
