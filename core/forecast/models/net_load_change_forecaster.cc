#include "core/forecast/models/net_load_change_forecaster.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <system_error>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/base/fnv1a.h"
#include "core/base/logging.h"
#include "core/base/status_macros.h"
#include "core/base/time_util.h"

namespace gridpilot::forecast::models {
namespace {

constexpr size_t kMinTrainingRows = 1000;
constexpr char kThresholdAttribute[] = "event_threshold_mw";

absl::Status ValidateHorizons(const std::vector<int>& horizons) {
  if (horizons.empty()) return absl::InvalidArgumentError("no horizons given");
  absl::flat_hash_set<int> seen;
  for (int h : horizons) {
    if (h < 1) return absl::InvalidArgumentError(absl::StrCat("horizon ", h, " is < 1"));
    if (!seen.insert(h).second) {
      return absl::InvalidArgumentError(absl::StrCat("horizon ", h, " is repeated"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<double> AbsChangeQuantile(const std::vector<data::GridMeasurement>& measurements,
                                         double q, absl::Duration interval) {
  if (!(q > 0.0 && q <= 1.0)) {
    return absl::InvalidArgumentError(absl::StrCat("quantile ", q, " not in (0, 1]"));
  }
  std::vector<double> changes;
  for (size_t i = 1; i < measurements.size(); ++i) {
    const data::GridMeasurement& a = measurements[i - 1];
    const data::GridMeasurement& b = measurements[i];
    if (b.interval_start - a.interval_start != interval) continue;
    if (a.net_load_mw.has_value() && b.net_load_mw.has_value()) {
      changes.push_back(std::abs(*b.net_load_mw - *a.net_load_mw));
    }
  }
  if (changes.empty()) {
    return absl::InvalidArgumentError("no two consecutive intervals with a known net load");
  }
  // Nearest rank: the ceil(q * n)-th smallest.
  const size_t rank = std::max<size_t>(1, static_cast<size_t>(std::ceil(q * changes.size())));
  std::nth_element(changes.begin(), changes.begin() + (rank - 1), changes.end());
  return changes[rank - 1];
}

absl::StatusOr<TrainingSet> BuildChangeTrainingSet(
    const std::vector<data::GridMeasurement>& history, const std::vector<int>& horizons,
    const std::vector<data::DayAheadForecastRow>& day_ahead, const base::HolidayCalendar& holidays,
    absl::Duration interval) {
  for (int h : horizons) {
    if (h < 1) return absl::InvalidArgumentError(absl::StrCat("horizon ", h, " is < 1"));
  }
  TrainingSet set;
  set.cols = FeatureStore::FeatureNames().size();
  set.targets.resize(horizons.size());
  if (history.empty()) return set;

  // Net load on the regular half-hour grid from the first interval, so targets can be
  // read by offset even across gaps. Only pushes the store accepted are indexed.
  const absl::Time first_start = history.front().interval_start;
  std::vector<double> net_by_offset;
  std::vector<size_t> row_offsets;
  FeatureStore store(holidays, interval);
  DayAheadForecastFeed feed(day_ahead);
  const size_t warm_up = ChangeWarmUpIntervals(store.interval());
  for (const data::GridMeasurement& m : history) {
    RETURN_IF_ERROR(store.Push(m));
    RETURN_IF_ERROR(feed.PushPublishedBefore(store));
    const size_t offset = static_cast<size_t>((m.interval_start - first_start) / store.interval());
    net_by_offset.resize(offset + 1, std::numeric_limits<double>::quiet_NaN());
    net_by_offset[offset] = m.net_load_mw.value_or(std::numeric_limits<double>::quiet_NaN());
    if (offset + 1 < warm_up) continue;
    const std::vector<float> row = store.Features();
    set.features.insert(set.features.end(), row.begin(), row.end());
    set.decision_times.push_back(store.decision_time());
    row_offsets.push_back(offset);
  }
  set.rows = row_offsets.size();

  for (size_t j = 0; j < horizons.size(); ++j) {
    std::vector<float>& targets = set.targets[j];
    targets.reserve(set.rows);
    for (size_t offset : row_offsets) {
      const size_t target_offset = offset + static_cast<size_t>(horizons[j]);
      // NaN minus anything is NaN, so an unknown end or start gives an unknown target.
      targets.push_back(
          target_offset < net_by_offset.size()
              ? static_cast<float>(net_by_offset[target_offset] - net_by_offset[offset])
              : std::numeric_limits<float>::quiet_NaN());
    }
  }
  return set;
}

uint64_t ChangeModelFingerprint(const std::vector<data::GridMeasurement>& history,
                                const std::vector<int>& horizons, const ml::XgboostParams& params,
                                const std::vector<data::DayAheadForecastRow>& day_ahead,
                                const base::HolidayCalendar& holidays, absl::Duration interval) {
  base::Fnv1a fnv;
  for (const std::string& name : FeatureStore::FeatureNames()) {
    fnv.Bytes(name.data(), name.size() + 1);  // with the terminator, so names can't merge
  }
  fnv.Value(static_cast<uint64_t>(history.size()));
  for (const data::GridMeasurement& m : history) {
    fnv.Value(absl::ToUnixNanos(m.interval_start));
    fnv.Optional(m.net_load_mw);
    fnv.Optional(m.embedded_solar_mw);
    fnv.Optional(m.embedded_wind_mw);
    fnv.Optional(m.price_gbp_per_mwh);
  }
  fnv.Value(static_cast<uint64_t>(horizons.size()));
  for (int h : horizons) fnv.Value(h);
  ml::AddToFingerprint(params, &fnv);
  // Only the vintages a training row can see: those published by the last decision time.
  const absl::Time end =
      history.empty() ? absl::InfinitePast() : history.back().interval_start + interval;
  for (const data::DayAheadForecastRow& row : day_ahead) {
    if (row.published < end) {
      fnv.Value(absl::ToUnixNanos(row.target_start));
      fnv.Value(absl::ToUnixNanos(row.published));
      fnv.Optional(row.net_load_mw);
    }
  }
  holidays.AddToFingerprint(&fnv);
  // Half-hourly keys are as they were, so existing caches are still found.
  if (interval != base::kHalfHour) fnv.Value(absl::ToInt64Minutes(interval));
  return fnv.hash();
}

absl::StatusOr<NetLoadChangeForecaster> NetLoadChangeForecaster::Train(
    const std::vector<data::GridMeasurement>& history, const std::vector<int>& horizons,
    const ml::XgboostParams& params, const std::vector<data::DayAheadForecastRow>& day_ahead,
    const base::HolidayCalendar& holidays, absl::Duration interval) {
  RETURN_IF_ERROR(ValidateHorizons(horizons));
  ASSIGN_OR_RETURN(const TrainingSet set,
                   BuildChangeTrainingSet(history, horizons, day_ahead, holidays, interval));
  std::vector<std::shared_ptr<const ml::XgboostRegressor>> models;
  for (size_t j = 0; j < horizons.size(); ++j) {
    std::vector<float> features;
    std::vector<float> targets;
    features.reserve(set.features.size());
    targets.reserve(set.rows);
    for (size_t r = 0; r < set.rows; ++r) {
      if (std::isnan(set.targets[j][r])) continue;
      targets.push_back(set.targets[j][r]);
      features.insert(features.end(), set.features.begin() + r * set.cols,
                      set.features.begin() + (r + 1) * set.cols);
    }
    if (targets.size() < kMinTrainingRows) {
      return absl::InvalidArgumentError(absl::StrCat(
          "horizon ", horizons[j], ": only ", targets.size(),
          " rows with a known target, need at least ", kMinTrainingRows, " (history of ",
          history.size(), " intervals, ", ChangeWarmUpIntervals(interval), " of them warm-up)"));
    }
    ASSIGN_OR_RETURN(
        std::unique_ptr<ml::XgboostRegressor> model,
        ml::XgboostRegressor::Train(features, targets.size(), set.cols, targets, params));
    models.push_back(std::move(model));
  }
  const auto h1 = std::find(horizons.begin(), horizons.end(), 1);
  if (h1 == horizons.end())
    return NetLoadChangeForecaster(horizons, std::move(models), nullptr, 0.0);

  // The ramp alarm: P(|30-min change| > threshold), on the same rows.
  ASSIGN_OR_RETURN(const double threshold_mw,
                   AbsChangeQuantile(history, kRampEventQuantile, interval));
  const std::vector<float>& changes = set.targets[h1 - horizons.begin()];
  std::vector<float> features, events;
  for (size_t r = 0; r < set.rows; ++r) {
    if (std::isnan(changes[r])) continue;
    events.push_back(std::abs(changes[r]) > threshold_mw ? 1.0f : 0.0f);
    features.insert(features.end(), set.features.begin() + r * set.cols,
                    set.features.begin() + (r + 1) * set.cols);
  }
  ml::XgboostParams classifier = params;
  classifier.objective = "binary:logistic";
  ASSIGN_OR_RETURN(
      std::unique_ptr<ml::XgboostRegressor> ramp_model,
      ml::XgboostRegressor::Train(features, events.size(), set.cols, events, classifier));
  RETURN_IF_ERROR(
      ramp_model->SetAttribute(kThresholdAttribute, absl::StrFormat("%.17g", threshold_mw)));
  return NetLoadChangeForecaster(horizons, std::move(models), std::move(ramp_model), threshold_mw);
}

std::optional<double> NetLoadChangeForecaster::ramp_threshold_mw() const {
  if (ramp_model_ == nullptr) return std::nullopt;
  return ramp_threshold_mw_;
}

std::string NetLoadChangeForecaster::ModelFileName(int horizon, const std::string& suffix) {
  return absl::StrCat("change_h", horizon, suffix, ".json");
}

std::string NetLoadChangeForecaster::RampModelFileName(const std::string& suffix) {
  return absl::StrCat("ramp_h1", suffix, ".json");
}

absl::Status NetLoadChangeForecaster::Save(const std::string& dir,
                                           const std::string& suffix) const {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return absl::InternalError(
        absl::StrCat("cannot create model directory ", dir, ": ", ec.message()));
  }
  for (size_t j = 0; j < horizons_.size(); ++j) {
    RETURN_IF_ERROR(models_[j]->SaveJson(
        (std::filesystem::path(dir) / ModelFileName(horizons_[j], suffix)).string()));
  }
  if (ramp_model_ != nullptr) {
    RETURN_IF_ERROR(
        ramp_model_->SaveJson((std::filesystem::path(dir) / RampModelFileName(suffix)).string()));
  }
  return absl::OkStatus();
}

absl::StatusOr<NetLoadChangeForecaster> NetLoadChangeForecaster::Load(
    const std::string& dir, const std::vector<int>& horizons, const std::string& suffix) {
  RETURN_IF_ERROR(ValidateHorizons(horizons));
  std::vector<std::shared_ptr<const ml::XgboostRegressor>> models;
  for (int h : horizons) {
    const std::string path = (std::filesystem::path(dir) / ModelFileName(h, suffix)).string();
    ASSIGN_OR_RETURN(std::unique_ptr<ml::XgboostRegressor> model,
                     ml::XgboostRegressor::LoadJson(path));
    if (model->num_features() != FeatureStore::FeatureNames().size()) {
      return absl::InvalidArgumentError(absl::StrCat(path, " has ", model->num_features(),
                                                     " features, expected ",
                                                     FeatureStore::FeatureNames().size()));
    }
    models.push_back(std::move(model));
  }
  if (std::find(horizons.begin(), horizons.end(), 1) == horizons.end()) {
    return NetLoadChangeForecaster(horizons, std::move(models), nullptr, 0.0);
  }
  const std::string path = (std::filesystem::path(dir) / RampModelFileName(suffix)).string();
  ASSIGN_OR_RETURN(std::unique_ptr<ml::XgboostRegressor> ramp_model,
                   ml::XgboostRegressor::LoadJson(path));
  ASSIGN_OR_RETURN(const std::optional<std::string> threshold_text,
                   ramp_model->Attribute(kThresholdAttribute));
  double threshold_mw = 0.0;
  if (!threshold_text.has_value() || !absl::SimpleAtod(*threshold_text, &threshold_mw) ||
      !(threshold_mw > 0.0)) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": no positive ", kThresholdAttribute, " attribute"));
  }
  if (ramp_model->num_features() != FeatureStore::FeatureNames().size()) {
    return absl::InvalidArgumentError(absl::StrCat(path, " has ", ramp_model->num_features(),
                                                   " features, expected ",
                                                   FeatureStore::FeatureNames().size()));
  }
  return NetLoadChangeForecaster(horizons, std::move(models), std::move(ramp_model), threshold_mw);
}

absl::StatusOr<NetLoadChangeForecaster> NetLoadChangeForecaster::LoadOrTrain(
    const std::string& model_dir, const std::vector<data::GridMeasurement>& history,
    const std::vector<int>& horizons, const ml::XgboostParams& params,
    const std::vector<data::DayAheadForecastRow>& day_ahead, const base::HolidayCalendar& holidays,
    absl::Duration interval) {
  RETURN_IF_ERROR(ValidateHorizons(horizons));
  const uint64_t fingerprint =
      ChangeModelFingerprint(history, horizons, params, day_ahead, holidays, interval);
  const std::string suffix = absl::StrFormat("_%016x", fingerprint);
  std::error_code ec;
  bool all_exist = true;
  for (int h : horizons) {
    all_exist = all_exist && std::filesystem::exists(
                                 std::filesystem::path(model_dir) / ModelFileName(h, suffix), ec);
  }
  if (std::find(horizons.begin(), horizons.end(), 1) != horizons.end()) {
    all_exist = all_exist && std::filesystem::exists(
                                 std::filesystem::path(model_dir) / RampModelFileName(suffix), ec);
  }
  if (all_exist) {
    absl::StatusOr<NetLoadChangeForecaster> loaded = Load(model_dir, horizons, suffix);
    if (loaded.ok()) {
      base::LogInfo(absl::StrCat("loaded net-load change models ",
                                 absl::StrFormat("%016x", fingerprint), " from ", model_dir));
      return loaded;
    }
    // A damaged cache file is not fatal: the data to rebuild it is at hand.
    base::LogWarning(absl::StrCat("retraining: ", loaded.status().message()));
  }

  ASSIGN_OR_RETURN(NetLoadChangeForecaster forecaster,
                   Train(history, horizons, params, day_ahead, holidays, interval));
  RETURN_IF_ERROR(forecaster.Save(model_dir, suffix));
  base::LogInfo(absl::StrCat("trained and saved net-load change models ",
                             absl::StrFormat("%016x", fingerprint), " in ", model_dir));
  return forecaster;
}

absl::StatusOr<std::vector<ChangeForecast>> NetLoadChangeForecaster::Forecast(
    const FeatureStore& store) const {
  if (store.size() == 0) {
    return absl::FailedPreconditionError("no measurement pushed yet: nothing to forecast from");
  }
  return Forecast(store, store.Features());
}

absl::StatusOr<std::vector<ChangeForecast>> NetLoadChangeForecaster::Forecast(
    const FeatureStore& store, const std::vector<float>& features) const {
  if (store.size() == 0) {
    return absl::FailedPreconditionError("no measurement pushed yet: nothing to forecast from");
  }
  std::vector<ChangeForecast> forecasts;
  forecasts.reserve(horizons_.size());
  for (size_t j = 0; j < horizons_.size(); ++j) {
    ASSIGN_OR_RETURN(const double change_mw, models_[j]->Predict(features));
    ChangeForecast& f = forecasts.emplace_back();
    f.horizon_intervals = horizons_[j];
    f.target_interval_start = store.decision_time() + (horizons_[j] - 1) * store.interval();
    f.change_mw = change_mw;
    if (horizons_[j] == 1 && ramp_model_ != nullptr) {
      ASSIGN_OR_RETURN(f.ramp_probability, ramp_model_->Predict(features));
    }
  }
  return forecasts;
}

absl::StatusOr<std::vector<std::vector<double>>> NetLoadChangeForecaster::Contributions(
    const std::vector<float>& features) const {
  std::vector<std::vector<double>> out;
  out.reserve(models_.size());
  for (const std::shared_ptr<const ml::XgboostRegressor>& model : models_) {
    ASSIGN_OR_RETURN(std::vector<double> contributions, model->Contributions(features));
    out.push_back(std::move(contributions));
  }
  return out;
}

}  // namespace gridpilot::forecast::models
