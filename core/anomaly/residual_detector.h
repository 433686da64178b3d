// False-data detection by forecast residuals: a reading far from what the series' own
// recent days predict for that time of day, measured in robust units of how far readings
// at that time of day usually are from their forecast. It catches readings that look
// ordinary one at a time (in range, smooth, no jump) but drift away from the seasonal
// pattern, like a slow injected ramp, which value-based detectors such as the Isolation
// Forest (isolation_forest.h) do not see.
//
// Both work on the series smoothed by a trailing mean over smoothing_rows (30 minutes by
// default: no smoothing for half-hours, 30 rows for minutes). False data that builds slowly
// survives the mean, while a meter's minute-to-minute appliance switching, which would
// otherwise set the scale, does not; sudden single-row events are the forest's job.
//
// Forecast (SeasonalMedianForecast): the median of the readings at the same period of day
// 1, 7 and 14 days earlier (forecast_lag_days), present values only: yesterday for the
// recent level, last week and the week before for the day of the week, and the median so
// that one odd day (a spike, a holiday, an earlier attack) does not move it. It never uses
// the same day's readings, so a ramp that builds over hours is not followed.
// Why these lags and the training flag share: docs/decisions.md, "Residual detector".
//
// Scale, fitted on training data: for period of day p, with residual
// r = smoothed actual - forecast of the smoothed series,
// center_p = median(r) and scale_p = 1.4826 * median(|r - center_p|) over the training
// residuals of the periods within scale_pool_periods of p (circularly). Score:
// z = (r - center_p) / scale_p; |z| >= threshold() flags the row as false data, where
// threshold() is threshold_z unless that would flag more than max_training_flag_share of
// the training rows: then it is the |z| that flags exactly that share. A household meter's
// residuals are heavy-tailed (appliances switching), so a fixed threshold_z would flag too
// many of its rows; GB demand's threshold stays at threshold_z.
#ifndef GRIDPILOT_CORE_ANOMALY_RESIDUAL_DETECTOR_H_
#define GRIDPILOT_CORE_ANOMALY_RESIDUAL_DETECTOR_H_

#include <span>
#include <vector>

#include "absl/status/statusor.h"

namespace gridpilot::anomaly {

struct ResidualDetectorOptions {
  // Rows per day (48 for half-hours, 1440 for minutes). Must be >= 1.
  int periods_per_day = 48;
  // Rows of the trailing mean the detector works on; -1 means periods_per_day / 48 (at
  // least 1), i.e. 30 minutes.
  int smoothing_rows = -1;
  // Lags, in days, of the readings whose median is the forecast. Non-empty, each >= 1.
  std::vector<int> forecast_lag_days = {1, 7, 14};
  // Half-width, in periods of day, of the pool each period's scale is fitted on; -1 means
  // periods_per_day / 96 (0 for half-hours, 15 for minutes), so minute data pools each
  // minute with the quarter hour either side and has enough residuals per period.
  int scale_pool_periods = -1;
  // Periods whose pool has fewer training residuals than this use the all-day scale.
  int min_residuals_per_period = 8;
  // |z| at or above this flags a row (the least threshold()). Must be > 0.
  double threshold_z = 4.0;
  // The most of the training rows the threshold may flag, in (0, 1]; 1 = no limit.
  double max_training_flag_share = 0.01;
};

// Forecast of each row of `values` (NaN = missing): median of the present values at rows
// i - k * periods_per_day for k in lag_days; NaN when there is none (the first day). Pure.
std::vector<double> SeasonalMedianForecast(std::span<const double> values, int periods_per_day,
                                           std::span<const int> lag_days);

// Trailing mean of the present values among rows i - rows + 1 .. i; NaN where values[i] is
// NaN. Pure.
std::vector<double> TrailingMean(std::span<const double> values, int rows);

struct ResidualScore {
  double forecast = 0.0;  // of the smoothed series; NaN when no forecast (first day)
  double residual = 0.0;  // smoothed actual - forecast; NaN when either is missing
  double z = 0.0;         // standardised residual, signed; NaN when residual is
  bool flagged = false;   // |z| >= the detector's threshold()
};

class ResidualDetector {
 public:
  // Fits the per-period center and scale on `values`, a regular series whose row 0 is at
  // period of day `first_period` (0 <= first_period < periods_per_day; period 0 starts at
  // midnight). InvalidArgument for bad options or first_period, or when there are fewer
  // than min_residuals_per_period residuals in all (less than a day and a bit of data), or
  // when they have no spread at all (a constant series).
  static absl::StatusOr<ResidualDetector> Fit(std::span<const double> values, int first_period,
                                              const ResidualDetectorOptions& options);

  // Scores each row of `values` (its own history gives the forecast). Row 0 is at period
  // `first_period`; InvalidArgument if that is out of range. Thread-safe.
  absl::StatusOr<std::vector<ResidualScore>> Score(std::span<const double> values,
                                                   int first_period) const;

  // The last row of Score(values, first_period) alone, bit for bit (the smoothing still
  // runs over all of `values`: its running sums make each value depend on the first).
  // InvalidArgument as Score, and for empty `values`. Thread-safe.
  absl::StatusOr<ResidualScore> ScoreLast(std::span<const double> values, int first_period) const;

  // |z| that flags a row: max(threshold_z, the training |z| above which lies
  // max_training_flag_share of the training residuals).
  double threshold() const { return threshold_; }
  double center(int period) const { return center_[period]; }
  double scale(int period) const { return scale_[period]; }
  const ResidualDetectorOptions& options() const { return options_; }

 private:
  ResidualDetectorOptions options_;
  std::vector<double> center_;  // per period of day, units of the series
  std::vector<double> scale_;   // per period of day, > 0
  double threshold_ = 0.0;
};

}  // namespace gridpilot::anomaly

#endif  // GRIDPILOT_CORE_ANOMALY_RESIDUAL_DETECTOR_H_
