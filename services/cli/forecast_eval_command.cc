#include "services/cli/forecast_eval_command.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_format.h"
#include "core/change_forecast_eval.h"
#include "core/grid_data_loader.h"
#include "core/region_engine.h"
#include "core/time_util.h"
#include "services/cli/stack.h"

namespace gridpilot {
namespace {

int Fail(int code, const std::string& message) {
  std::fprintf(stderr, "gridpilot forecast-eval: %s\n", message.c_str());
  return code;
}

// The binary has no compiled-in data path: the README layout puts it in build/bin, so
// the shipped data/ is two levels up.
std::string DefaultDataDir() {
  return (std::filesystem::canonical("/proc/self/exe").parent_path() / ".." / ".." / "data")
      .lexically_normal()
      .string();
}

}  // namespace

int RunForecastEvalCommand(const std::map<std::string, std::string>& o) {
  for (const char* required : {"target", "from", "to", "out"}) {
    if (!o.contains(required)) return Fail(2, absl::StrFormat("--%s is required", required));
  }
  if (o.at("target") != "change") {
    return Fail(2, absl::StrFormat("--target %s is not available yet; only change is",
                                   o.at("target")));
  }
  absl::StatusOr<absl::Time> from = ParseUtcDate(o.at("from"));
  absl::StatusOr<absl::Time> to_day = ParseUtcDate(o.at("to"));
  if (!from.ok()) return Fail(2, absl::StrFormat("--from: %s", from.status().message()));
  if (!to_day.ok()) return Fail(2, absl::StrFormat("--to: %s", to_day.status().message()));
  const absl::Time to = *to_day + absl::Hours(24);  // --to is inclusive
  if (to <= *from) return Fail(2, "--to must not be before --from");

  const std::string data_dir = DefaultDataDir();
  auto get = [&o](const std::string& key, const std::string& fallback) {
    return o.contains(key) ? o.at(key) : fallback;
  };
  const std::string demand_csv = get("demand_csv", data_dir + "/gb_demand_2022_2023.csv");
  const std::string price_csv = get("price_csv", data_dir + "/gb_price_mid_2022-10_2023-12.csv");
  absl::StatusOr<GridSeries> series = LoadGridSeries(demand_csv, price_csv);
  if (!series.ok()) return Fail(1, std::string(series.status().message()));

  // Region MW, scaled exactly as the gateway scales what it sends the forecast service.
  const double scale = RegionConfig{}.scale;
  auto scaled = [scale](std::optional<double> v) {
    return v.has_value() ? std::optional<double>(*v * scale) : std::nullopt;
  };
  std::vector<GridMeasurement> measurements;
  measurements.reserve(series->size());
  for (const GridInterval& gb : series->intervals()) {
    measurements.push_back({gb.start, scaled(gb.national_demand_mw), scaled(gb.embedded_solar_mw),
                            scaled(gb.embedded_wind_mw), gb.price_gbp_per_mwh});
  }

  ChangeEvalConfig config;
  config.model_dir = get("model_dir", DefaultModelDir());
  std::printf("forecast-eval change %s .. %s: training on the %d days before %s "
              "(models in %s)\n",
              o.at("from").c_str(), o.at("to").c_str(), config.training_days,
              o.at("from").c_str(), config.model_dir.c_str());
  std::fflush(stdout);
  absl::StatusOr<ChangeEvalResult> result =
      EvaluateChangeForecasts(measurements, *from, to, config);
  if (!result.ok()) return Fail(1, std::string(result.status().message()));

  std::ofstream out(o.at("out"));
  out << "issue_time_utc,target_time_utc,forecast,lower,upper\n";
  for (const ChangeEvalRow& row : result->rows) {
    out << absl::StrFormat("%s,%s,%.6f,%.6f,%.6f\n", FormatUtcTimestamp(row.issue_time),
                           FormatUtcTimestamp(row.target_interval_start), row.forecast_mw,
                           row.lower_mw, row.upper_mw);
  }
  if (!out) return Fail(1, absl::StrFormat("cannot write %s", o.at("out")));

  std::printf("  %zu rows (%d issue times skipped: last net load missing); region MW "
              "(GB x %.2f)\n",
              result->rows.size(), result->skipped_issue_times, scale);
  std::printf("  intervals: split-conformal, %.0f%% nominal, half-widths from %d held-out "
              "calibration rows per horizon (last 20%% of the training window)\n",
              config.coverage * 100, result->calibration_rows);
  for (size_t j = 0; j < result->metrics.size(); ++j) {
    const HorizonMetrics& m = result->metrics[j];
    std::printf("  horizon %d (%d min ahead), %d rows scored, %d skipped:\n",
                m.horizon_intervals, 30 * m.horizon_intervals, m.rows, m.rows_skipped);
    std::printf("    model           MAE %8.3f MW  RMSE %8.3f MW\n", m.model_mae_mw,
                m.model_rmse_mw);
    std::printf("    persistence     MAE %8.3f MW  RMSE %8.3f MW\n", m.persistence_mae_mw,
                m.persistence_rmse_mw);
    std::printf("    seasonal naive  MAE %8.3f MW  RMSE %8.3f MW\n", m.seasonal_mae_mw,
                m.seasonal_rmse_mw);
    std::printf("    MAE ratio model / best baseline %.3f\n", m.mae_ratio_vs_best_baseline);
    std::printf("    interval coverage %.1f%% (half-width %.3f MW)\n", m.coverage * 100,
                result->half_widths_mw[j]);
  }
  const RampCounts& r = result->ramps;
  std::printf("  ramps (30 min, |change| > %.3f MW = 95th pct of the training window): "
              "hits %d, misses %d, false alarms %d, CSI %.3f\n",
              result->ramp_threshold_mw, r.hits, r.misses, r.false_alarms, r.csi());
  std::printf("  forecasts written to %s\n", o.at("out").c_str());
  return 0;
}

}  // namespace gridpilot
