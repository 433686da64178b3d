// Scoring a series against itself: the detectors of series_anomaly_detector.h fitted on
// the very series they then judge, with `gridpilot detect`'s defaults (contamination
// 0.01, residual threshold 4, a flat line from the larger of 4 rows and one hour of rows).
// For a series that arrives on its own (an uploaded meter file, readings a program posts)
// with no history of its own to train on. Each row is still judged on the rows up to it,
// but the forest and the residual scale have seen the whole series: a batch verdict, not a
// forecast, so it is no look-ahead for decisions (nothing acts on it).
#ifndef GRIDPILOT_CORE_ANOMALY_SELF_FITTED_SCORING_H_
#define GRIDPILOT_CORE_ANOMALY_SELF_FITTED_SCORING_H_

#include <vector>

#include "absl/status/statusor.h"
#include "core/anomaly/regular_series.h"
#include "core/anomaly/series_anomaly_detector.h"

namespace gridpilot::anomaly {

struct SelfFittedScores {
  std::vector<ScoredReading> rows;  // one per row of the series
  double threshold = 0.0;           // score at or above which a row is flagged
  int flagged = 0;                  // rows with a kind other than kNone
};

// Fits and scores. InvalidArgument (the detectors' message) if they cannot be fitted.
// Pure; the same series gives the same scores (fixed seed).
absl::StatusOr<SelfFittedScores> ScoreSeriesAgainstItself(const RegularSeries& series);

}  // namespace gridpilot::anomaly

#endif  // GRIDPILOT_CORE_ANOMALY_SELF_FITTED_SCORING_H_
