#include "core/forecast/eval/day_ahead_demand_eval.h"

#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/base/time_util.h"
#include "core/forecast/eval/change_forecast_eval.h"

namespace gridpilot::forecast::eval {
namespace {

constexpr absl::Duration kDay = absl::Hours(24);
constexpr int kIntervalsPerDay = 48;
constexpr int kMinRowsPerKind = 100;

bool IsUtcMidnight(absl::Time t) {
  return absl::ToCivilDay(t, absl::UTCTimeZone()) == absl::ToCivilSecond(t, absl::UTCTimeZone());
}

absl::Time FirstFullUtcDay(absl::Time t) {
  const absl::Time midnight =
      absl::FromCivil(absl::ToCivilDay(t, absl::UTCTimeZone()), absl::UTCTimeZone());
  return midnight == t ? t : midnight + kDay;
}

}  // namespace

void ErrorAccumulator::Add(double forecast_mw, double actual_mw) {
  const double error = forecast_mw - actual_mw;
  ++rows_;
  abs_sum_ += std::abs(error);
  sq_sum_ += error * error;
  if (actual_mw != 0.0) {
    ++mape_rows_;
    ape_sum_ += std::abs(error) / std::abs(actual_mw);
  }
}

ErrorMetrics ErrorAccumulator::Metrics() const {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  ErrorMetrics m;
  m.rows = rows_;
  m.mae_mw = rows_ > 0 ? abs_sum_ / rows_ : nan;
  m.rmse_mw = rows_ > 0 ? std::sqrt(sq_sum_ / rows_) : nan;
  m.mape_percent = mape_rows_ > 0 ? 100.0 * ape_sum_ / mape_rows_ : nan;
  return m;
}

DayAheadMetrics ScoreDayAhead(const std::vector<DayAheadEvalRow>& rows) {
  ErrorAccumulator model, persistence, seasonal, neso, model_all;
  int covered = 0, covered_all = 0;
  DayAheadMetrics m;
  for (const DayAheadEvalRow& row : rows) {
    if (!row.actual_mw.has_value()) continue;
    const double actual = *row.actual_mw;
    const bool inside = row.lower_mw <= actual && actual <= row.upper_mw;
    ++m.rows_with_actual;
    model_all.Add(row.forecast_mw, actual);
    if (inside) ++covered_all;
    if (!row.persistence_mw.has_value() || !row.seasonal_naive_mw.has_value() ||
        !row.neso_mw.has_value()) {
      continue;
    }
    ++m.rows_compared;
    model.Add(row.forecast_mw, actual);
    persistence.Add(*row.persistence_mw, actual);
    seasonal.Add(*row.seasonal_naive_mw, actual);
    neso.Add(*row.neso_mw, actual);
    if (inside) ++covered;
  }
  const double nan = std::numeric_limits<double>::quiet_NaN();
  m.model = model.Metrics();
  m.persistence = persistence.Metrics();
  m.seasonal_naive = seasonal.Metrics();
  m.neso = neso.Metrics();
  m.model_all = model_all.Metrics();
  m.coverage = m.rows_compared > 0 ? static_cast<double>(covered) / m.rows_compared : nan;
  m.coverage_all =
      m.rows_with_actual > 0 ? static_cast<double>(covered_all) / m.rows_with_actual : nan;
  return m;
}

absl::StatusOr<std::vector<DayAheadEvalRow>> ForecastDayAheadDays(
    const models::DayAheadDemandForecaster& forecaster, const DayAheadDemandFeatures& features,
    absl::Time first_day, absl::Time end_day, const DayAheadIntervalWidths& widths, int* skipped) {
  if (!IsUtcMidnight(first_day) || !IsUtcMidnight(end_day)) {
    return absl::InvalidArgumentError(
        absl::StrCat("days must start at UTC midnight: ", base::FormatUtcTimestamp(first_day), ", ",
                     base::FormatUtcTimestamp(end_day)));
  }
  if (skipped != nullptr) *skipped = 0;
  std::vector<DayAheadEvalRow> rows;
  for (absl::Time day = first_day; day < end_day; day += kDay) {
    const absl::Time cutoff = DayAheadCutoff(day);
    for (int i = 0; i < kIntervalsPerDay; ++i) {
      const absl::Time target = day + i * base::kHalfHour;
      ASSIGN_OR_RETURN(const std::optional<double> forecast,
                       forecaster.Forecast(features, target, cutoff));
      if (!forecast.has_value()) {
        if (skipped != nullptr) ++*skipped;
        continue;
      }
      DayAheadEvalRow row;
      row.issue_time = cutoff;
      row.target_start = target;
      row.forecast_mw = *forecast;
      row.neso_mw = features.NesoForecastMw(target, cutoff);
      row.has_neso = row.neso_mw.has_value();
      const double width = row.has_neso ? widths.with_neso_mw : widths.without_neso_mw;
      row.lower_mw = *forecast - width;
      row.upper_mw = *forecast + width;
      row.actual_mw = features.ActualNationalDemandMw(target);
      row.persistence_mw = features.PersistenceMw(target, cutoff);
      row.seasonal_naive_mw = features.SeasonalNaiveMw(target, cutoff);
      rows.push_back(row);
    }
  }
  return rows;
}

absl::StatusOr<TrainedDayAheadDemand> TrainDayAheadDemand(
    const data::GridSeries& series, const std::vector<data::DayAheadForecastRow>& neso,
    absl::Time from, const DayAheadEvalConfig& config) {
  if (!IsUtcMidnight(from)) {
    return absl::InvalidArgumentError(
        absl::StrCat(base::FormatUtcTimestamp(from), " is not a UTC midnight"));
  }
  if (!(config.calibration_fraction > 0.0 && config.calibration_fraction < 1.0)) {
    return absl::InvalidArgumentError("calibration_fraction must be in (0, 1)");
  }
  const absl::Time earliest = series.empty() ? from : FirstFullUtcDay(series.start());
  const absl::Time first_day = std::max(earliest, from - config.max_training_days * kDay);
  const int training_days = static_cast<int>((from - first_day) / kDay);
  if (series.empty() || training_days < config.min_training_days) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the data must cover at least ", config.min_training_days, " training days before ",
        base::FormatUtcTimestamp(from), " (it has ", std::max(training_days, 0), ")"));
  }
  const DayAheadDemandFeatures features(&series, &neso, config.holidays);

  // Calibration: a model that never saw the held-out last days scores them.
  const int fit_days =
      static_cast<int>(std::lround(training_days * (1.0 - config.calibration_fraction)));
  const absl::Time split = first_day + fit_days * kDay;
  ASSIGN_OR_RETURN(const models::DayAheadTrainingSet calibration_set,
                   models::BuildDayAheadTrainingSet(features, first_day, split));
  ASSIGN_OR_RETURN(const models::DayAheadDemandForecaster calibration_model,
                   models::DayAheadDemandForecaster::LoadOrTrain(config.model_dir, calibration_set,
                                                                 config.params));
  ASSIGN_OR_RETURN(const std::vector<DayAheadEvalRow> calibration_rows,
                   ForecastDayAheadDays(calibration_model, features, split, from, {}));
  // Each path is calibrated on its own forecasts: the NESO path on the rows that had a
  // vintage, the fallback path on every row (it is what those rows would have got
  // without one), so a window where NESO never failed still calibrates the fallback.
  std::vector<double> with_neso, without_neso;
  for (const DayAheadEvalRow& row : calibration_rows) {
    if (!row.actual_mw.has_value()) continue;
    if (row.has_neso) {
      with_neso.push_back(std::abs(*row.actual_mw - row.forecast_mw));
    }
    ASSIGN_OR_RETURN(
        const std::optional<double> fallback,
        calibration_model.FallbackForecast(features, row.target_start, row.issue_time));
    if (fallback.has_value()) without_neso.push_back(std::abs(*row.actual_mw - *fallback));
  }
  DayAheadIntervalWidths widths;
  ASSIGN_OR_RETURN(widths.without_neso_mw, ConformalQuantile(without_neso, config.coverage));
  // Too few rows with a vintage (e.g. a window before NESO's file starts): the fallback's
  // width, the larger of the two in every window measured, stands in.
  if (with_neso.size() < kMinRowsPerKind) {
    widths.with_neso_mw = widths.without_neso_mw;
  } else {
    ASSIGN_OR_RETURN(widths.with_neso_mw, ConformalQuantile(with_neso, config.coverage));
  }

  ASSIGN_OR_RETURN(const models::DayAheadTrainingSet training_set,
                   models::BuildDayAheadTrainingSet(features, first_day, from));
  ASSIGN_OR_RETURN(
      models::DayAheadDemandForecaster model,
      models::DayAheadDemandForecaster::LoadOrTrain(config.model_dir, training_set, config.params));
  return TrainedDayAheadDemand{std::move(model),
                               widths,
                               static_cast<int>(with_neso.size()),
                               static_cast<int>(without_neso.size()),
                               first_day,
                               training_days,
                               static_cast<int>(training_set.rows),
                               config.holidays};
}

absl::StatusOr<DayAheadEvalResult> EvaluateDayAheadDemand(
    const data::GridSeries& series, const std::vector<data::DayAheadForecastRow>& neso,
    absl::Time from, absl::Time to, const DayAheadEvalConfig& config) {
  if (!IsUtcMidnight(from) || !IsUtcMidnight(to) || from >= to) {
    return absl::InvalidArgumentError(
        absl::StrCat("the evaluation window ", base::FormatUtcTimestamp(from), " .. ",
                     base::FormatUtcTimestamp(to), " is not a non-empty span of UTC days"));
  }
  ASSIGN_OR_RETURN(const TrainedDayAheadDemand trained,
                   TrainDayAheadDemand(series, neso, from, config));
  DayAheadEvalResult result;
  result.half_widths = trained.half_widths;
  result.calibration_rows_with_neso = trained.calibration_rows_with_neso;
  result.calibration_rows_without_neso = trained.calibration_rows_without_neso;
  result.training_first_day = trained.training_first_day;
  result.training_days = trained.training_days;
  result.training_rows = trained.training_rows;
  const DayAheadDemandFeatures features(&series, &neso, config.holidays);
  ASSIGN_OR_RETURN(result.rows, ForecastDayAheadDays(trained.forecaster, features, from, to,
                                                     result.half_widths, &result.skipped_targets));
  result.metrics = ScoreDayAhead(result.rows);
  return result;
}

}  // namespace gridpilot::forecast::eval
