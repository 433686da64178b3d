#include "services/cli/forecast_eval_command.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "core/base/time_util.h"
#include "core/data/grid_data_loader.h"
#include "core/forecast/eval/change_forecast_eval.h"
#include "core/forecast/eval/day_ahead_demand_eval.h"
#include "core/forecast/eval/price_forecast_eval.h"
#include "core/forecast/profile_forecaster.h"
#include "core/region/region_engine.h"
#include "services/cli/forecast_walk_forward.h"
#include "services/cli/offline_region_data.h"
#include "services/cli/shipped_data.h"
#include "services/cli/stack.h"

namespace gridpilot {
namespace {

int Fail(int code, const std::string& message) {
  std::fprintf(stderr, "gridpilot forecast-eval: %s\n", message.c_str());
  return code;
}

std::string Option(const std::map<std::string, std::string>& o, const std::string& key,
                   const std::string& fallback) {
  return o.contains(key) ? o.at(key) : fallback;
}

// --target day-ahead: series and window already parsed and loaded.
int RunDayAheadEval(const std::map<std::string, std::string>& o, const OfflineRegionData& region,
                    absl::Time from, absl::Time to) {
  const data::GridSeries& series = region.series;
  // NESO's day-ahead forecast ships next to the demand file (data/README.md).
  absl::StatusOr<std::vector<data::DayAheadForecastRow>> neso = UnscaledDayAhead(region);
  if (!neso.ok()) return Fail(1, std::string(neso.status().message()));

  forecast::eval::DayAheadEvalConfig config;
  config.model_dir = Option(o, "model_dir", DefaultModelDir());
  config.holidays = region.holidays;
  std::printf(
      "forecast-eval day-ahead %s .. %s: issued at D-1 23:45 UTC for the 48 "
      "half-hours of each day D; training on up to %d days before %s (models in %s)\n",
      o.at("from").c_str(), o.at("to").c_str(), config.max_training_days, o.at("from").c_str(),
      config.model_dir.c_str());
  std::fflush(stdout);
  absl::StatusOr<forecast::eval::DayAheadEvalResult> result =
      forecast::eval::EvaluateDayAheadDemand(series, *neso, from, to, config);
  if (!result.ok()) return Fail(1, std::string(result.status().message()));

  std::ofstream out(o.at("out"));
  out << "issue_time_utc,target_time_utc,forecast,lower,upper\n";
  for (const forecast::eval::DayAheadEvalRow& row : result->rows) {
    out << absl::StrFormat("%s,%s,%.3f,%.3f,%.3f\n", base::FormatUtcTimestamp(row.issue_time),
                           base::FormatUtcTimestamp(row.target_start), row.forecast_mw,
                           row.lower_mw, row.upper_mw);
  }
  if (!out) return Fail(1, absl::StrFormat("cannot write %s", o.at("out")));

  const forecast::eval::DayAheadMetrics& m = result->metrics;
  std::printf("  trained on %d days from %s (%d rows); NESO vintages from %s\n",
              result->training_days, base::FormatUtcTimestamp(result->training_first_day).c_str(),
              result->training_rows, DayAheadCsv(o).c_str());
  std::printf(
      "  %zu forecasts (GB MW; %d half-hours skipped: no NESO vintage and no ND a "
      "week earlier); %d with an outturn\n",
      result->rows.size(), result->skipped_targets, m.rows_with_actual);
  std::printf(
      "  %d rows compared (outturn and every baseline known; NESO needs a vintage "
      "published by 23:45):\n",
      m.rows_compared);
  std::printf("                     MAE MW    RMSE MW   MAPE %%\n");
  auto line = [](const char* name, const forecast::eval::ErrorMetrics& e) {
    std::printf("    %-15s %9.1f  %9.1f  %6.3f\n", name, e.mae_mw, e.rmse_mw, e.mape_percent);
  };
  line("model", m.model);
  line("NESO day-ahead", m.neso);
  line("seasonal naive", m.seasonal_naive);
  line("persistence", m.persistence);
  std::printf(
      "    (persistence = same half-hour on D-1, or D-2 for 23:30 which has not ended "
      "by 23:45; seasonal naive = same half-hour on D-7)\n");
  std::printf(
      "  model over all %d rows with an outturn: MAE %.1f MW, RMSE %.1f MW, MAPE "
      "%.3f%%\n",
      m.rows_with_actual, m.model_all.mae_mw, m.model_all.rmse_mw, m.model_all.mape_percent);
  std::printf(
      "  interval coverage %.1f%% on compared rows, %.1f%% on all (nominal %.0f%%, "
      "split-conformal: half-width %.1f MW with a NESO vintage, %.1f MW without, "
      "from %d and %d held-out calibration residuals)\n",
      m.coverage * 100, m.coverage_all * 100, config.coverage * 100,
      result->half_widths.with_neso_mw, result->half_widths.without_neso_mw,
      result->calibration_rows_with_neso, result->calibration_rows_without_neso);
  std::printf("  forecasts written to %s\n", o.at("out").c_str());
  return 0;
}

// --target price: series and window already parsed and loaded.
int RunPriceEval(const std::map<std::string, std::string>& o,
                 const std::vector<data::GridMeasurement>& measurements, absl::Time from,
                 absl::Time to) {
  const forecast::eval::PriceEvalConfig config;
  std::printf(
      "forecast-eval price %s .. %s: every half-hour, the next %d half-hours; model = "
      "XGBoost on the trader's profile and recent prices, retrained at each month "
      "start on every price known by then; the trader's profile (same half-hour on "
      "recent days of the same kind, weighted %.1f^n over %d days) is a baseline\n",
      o.at("from").c_str(), o.at("to").c_str(), config.horizon_intervals,
      forecast::ProfileForecaster::kDayDecay, forecast::ProfileForecaster::kLookbackDays);
  std::fflush(stdout);
  absl::StatusOr<forecast::eval::PriceEvalResult> result =
      forecast::eval::EvaluatePriceForecasts(measurements, from, to, config);
  if (!result.ok()) return Fail(1, std::string(result.status().message()));

  std::ofstream out(o.at("out"));
  out << "issue_time_utc,target_time_utc,forecast,lower,upper\n";
  for (const forecast::eval::PriceEvalRow& row : result->rows) {
    out << absl::StrFormat("%s,%s,%.3f,%.3f,%.3f\n", base::FormatUtcTimestamp(row.issue_time),
                           base::FormatUtcTimestamp(row.target_start), row.forecast_gbp_per_mwh,
                           row.lower_gbp_per_mwh, row.upper_gbp_per_mwh);
  }
  if (!out) return Fail(1, absl::StrFormat("cannot write %s", o.at("out")));

  std::printf("  %zu forecasts (GBP/MWh); rows compared: price and every baseline recorded\n",
              result->rows.size());
  std::printf("  %d trainings, the last on %d examples\n", result->trainings,
              result->last_training_examples);
  std::printf(
      "  MAE / RMSE GBP/MWh       rows   model          trader's profile  seasonal naive "
      "  yesterday       persistence     coverage\n");
  auto line = [](const char* name, const forecast::eval::PriceMetrics& m) {
    auto pair = [](const forecast::eval::ErrorMetrics& e) {
      return absl::StrFormat("%6.2f / %6.2f", e.mae_mw, e.rmse_mw);
    };
    std::printf("    %-18s %7d  %s  %s   %s  %s  %s  %.1f%%\n", name, m.rows_compared,
                pair(m.model).c_str(), pair(m.profile).c_str(), pair(m.seasonal_naive).c_str(),
                pair(m.yesterday).c_str(), pair(m.persistence).c_str(), m.coverage * 100);
  };
  line("all horizons", result->all);
  line("next half-hour", result->first_interval);
  line("8 to 24 h ahead", result->day_ahead_part);
  std::printf(
      "    MAE ratio model / seasonal naive %.3f, model / trader's profile %.3f (all "
      "horizons)\n",
      result->all.model.mae_mw / result->all.seasonal_naive.mae_mw,
      result->all.model.mae_mw / result->all.profile.mae_mw);
  std::printf(
      "  intervals: %.0f%% nominal, conformal on the errors of the previous %d days, "
      "re-estimated each midnight\n",
      config.coverage * 100, config.calibration_days);
  std::printf("  forecasts written to %s\n", o.at("out").c_str());
  return 0;
}

}  // namespace

int RunForecastEvalCommand(const std::map<std::string, std::string>& o) {
  for (const char* required : {"target", "from", "to", "out"}) {
    if (!o.contains(required)) return Fail(2, absl::StrFormat("--%s is required", required));
  }
  const std::string target = o.at("target");
  if (target != "change" && target != "day-ahead" && target != "price") {
    return Fail(2, absl::StrFormat("--target %s: must be change, day-ahead or price", target));
  }
  absl::StatusOr<absl::Time> from = base::ParseUtcDate(o.at("from"));
  absl::StatusOr<absl::Time> to_day = base::ParseUtcDate(o.at("to"));
  if (!from.ok()) return Fail(2, absl::StrFormat("--from: %s", from.status().message()));
  if (!to_day.ok()) return Fail(2, absl::StrFormat("--to: %s", to_day.status().message()));
  const absl::Time to = *to_day + absl::Hours(24);  // --to is inclusive
  if (to <= *from) return Fail(2, "--to must not be before --from");

  if (o.contains("walk_forward") && o.contains("config")) {
    return Fail(2, "--walk_forward reads the shipped GB layout only; it does not take --config");
  }
  int training_days = forecast::eval::ChangeEvalConfig{}.training_days;
  if (o.contains("training_days") &&
      (target != "change" || !absl::SimpleAtoi(o.at("training_days"), &training_days) ||
       training_days < 28 || training_days > 3660)) {
    return Fail(2, "--training_days: a whole number of days in 28..3660, for --target change");
  }
  absl::StatusOr<OfflineRegionData> region = LoadOfflineRegionData(o);
  if (!region.ok()) return Fail(1, std::string(region.status().message()));
  if (o.contains("config")) std::printf("region: %s\n", region->description.c_str());
  if (o.contains("walk_forward")) return RunForecastWalkForward(o, region->series, *from, to);
  if (target == "day-ahead") return RunDayAheadEval(o, *region, *from, to);
  const std::vector<data::GridMeasurement> measurements = ScaledMeasurements(*region);
  if (target == "price") return RunPriceEval(o, measurements, *from, to);

  forecast::eval::ChangeEvalConfig config;
  config.model_dir = Option(o, "model_dir", DefaultModelDir());
  config.training_days = training_days;
  config.holidays = region->holidays;
  std::printf(
      "forecast-eval change %s .. %s: training on the %d days before %s "
      "(models in %s)\n",
      o.at("from").c_str(), o.at("to").c_str(), config.training_days, o.at("from").c_str(),
      config.model_dir.c_str());
  std::fflush(stdout);
  // The operator's day-ahead vintages, scaled to the region as the gateway sends them.
  absl::StatusOr<std::vector<data::DayAheadForecastRow>> neso = ScaledDayAhead(*region);
  if (!neso.ok()) return Fail(1, std::string(neso.status().message()));
  absl::StatusOr<forecast::eval::ChangeEvalResult> result =
      forecast::eval::EvaluateChangeForecasts(measurements, *from, to, config, *neso);
  if (!result.ok()) return Fail(1, std::string(result.status().message()));

  std::ofstream out(o.at("out"));
  out << "issue_time_utc,target_time_utc,forecast,lower,upper\n";
  for (const forecast::eval::ChangeEvalRow& row : result->rows) {
    out << absl::StrFormat("%s,%s,%.6f,%.6f,%.6f\n", base::FormatUtcTimestamp(row.issue_time),
                           base::FormatUtcTimestamp(row.target_interval_start), row.forecast_mw,
                           row.lower_mw, row.upper_mw);
  }
  if (!out) return Fail(1, absl::StrFormat("cannot write %s", o.at("out")));

  std::printf(
      "  %zu rows (%d issue times skipped: last net load missing); region MW "
      "(the demand file's units x %.2f)\n",
      result->rows.size(), result->skipped_issue_times, region->scale);
  std::printf(
      "  intervals: %.0f%% nominal, rolling as the forecast service serves them (per "
      "horizon the errors of the last 500 forecasts measured by issue time), warmed "
      "with %d held-out calibration forecasts per horizon (last 20%% of the training "
      "window)\n",
      config.coverage * 100, result->calibration_rows);
  for (size_t j = 0; j < result->metrics.size(); ++j) {
    const forecast::eval::HorizonMetrics& m = result->metrics[j];
    std::printf("  horizon %d (%d min ahead), %d rows scored, %d skipped:\n", m.horizon_intervals,
                30 * m.horizon_intervals, m.rows, m.rows_skipped);
    std::printf("    model           MAE %8.3f MW  RMSE %8.3f MW\n", m.model_mae_mw,
                m.model_rmse_mw);
    std::printf("    persistence     MAE %8.3f MW  RMSE %8.3f MW\n", m.persistence_mae_mw,
                m.persistence_rmse_mw);
    std::printf("    seasonal naive  MAE %8.3f MW  RMSE %8.3f MW\n", m.seasonal_mae_mw,
                m.seasonal_rmse_mw);
    std::printf("    MAE ratio model / best baseline %.3f\n", m.mae_ratio_vs_best_baseline);
    std::printf("    interval coverage %.1f%% (mean half-width %.3f MW)\n", m.coverage * 100,
                m.mean_half_width_mw);
  }
  const forecast::eval::RampCounts& r = result->ramps;
  std::printf(
      "  ramps (30 min, |change| > %.3f MW = 95th pct of the training window): "
      "hits %d, misses %d, false alarms %d, CSI %.3f\n",
      result->ramp_threshold_mw, r.hits, r.misses, r.false_alarms, r.csi());
  const forecast::eval::RampCounts& a = result->ramp_alarms;
  std::printf(
      "  ramp alarm (the classifier's probability of such a ramp > 0.5): hits %d, "
      "misses %d, false alarms %d, CSI %.3f\n",
      a.hits, a.misses, a.false_alarms, a.csi());
  std::printf("  forecasts written to %s\n", o.at("out").c_str());
  return 0;
}

}  // namespace gridpilot
