// SeriesAnomalyDetector: the whole anomaly pipeline for one regularly sampled column,
// fitted once and then applied to a batch or to the newest reading of a stream. It puts
// together the pieces of anomaly_features.h, isolation_forest.h, residual_detector.h and
// anomaly.h: features of each row, the forest's score on them, the residual from the
// seasonal forecast, one combined score and a kind with a cause (ClassifyAnomaly).
//
// Suspect readings: a reading whose residual is at least suspect_z robust sigmas from the
// seasonal forecast is "suspect", whatever kind the rules give it: the forecast says it
// cannot be true, so agents must not act on it. That is the false-data guard. suspect_z is
// above the residual detector's flagging threshold because holding costs the region its
// response (why 6: docs/decisions.md, "Series anomaly detector"). A spike the forest sees
// but the forecast does not rule out is reported and not suspect.
#ifndef GRIDPILOT_CORE_ANOMALY_SERIES_ANOMALY_DETECTOR_H_
#define GRIDPILOT_CORE_ANOMALY_SERIES_ANOMALY_DETECTOR_H_

#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/anomaly/anomaly.h"
#include "core/anomaly/anomaly_features.h"
#include "core/anomaly/residual_detector.h"
#include "core/ml/isolation_forest.h"

namespace gridpilot::anomaly {

struct SeriesAnomalyOptions {
  AnomalyFeatureOptions features;  // periods_per_day is taken from residual below
  ml::IsolationForestOptions forest;
  ResidualDetectorOptions residual;  // periods_per_day: rows per day of the series
  AnomalyRules rules;
  double suspect_z = 6.0;  // |residual z| at or above this: suspect, > 0
};

// One row's verdict.
struct ScoredReading {
  double value = 0.0;  // NaN = missing
  double score = 0.0;  // max(CombinedAnomalyScore, FlatLineScore); NaN if missing
  ResidualScore residual;
  AnomalyLabel label;    // kind kNone = not flagged
  bool suspect = false;  // |residual.z| >= suspect_z (see the file comment)
};

class SeriesAnomalyDetector {
 public:
  // Fits on `training` (NaN = missing), whose row 0 is at period of day `first_period`.
  // InvalidArgument naming the problem for bad options, no present value ("has no
  // values"), or what the forest or the residual detector refuse.
  static absl::StatusOr<SeriesAnomalyDetector> Fit(std::span<const double> training,
                                                   int first_period,
                                                   const SeriesAnomalyOptions& options);

  // Every row of `values` (row 0 at period `first_period`), each judged on the rows up to
  // and including it only. Thread-safe.
  absl::StatusOr<std::vector<ScoredReading>> ScoreAll(std::span<const double> values,
                                                      int first_period) const;

  // The last row of `values` only, equal to ScoreAll(values, first_period).back() but
  // scoring one row with the forest. `values` needs only the history the features and
  // the forecast look at: HistoryRows() rows before the last. Thread-safe.
  absl::StatusOr<ScoredReading> ScoreLast(std::span<const double> values, int first_period) const;

  // Rows of history before a reading that ScoreLast looks at.
  int HistoryRows() const;

  double threshold() const { return forest_.threshold(); }
  const ml::IsolationForest& forest() const { return forest_; }
  const ResidualDetector& residual_detector() const { return residual_; }
  const SeriesAnomalyOptions& options() const { return options_; }

 private:
  SeriesAnomalyDetector(SeriesAnomalyOptions options, ml::IsolationForest forest,
                        FeatureBaseline baseline, ResidualDetector residual,
                        std::vector<std::string> feature_names)
      : options_(std::move(options)),
        forest_(std::move(forest)),
        baseline_(std::move(baseline)),
        residual_(std::move(residual)),
        feature_names_(std::move(feature_names)) {}

  ScoredReading Judge(const AnomalyFeatureMatrix& features, size_t row, double forest_score,
                      const ResidualScore& residual) const;

  SeriesAnomalyOptions options_;
  ml::IsolationForest forest_;
  FeatureBaseline baseline_;
  ResidualDetector residual_;
  std::vector<std::string> feature_names_;
};

}  // namespace gridpilot::anomaly

#endif  // GRIDPILOT_CORE_ANOMALY_SERIES_ANOMALY_DETECTOR_H_
