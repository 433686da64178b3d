// What the arbitrage trader knows at one tick: the interval that has just ended (its price
// and the region's net load), whether the anomaly detectors judge that measurement
// suspect, the battery's state and what is already scheduled for it, the NESO day-ahead
// demand forecasts the tick brings, and the region's interval and ramp limit. It is the
// input of TradingPolicy::Decide (trading_policy.h); the agent fills it from the gateway's
// tick and nothing in it is a proto.
//
// Conventions: battery power > 0 discharges to the grid, < 0 charges; net load = demand -
// solar - wind, MW, one mean value per interval. The tick at time t decides the interval
// starting at t + interval (trading is scheduled one interval ahead); the interval
// starting at t is already scheduled.
#ifndef GRIDPILOT_CORE_CONTROL_TRADING_OBSERVATION_H_
#define GRIDPILOT_CORE_CONTROL_TRADING_OBSERVATION_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "core/assets/battery.h"

namespace gridpilot::control {

// One target of a NESO day-ahead demand forecast vintage.
struct DayAheadDemand {
  absl::Time target_start;  // start of the interval forecast
  double demand_mw = 0.0;   // region demand, MW
};

// The battery the trader trades, as the tick shows it.
struct TradingBattery {
  assets::BatteryParams params;     // the trading floor is soc_min + reserve
  double soc_mwh = 0.0;             // stored energy at the tick's time
  double scheduled_power_mw = 0.0;  // power scheduled for the interval starting at the
                                    // tick's time (the trader's own earlier proposal), MW
};

struct TradingObservation {
  // Settlement-interval boundary: only these ticks are decided; the others only bring
  // day-ahead vintages.
  bool interval_boundary = true;
  absl::Duration interval = absl::Minutes(30);  // the region's settlement interval
  double ramp_limit_mw = 0.0;  // the grid's tolerated change of net load per interval, MW;
                               // 0 = no step limit on the trader's plans
  // The battery's share of the region's expected net-load change that its steps lean with
  // and follow (trading_policy.h (d)), in (0, 1]: 1 for a region's only battery; with
  // several, the same share as its ramp limit's, so the fleet together leans as one battery.
  double load_change_share = 1.0;
  absl::Time measured_interval_start;       // start of the interval that has just ended
  std::optional<double> price_gbp_per_mwh;  // its price; nullopt when not known
  std::optional<double> net_load_mw;        // its measured net load; nullopt when missing
  // The anomaly detectors judge the measurement possibly false (no verdict = trusted).
  bool suspect = false;
  std::string suspect_cause;              // why, when suspect
  std::optional<TradingBattery> battery;  // nullopt: the region has no battery
  // Vintages published since the previous tick, in publication order: a later target
  // value replaces an earlier one.
  std::vector<DayAheadDemand> day_ahead_demand;
};

}  // namespace gridpilot::control

#endif  // GRIDPILOT_CORE_CONTROL_TRADING_OBSERVATION_H_
