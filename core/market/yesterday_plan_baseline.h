// YesterdayPlanBaseline: the yardstick an arbitrage trader must beat, run alongside it
// in the same backtest. At each UTC midnight it plans the coming day with the trader's
// optimiser on YESTERDAY's actual prices (the simplest honest forecast), then runs that
// plan open loop on its own virtual battery, settled at the actual prices as they become
// known. It never sees a price before its interval has ended. Not thread-safe.
#ifndef GRIDPILOT_CORE_MARKET_YESTERDAY_PLAN_BASELINE_H_
#define GRIDPILOT_CORE_MARKET_YESTERDAY_PLAN_BASELINE_H_

#include <deque>
#include <optional>
#include <vector>

#include "absl/time/time.h"
#include "core/assets/battery.h"

namespace gridpilot::market {

class YesterdayPlanBaseline {
 public:
  // `battery` starts at soc_initial_mwh; trading keeps above soc_min + reserve.
  // `max_power_step_mw` is passed to the optimiser as the trader's is (0 = none).
  YesterdayPlanBaseline(assets::BatteryParams battery, absl::Duration interval,
                        double max_power_step_mw);

  // Advances to decision time `t` (consecutive calls, one interval apart), given the
  // price of the interval that has just ended ([t - interval, t); nullopt if missing:
  // settled at the last known price, as the gateway does). Settles the interval that
  // ended, plans at midnight, and applies the plan's setpoint for the interval at t.
  void Step(absl::Time t, std::optional<double> ended_interval_price_gbp_per_mwh);

  // Net of energy bought and sold and degradation so far, GBP (income > 0).
  double pnl_gbp() const { return pnl_gbp_; }

 private:
  assets::BatteryParams battery_;
  absl::Duration interval_;
  double max_power_step_mw_;
  double soc_mwh_;
  double power_mw_ = 0.0;  // setpoint of the interval in progress
  bool interval_in_progress_ = false;
  std::optional<double> last_price_;
  std::deque<std::optional<double>> recent_prices_;  // the last day, oldest first
  std::vector<double> plan_mw_;                      // today's plan, from midnight
  absl::Time plan_start_ = absl::InfinitePast();
  double pnl_gbp_ = 0.0;
};

}  // namespace gridpilot::market

#endif  // GRIDPILOT_CORE_MARKET_YESTERDAY_PLAN_BASELINE_H_
