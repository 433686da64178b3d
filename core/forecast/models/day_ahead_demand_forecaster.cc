#include "core/forecast/models/day_ahead_demand_forecaster.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <system_error>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/base/fnv1a.h"
#include "core/base/logging.h"
#include "core/base/status_macros.h"
#include "core/base/time_util.h"

namespace gridpilot::forecast::models {
namespace {

constexpr size_t kMinTrainingRows = 500;
constexpr int kIntervalsPerDay = 48;
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// Column of a feature by name; the names are fixed, so a miss is a programming error
// caught by every test.
size_t FeatureIndex(const std::string& name) {
  const std::vector<std::string>& names = DayAheadDemandFeatures::FeatureNames();
  return static_cast<size_t>(std::find(names.begin(), names.end(), name) - names.begin());
}

absl::Status CheckSet(const DayAheadTrainingSet& set) {
  if (set.cols != DayAheadDemandFeatures::FeatureNames().size() ||
      set.features.size() != set.rows * set.cols || set.actuals_mw.size() != set.rows ||
      set.neso_mw.size() != set.rows || set.seasonal_naive_mw.size() != set.rows) {
    return absl::InvalidArgumentError("day-ahead training set has inconsistent sizes");
  }
  return absl::OkStatus();
}

bool IsUtcMidnight(absl::Time t) {
  return absl::ToCivilDay(t, absl::UTCTimeZone()) == absl::ToCivilSecond(t, absl::UTCTimeZone());
}

}  // namespace

std::vector<float> WithoutNesoFeatures(std::vector<float> row) {
  const std::vector<std::string>& names = DayAheadDemandFeatures::FeatureNames();
  for (size_t c = 0; c < names.size() && c < row.size(); ++c) {
    if (names[c].rfind("neso", 0) == 0) row[c] = std::numeric_limits<float>::quiet_NaN();
  }
  return row;
}

absl::StatusOr<DayAheadTrainingSet> BuildDayAheadTrainingSet(const DayAheadDemandFeatures& features,
                                                             absl::Time first_day,
                                                             absl::Time end_day) {
  if (!IsUtcMidnight(first_day) || !IsUtcMidnight(end_day) || first_day >= end_day) {
    return absl::InvalidArgumentError(
        absl::StrCat("training days ", base::FormatUtcTimestamp(first_day), " .. ",
                     base::FormatUtcTimestamp(end_day), " are not a span of UTC days"));
  }
  DayAheadTrainingSet set;
  set.cols = DayAheadDemandFeatures::FeatureNames().size();
  for (absl::Time day = first_day; day < end_day; day += absl::Hours(24)) {
    const absl::Time cutoff = DayAheadCutoff(day);
    for (int i = 0; i < kIntervalsPerDay; ++i) {
      const absl::Time target = day + i * base::kHalfHour;
      const std::optional<double> actual = features.ActualNationalDemandMw(target);
      const std::optional<double> neso = features.NesoForecastMw(target, cutoff);
      const std::optional<double> seasonal = features.SeasonalNaiveMw(target, cutoff);
      if (!actual.has_value() || (!neso.has_value() && !seasonal.has_value())) continue;
      const std::vector<float> row = features.Features(target, cutoff);
      set.features.insert(set.features.end(), row.begin(), row.end());
      set.actuals_mw.push_back(static_cast<float>(*actual));
      set.neso_mw.push_back(neso.has_value() ? static_cast<float>(*neso) : kNaN);
      set.seasonal_naive_mw.push_back(seasonal.has_value() ? static_cast<float>(*seasonal) : kNaN);
      set.target_starts.push_back(target);
    }
  }
  set.rows = set.actuals_mw.size();
  return set;
}

uint64_t DayAheadModelFingerprint(const DayAheadTrainingSet& set, const ml::XgboostParams& params) {
  base::Fnv1a fnv;
  for (const std::string& name : DayAheadDemandFeatures::FeatureNames()) {
    fnv.Bytes(name.data(), name.size() + 1);  // with the terminator, so names can't merge
  }
  fnv.Value(static_cast<uint64_t>(set.rows));
  fnv.Value(static_cast<uint64_t>(set.cols));
  fnv.Bytes(set.features.data(), set.features.size() * sizeof(float));
  fnv.Bytes(set.actuals_mw.data(), set.actuals_mw.size() * sizeof(float));
  fnv.Bytes(set.neso_mw.data(), set.neso_mw.size() * sizeof(float));
  fnv.Bytes(set.seasonal_naive_mw.data(), set.seasonal_naive_mw.size() * sizeof(float));
  for (absl::Time t : set.target_starts) fnv.Value(absl::ToUnixNanos(t));
  ml::AddToFingerprint(params, &fnv);
  return fnv.hash();
}

int NesoLeadBand(double lead_hours) {
  return std::clamp(static_cast<int>(std::floor(lead_hours / 6.0)), 0, kNesoLeadBands - 1);
}

std::vector<double> FitNesoErrorBetas(const DayAheadTrainingSet& set) {
  return FitNesoErrorBetas(set, absl::InfinitePast(), absl::InfiniteFuture());
}

std::vector<double> FitNesoErrorBetas(const DayAheadTrainingSet& set, absl::Time first_target,
                                      absl::Time end_target) {
  const bool windowed =
      first_target != absl::InfinitePast() || end_target != absl::InfiniteFuture();
  const size_t lead_col = FeatureIndex("neso_lead_hours");
  const size_t error_col = FeatureIndex("neso_error_last_known_mw");
  std::vector<double> xy(kNesoLeadBands, 0.0), xx(kNesoLeadBands, 0.0);
  for (size_t r = 0; r < set.rows; ++r) {
    const float error = set.features[r * set.cols + error_col];
    if (std::isnan(set.neso_mw[r]) || std::isnan(error)) continue;
    if (windowed && (r >= set.target_starts.size() || set.target_starts[r] < first_target ||
                     set.target_starts[r] >= end_target)) {
      continue;
    }
    const int band = NesoLeadBand(set.features[r * set.cols + lead_col]);
    xy[band] += static_cast<double>(error) * (set.actuals_mw[r] - set.neso_mw[r]);
    xx[band] += static_cast<double>(error) * error;
  }
  std::vector<double> betas(kNesoLeadBands, 0.0);
  for (int b = 0; b < kNesoLeadBands; ++b) {
    if (xx[b] > 0) betas[b] = xy[b] / xx[b];
  }
  return betas;
}

absl::StatusOr<DayAheadDemandForecaster> DayAheadDemandForecaster::Train(
    const DayAheadTrainingSet& set, const ml::XgboostParams& params) {
  RETURN_IF_ERROR(CheckSet(set));
  std::vector<float> features, targets;
  for (size_t r = 0; r < set.rows; ++r) {
    if (std::isnan(set.seasonal_naive_mw[r])) continue;
    const std::vector<float> masked = WithoutNesoFeatures(std::vector<float>(
        set.features.begin() + r * set.cols, set.features.begin() + (r + 1) * set.cols));
    features.insert(features.end(), masked.begin(), masked.end());
    targets.push_back(set.actuals_mw[r] - set.seasonal_naive_mw[r]);
  }
  if (targets.size() < kMinTrainingRows) {
    return absl::InvalidArgumentError(absl::StrCat("only ", targets.size(),
                                                   " day-ahead training rows with a known outturn "
                                                   "and ND a week earlier, need at least ",
                                                   kMinTrainingRows));
  }
  ASSIGN_OR_RETURN(
      std::unique_ptr<ml::XgboostRegressor> fallback,
      ml::XgboostRegressor::Train(features, targets.size(), set.cols, targets, params));
  return DayAheadDemandForecaster(FitNesoErrorBetas(set), std::move(fallback));
}

absl::StatusOr<DayAheadDemandForecaster> DayAheadDemandForecaster::LoadOrTrain(
    const std::string& model_dir, const DayAheadTrainingSet& set, const ml::XgboostParams& params) {
  RETURN_IF_ERROR(CheckSet(set));
  std::error_code ec;
  std::filesystem::create_directories(model_dir, ec);
  if (ec) {
    return absl::InternalError(
        absl::StrCat("cannot create model directory ", model_dir, ": ", ec.message()));
  }
  const std::string path =
      (std::filesystem::path(model_dir) / absl::StrFormat("day_ahead_demand_fallback_%016x.json",
                                                          DayAheadModelFingerprint(set, params)))
          .string();
  if (std::filesystem::exists(path, ec)) {
    absl::StatusOr<std::unique_ptr<ml::XgboostRegressor>> fallback =
        ml::XgboostRegressor::LoadJson(path);
    if (fallback.ok() && (*fallback)->num_features() == set.cols) {
      base::LogInfo(absl::StrCat("loaded day-ahead demand model ", path));
      return DayAheadDemandForecaster(FitNesoErrorBetas(set), std::move(*fallback));
    }
    // A damaged cache file is not fatal: the data to rebuild it is at hand.
    base::LogWarning(absl::StrCat("retraining day-ahead demand model: cannot use ", path));
  }
  ASSIGN_OR_RETURN(DayAheadDemandForecaster forecaster, Train(set, params));
  RETURN_IF_ERROR(forecaster.fallback_model_->SaveJson(path));
  base::LogInfo(absl::StrCat("trained and saved day-ahead demand model ", path));
  return forecaster;
}

absl::StatusOr<DayAheadDemandForecaster> DayAheadDemandForecaster::WithNesoErrorBetas(
    std::vector<double> betas) const {
  if (betas.size() != static_cast<size_t>(kNesoLeadBands) ||
      !std::all_of(betas.begin(), betas.end(), [](double b) { return std::isfinite(b); })) {
    return absl::InvalidArgumentError(
        absl::StrCat("the NESO correction needs ", kNesoLeadBands, " finite slopes"));
  }
  return DayAheadDemandForecaster(std::move(betas), fallback_model_);
}

absl::StatusOr<std::optional<double>> DayAheadDemandForecaster::Forecast(
    const DayAheadDemandFeatures& features, absl::Time target_start, absl::Time cutoff) const {
  const std::vector<float> row = features.Features(target_start, cutoff);
  const float neso = row[FeatureIndex("neso_forecast_mw")];
  if (!std::isnan(neso)) {
    const float error = row[FeatureIndex("neso_error_last_known_mw")];
    const double beta = neso_error_betas_[NesoLeadBand(row[FeatureIndex("neso_lead_hours")])];
    return std::optional<double>(neso + (std::isnan(error) ? 0.0 : beta * error));
  }
  return FallbackFromRow(row);
}

absl::StatusOr<std::optional<double>> DayAheadDemandForecaster::FallbackForecast(
    const DayAheadDemandFeatures& features, absl::Time target_start, absl::Time cutoff) const {
  return FallbackFromRow(features.Features(target_start, cutoff));
}

absl::StatusOr<std::optional<double>> DayAheadDemandForecaster::FallbackFromRow(
    const std::vector<float>& row) const {
  const float week_ago = row[FeatureIndex("nd_d7_mw")];
  if (std::isnan(week_ago)) return std::optional<double>();
  absl::StatusOr<double> change = fallback_model_->Predict(WithoutNesoFeatures(row));
  if (!change.ok()) return absl::InternalError(change.status().message());
  return std::optional<double>(week_ago + *change);
}

}  // namespace gridpilot::forecast::models
