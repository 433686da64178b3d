#include "core/anomaly/self_fitted_scoring.h"

#include <algorithm>

#include "core/base/status_macros.h"

namespace gridpilot::anomaly {

absl::StatusOr<SelfFittedScores> ScoreSeriesAgainstItself(const RegularSeries& series) {
  SeriesAnomalyOptions options;
  options.residual.periods_per_day = series.periods_per_day;
  options.residual.max_training_flag_share = options.forest.contamination;
  const int rows_per_hour = std::max(1, static_cast<int>(absl::Hours(1) / series.step));
  options.rules.flat_line_min_rows = std::max(4, rows_per_hour);
  ASSIGN_OR_RETURN(const SeriesAnomalyDetector detector,
                   SeriesAnomalyDetector::Fit(series.values, series.first_period, options));
  SelfFittedScores out;
  ASSIGN_OR_RETURN(out.rows, detector.ScoreAll(series.values, series.first_period));
  out.threshold = detector.threshold();
  out.flagged = static_cast<int>(std::count_if(out.rows.begin(), out.rows.end(), [](const auto& r) {
    return r.label.kind != AnomalyKind::kNone;
  }));
  return out;
}

}  // namespace gridpilot::anomaly
