// The arbitrage trader's own half-hourly price view. The trader re-plans its battery
// schedule every interval from a price path it can compute locally, without waiting on
// the forecast service, so this forecaster is deliberately simple, cheap and transparent:
// a blend of yesterday and last week at the same half-hour, nudged by how today is running
// compared with yesterday.
//
// Method, for each target half-hour t given the forecast start s:
//   1. Daily anchor: the value at t - k days for the smallest k >= 1 with t - k days < s
//      (the most recent day whose price is known at s); if that value is missing, the next
//      older day, and so on through the kept history.
//   2. Weekly anchor: the value at t - 7k days for the smallest k >= 1 with t - 7k days < s;
//      skipped if missing (no older week is kept).
//   3. Blend: kDailyWeight * daily + kWeeklyWeight * weekly, renormalised over the anchors
//      present.
//   4. Level correction: over the last kLevelWindow observed prices before s (each paired
//      with the same half-hour one day earlier, pairs with a missing partner dropped),
//      shift = kLevelDamping * (mean(recent) - mean(day-earlier)). Added to every blended
//      target; 0 when no pair exists.
//   5. With neither anchor present the target is the last known price before s
//      (uncorrected), or 0 when nothing is known.
// Observations at or after s are never read, so a forecast is honest in a backtest even
// if the caller has (wrongly) observed the future.
#ifndef GRIDPILOT_CORE_PRICE_FORECASTER_H_
#define GRIDPILOT_CORE_PRICE_FORECASTER_H_

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "absl/time/time.h"

namespace gridpilot {

class PriceForecaster {
 public:
  static constexpr double kDailyWeight = 0.6;
  static constexpr double kWeeklyWeight = 0.4;
  static constexpr int kLevelWindow = 6;
  static constexpr double kLevelDamping = 0.5;
  // History kept, counted back from the newest observed half-hour.
  static constexpr int kHistoryDays = 8;

  // Records the price of the half-hour starting at `interval_start` (floored to the
  // half-hour grid), in £/MWh, possibly negative. nullopt records the interval as missing
  // (erasing an earlier value). Re-observing an interval overwrites it. Intervals older
  // than kHistoryDays before the newest observed one are dropped. Not thread-safe.
  void Observe(absl::Time interval_start, std::optional<double> price_gbp_per_mwh);

  // Forecast prices (£/MWh) of the `intervals` consecutive half-hours starting at
  // `first_interval_start` (floored to the half-hour grid), by the method above. Returns
  // an empty vector for intervals <= 0. Reads only observations before the start.
  std::vector<double> Forecast(absl::Time first_interval_start, int intervals) const;

 private:
  // Known prices by half-hour index since the Unix epoch; a missing interval has no entry.
  std::map<int64_t, double> prices_;
  std::optional<int64_t> newest_period_;
};

}  // namespace gridpilot

#endif  // GRIDPILOT_CORE_PRICE_FORECASTER_H_
