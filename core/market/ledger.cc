#include "core/market/ledger.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/str_format.h"

namespace gridpilot::market {
namespace {

// Adding +0.0 turns -0.0 (from negating a zero) into 0.0, so reports never show "-0.00".
double Signed(double amount_gbp) { return amount_gbp + 0.0; }

}  // namespace

std::string_view LedgerCauseName(LedgerCause cause) {
  switch (cause) {
    case LedgerCause::kArbitrageSold: return "arbitrage_sold";
    case LedgerCause::kArbitrageBought: return "arbitrage_bought";
    case LedgerCause::kPeakerFuel: return "peaker_fuel";
    case LedgerCause::kPeakerStarts: return "peaker_starts";
    case LedgerCause::kBatteryDegradation: return "battery_degradation";
    case LedgerCause::kInstabilityPenalty: return "instability_penalty";
  }
  return "unknown";
}

void Ledger::Add(const LedgerEntry& entry) {
  totals_[static_cast<int>(entry.cause)] += entry.amount_gbp;
}

double Ledger::Net() const {
  double net_gbp = 0.0;
  for (double total_gbp : totals_) net_gbp += total_gbp;
  return net_gbp;
}

std::vector<LedgerEntry> SettleBattery(const assets::BatteryParams& params,
                                       const assets::BatteryInterval& interval,
                                       double price_gbp_per_mwh, absl::Time interval_start,
                                       std::string note) {
  const double throughput_mwh = interval.charge_mwh + interval.discharge_mwh;
  return {
      {interval_start, LedgerCause::kArbitrageSold,
       Signed(interval.discharge_mwh * price_gbp_per_mwh), params.id, note},
      {interval_start, LedgerCause::kArbitrageBought,
       Signed(-interval.charge_mwh * price_gbp_per_mwh), params.id, note},
      {interval_start, LedgerCause::kBatteryDegradation,
       Signed(-throughput_mwh * params.degradation_gbp_per_mwh), params.id, std::move(note)},
  };
}

std::vector<LedgerEntry> SettlePeaker(const assets::PeakerParams& params,
                                      const assets::PeakerInterval& interval,
                                      absl::Duration duration, absl::Time interval_start) {
  const double energy_mwh = interval.output_mw * absl::ToDoubleHours(duration);
  return {
      {interval_start, LedgerCause::kPeakerFuel, Signed(-energy_mwh * params.fuel_gbp_per_mwh),
       params.id, ""},
      {interval_start, LedgerCause::kPeakerStarts,
       interval.started ? Signed(-params.start_cost_gbp) : 0.0, params.id, ""},
  };
}

double RampExcessMw(double previous_net_load_mw, double net_load_mw, double ramp_limit_mw) {
  // A missing reading (NaN) on either side is no evidence of a ramp: no penalty.
  const double change_mw = std::abs(net_load_mw - previous_net_load_mw);
  if (!std::isfinite(change_mw)) return 0.0;
  return std::max(0.0, change_mw - ramp_limit_mw);
}

LedgerEntry SettleInstability(double excess_mw, double penalty_gbp_per_mw,
                              absl::Time interval_start) {
  return {interval_start, LedgerCause::kInstabilityPenalty, Signed(-excess_mw * penalty_gbp_per_mw),
          "",
          excess_mw > 0 ? absl::StrFormat("net-load change %.3f MW beyond the ramp limit at "
                                          "%.2f GBP/MW",
                                          excess_mw, penalty_gbp_per_mw)
                        : ""};
}

}  // namespace gridpilot::market
