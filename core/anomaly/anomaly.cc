#include "core/anomaly/anomaly.h"

#include <algorithm>
#include <numeric>

#include "absl/strings/str_format.h"

namespace gridpilot::anomaly {
namespace {

double MedianInPlace(std::vector<double>& v) {
  const size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + mid, v.end());
  double m = v[mid];
  if (v.size() % 2 == 0) m = 0.5 * (m + *std::max_element(v.begin(), v.begin() + mid));
  return m;
}

}  // namespace

std::string_view AnomalyKindName(AnomalyKind kind) {
  switch (kind) {
    case AnomalyKind::kNone: return "";
    case AnomalyKind::kSpike: return "spike";
    case AnomalyKind::kDrop: return "drop";
    case AnomalyKind::kFlatLine: return "flat_line";
    case AnomalyKind::kMissing: return "missing";
    case AnomalyKind::kFalseData: return "false_data";
  }
  return "";
}

FeatureBaseline FeatureBaseline::Fit(const AnomalyFeatureMatrix& training) {
  FeatureBaseline b;
  b.median.assign(training.feature_count, 0.0);
  b.scale.assign(training.feature_count, 1.0);
  std::vector<double> column;
  column.reserve(training.row_count);
  for (int f = 0; f < training.feature_count; ++f) {
    column.clear();
    for (size_t r = 0; r < training.row_count; ++r) {
      const double x = training.row(r)[f];
      if (!std::isnan(x)) column.push_back(x);
    }
    if (column.empty()) continue;
    const double median = MedianInPlace(column);
    for (double& x : column) x = std::abs(x - median);
    const double mean_abs = std::accumulate(column.begin(), column.end(), 0.0) / column.size();
    double scale = 1.4826 * MedianInPlace(column);
    if (!(scale > 0.0)) scale = 1.2533 * mean_abs;  // mean |x - m| of a normal is 0.798 sigma
    if (!(scale > 0.0)) scale = 1.0;
    b.median[f] = median;
    b.scale[f] = scale;
  }
  return b;
}

std::string TopFeatureDeviations(const double* row, const std::vector<std::string>& names,
                                 const FeatureBaseline& baseline, int count) {
  std::vector<int> order(names.size());
  std::iota(order.begin(), order.end(), 0);
  auto size = [&](int f) { return std::abs(baseline.RobustZ(f, row[f])); };
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return size(a) > size(b); });
  std::string out;
  for (int k = 0; k < count && k < static_cast<int>(order.size()); ++k) {
    const int f = order[k];
    if (k > 0) out += "; ";
    out += absl::StrFormat("%s %+.1f", names[f], baseline.RobustZ(f, row[f]));
  }
  return out;
}

double CombinedAnomalyScore(double forest_score, double forest_threshold, double residual_z,
                            double residual_threshold) {
  if (std::isnan(residual_z)) return forest_score;
  const double residual_score =
      std::pow(forest_threshold, residual_threshold / std::abs(residual_z));
  return std::max(forest_score, residual_score);
}

double FlatLineScore(int run_length, int flat_line_min_rows, double forest_threshold) {
  if (run_length < 1) return 0.0;
  return std::pow(forest_threshold, static_cast<double>(flat_line_min_rows) / run_length);
}

namespace {

std::string ResidualCause(const ResidualScore& residual) {
  return absl::StrFormat(
      "residual %+.1f robust sigma from the seasonal forecast %.6g (same time 1/7/14 days ago)",
      residual.z, residual.forecast);
}

}  // namespace

AnomalyLabel ClassifyAnomaly(const AnomalyEvidence& e, const AnomalyRules& rules) {
  AnomalyLabel label;
  if (std::isnan(e.value)) {
    label.kind = AnomalyKind::kMissing;
    label.cause = "no reading (empty field)";
  } else if (e.run_length >= rules.flat_line_min_rows) {
    label.kind = AnomalyKind::kFlatLine;
    label.cause =
        absl::StrFormat("value %.6g repeated for %d rows (stuck meter?)", e.value, e.run_length);
  } else if (e.forest_flagged) {
    const bool above = !std::isnan(e.recent_level) && e.value > e.recent_level;
    label.kind = above ? AnomalyKind::kSpike : AnomalyKind::kDrop;
    label.cause = absl::StrFormat("isolation score %.3f; %s robust z vs training median",
                                  e.forest_score, e.top_features);
    // Both detectors: the residual is what makes a reading suspect, so it is named too.
    if (e.residual.flagged) absl::StrAppend(&label.cause, "; ", ResidualCause(e.residual));
  } else if (e.residual.flagged) {
    label.kind = AnomalyKind::kFalseData;
    label.cause = ResidualCause(e.residual);
  }
  return label;
}

}  // namespace gridpilot::anomaly
