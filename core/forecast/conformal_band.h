// ConformalBand: an online split-conformal prediction interval for a forecast series of
// any one unit (net load in MW as the forecast service serves it; the trader's price
// forecasts in GBP/MWh, with its risk settings). Every value passed in, and every
// half-width given back, is in that series' unit. Per horizon, the absolute errors of the last
// `window` forecasts whose target interval has since been measured, and each new forecast gets a
// band of +/- the conformal quantile of those errors (only errors known when it is
// issued: no look-ahead). Before `min_errors` errors are known there is no band.
// Not thread-safe: its owner guards it.
#ifndef GRIDPILOT_CORE_FORECAST_CONFORMAL_BAND_H_
#define GRIDPILOT_CORE_FORECAST_CONFORMAL_BAND_H_

#include <deque>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "absl/time/time.h"

namespace gridpilot::forecast {

class ConformalBand {
 public:
  // `coverage` in (0, 1), e.g. 0.9; `window` >= 1 errors kept per horizon; `min_errors`
  // >= 1 errors needed before a band is given.
  ConformalBand(double coverage, int window, int min_errors);

  // Records a forecast of the series' value for the interval starting at `target`, made
  // `horizon` ahead. A later forecast of the same (horizon, target) replaces it; a
  // non-finite value is ignored.
  void AddForecast(absl::Duration horizon, absl::Time target, double value);

  // Records the measured value of the interval starting at `interval_start` and scores
  // every pending forecast of it. Forecasts of intervals before it that were never
  // measured (a missing reading) are dropped.
  void AddMeasurement(absl::Time interval_start, double value);

  // Half-width of the band for `horizon`, in the series' unit (>= 0): the ceil((n + 1) *
  // coverage)-th smallest of the n known absolute errors (the largest if that rank exceeds n).
  // nullopt while fewer than `min_errors` errors are known.
  std::optional<double> HalfWidth(absl::Duration horizon) const;

  // Absolute errors known for `horizon`.
  int ErrorCount(absl::Duration horizon) const;

 private:
  const double coverage_;
  const int window_;
  const int min_errors_;
  // horizon -> (target interval start -> forecast value), awaiting measurement.
  std::map<absl::Duration, std::map<absl::Time, double>> pending_;
  // horizon -> the last `window_` absolute errors, oldest first.
  std::map<absl::Duration, std::deque<double>> errors_;
  // horizon -> the same errors in ascending order, so that a half-width is one look-up.
  std::map<absl::Duration, std::vector<double>> sorted_errors_;
};

}  // namespace gridpilot::forecast

#endif  // GRIDPILOT_CORE_FORECAST_CONFORMAL_BAND_H_
