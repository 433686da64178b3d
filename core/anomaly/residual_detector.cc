#include "core/anomaly/residual_detector.h"

#include <algorithm>
#include <cmath>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace gridpilot::anomaly {
namespace {

constexpr double kMadToSigma = 1.4826;  // MAD of a normal distribution is 0.6745 sigma

// Median of `v` (non-empty); reorders it.
double MedianInPlace(std::vector<double>& v) {
  const size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + mid, v.end());
  double m = v[mid];
  if (v.size() % 2 == 0) m = 0.5 * (m + *std::max_element(v.begin(), v.begin() + mid));
  return m;
}

// Center (median) and scale (1.4826 MAD) of `v` (non-empty); reorders it.
std::pair<double, double> RobustCenterScale(std::vector<double>& v) {
  const double center = MedianInPlace(v);
  for (double& x : v) x = std::abs(x - center);
  return {center, kMadToSigma * MedianInPlace(v)};
}

absl::Status CheckOptions(const ResidualDetectorOptions& o) {
  if (o.periods_per_day < 1) return absl::InvalidArgumentError("periods_per_day must be >= 1");
  if (o.smoothing_rows < -1 || o.smoothing_rows == 0) {
    return absl::InvalidArgumentError("smoothing_rows must be >= 1 (or -1 for the default)");
  }
  if (o.forecast_lag_days.empty()) {
    return absl::InvalidArgumentError("forecast_lag_days must not be empty");
  }
  for (const int lag : o.forecast_lag_days) {
    if (lag < 1) return absl::InvalidArgumentError("forecast_lag_days must each be >= 1");
  }
  if (o.scale_pool_periods < -1) {
    return absl::InvalidArgumentError("scale_pool_periods must be >= 0 (or -1 for the default)");
  }
  if (o.min_residuals_per_period < 1) {
    return absl::InvalidArgumentError("min_residuals_per_period must be >= 1");
  }
  if (!(o.threshold_z > 0.0)) return absl::InvalidArgumentError("threshold_z must be > 0");
  if (!(o.max_training_flag_share > 0.0 && o.max_training_flag_share <= 1.0)) {
    return absl::InvalidArgumentError("max_training_flag_share must be in (0, 1]");
  }
  return absl::OkStatus();
}

absl::Status CheckFirstPeriod(int first_period, int periods_per_day) {
  if (first_period < 0 || first_period >= periods_per_day) {
    return absl::InvalidArgumentError(
        absl::StrCat("first_period ", first_period, " is not in [0, ", periods_per_day, ")"));
  }
  return absl::OkStatus();
}

int SmoothingRows(const ResidualDetectorOptions& o) {
  return o.smoothing_rows > 0 ? o.smoothing_rows : std::max(1, o.periods_per_day / 48);
}

}  // namespace

std::vector<double> TrailingMean(std::span<const double> values, int rows) {
  std::vector<double> mean(values.size(), std::nan(""));
  // Running sums over the window; a window is at most a few dozen readings of one meter, so
  // the cancellation of adding and removing is far below the readings' resolution.
  double sum = 0.0;
  int count = 0;
  const size_t width = static_cast<size_t>(std::max(rows, 1));
  for (size_t i = 0; i < values.size(); ++i) {
    if (!std::isnan(values[i])) {
      sum += values[i];
      ++count;
    }
    if (i >= width && !std::isnan(values[i - width])) {
      sum -= values[i - width];
      --count;
    }
    if (!std::isnan(values[i]) && count > 0) mean[i] = sum / count;
  }
  return mean;
}

std::vector<double> SeasonalMedianForecast(std::span<const double> values, int periods_per_day,
                                           std::span<const int> lag_days) {
  std::vector<double> forecast(values.size(), std::nan(""));
  std::vector<double> history;
  history.reserve(lag_days.size());
  const size_t day = static_cast<size_t>(std::max(periods_per_day, 1));
  for (size_t i = 0; i < values.size(); ++i) {
    history.clear();
    for (const int k : lag_days) {
      const size_t lag = static_cast<size_t>(std::max(k, 1)) * day;
      if (lag > i) continue;
      const double past = values[i - lag];
      if (!std::isnan(past)) history.push_back(past);
    }
    if (!history.empty()) forecast[i] = MedianInPlace(history);
  }
  return forecast;
}

absl::StatusOr<ResidualDetector> ResidualDetector::Fit(std::span<const double> values,
                                                       int first_period,
                                                       const ResidualDetectorOptions& options) {
  if (absl::Status s = CheckOptions(options); !s.ok()) return s;
  if (absl::Status s = CheckFirstPeriod(first_period, options.periods_per_day); !s.ok()) return s;
  const int periods = options.periods_per_day;
  const int pool = options.scale_pool_periods >= 0 ? options.scale_pool_periods : periods / 96;

  const std::vector<double> smoothed = TrailingMean(values, SmoothingRows(options));
  const std::vector<double> forecast =
      SeasonalMedianForecast(smoothed, periods, options.forecast_lag_days);
  std::vector<std::vector<double>> by_period(periods);
  std::vector<double> all;
  for (size_t i = 0; i < values.size(); ++i) {
    const double r = smoothed[i] - forecast[i];
    if (std::isnan(r)) continue;
    by_period[(first_period + i) % periods].push_back(r);
    all.push_back(r);
  }
  if (all.size() < static_cast<size_t>(options.min_residuals_per_period)) {
    return absl::InvalidArgumentError(
        absl::StrCat("training data gives ", all.size(), " forecast residuals, need at least ",
                     options.min_residuals_per_period, " (more than a day of readings)"));
  }
  const auto [all_center, all_scale] = RobustCenterScale(all);
  if (!(all_scale > 0.0)) {
    return absl::InvalidArgumentError(
        "training residuals have no spread (median absolute deviation 0): constant series?");
  }

  ResidualDetector detector;
  detector.options_ = options;
  detector.center_.assign(periods, all_center);
  detector.scale_.assign(periods, all_scale);
  std::vector<double> pooled;
  for (int p = 0; p < periods; ++p) {
    pooled.clear();
    // Each period of day at most once, even when the pool is wider than the day.
    const int half_width = std::min(pool, (periods - 1) / 2);
    for (int q = p - half_width; q <= p + half_width; ++q) {
      const std::vector<double>& r = by_period[((q % periods) + periods) % periods];
      pooled.insert(pooled.end(), r.begin(), r.end());
    }
    if (pooled.size() < static_cast<size_t>(options.min_residuals_per_period)) continue;
    const auto [center, scale] = RobustCenterScale(pooled);
    if (!(scale > 0.0)) continue;  // a period with no spread keeps the all-day scale
    detector.center_[p] = center;
    detector.scale_[p] = scale;
  }

  std::vector<double> training_z;
  training_z.reserve(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    const int p = static_cast<int>((first_period + i) % periods);
    const double z = (smoothed[i] - forecast[i] - detector.center_[p]) / detector.scale_[p];
    if (!std::isnan(z)) training_z.push_back(std::abs(z));
  }
  // The k-th largest |z| flags k rows: k = max_training_flag_share of them, at least one.
  const size_t k =
      std::clamp<size_t>(static_cast<size_t>(options.max_training_flag_share * training_z.size()),
                         1, training_z.size());
  std::nth_element(training_z.begin(), training_z.begin() + (k - 1), training_z.end(),
                   std::greater<>());
  detector.threshold_ = std::max(options.threshold_z, training_z[k - 1]);
  return detector;
}

absl::StatusOr<std::vector<ResidualScore>> ResidualDetector::Score(std::span<const double> values,
                                                                   int first_period) const {
  if (absl::Status s = CheckFirstPeriod(first_period, options_.periods_per_day); !s.ok()) return s;
  const int periods = options_.periods_per_day;
  const std::vector<double> smoothed = TrailingMean(values, SmoothingRows(options_));
  const std::vector<double> forecast =
      SeasonalMedianForecast(smoothed, periods, options_.forecast_lag_days);
  std::vector<ResidualScore> out(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    const int p = static_cast<int>((first_period + i) % periods);
    ResidualScore& s = out[i];
    s.forecast = forecast[i];
    s.residual = smoothed[i] - forecast[i];
    s.z = (s.residual - center_[p]) / scale_[p];
    s.flagged = std::abs(s.z) >= threshold_;  // false for NaN
  }
  return out;
}

absl::StatusOr<ResidualScore> ResidualDetector::ScoreLast(std::span<const double> values,
                                                          int first_period) const {
  if (absl::Status s = CheckFirstPeriod(first_period, options_.periods_per_day); !s.ok()) return s;
  if (values.empty()) return absl::InvalidArgumentError("no reading to score");
  const int periods = options_.periods_per_day;
  const std::vector<double> smoothed = TrailingMean(values, SmoothingRows(options_));
  const size_t last = values.size() - 1;
  // SeasonalMedianForecast's value for the last row.
  std::vector<double> history;
  history.reserve(options_.forecast_lag_days.size());
  const size_t day = static_cast<size_t>(std::max(periods, 1));
  for (const int k : options_.forecast_lag_days) {
    const size_t lag = static_cast<size_t>(std::max(k, 1)) * day;
    if (lag > last) continue;
    const double past = smoothed[last - lag];
    if (!std::isnan(past)) history.push_back(past);
  }
  ResidualScore s;
  s.forecast = history.empty() ? std::nan("") : MedianInPlace(history);
  const int p = static_cast<int>((first_period + last) % periods);
  s.residual = smoothed[last] - s.forecast;
  s.z = (s.residual - center_[p]) / scale_[p];
  s.flagged = std::abs(s.z) >= threshold_;  // false for NaN
  return s;
}

}  // namespace gridpilot::anomaly
