#include "core/anomaly/anomaly_features.h"

#include <cmath>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace gridpilot::anomaly {

int RunLengthFeatureIndex(const AnomalyFeatureOptions& options) {
  return 3 + 2 * static_cast<int>(options.window_rows.size());
}

namespace {

// Checks the options and the values; the matrix's names and feature count.
absl::StatusOr<AnomalyFeatureMatrix> EmptyMatrix(std::span<const double> values,
                                                 const AnomalyFeatureOptions& options) {
  if (options.periods_per_day < 1) {
    return absl::InvalidArgumentError("periods_per_day must be >= 1");
  }
  for (const int w : options.window_rows) {
    if (w < 1) return absl::InvalidArgumentError(absl::StrCat("window of ", w, " rows"));
  }
  for (size_t i = 0; i < values.size(); ++i) {
    if (std::isinf(values[i])) {
      return absl::InvalidArgumentError(absl::StrCat("row ", i, ": value is infinite"));
    }
  }
  AnomalyFeatureMatrix m;
  m.names = {"value", "diff_prev"};
  for (const int w : options.window_rows) {
    m.names.push_back(absl::StrCat("dev_mean_", w));
    m.names.push_back(absl::StrCat("std_", w));
  }
  m.names.push_back("diff_yesterday");
  m.names.push_back("run_length");
  m.feature_count = static_cast<int>(m.names.size());
  return m;
}

// The features of row i (values[i] present) into out[0 .. feature_count).
void FillRow(std::span<const double> values, size_t i, double run_length,
             const AnomalyFeatureOptions& options, double* out) {
  const size_t lag_day = static_cast<size_t>(options.periods_per_day);
  const double x = values[i];
  int f = 0;
  out[f++] = x;
  out[f++] = (i > 0 && !std::isnan(values[i - 1])) ? x - values[i - 1] : 0.0;
  for (const int w : options.window_rows) {
    // Two passes over the window (mean, then squared deviations): exact enough for
    // readings of 1e4-1e5 MW, and cheap for windows of tens of rows.
    const size_t first = i >= static_cast<size_t>(w) ? i - w : 0;
    double sum = 0.0;
    int count = 0;
    for (size_t k = first; k < i; ++k) {
      if (!std::isnan(values[k])) {
        sum += values[k];
        ++count;
      }
    }
    double deviation = 0.0, spread = 0.0;
    if (count > 0) {
      const double mean = sum / count;
      double squares = 0.0;
      for (size_t k = first; k < i; ++k) {
        if (!std::isnan(values[k])) squares += (values[k] - mean) * (values[k] - mean);
      }
      deviation = x - mean;
      spread = std::sqrt(squares / count);
    }
    out[f++] = deviation;
    out[f++] = spread;
  }
  out[f++] = (i >= lag_day && !std::isnan(values[i - lag_day])) ? x - values[i - lag_day] : 0.0;
  out[f++] = run_length;
}

}  // namespace

absl::StatusOr<AnomalyFeatureMatrix> AnomalyFeatures(std::span<const double> values,
                                                     const AnomalyFeatureOptions& options) {
  absl::StatusOr<AnomalyFeatureMatrix> m = EmptyMatrix(values, options);
  if (!m.ok()) return m;
  m->row_count = values.size();
  m->values.assign(m->row_count * m->feature_count, std::nan(""));
  double run_length = 0.0;
  for (size_t i = 0; i < values.size(); ++i) {
    const double x = values[i];
    if (std::isnan(x)) {
      run_length = 0.0;
      continue;
    }
    run_length = (i > 0 && values[i - 1] == x) ? run_length + 1.0 : 1.0;
    FillRow(values, i, run_length, options, m->values.data() + i * m->feature_count);
  }
  return m;
}

absl::StatusOr<AnomalyFeatureMatrix> AnomalyFeaturesOfLastRow(
    std::span<const double> values, const AnomalyFeatureOptions& options) {
  absl::StatusOr<AnomalyFeatureMatrix> m = EmptyMatrix(values, options);
  if (!m.ok()) return m;
  if (values.empty()) return m;
  m->row_count = 1;
  m->values.assign(m->feature_count, std::nan(""));
  const size_t last = values.size() - 1;
  if (std::isnan(values[last])) return m;
  // The run ending at the last row, counted back: the count AnomalyFeatures reaches
  // forward (a NaN never equals its neighbour, so it ends a run either way).
  double run_length = 1.0;
  for (size_t i = last; i > 0 && values[i - 1] == values[i]; --i) run_length += 1.0;
  FillRow(values, last, run_length, options, m->values.data());
  return m;
}

}  // namespace gridpilot::anomaly
