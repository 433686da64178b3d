// The £ ledger and settlement rules. Every amount is a signed cash flow from the region
// operator's point of view: income > 0, cost < 0. Net is the sum of all causes.
#ifndef GRIDPILOT_CORE_MARKET_LEDGER_H_
#define GRIDPILOT_CORE_MARKET_LEDGER_H_

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "core/assets/battery.h"
#include "core/assets/peaker.h"

namespace gridpilot::market {

enum class LedgerCause {
  kArbitrageSold = 0,   // battery discharge sold at the interval price (> 0 unless price < 0)
  kArbitrageBought,     // battery charge bought at the interval price (< 0 unless price < 0)
  kPeakerFuel,          // fuel + carbon, <= 0
  kPeakerStarts,        // start costs, <= 0
  kBatteryDegradation,  // wear, <= 0
  kInstabilityPenalty,  // ramp excess penalty, <= 0
};
inline constexpr int kLedgerCauseCount = 6;

// "arbitrage_sold", "arbitrage_bought", "peaker_fuel", "peaker_starts",
// "battery_degradation", "instability_penalty" (the JSON report's names).
std::string_view LedgerCauseName(LedgerCause cause);

struct LedgerEntry {
  absl::Time interval_start;
  LedgerCause cause = LedgerCause::kArbitrageSold;
  double amount_gbp = 0.0;  // signed, income > 0
  std::string asset_id;     // empty for region-wide entries (penalties)
  std::string note;         // e.g. "price missing; settled at last known 84.10 GBP/MWh"
};

// Running totals by cause. Not thread-safe.
class Ledger {
 public:
  void Add(const LedgerEntry& entry);
  double Total(LedgerCause cause) const { return totals_[static_cast<int>(cause)]; }
  double Net() const;  // sum over causes
  const std::array<double, kLedgerCauseCount>& totals() const { return totals_; }

 private:
  std::array<double, kLedgerCauseCount> totals_{};
};

// Settlement of one battery interval at `price_gbp_per_mwh`: sold = discharge_mwh * price,
// bought = -charge_mwh * price, degradation = -(charge + discharge) * degradation cost.
// Zero amounts are still returned so every interval is visible in the store.
std::vector<LedgerEntry> SettleBattery(const assets::BatteryParams& params,
                                       const assets::BatteryInterval& interval,
                                       double price_gbp_per_mwh, absl::Time interval_start,
                                       std::string note);

// Peaker: fuel = -output_mw * hours * fuel cost; starts = -start_cost if started.
// The peaker's energy is not sold: it serves the region's own load (documented choice).
std::vector<LedgerEntry> SettlePeaker(const assets::PeakerParams& params,
                                      const assets::PeakerInterval& interval,
                                      absl::Duration duration, absl::Time interval_start);

// The part of a net-load change beyond the ramp limit, MW (>= 0):
// max(0, |net_after - previous_net_after| - ramp_limit_mw).
double RampExcessMw(double previous_net_load_mw, double net_load_mw, double ramp_limit_mw);

// Instability penalty entry: -excess_mw * penalty_gbp_per_mw.
LedgerEntry SettleInstability(double excess_mw, double penalty_gbp_per_mw,
                              absl::Time interval_start);

}  // namespace gridpilot::market

#endif  // GRIDPILOT_CORE_MARKET_LEDGER_H_
