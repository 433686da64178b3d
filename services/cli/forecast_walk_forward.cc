#include "services/cli/forecast_walk_forward.h"

#include <cstdio>
#include <fstream>
#include <limits>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "core/base/time_util.h"
#include "core/forecast/eval/change_walk_forward.h"
#include "core/forecast/eval/day_ahead_walk_forward.h"
#include "core/forecast/eval/monthly_scores.h"
#include "core/forecast/eval/price_forecast_eval.h"
#include "services/cli/shipped_data.h"
#include "services/cli/stack.h"

namespace gridpilot {
namespace {

namespace eval = forecast::eval;

int Fail(int code, const std::string& message) {
  std::fprintf(stderr, "gridpilot forecast-eval: %s\n", message.c_str());
  return code;
}

// The optional monthly CSV: a header and one line per month, then "total".
class MonthsCsv {
 public:
  explicit MonthsCsv(const std::map<std::string, std::string>& o)
      : path_(o.contains("months_out") ? o.at("months_out") : "") {
    if (!path_.empty()) out_.open(path_);
  }
  void Line(const std::string& line) {
    if (!path_.empty()) out_ << line << "\n";
  }
  // 0, or the exit code of a write failure.
  int Close() {
    if (path_.empty()) return 0;
    out_.close();
    if (!out_) return Fail(1, absl::StrFormat("cannot write %s", path_));
    std::printf("  monthly table written to %s\n", path_.c_str());
    return 0;
  }

 private:
  std::string path_;
  std::ofstream out_;
};

int RunDayAhead(const std::map<std::string, std::string>& o, const data::GridSeries& series,
                absl::Time from, absl::Time to) {
  absl::StatusOr<std::vector<data::DayAheadForecastRow>> neso = LoadGbDayAheadForecast(o);
  if (!neso.ok()) return Fail(1, std::string(neso.status().message()));
  eval::DayAheadWalkForwardConfig config;
  config.eval.model_dir = o.contains("model_dir") ? o.at("model_dir") : DefaultModelDir();
  if (o.contains("correction")) {
    absl::StatusOr<eval::DayAheadCorrection> correction =
        eval::ParseDayAheadCorrection(o.at("correction"));
    if (!correction.ok()) return Fail(2, absl::StrFormat("--%s", correction.status().message()));
    config.correction = *correction;
  }
  if (o.contains("rolling_months") &&
      (!absl::SimpleAtoi(o.at("rolling_months"), &config.rolling_months) ||
       config.rolling_months < 1 || config.rolling_months > 24)) {
    return Fail(2, absl::StrFormat("--rolling_months %s: must be an integer 1..24",
                                   o.at("rolling_months")));
  }
  std::printf(
      "forecast-eval day-ahead %s .. %s, walk-forward monthly: at each month start the model "
      "is refitted on up to %d days ending the day before the month (every target ended by "
      "the month's first cut-off, D-1 23:45 UTC); NESO correction: %s%s\n",
      o.at("from").c_str(), o.at("to").c_str(), config.eval.max_training_days,
      eval::DayAheadCorrectionName(config.correction).c_str(),
      config.correction == eval::DayAheadCorrection::kRolling
          ? absl::StrFormat(" (last %d months)", config.rolling_months).c_str()
          : "");
  std::fflush(stdout);
  absl::StatusOr<eval::DayAheadWalkForwardResult> result =
      eval::WalkForwardDayAhead(series, *neso, from, to, config);
  if (!result.ok()) return Fail(1, std::string(result.status().message()));

  std::ofstream out(o.at("out"));
  out << "issue_time_utc,target_time_utc,forecast,lower,upper\n";
  for (const eval::DayAheadEvalRow& row : result->rows) {
    out << absl::StrFormat("%s,%s,%.3f,%.3f,%.3f\n", base::FormatUtcTimestamp(row.issue_time),
                           base::FormatUtcTimestamp(row.target_start), row.forecast_mw,
                           row.lower_mw, row.upper_mw);
  }
  if (!out) return Fail(1, absl::StrFormat("cannot write %s", o.at("out")));

  MonthsCsv csv(o);
  csv.Line(
      "month,rows_compared,model_mae_mw,neso_mae_mw,model_mape_percent,neso_mape_percent,"
      "seasonal_naive_mape_percent,persistence_mape_percent,model_all_mape_percent,coverage,"
      "betas");
  std::printf(
      "  rows compared: outturn and every baseline known (NESO: a vintage by 23:45); MAPE "
      "%%\n"
      "  month      rows  model MAE  NESO MAE   model   NESO  seasonal  persist  model/NESO  "
      "coverage  slopes by lead band 0-6,6-12,12-18,18-24,24+ h\n");
  int months_beating = 0, months_scored = 0;
  auto print = [&](const std::string& label, const eval::DayAheadMetrics& m,
                   const std::string& betas) {
    const double ratio = m.model.mape_percent / m.neso.mape_percent;
    std::printf("  %-8s %6d  %9.1f %9.1f  %6.3f %6.3f  %8.3f %8.3f  %10.4f  %7.1f%%  %s\n",
                label.c_str(), m.rows_compared, m.model.mae_mw, m.neso.mae_mw, m.model.mape_percent,
                m.neso.mape_percent, m.seasonal_naive.mape_percent, m.persistence.mape_percent,
                ratio, m.coverage * 100, betas.c_str());
    csv.Line(absl::StrFormat(
        "%s,%d,%.3f,%.3f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%s", label, m.rows_compared, m.model.mae_mw,
        m.neso.mae_mw, m.model.mape_percent, m.neso.mape_percent, m.seasonal_naive.mape_percent,
        m.persistence.mape_percent, m.model_all.mape_percent, m.coverage, betas));
  };
  for (const eval::DayAheadMonth& month : result->months) {
    std::vector<std::string> betas;
    for (double b : month.betas) betas.push_back(absl::StrFormat("%.3f", b));
    print(eval::PeriodLabel(month.period), month.metrics, absl::StrJoin(betas, " "));
    if (month.metrics.rows_compared > 0) {
      ++months_scored;
      if (month.metrics.model.mape_percent < month.metrics.neso.mape_percent) ++months_beating;
    }
  }
  print("total", result->total, "");
  std::printf(
      "  the model's MAPE is below NESO's in %d of %d months; over every row with an outturn "
      "(%d, incl. those without a NESO vintage) the model's MAPE is %.3f%%; %d half-hours "
      "skipped (no anchor)\n",
      months_beating, months_scored, result->total.rows_with_actual,
      result->total.model_all.mape_percent, result->skipped_targets);
  std::printf("  forecasts written to %s\n", o.at("out").c_str());
  return csv.Close();
}

int RunPrice(const std::map<std::string, std::string>& o,
             const std::vector<data::GridMeasurement>& measurements, absl::Time from,
             absl::Time to) {
  const eval::PriceEvalConfig config;
  std::printf(
      "forecast-eval price %s .. %s, walk-forward monthly: the XGBoost model retrained at each "
      "month start on every price known by then; by month of issue, every horizon (1..%d)\n",
      o.at("from").c_str(), o.at("to").c_str(), config.horizon_intervals);
  std::fflush(stdout);
  absl::StatusOr<std::vector<eval::WalkForwardPeriod>> periods = eval::MonthlyPeriods(from, to);
  if (!periods.ok()) return Fail(2, std::string(periods.status().message()));
  absl::StatusOr<eval::PriceEvalResult> result =
      eval::EvaluatePriceForecasts(measurements, from, to, config);
  if (!result.ok()) return Fail(1, std::string(result.status().message()));

  std::ofstream out(o.at("out"));
  out << "issue_time_utc,target_time_utc,forecast,lower,upper\n";
  for (const eval::PriceEvalRow& row : result->rows) {
    out << absl::StrFormat("%s,%s,%.3f,%.3f,%.3f\n", base::FormatUtcTimestamp(row.issue_time),
                           base::FormatUtcTimestamp(row.target_start), row.forecast_gbp_per_mwh,
                           row.lower_gbp_per_mwh, row.upper_gbp_per_mwh);
  }
  if (!out) return Fail(1, absl::StrFormat("cannot write %s", o.at("out")));

  MonthsCsv csv(o);
  csv.Line(
      "month,rows_compared,model_mae,profile_mae,yesterday_mae,persistence_mae,"
      "seasonal_naive_mae,coverage");
  std::printf(
      "  MAE GBP/MWh  rows     model  profile  yesterday  persist  seasonal  model/profile  "
      "coverage\n");
  int months_beating = 0, months_scored = 0;
  auto print = [&](const std::string& label, const eval::PriceMetrics& m) {
    std::printf("  %-8s %8d  %7.2f  %7.2f  %9.2f  %7.2f  %8.2f  %13.3f  %7.1f%%\n", label.c_str(),
                m.rows_compared, m.model.mae_mw, m.profile.mae_mw, m.yesterday.mae_mw,
                m.persistence.mae_mw, m.seasonal_naive.mae_mw, m.model.mae_mw / m.profile.mae_mw,
                m.coverage * 100);
    csv.Line(absl::StrFormat("%s,%d,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f", label, m.rows_compared,
                             m.model.mae_mw, m.profile.mae_mw, m.yesterday.mae_mw,
                             m.persistence.mae_mw, m.seasonal_naive.mae_mw, m.coverage));
  };
  const std::vector<eval::PriceMetrics> months =
      eval::ScorePriceRowsByPeriod(result->rows, *periods, 1, config.horizon_intervals);
  for (size_t i = 0; i < months.size(); ++i) {
    print(eval::PeriodLabel((*periods)[i]), months[i]);
    if (months[i].rows_compared > 0) {
      ++months_scored;
      if (months[i].model.mae_mw < months[i].profile.mae_mw) ++months_beating;
    }
  }
  print("total", result->all);
  std::printf(
      "  the model's MAE is below the trader's profile's in %d of %d months (%d trainings)\n",
      months_beating, months_scored, result->trainings);
  std::printf("  forecasts written to %s\n", o.at("out").c_str());
  return csv.Close();
}

int RunChange(const std::map<std::string, std::string>& o,
              const std::vector<data::GridMeasurement>& measurements, absl::Time from,
              absl::Time to) {
  eval::ChangeEvalConfig config;
  config.model_dir = o.contains("model_dir") ? o.at("model_dir") : DefaultModelDir();
  std::printf(
      "forecast-eval change %s .. %s, walk-forward monthly: at each month start the models "
      "(and the calibration models and ramp threshold) are trained on the %d days before it "
      "(models in %s)\n",
      o.at("from").c_str(), o.at("to").c_str(), config.training_days, config.model_dir.c_str());
  std::fflush(stdout);
  absl::StatusOr<std::vector<data::DayAheadForecastRow>> neso = LoadRegionDayAheadForecast(o);
  if (!neso.ok()) return Fail(1, std::string(neso.status().message()));
  absl::StatusOr<eval::ChangeWalkForwardResult> result =
      eval::WalkForwardChange(measurements, from, to, config, *neso);
  if (!result.ok()) return Fail(1, std::string(result.status().message()));

  std::ofstream out(o.at("out"));
  out << "issue_time_utc,target_time_utc,forecast,lower,upper\n";
  for (const eval::ChangeEvalRow& row : result->rows) {
    out << absl::StrFormat("%s,%s,%.6f,%.6f,%.6f\n", base::FormatUtcTimestamp(row.issue_time),
                           base::FormatUtcTimestamp(row.target_interval_start), row.forecast_mw,
                           row.lower_mw, row.upper_mw);
  }
  if (!out) return Fail(1, absl::StrFormat("cannot write %s", o.at("out")));

  MonthsCsv csv(o);
  csv.Line(
      "month,rows_h1,model_mae_h1_mw,persistence_mae_h1_mw,seasonal_naive_mae_h1_mw,"
      "mae_ratio_h1,mean_mae_ratio_all_horizons,coverage_h1,ramp_threshold_mw,ramp_csi,"
      "ramp_alarm_csi");
  std::printf(
      "  region MW; h1 = 30 min ahead; ratio = model MAE / best of persistence and seasonal "
      "naive\n"
      "  month      rows h1  model  persist  seasonal  ratio h1  mean ratio (all h)  coverage "
      "h1  ramp thr  CSI   alarm CSI\n");
  int months_beating = 0;
  auto print = [&](const std::string& label, const std::vector<eval::HorizonMetrics>& metrics,
                   double threshold, const eval::RampCounts& ramps,
                   const eval::RampCounts& alarms) {
    double ratio_sum = 0.0;
    for (const eval::HorizonMetrics& m : metrics) ratio_sum += m.mae_ratio_vs_best_baseline;
    const double mean_ratio = ratio_sum / static_cast<double>(metrics.size());
    const eval::HorizonMetrics& h1 = metrics.front();
    std::printf("  %-8s %8d  %6.3f  %7.3f  %8.3f  %8.3f  %18.3f  %10.1f%%  %8.2f  %5.3f  %5.3f\n",
                label.c_str(), h1.rows, h1.model_mae_mw, h1.persistence_mae_mw, h1.seasonal_mae_mw,
                h1.mae_ratio_vs_best_baseline, mean_ratio, h1.coverage * 100, threshold,
                ramps.csi(), alarms.csi());
    csv.Line(absl::StrFormat("%s,%d,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.3f,%.4f,%.4f", label, h1.rows,
                             h1.model_mae_mw, h1.persistence_mae_mw, h1.seasonal_mae_mw,
                             h1.mae_ratio_vs_best_baseline, mean_ratio, h1.coverage, threshold,
                             ramps.csi(), alarms.csi()));
    return mean_ratio;
  };
  for (const eval::ChangeMonth& month : result->months) {
    bool beats_every_horizon = true;
    for (const eval::HorizonMetrics& m : month.metrics) {
      beats_every_horizon = beats_every_horizon && m.mae_ratio_vs_best_baseline < 1.0;
    }
    if (beats_every_horizon) ++months_beating;
    print(eval::PeriodLabel(month.period), month.metrics, month.ramp_threshold_mw, month.ramps,
          month.ramp_alarms);
  }
  // The months' thresholds differ: the total has none of its own (NaN).
  print("total", result->total, std::numeric_limits<double>::quiet_NaN(), result->ramps,
        result->ramp_alarms);
  std::printf(
      "  the model beats the best baseline at every horizon in %d of %zu months (total ramp "
      "counts summed over months, each with its own threshold: hits %d, misses %d, false "
      "alarms %d)\n",
      months_beating, result->months.size(), result->ramps.hits, result->ramps.misses,
      result->ramps.false_alarms);
  std::printf("  forecasts written to %s\n", o.at("out").c_str());
  return csv.Close();
}

}  // namespace

int RunForecastWalkForward(const std::map<std::string, std::string>& o,
                           const data::GridSeries& series, absl::Time from, absl::Time to) {
  if (o.at("walk_forward") != "monthly") {
    return Fail(
        2, absl::StrFormat("--walk_forward %s: the only cadence is monthly", o.at("walk_forward")));
  }
  const std::string& target = o.at("target");
  if (target != "day-ahead" && (o.contains("correction") || o.contains("rolling_months"))) {
    return Fail(2, "--correction and --rolling_months apply to --target day-ahead only");
  }
  if (target == "day-ahead") return RunDayAhead(o, series, from, to);
  const std::vector<data::GridMeasurement> measurements = RegionMeasurements(series);
  if (target == "price") return RunPrice(o, measurements, from, to);
  return RunChange(o, measurements, from, to);
}

}  // namespace gridpilot
