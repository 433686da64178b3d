// The features of the day-ahead national demand forecast: for one target half-hour of day
// D (UTC), what was known at the decision time, D-1 23:45 UTC (the "cut-off"). Training
// rows and evaluation (or serving) rows come from this one class, and every read of the
// data goes through two gates: an outturn value is known only if its half-hour had ended
// by the cut-off, a NESO forecast vintage only if it was published by the cut-off. So at
// 23:45 the last known ND is that of the half-hour starting 23:00; the one starting 23:30
// ends after the cut-off and is unknown.
//
// NESO vintages: PublishTime is taken as the instant the vintage became available, and
// one stamped exactly at the cut-off (23:45:00) counts as known (the decision is taken at
// the end of that minute). Vintages stamped 23:46 or later are not used for that day.
// Powers are GB MW, as in the shipped files.
#ifndef GRIDPILOT_CORE_FORECAST_DAY_AHEAD_DEMAND_FEATURES_H_
#define GRIDPILOT_CORE_FORECAST_DAY_AHEAD_DEMAND_FEATURES_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "core/base/holiday_calendar.h"
#include "core/data/grid_data_loader.h"
#include "core/data/grid_series.h"

namespace gridpilot::forecast {

// The decision time for the day starting at `day_start` (UTC midnight): 15 min before it.
absl::Time DayAheadCutoff(absl::Time day_start);

// A read-only view of the outturn series and the NESO vintages, cut at a chosen instant.
// Holds pointers: `series` and `neso` must outlive it. Thread-compatible (const methods
// only read). `neso` must be sorted by target, then publication time (as
// LoadDayAheadForecast returns it).
class DayAheadDemandFeatures {
 public:
  // The bank_holiday features read `holidays` (default: England & Wales, uk_calendar.h).
  DayAheadDemandFeatures(const data::GridSeries* series,
                         const std::vector<data::DayAheadForecastRow>* neso,
                         base::HolidayCalendar holidays = base::HolidayCalendar::Uk())
      : series_(series), neso_(neso), holidays_(std::move(holidays)) {}

  // ND of the half-hour starting at `interval_start` if that half-hour had ended by
  // `cutoff` and has a value; nullopt otherwise (also outside the series).
  std::optional<double> KnownNationalDemandMw(absl::Time interval_start, absl::Time cutoff) const;

  // NESO's forecast ND for the target half-hour: the latest vintage published at or before
  // `cutoff` that has a value; nullopt if there is none. *published (if not null) gets
  // that vintage's publication time.
  std::optional<double> NesoForecastMw(absl::Time target_start, absl::Time cutoff,
                                       absl::Time* published = nullptr) const;

  // Persistence baseline: ND of the same UTC half-hour on the latest earlier day for which
  // it had ended by the cut-off: D-1 for targets starting 00:00..23:00, D-2 for 23:30.
  std::optional<double> PersistenceMw(absl::Time target_start, absl::Time cutoff) const;

  // Seasonal naive baseline: ND of the same half-hour one week (7 x 24 h) earlier.
  std::optional<double> SeasonalNaiveMw(absl::Time target_start, absl::Time cutoff) const;

  // The value the model corrects: NESO's forecast when one is known at the cut-off, else
  // the seasonal naive value; nullopt when neither is known (no forecast is issued).
  std::optional<double> AnchorMw(absl::Time target_start, absl::Time cutoff) const;

  // The feature vector, in FeatureNames() order (NaN = unknown), for the target half-hour
  // starting at `target_start` as seen at `cutoff`. Reads only what the two gates above
  // let through, so changing data that ended or was published after `cutoff` cannot
  // change it.
  std::vector<float> Features(absl::Time target_start, absl::Time cutoff) const;

  // Names of the features, one per element of Features(). "dN" is the same UTC half-hour
  // N days (N x 24 h) before the target; local means the holiday calendar's clock (UK local
  // time unless the calendar is in a region's zone, holiday_calendar.h).
  static const std::vector<std::string>& FeatureNames();

  // The outturn ND of a half-hour with no gate: for scoring and training targets only.
  std::optional<double> ActualNationalDemandMw(absl::Time interval_start) const;

 private:
  const data::GridInterval* IntervalAt(absl::Time interval_start) const;

  const data::GridSeries* series_;
  const std::vector<data::DayAheadForecastRow>* neso_;
  base::HolidayCalendar holidays_;
};

}  // namespace gridpilot::forecast

#endif  // GRIDPILOT_CORE_FORECAST_DAY_AHEAD_DEMAND_FEATURES_H_
