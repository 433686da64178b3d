// What a flagged reading is and why: the kinds of anomaly gridpilot names, and the rules
// that turn the detectors' evidence for one row (Isolation Forest, forecast residual, run
// of identical values, missing value) into a kind and a one-line cause an operator can read.
// The detectors themselves are in isolation_forest.h and residual_detector.h, the features
// in anomaly_features.h.
#ifndef GRIDPILOT_CORE_ANOMALY_ANOMALY_H_
#define GRIDPILOT_CORE_ANOMALY_ANOMALY_H_

#include <cmath>
#include <string>
#include <string_view>
#include <vector>

#include "core/anomaly/anomaly_features.h"
#include "core/anomaly/residual_detector.h"

namespace gridpilot::anomaly {

enum class AnomalyKind {
  kNone,       // not flagged
  kSpike,      // flagged by the forest, above the recent level
  kDrop,       // flagged by the forest, below (or at) the recent level
  kFlatLine,   // the same value for flat_line_min_rows rows or more: a stuck meter
  kMissing,    // no reading (empty field)
  kFalseData,  // far from the seasonal forecast but not flagged by the forest
};

// "", "spike", "drop", "flat_line", "missing", "false_data".
std::string_view AnomalyKindName(AnomalyKind kind);

// Per-feature median and robust scale (1.4826 * MAD, falling back to 1.2533 * mean
// absolute deviation, then to 1, when a feature's MAD is 0) of the training rows, so a
// feature's deviation can be told in robust z units. Rows with a NaN are skipped.
struct FeatureBaseline {
  std::vector<double> median;
  std::vector<double> scale;  // > 0
  static FeatureBaseline Fit(const AnomalyFeatureMatrix& training);
  // (x - median) / scale of feature f.
  double RobustZ(int f, double x) const { return (x - median[f]) / scale[f]; }
};

// "value +8.3, diff_prev +6.1": the `count` features of `row` furthest from their training
// median in robust z units, largest first, signed. No commas (it goes into a CSV field).
std::string TopFeatureDeviations(const double* row, const std::vector<std::string>& names,
                                 const FeatureBaseline& baseline, int count);

// One score for both detectors, on the Isolation Forest's scale (0, 1]:
//   max(forest_score, forest_threshold ^ (residual_threshold / |z|)).
// The residual term is 0 at z = 0, rises towards 1 as |z| grows, and equals the forest's
// threshold exactly at |z| = residual_threshold, so score >= forest_threshold exactly when
// either detector flags the row. A NaN z (no forecast) leaves the forest score. Pure.
double CombinedAnomalyScore(double forest_score, double forest_threshold, double residual_z,
                            double residual_threshold);

// A run of identical values on the same scale: forest_threshold ^ (flat_line_min_rows /
// run_length), which equals the threshold when the run reaches flat_line_min_rows and rises
// towards 1 as a stuck meter stays stuck. 0 for run_length < 1. Pure.
double FlatLineScore(int run_length, int flat_line_min_rows, double forest_threshold);

// Everything the rules look at for one row.
struct AnomalyEvidence {
  double value = std::nan("");         // the reading; NaN = missing
  double recent_level = std::nan("");  // mean of the rows just before (shortest window)
  int run_length = 0;                  // rows ending here with exactly this value
  double forest_score = std::nan("");  // Isolation Forest score in (0, 1]
  bool forest_flagged = false;         // score >= the forest's threshold
  ResidualScore residual;              // the residual detector's verdict
  std::string top_features;            // TopFeatureDeviations of the row, for causes
};

struct AnomalyRules {
  // A run of identical values this long (in rows) or longer is a stuck meter. >= 2.
  int flat_line_min_rows = 60;
};

struct AnomalyLabel {
  AnomalyKind kind = AnomalyKind::kNone;
  std::string cause;  // empty when kind is kNone; never contains a comma
};

// The first rule that applies, in this order:
//   missing   value is NaN;
//   flat_line run_length >= flat_line_min_rows;
//   spike     forest flagged and value > recent_level; drop if value <= recent_level (or
//             no recent level); the cause names the residual too when it is flagged;
//   false_data residual flagged;
//   none      otherwise.
// Pure.
AnomalyLabel ClassifyAnomaly(const AnomalyEvidence& evidence, const AnomalyRules& rules);

}  // namespace gridpilot::anomaly

#endif  // GRIDPILOT_CORE_ANOMALY_ANOMALY_H_
