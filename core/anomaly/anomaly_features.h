// The feature rows the anomaly detectors see for a single regularly sampled column (a
// meter's or a region's readings, one row per step). Built here and only here, so the
// CLI, the tests and the benchmark (and anyone comparing with another library through
// `gridpilot detect --features`) use exactly the same numbers.
#ifndef GRIDPILOT_CORE_ANOMALY_ANOMALY_FEATURES_H_
#define GRIDPILOT_CORE_ANOMALY_ANOMALY_FEATURES_H_

#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace gridpilot::anomaly {

struct AnomalyFeatureOptions {
  // Rows per day of the series (48 for half-hours, 1440 for minutes): the lag of
  // diff_yesterday. Must be >= 1.
  int periods_per_day = 48;
  // Trailing windows, in rows, of the dev_mean_W and std_W features. Each must be >= 1.
  std::vector<int> window_rows = {4, 16, 64};
};

// Row-major feature matrix: values[r * feature_count + f].
struct AnomalyFeatureMatrix {
  std::vector<std::string> names;  // one per feature, in column order
  std::vector<double> values;
  size_t row_count = 0;
  int feature_count = 0;
  const double* row(size_t r) const { return values.data() + r * feature_count; }
};

// Features of each row i of `values` (units of the series; NaN = missing reading), in
// this order:
//   value          the reading itself
//   diff_prev      value - previous row's value
//   dev_mean_W     value - mean of the present values among the W rows before i   } for each
//   std_W          population standard deviation of those values                  } W in order
//   diff_yesterday value - value periods_per_day rows earlier
//   run_length     rows ending at i with exactly this value (1 = it changed)
// Contract on missing data: a row whose value is NaN gets NaN in every feature; every
// other row has only finite features. Where a reference is missing or before the start
// (first row, a missing neighbour, the first day, a window with no present value), the
// difference is 0 and the spread is 0: "no evidence of change". A missing reading ends a
// run. InvalidArgument for bad options or an infinite value. Pure.
absl::StatusOr<AnomalyFeatureMatrix> AnomalyFeatures(std::span<const double> values,
                                                     const AnomalyFeatureOptions& options);

// The last row of AnomalyFeatures(values, options) alone, bit for bit, as a one-row
// matrix (no row when `values` is empty): the cost of one row, not of every row. The
// same errors as AnomalyFeatures.
absl::StatusOr<AnomalyFeatureMatrix> AnomalyFeaturesOfLastRow(std::span<const double> values,
                                                              const AnomalyFeatureOptions& options);

// Index of the run_length column in a matrix built with `options`.
int RunLengthFeatureIndex(const AnomalyFeatureOptions& options);
// Index of the dev_mean column of the first (shortest listed) window.
inline constexpr int kFirstDevMeanFeatureIndex = 2;

}  // namespace gridpilot::anomaly

#endif  // GRIDPILOT_CORE_ANOMALY_ANOMALY_FEATURES_H_
