// The forecast features of the region's net load, computed from the measurements seen so
// far. One FeatureStore is fed online by the forecast service (one Push per telemetry
// interval) and offline by the training-set builder over a whole history, so features
// used for training and for serving come from the same code by construction. It holds a
// fixed ring of the last eight days of intervals and never looks past its last push.
// Intervals are the region's (5, 15, 30 or 60 minutes; half-hours for GB): the lags and
// windows below are named in half-hours and mean the same stretch of time at any
// resolution (docs/decisions.md, "Native resolution").
#ifndef GRIDPILOT_CORE_FORECAST_FEATURE_STORE_H_
#define GRIDPILOT_CORE_FORECAST_FEATURE_STORE_H_

#include <array>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "core/base/holiday_calendar.h"
#include "core/data/day_ahead_forecast_row.h"
#include "core/data/grid_measurement.h"

namespace gridpilot::forecast {

// Not thread-safe: one owner pushes and reads (the caller serialises access).
// Copyable; a copy is a snapshot.
class FeatureStore {
 public:
  // Eight days of half-hours: last week's same period (lag 337) plus slack. At another
  // resolution, eight days of its intervals (Capacity()).
  static constexpr size_t kCapacityIntervals = 384;

  // The holiday feature reads `holidays` (default: England & Wales, uk_calendar.h).
  // `interval` is 5, 15, 30 or 60 minutes (anything else is taken as 30).
  FeatureStore();
  explicit FeatureStore(base::HolidayCalendar holidays,
                        absl::Duration interval = absl::Minutes(30));

  absl::Duration interval() const { return interval_; }
  size_t capacity() const { return capacity_; }  // intervals kept: eight days'
  // Intervals in a day at this store's resolution (48 at 30 minutes).
  size_t intervals_per_day() const { return per_day_; }

  // Appends the next interval. m.interval_start must lie on the UTC half-hour grid
  // (:00 or :30). The first push sets the start; a later push must be later than the
  // last by a whole number of half-hours: exactly one is the normal case, more is a gap
  // whose skipped intervals are stored as all-missing before m is appended. A repeated,
  // earlier or off-grid time returns InvalidArgument naming both times and leaves the
  // store unchanged. Price is not a feature and is not kept.
  absl::Status Push(const data::GridMeasurement& m);

  // Records one vintage of the grid operator's day-ahead demand forecast (region MW).
  // No look-ahead by construction: row.published must be before decision_time(), so a
  // vintage can only be pushed once the store has reached the first decision it may
  // inform; otherwise InvalidArgument naming both times, and the store is unchanged.
  // Per target the newest publication wins (an older one pushed later is ignored); a
  // missing value, or a target more than two intervals before decision_time(), is ignored.
  absl::Status PushDayAheadForecast(const data::DayAheadForecastRow& row);

  // The decision time the features are for: the last interval start + 30 min.
  // absl::InfinitePast() before the first push.
  absl::Time decision_time() const;

  // Number of half-hours held (pushed or gap-filled), at most kCapacityIntervals.
  size_t size() const { return size_; }

  // The feature vector for a decision at decision_time(), in FeatureNames() order.
  // Uses only intervals that started before decision_time(). Anything unknown (short
  // history, missing values) is NaN, XGBoost's missing value. Cheap: a few hundred
  // flops and no allocation beyond the returned vector.
  std::vector<float> Features() const;

  // Feature names, one per element of Features(). Power features are region MW.
  //   hour_of_day_{sin,cos}   angle 2*pi*(minutes since UTC midnight)/1440 of decision_time
  //   day_of_week_{sin,cos}   angle 2*pi*weekday/7, Monday = 0, of decision_time (UTC)
  //   day_of_year_{sin,cos}   angle 2*pi*(day of year - 1)/365.25, of decision_time (UTC)
  //   net_load_lag1_mw        net load of the last interval (lag k = interval starting at
  //                           decision_time - k*30 min)
  //   net_load_diff_lag{k}_lag{k+1}_mw, k = 1..11: lag_k - lag_(k+1)
  //   net_load_change_yesterday_mw        lag48 - lag49
  //   net_load_change_last_week_mw        lag336 - lag337
  //   net_load_change2_yesterday_mw       lag47 - lag49
  //   net_load_change2_last_week_mw       lag335 - lag337
  //   net_load_{mean,std}_{4,12,48}_mw    mean and population std over lags 1..n of the
  //                           values present (mean NaN if none, std NaN if fewer than 2)
  //   net_load_gradient_mw    mean of the last 3 differences = (lag1 - lag4) / 3
  //   embedded_solar_lag1_mw, embedded_wind_lag1_mw
  //   embedded_solar_diff_lag1_lag2_mw, embedded_wind_diff_lag1_lag2_mw
  //   renewable_penetration   (solar + wind) / (net + solar + wind) of lag 1; NaN unless
  //                           gross load > 0
  //   local_hour_of_day_{sin,cos}  as hour_of_day, in the calendar's local time (UK unless
  //                           the calendar is in a region's zone; demand follows it)
  //   bank_holiday            1 on a holiday of the store's calendar (its local day), else 0
  // From the operator's day-ahead forecast F (newest vintage pushed; NaN where none):
  //   day_ahead_change_h{h}_mw, h = 1..8: F(decision_time + (h-1)*30 min) - F(lag 1),
  //                           the operator's expected change at horizon h
  //   day_ahead_error_lag1_mw             lag1 - F(lag 1)
  //   day_ahead_error_diff_mw             (lag1 - F(lag 1)) - (lag2 - F(lag 2))
  static const std::vector<std::string>& FeatureNames();

  // Net load of the last interval; nullopt before the first push or if it was missing.
  std::optional<double> last_net_load_mw() const;

  // Net load of the interval starting at interval_start; nullopt if that interval is not
  // held (too old, not yet pushed, off-grid) or its value was missing.
  std::optional<double> NetLoadAt(absl::Time interval_start) const;

 private:
  // Value of lag k (1 = last interval) of a ring; NaN when not held. k >= 1.
  double Lag(const std::vector<double>& ring, size_t k) const;
  void Append(double net_load_mw, double solar_mw, double wind_mw);
  // Operator forecast of the interval starting at `target_start`; NaN if none held.
  double DayAheadAt(absl::Time target_start) const;

  struct DayAheadValue {
    absl::Time published;
    double demand_mw;
  };

  absl::Duration interval_;
  size_t per_day_;   // intervals per day
  size_t capacity_;  // 8 * per_day_
  std::vector<double> net_load_mw_;
  std::vector<double> solar_mw_;
  std::vector<double> wind_mw_;
  size_t next_ = 0;  // ring slot the next interval goes to
  size_t size_ = 0;  // intervals held
  absl::Time last_start_ = absl::InfinitePast();
  std::map<absl::Time, DayAheadValue> day_ahead_;  // by target start
  base::HolidayCalendar holidays_;
};

// Feeds a FeatureStore the day-ahead vintages it may see: holds vintages in publication
// order and pushes, on each call, those published before the store's decision time that
// it has not pushed yet. Offline replays give it every vintage at once; the forecast
// service adds them as the gateway publishes them. One feed per store; not thread-safe.
class DayAheadForecastFeed {
 public:
  DayAheadForecastFeed() = default;
  explicit DayAheadForecastFeed(const std::vector<data::DayAheadForecastRow>& vintages);
  // Queues vintages (any order) for later pushes.
  void Add(const std::vector<data::DayAheadForecastRow>& vintages);
  // Pushes the queued vintages published before store.decision_time(); later ones wait.
  absl::Status PushPublishedBefore(FeatureStore& store);
  size_t queued() const { return vintages_.size() - next_; }

 private:
  std::vector<data::DayAheadForecastRow> vintages_;  // by published, from next_ on
  size_t next_ = 0;
};

}  // namespace gridpilot::forecast

#endif  // GRIDPILOT_CORE_FORECAST_FEATURE_STORE_H_
