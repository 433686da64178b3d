#include "core/forecast/eval/price_forecast_eval.h"

#include <cmath>
#include <deque>
#include <limits>
#include <memory>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/base/time_util.h"
#include "core/forecast/eval/change_forecast_eval.h"
#include "core/forecast/models/price_model.h"
#include "core/forecast/profile_forecaster.h"

namespace gridpilot::forecast::eval {
namespace {

// A matured-or-maturing absolute error of one horizon.
struct PastError {
  absl::Time issue_time;
  absl::Time known_at;  // the target's end: the error is knowable from then on
  double abs_error = 0.0;
};

// A training example of the price model, usable once its price is known.
struct Example {
  absl::Time known_at;
  std::vector<float> features;
  float price = 0.0f;
};

// One issue time in this many gives training examples (every horizon of it).
constexpr int kExampleEvery = 4;

absl::Time StartOfNextMonth(absl::Time t) {
  return absl::FromCivil(absl::CivilMonth(absl::ToCivilSecond(t, absl::UTCTimeZone())) + 1,
                         absl::UTCTimeZone());
}

}  // namespace

PriceMetrics ScorePriceRows(const std::vector<PriceEvalRow>& rows, int first_horizon,
                            int last_horizon) {
  ErrorAccumulator model, profile, persistence, yesterday, seasonal;
  int covered = 0;
  for (const PriceEvalRow& r : rows) {
    if (r.horizon_intervals < first_horizon || r.horizon_intervals > last_horizon) continue;
    if (!r.actual || !r.persistence || !r.yesterday || !r.seasonal_naive) continue;
    model.Add(r.forecast_gbp_per_mwh, *r.actual);
    profile.Add(r.profile_gbp_per_mwh, *r.actual);
    persistence.Add(*r.persistence, *r.actual);
    yesterday.Add(*r.yesterday, *r.actual);
    seasonal.Add(*r.seasonal_naive, *r.actual);
    if (r.lower_gbp_per_mwh <= *r.actual && *r.actual <= r.upper_gbp_per_mwh) ++covered;
  }
  PriceMetrics m;
  m.model = model.Metrics();
  m.profile = profile.Metrics();
  m.persistence = persistence.Metrics();
  m.yesterday = yesterday.Metrics();
  m.seasonal_naive = seasonal.Metrics();
  m.rows_compared = m.model.rows;
  m.coverage = m.rows_compared > 0 ? static_cast<double>(covered) / m.rows_compared : 0.0;
  return m;
}

absl::StatusOr<PriceEvalResult> EvaluatePriceForecasts(
    const std::vector<data::GridMeasurement>& measurements, absl::Time from, absl::Time to,
    const PriceEvalConfig& config) {
  if (from >= to) return absl::InvalidArgumentError("from must be before to");
  if (measurements.empty()) return absl::InvalidArgumentError("no measurements");
  if (config.horizon_intervals < 1 || config.calibration_days < 1) {
    return absl::InvalidArgumentError("horizon_intervals and calibration_days must be >= 1");
  }
  const absl::Time first = measurements.front().interval_start;
  const absl::Time calibrate_from = from - absl::Hours(24 * config.calibration_days);
  const absl::Time prices_needed_from =
      calibrate_from - absl::Hours(24 * (config.min_training_days + 1));
  absl::Time first_price = absl::InfiniteFuture();
  for (const data::GridMeasurement& m : measurements) {
    if (m.price_gbp_per_mwh.has_value()) {
      first_price = m.interval_start;
      break;
    }
  }
  if (first_price > prices_needed_from) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the prices start at ", base::FormatUtcTimestamp(first_price), "; evaluating from ",
        base::FormatUtcTimestamp(from), " needs them from ",
        base::FormatUtcTimestamp(prices_needed_from), " (", config.min_training_days,
        " days to train on, ", config.calibration_days, " calibration days and one of warm-up)"));
  }
  // Prices by half-hour index from `first`.
  std::vector<std::optional<double>> price(measurements.size());
  for (size_t i = 0; i < measurements.size(); ++i) {
    if (measurements[i].interval_start != first + static_cast<int64_t>(i) * base::kHalfHour) {
      return absl::InvalidArgumentError(absl::StrCat(
          "measurement ", i, " at ", base::FormatUtcTimestamp(measurements[i].interval_start),
          " is not on the half-hour grid from ", base::FormatUtcTimestamp(first)));
    }
    price[i] = measurements[i].price_gbp_per_mwh;
  }
  auto price_at = [&](absl::Time t) -> std::optional<double> {
    if (t < first) return std::nullopt;
    absl::Duration remainder;
    const int64_t i = absl::IDivDuration(t - first, base::kHalfHour, &remainder);
    if (i >= static_cast<int64_t>(price.size())) return std::nullopt;
    return price[i];
  };

  const int horizons = config.horizon_intervals;
  ProfileForecaster forecaster;
  std::vector<std::deque<PastError>> errors(horizons);
  std::vector<double> half_widths(horizons, std::numeric_limits<double>::infinity());
  std::vector<Example> examples;
  std::unique_ptr<ml::XgboostRegressor> model;
  absl::Time next_training = calibrate_from;
  int issue_index = 0;
  PriceEvalResult result;
  for (absl::Time s = first + base::kHalfHour; s < to; s += base::kHalfHour, ++issue_index) {
    forecaster.Observe(s - base::kHalfHour, price_at(s - base::kHalfHour));
    if (s >= next_training) {
      // Walk forward: every example whose price is known by now, none after.
      std::vector<float> features, prices;
      size_t rows = 0;
      for (const Example& e : examples) {
        if (e.known_at > s) continue;
        features.insert(features.end(), e.features.begin(), e.features.end());
        prices.push_back(e.price);
        ++rows;
      }
      ASSIGN_OR_RETURN(
          model, ml::XgboostRegressor::Train(features, rows, models::PriceFeatureNames().size(),
                                             prices, models::PriceModelParams()));
      ++result.trainings;
      result.last_training_examples = static_cast<int>(rows);
      next_training = StartOfNextMonth(s);
    }
    const absl::Time midnight =
        absl::FromCivil(absl::ToCivilDay(s, absl::UTCTimeZone()), absl::UTCTimeZone());
    if (s >= calibrate_from && (s == midnight || result.last_half_widths.empty())) {
      // Midnight: re-estimate each horizon's half-width from what is known by now.
      for (int h = 0; h < horizons; ++h) {
        std::deque<PastError>& past = errors[h];
        while (!past.empty() &&
               past.front().issue_time < s - absl::Hours(24 * config.calibration_days)) {
          past.pop_front();
        }
        std::vector<double> known;
        for (const PastError& e : past) {
          if (e.known_at > s) break;  // issue order = knowable order for one horizon
          known.push_back(e.abs_error);
        }
        if (!known.empty()) {
          ASSIGN_OR_RETURN(half_widths[h], ConformalQuantile(std::move(known), config.coverage));
        }
      }
      result.last_half_widths = half_widths;
    }
    const std::vector<double> profile = forecaster.Forecast(s, horizons);
    const std::optional<double> last_known = price_at(s - base::kHalfHour);
    const std::optional<double> last_yesterday = price_at(s - base::kHalfHour - absl::Hours(24));
    for (int h = 0; h < horizons; ++h) {
      const absl::Time target = s + h * base::kHalfHour;
      const std::optional<double> actual = price_at(target);
      const std::vector<float> features = models::PriceFeatureRow(
          {target, h, profile[h], last_known, last_yesterday,
           target - absl::Hours(24) < s ? price_at(target - absl::Hours(24)) : std::nullopt,
           price_at(target - absl::Hours(24 * 7))});
      if (actual.has_value() && issue_index % kExampleEvery == 0) {
        examples.push_back({target + base::kHalfHour, features, static_cast<float>(*actual)});
      }
      if (model == nullptr) continue;  // before calibrate_from
      ASSIGN_OR_RETURN(const double forecast, model->Predict(features));
      if (actual.has_value()) {
        errors[h].push_back({s, target + base::kHalfHour, std::abs(forecast - *actual)});
      }
      if (s < from) continue;
      PriceEvalRow row;
      row.issue_time = s;
      row.horizon_intervals = h + 1;
      row.target_start = target;
      row.forecast_gbp_per_mwh = forecast;
      row.lower_gbp_per_mwh = forecast - half_widths[h];
      row.upper_gbp_per_mwh = forecast + half_widths[h];
      row.actual = actual;
      row.profile_gbp_per_mwh = profile[h];
      row.persistence = last_known;
      row.yesterday = price_at(target - absl::Hours(24));
      row.seasonal_naive = price_at(target - absl::Hours(24 * 7));
      result.rows.push_back(row);
    }
  }
  result.all = ScorePriceRows(result.rows, 1, horizons);
  result.first_interval = ScorePriceRows(result.rows, 1, 1);
  result.day_ahead_part = ScorePriceRows(result.rows, 17, horizons);
  return result;
}

}  // namespace gridpilot::forecast::eval
