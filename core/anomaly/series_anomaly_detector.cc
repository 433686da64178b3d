#include "core/anomaly/series_anomaly_detector.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"

namespace gridpilot::anomaly {
namespace {

// The feature rows of the present readings, packed, and which rows they are.
std::vector<double> PresentRows(const AnomalyFeatureMatrix& m, std::vector<size_t>* which) {
  std::vector<double> packed;
  packed.reserve(m.values.size());
  for (size_t r = 0; r < m.row_count; ++r) {
    if (std::isnan(m.row(r)[0])) continue;
    packed.insert(packed.end(), m.row(r), m.row(r) + m.feature_count);
    if (which != nullptr) which->push_back(r);
  }
  return packed;
}

AnomalyFeatureOptions FeatureOptionsOf(const SeriesAnomalyOptions& options) {
  AnomalyFeatureOptions f = options.features;
  f.periods_per_day = options.residual.periods_per_day;
  return f;
}

}  // namespace

absl::StatusOr<SeriesAnomalyDetector> SeriesAnomalyDetector::Fit(
    std::span<const double> training, int first_period, const SeriesAnomalyOptions& options) {
  if (!(options.suspect_z > 0)) return absl::InvalidArgumentError("suspect_z must be > 0");
  ASSIGN_OR_RETURN(AnomalyFeatureMatrix features,
                   AnomalyFeatures(training, FeatureOptionsOf(options)));
  const std::vector<double> rows = PresentRows(features, nullptr);
  if (rows.empty()) return absl::InvalidArgumentError("has no values");
  ASSIGN_OR_RETURN(ml::IsolationForest forest,
                   ml::IsolationForest::Fit(rows, features.feature_count, options.forest));
  ASSIGN_OR_RETURN(ResidualDetector residual,
                   ResidualDetector::Fit(training, first_period, options.residual));
  FeatureBaseline baseline = FeatureBaseline::Fit(features);
  return SeriesAnomalyDetector(options, std::move(forest), std::move(baseline), std::move(residual),
                               features.names);
}

int SeriesAnomalyDetector::HistoryRows() const {
  const AnomalyFeatureOptions f = FeatureOptionsOf(options_);
  int rows = f.periods_per_day;  // diff_yesterday
  for (int w : f.window_rows) rows = std::max(rows, w);
  for (int lag : options_.residual.forecast_lag_days) {
    rows = std::max(rows, lag * options_.residual.periods_per_day);
  }
  // The run length counts back over identical values; a stuck meter is judged once its
  // run reaches flat_line_min_rows, so that much history suffices.
  return std::max(rows, options_.rules.flat_line_min_rows);
}

ScoredReading SeriesAnomalyDetector::Judge(const AnomalyFeatureMatrix& features, size_t row,
                                           double forest_score,
                                           const ResidualScore& residual) const {
  ScoredReading out;
  AnomalyEvidence e;
  e.value = features.row(row)[0];
  e.residual = residual;
  out.score = std::nan("");
  if (!std::isnan(e.value)) {
    const double* x = features.row(row);
    e.recent_level = e.value - x[kFirstDevMeanFeatureIndex];
    e.run_length = static_cast<int>(x[RunLengthFeatureIndex(FeatureOptionsOf(options_))]);
    e.forest_score = forest_score;
    e.forest_flagged = forest_score >= forest_.threshold();
    e.top_features = TopFeatureDeviations(x, feature_names_, baseline_, 2);
    out.score = std::max(
        CombinedAnomalyScore(forest_score, forest_.threshold(), residual.z, residual_.threshold()),
        FlatLineScore(e.run_length, options_.rules.flat_line_min_rows, forest_.threshold()));
  }
  out.value = e.value;
  out.residual = residual;
  out.label = ClassifyAnomaly(e, options_.rules);
  out.suspect = std::abs(residual.z) >= options_.suspect_z;  // false for a NaN z
  return out;
}

absl::StatusOr<std::vector<ScoredReading>> SeriesAnomalyDetector::ScoreAll(
    std::span<const double> values, int first_period) const {
  ASSIGN_OR_RETURN(AnomalyFeatureMatrix features,
                   AnomalyFeatures(values, FeatureOptionsOf(options_)));
  std::vector<size_t> present;
  const std::vector<double> rows = PresentRows(features, &present);
  std::vector<double> forest_scores(values.size(), std::nan(""));
  if (!rows.empty()) {
    ASSIGN_OR_RETURN(std::vector<double> scores, forest_.Score(rows));
    for (size_t k = 0; k < present.size(); ++k) forest_scores[present[k]] = scores[k];
  }
  ASSIGN_OR_RETURN(std::vector<ResidualScore> residuals, residual_.Score(values, first_period));
  std::vector<ScoredReading> out;
  out.reserve(values.size());
  for (size_t r = 0; r < values.size(); ++r) {
    out.push_back(Judge(features, r, forest_scores[r], residuals[r]));
  }
  return out;
}

absl::StatusOr<ScoredReading> SeriesAnomalyDetector::ScoreLast(std::span<const double> values,
                                                               int first_period) const {
  if (values.empty()) return absl::InvalidArgumentError("no reading to score");
  // Only the last row's features and residual: the cost of one row, not of the history.
  ASSIGN_OR_RETURN(AnomalyFeatureMatrix features,
                   AnomalyFeaturesOfLastRow(values, FeatureOptionsOf(options_)));
  const size_t last = values.size() - 1;
  const double forest_score =
      std::isnan(values[last]) ? std::nan("") : forest_.ScoreRow(features.row(0));
  ASSIGN_OR_RETURN(ResidualScore residual, residual_.ScoreLast(values, first_period));
  return Judge(features, 0, forest_score, residual);
}

}  // namespace gridpilot::anomaly
