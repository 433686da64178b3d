#include "core/market/price_risk.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace gridpilot::market {

absl::Status ValidateRiskAversion(double risk_aversion) {
  if (risk_aversion >= 0.0 && risk_aversion <= 1.0) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("risk_aversion = ", risk_aversion,
                   ": must be in [0, 1] (0 = plan on the forecast alone, 1 = value every "
                   "trade at the unfavourable edge of its price's 90% interval)"));
}

RiskAdjustedPrices AdjustPricesForRisk(
    const std::vector<double>& forecast_gbp_per_mwh,
    const std::vector<std::optional<double>>& half_width_gbp_per_mwh, double risk_aversion) {
  RiskAdjustedPrices out;
  out.discharge_gbp_per_mwh = forecast_gbp_per_mwh;
  out.charge_gbp_per_mwh = forecast_gbp_per_mwh;
  for (size_t i = 0; i < forecast_gbp_per_mwh.size(); ++i) {
    const std::optional<double>& half_width = half_width_gbp_per_mwh[i];
    if (!half_width.has_value()) {
      ++out.intervals_without_half_width;
      continue;
    }
    const double shift = risk_aversion * std::max(0.0, *half_width);
    out.discharge_gbp_per_mwh[i] -= shift;
    out.charge_gbp_per_mwh[i] += shift;
  }
  return out;
}

}  // namespace gridpilot::market
