#include "core/forecast/eval/change_forecast_eval.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/base/time_util.h"
#include "core/forecast/conformal_band.h"
#include "core/forecast/feature_store.h"

namespace gridpilot::forecast::eval {
namespace {

constexpr absl::Duration kWeek = absl::Hours(24 * 7);

// First measurement starting at or after t.
std::vector<data::GridMeasurement>::const_iterator FirstAtOrAfter(
    const std::vector<data::GridMeasurement>& measurements, absl::Time t) {
  return std::lower_bound(
      measurements.begin(), measurements.end(), t,
      [](const data::GridMeasurement& m, absl::Time value) { return m.interval_start < value; });
}

std::optional<double> NetLoadAt(const std::vector<data::GridMeasurement>& measurements,
                                absl::Time start) {
  auto it = FirstAtOrAfter(measurements, start);
  if (it == measurements.end() || it->interval_start != start) return std::nullopt;
  return it->net_load_mw;
}

std::optional<double> Difference(std::optional<double> to, std::optional<double> from) {
  if (!to.has_value() || !from.has_value()) return std::nullopt;
  return *to - *from;
}

// The forecast service's intervals (ConformalBand: per horizon, the conformal quantile of
// the last kBandWindow absolute errors known at issue time) given to `rows` (sorted by
// issue time; each issued with the last measured interval known). `fallback_mw[j]`
// serves horizon j while its band has too few errors. Only intervals that ended by a
// row's issue time are scored before it: no look-ahead.
void ApplyRollingIntervals(const std::vector<data::GridMeasurement>& measurements,
                           const std::vector<int>& horizons, double coverage,
                           const std::vector<double>& fallback_mw,
                           std::vector<ChangeEvalRow>& rows) {
  constexpr int kBandWindow = 500, kBandMinErrors = 10;  // as ForecastBook serves them
  ConformalBand band(coverage, kBandWindow, kBandMinErrors);
  auto next = measurements.begin();
  if (!rows.empty()) next = FirstAtOrAfter(measurements, rows.front().issue_time - base::kHalfHour);
  for (ChangeEvalRow& row : rows) {
    for (; next != measurements.end() && next->interval_start + base::kHalfHour <= row.issue_time;
         ++next) {
      if (next->net_load_mw.has_value())
        band.AddMeasurement(next->interval_start, *next->net_load_mw);
    }
    const size_t j = static_cast<size_t>(
        std::find(horizons.begin(), horizons.end(), row.horizon_intervals) - horizons.begin());
    const absl::Duration horizon = row.horizon_intervals * base::kHalfHour;
    const double half_width = band.HalfWidth(horizon).value_or(fallback_mw[j]);
    row.lower_mw = row.forecast_mw - half_width;
    row.upper_mw = row.forecast_mw + half_width;
    // The band works on levels: base (the last measured interval) plus the change.
    const std::optional<double> base = NetLoadAt(measurements, row.issue_time - base::kHalfHour);
    if (base.has_value()) {
      band.AddForecast(horizon, row.target_interval_start, *base + row.forecast_mw);
    }
  }
}

}  // namespace

double RampCounts::csi() const {
  const int events = hits + misses + false_alarms;
  return events == 0 ? std::numeric_limits<double>::quiet_NaN()
                     : static_cast<double>(hits) / events;
}

absl::StatusOr<double> ConformalQuantile(std::vector<double> values, double coverage) {
  if (values.empty()) return absl::InvalidArgumentError("no values to take a quantile of");
  if (!(coverage > 0.0 && coverage < 1.0)) {
    return absl::InvalidArgumentError(absl::StrCat("coverage ", coverage, " not in (0, 1)"));
  }
  const size_t n = values.size();
  const size_t rank = static_cast<size_t>(std::ceil((n + 1) * coverage));  // 1-based
  const size_t index = std::min(rank, n) - 1;
  std::nth_element(values.begin(), values.begin() + index, values.end());
  return values[index];
}

absl::StatusOr<std::vector<ChangeEvalRow>> ReplayChangeForecasts(
    const models::NetLoadChangeForecaster& forecaster,
    const std::vector<data::GridMeasurement>& measurements, absl::Time first_issue,
    absl::Time end_issue, const std::vector<double>& half_widths_mw, int* skipped,
    const std::vector<data::DayAheadForecastRow>& day_ahead,
    const base::HolidayCalendar& holidays) {
  const std::vector<int>& horizons = forecaster.horizons();
  if (half_widths_mw.size() != horizons.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat(half_widths_mw.size(), " half-widths for ", horizons.size(), " horizons"));
  }
  if (skipped != nullptr) *skipped = 0;
  std::vector<ChangeEvalRow> rows;
  FeatureStore store(holidays);
  DayAheadForecastFeed feed(day_ahead);
  for (const data::GridMeasurement& m : measurements) {
    const absl::Time t = m.interval_start + base::kHalfHour;
    if (t >= end_issue) break;  // nothing left to issue
    RETURN_IF_ERROR(store.Push(m));
    RETURN_IF_ERROR(feed.PushPublishedBefore(store));
    if (t < first_issue) continue;
    // Forecasts are relative to the last measured interval: without it there is nothing
    // to issue (the forecast service skips such ticks too).
    const std::optional<double> last = store.last_net_load_mw();
    if (!last.has_value()) {
      if (skipped != nullptr) ++*skipped;
      continue;
    }
    ASSIGN_OR_RETURN(const std::vector<models::ChangeForecast> forecasts,
                     forecaster.Forecast(store));
    for (size_t j = 0; j < forecasts.size(); ++j) {
      const models::ChangeForecast& f = forecasts[j];
      ChangeEvalRow row;
      row.issue_time = t;
      row.horizon_intervals = f.horizon_intervals;
      row.target_interval_start = f.target_interval_start;
      row.forecast_mw = f.change_mw;
      row.lower_mw = f.change_mw - half_widths_mw[j];
      row.upper_mw = f.change_mw + half_widths_mw[j];
      row.actual_change_mw = Difference(NetLoadAt(measurements, f.target_interval_start), last);
      // Both week-old intervals ended before t, so the store holds them (it keeps 8 days).
      row.seasonal_naive_mw = Difference(store.NetLoadAt(f.target_interval_start - kWeek),
                                         store.NetLoadAt(m.interval_start - kWeek));
      row.ramp_probability = f.ramp_probability;
      rows.push_back(row);
    }
  }
  return rows;
}

HorizonMetrics ScoreHorizon(const std::vector<ChangeEvalRow>& rows, int horizon_intervals) {
  HorizonMetrics out;
  out.horizon_intervals = horizon_intervals;
  double model_abs = 0, model_sq = 0, pers_abs = 0, pers_sq = 0, seas_abs = 0, seas_sq = 0;
  int covered = 0;
  double half_width_sum = 0.0;
  for (const ChangeEvalRow& row : rows) {
    if (row.horizon_intervals != horizon_intervals) continue;
    if (!row.actual_change_mw.has_value() || !row.seasonal_naive_mw.has_value()) {
      ++out.rows_skipped;
      continue;
    }
    const double actual = *row.actual_change_mw;
    const double model_error = row.forecast_mw - actual;
    const double seasonal_error = *row.seasonal_naive_mw - actual;
    ++out.rows;
    model_abs += std::abs(model_error);
    model_sq += model_error * model_error;
    pers_abs += std::abs(actual);
    pers_sq += actual * actual;
    seas_abs += std::abs(seasonal_error);
    seas_sq += seasonal_error * seasonal_error;
    if (row.lower_mw <= actual && actual <= row.upper_mw) ++covered;
    half_width_sum += (row.upper_mw - row.lower_mw) / 2;
  }
  if (out.rows == 0) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    out.model_mae_mw = out.model_rmse_mw = out.persistence_mae_mw = out.persistence_rmse_mw =
        out.seasonal_mae_mw = out.seasonal_rmse_mw = out.mae_ratio_vs_best_baseline = out.coverage =
            out.mean_half_width_mw = nan;
    return out;
  }
  const double n = out.rows;
  out.model_mae_mw = model_abs / n;
  out.model_rmse_mw = std::sqrt(model_sq / n);
  out.persistence_mae_mw = pers_abs / n;
  out.persistence_rmse_mw = std::sqrt(pers_sq / n);
  out.seasonal_mae_mw = seas_abs / n;
  out.seasonal_rmse_mw = std::sqrt(seas_sq / n);
  const double best = std::min(out.persistence_mae_mw, out.seasonal_mae_mw);
  out.mae_ratio_vs_best_baseline =
      best > 0 ? out.model_mae_mw / best : std::numeric_limits<double>::quiet_NaN();
  out.coverage = covered / n;
  out.mean_half_width_mw = half_width_sum / n;
  return out;
}

namespace {

// The contingency table of `alarm` against |actual| > threshold_mw over the rows of one
// horizon with a known actual, skipping rows `alarm` cannot judge (nullopt).
template <typename Alarm>
RampCounts Count(const std::vector<ChangeEvalRow>& rows, int horizon_intervals, double threshold_mw,
                 Alarm alarm) {
  RampCounts counts;
  for (const ChangeEvalRow& row : rows) {
    if (row.horizon_intervals != horizon_intervals || !row.actual_change_mw.has_value()) continue;
    const std::optional<bool> forecast_event = alarm(row);
    if (!forecast_event.has_value()) continue;
    const bool actual_event = std::abs(*row.actual_change_mw) > threshold_mw;
    if (actual_event && *forecast_event) ++counts.hits;
    if (actual_event && !*forecast_event) ++counts.misses;
    if (!actual_event && *forecast_event) ++counts.false_alarms;
  }
  return counts;
}

}  // namespace

RampCounts CountRamps(const std::vector<ChangeEvalRow>& rows, int horizon_intervals,
                      double threshold_mw) {
  return Count(rows, horizon_intervals, threshold_mw, [threshold_mw](const ChangeEvalRow& row) {
    return std::optional<bool>(std::abs(row.forecast_mw) > threshold_mw);
  });
}

RampCounts CountRampAlarms(const std::vector<ChangeEvalRow>& rows, double threshold_mw) {
  return Count(rows, 1, threshold_mw, [](const ChangeEvalRow& row) -> std::optional<bool> {
    if (!row.ramp_probability.has_value()) return std::nullopt;
    return *row.ramp_probability > 0.5;
  });
}

absl::StatusOr<ChangeEvalResult> EvaluateChangeForecasts(
    const std::vector<data::GridMeasurement>& measurements, absl::Time from, absl::Time to,
    const ChangeEvalConfig& config, const std::vector<data::DayAheadForecastRow>& day_ahead) {
  if (from >= to) return absl::InvalidArgumentError("the evaluation window is empty");
  if (!(config.calibration_fraction > 0.0 && config.calibration_fraction < 1.0)) {
    return absl::InvalidArgumentError("calibration_fraction must be in (0, 1)");
  }
  const absl::Time train_start = from - absl::Hours(24) * config.training_days;
  auto first = FirstAtOrAfter(measurements, train_start);
  auto last = FirstAtOrAfter(measurements, from);
  // The data must start by the training window and reach the last issue's own interval.
  if (measurements.empty() || measurements.front().interval_start > train_start ||
      measurements.back().interval_start < to - base::kHalfHour - base::kHalfHour) {
    return absl::InvalidArgumentError(
        absl::StrCat("the data must cover ", base::FormatUtcTimestamp(train_start), " to ",
                     base::FormatUtcTimestamp(to), " (", config.training_days,
                     " training days before the window)"));
  }
  const std::vector<data::GridMeasurement> history(first, last);
  const size_t split = static_cast<size_t>(history.size() * (1.0 - config.calibration_fraction));
  const std::vector<data::GridMeasurement> calibration_history(history.begin(),
                                                               history.begin() + split);

  ChangeEvalResult result;
  result.training_intervals = static_cast<int>(history.size());
  ASSIGN_OR_RETURN(const models::NetLoadChangeForecaster calibration_model,
                   models::NetLoadChangeForecaster::LoadOrTrain(
                       config.model_dir, calibration_history, config.horizons, config.params,
                       day_ahead, config.holidays));
  const std::vector<double> zero(config.horizons.size(), 0.0);
  // Actuals come from `history` only, so no calibration residual uses the evaluation period.
  ASSIGN_OR_RETURN(const std::vector<ChangeEvalRow> calibration_rows,
                   ReplayChangeForecasts(calibration_model, history, history[split].interval_start,
                                         from, zero, nullptr, day_ahead, config.holidays));
  result.calibration_rows = std::numeric_limits<int>::max();
  for (int h : config.horizons) {
    std::vector<double> residuals;
    for (const ChangeEvalRow& row : calibration_rows) {
      if (row.horizon_intervals == h && row.actual_change_mw.has_value()) {
        residuals.push_back(std::abs(*row.actual_change_mw - row.forecast_mw));
      }
    }
    result.calibration_rows = std::min(result.calibration_rows, static_cast<int>(residuals.size()));
    ASSIGN_OR_RETURN(const double width, ConformalQuantile(residuals, config.coverage));
    result.half_widths_mw.push_back(width);
  }

  ASSIGN_OR_RETURN(
      const models::NetLoadChangeForecaster model,
      models::NetLoadChangeForecaster::LoadOrTrain(config.model_dir, history, config.horizons,
                                                   config.params, day_ahead, config.holidays));
  ASSIGN_OR_RETURN(result.rows,
                   ReplayChangeForecasts(model, measurements, from, to, result.half_widths_mw,
                                         &result.skipped_issue_times, day_ahead, config.holidays));
  // Intervals as served: rolling over the errors known at issue time, warmed with the
  // calibration model's held-out forecasts (whose errors roll out after kBandWindow).
  std::vector<ChangeEvalRow> banded = calibration_rows;
  banded.insert(banded.end(), result.rows.begin(), result.rows.end());
  ApplyRollingIntervals(measurements, config.horizons, config.coverage, result.half_widths_mw,
                        banded);
  result.rows.assign(banded.begin() + static_cast<std::ptrdiff_t>(calibration_rows.size()),
                     banded.end());
  for (int h : config.horizons) result.metrics.push_back(ScoreHorizon(result.rows, h));
  ASSIGN_OR_RETURN(result.ramp_threshold_mw,
                   models::AbsChangeQuantile(history, config.ramp_quantile));
  result.ramps = CountRamps(result.rows, 1, result.ramp_threshold_mw);
  result.ramp_alarms = CountRampAlarms(result.rows, result.ramp_threshold_mw);
  return result;
}

}  // namespace gridpilot::forecast::eval
