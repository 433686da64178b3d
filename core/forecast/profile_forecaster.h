// The arbitrage trader's own half-hourly price view. The trader re-plans its battery
// schedule every interval from a price path it can compute locally, without waiting on
// the forecast service, so this forecaster is deliberately simple, cheap and transparent:
// for each half-hour, an exponentially weighted mean of the same half-hour on the recent
// days of the same kind (weekday or weekend).
//
// For arbitrage the SHAPE of the day matters far more than its level (the plan depends
// on which half-hours are dearer than which), and a single past day is a noisy shape: a
// plan built on yesterday alone trades on yesterday's accidents. Averaging many days
// gives a stable shape. What the trader adds on top of this profile is a learned
// correction (PriceProfileCorrection).
// Why these parameters: docs/decisions.md, "Profile forecaster".
//
// Method, for each target half-hour t given the forecast start s (both on the half-hour
// grid; a day is a UTC calendar day, a weekend day is a Saturday or Sunday):
//   1. Candidates: the values at t - d days for d = 1 .. kLookbackDays with
//      t - d days < s (known at s) and a price recorded, most recent first.
//   2. Same-kind profile: among the candidates on a day of the same kind as t's day, the
//      n-th (n = 0, 1, 2, ...) gets weight kDayDecay^n; the forecast is the weighted mean.
//   3. If no candidate is of the same kind, the same weighted mean over all candidates.
//   4. With no candidate at all, the last known price before s, or 0 when nothing is
//      known.
// Observations at or after s are never read, so a forecast is honest in a backtest even
// if the caller has (wrongly) observed the future. Forecast(48) reads at most
// 48 * kLookbackDays stored values (a few microseconds).
#ifndef GRIDPILOT_CORE_FORECAST_PROFILE_FORECASTER_H_
#define GRIDPILOT_CORE_FORECAST_PROFILE_FORECASTER_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "absl/time/time.h"

namespace gridpilot::forecast {

class ProfileForecaster {
 public:
  // `interval` (5, 15, 30 or 60 minutes; dividing a day) is the grid's period: the
  // half-hour of the comments here for GB, the region's resolution otherwise.
  explicit ProfileForecaster(absl::Duration interval = absl::Minutes(30));

  static constexpr int kLookbackDays = 28;
  static constexpr double kDayDecay = 0.9;
  // History kept, counted back from the newest observed half-hour: exactly what a
  // forecast starting right after it can read.
  static constexpr int kHistoryDays = kLookbackDays;

  // Records the price of the half-hour starting at `interval_start` (floored to the
  // half-hour grid), in £/MWh, possibly negative. nullopt records the interval as missing
  // (erasing an earlier value). Re-observing an interval overwrites it. Only the
  // kHistoryDays * 48 half-hours ending with the newest observed one are kept; an
  // observation older than that is ignored. Not thread-safe.
  void Observe(absl::Time interval_start, std::optional<double> price_gbp_per_mwh);

  // Forecast prices (£/MWh) of the `intervals` consecutive half-hours starting at
  // `first_interval_start` (floored to the half-hour grid), by the method above. Returns
  // an empty vector for intervals <= 0. Reads only observations before the start.
  std::vector<double> Forecast(absl::Time first_interval_start, int intervals) const;

 private:
  // The value kept for `period` (half-hour index since the Unix epoch) if it is known,
  // kept, and before `start`.
  std::optional<double> Known(int64_t period, int64_t start) const;
  // Interval index since the Unix epoch, floored so that times before 1970 also land in
  // the interval that contains them.
  int64_t PeriodIndex(absl::Time t) const;
  // Whether the UTC day containing `period` is a Saturday or Sunday. Day 0 (1970-01-01)
  // was a Thursday, so (day + 3) mod 7 counts from Monday = 0.
  bool IsWeekend(int64_t period) const;
  size_t Slot(int64_t period) const;

  absl::Duration interval_;
  int64_t periods_per_day_;
  int64_t kept_periods_;

  // Ring buffer over half-hour indices: slot period % size holds that period's price
  // (NaN when missing) and the period it belongs to.
  std::vector<double> price_gbp_per_mwh_;
  std::vector<int64_t> period_;
  std::optional<int64_t> newest_period_;
};

}  // namespace gridpilot::forecast

#endif  // GRIDPILOT_CORE_FORECAST_PROFILE_FORECASTER_H_
