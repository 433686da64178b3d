// Monthly walk-forward evaluation of the day-ahead demand forecast (`gridpilot
// forecast-eval --target day-ahead --walk_forward monthly`). The window [from, to) is cut
// at every UTC month start (monthly_periods.h). For each period the model is refitted
// (TrainDayAheadDemand: the XGBoost fallback, the NESO correction and the interval
// widths) on the days before the day preceding the period, so every training target ended
// by the period's first issue time (its first day's cut-off, D-1 23:45 UTC) and nothing
// the forecasts of the period are issued from is later than that cut-off. The period's
// days are then forecast as EvaluateDayAheadDemand forecasts them and scored month by
// month against NESO, persistence and seasonal naive over the same rows.
//
// How NESO's forecast is corrected is the one choice (DayAheadCorrection):
//   kWholeWindow  the least-squares slopes over every training row with a vintage (what
//                 the served model does; the training window grows with NESO's file);
//   kRolling      the slopes over the training rows of the last `rolling_months` months;
//   kGated        the whole-window slopes, but in a lead band only if the correction's own
//                 walk-forward record before the cut-off beats NESO there: each earlier
//                 month of the training window forecast with slopes fitted on the rows
//                 before it (again ending a day before it), its absolute errors summed per
//                 band against NESO's on the same rows; a band with no record, or one where
//                 NESO's sum is not larger, gets slope 0 (NESO's forecast unchanged).
#ifndef GRIDPILOT_CORE_FORECAST_EVAL_DAY_AHEAD_WALK_FORWARD_H_
#define GRIDPILOT_CORE_FORECAST_EVAL_DAY_AHEAD_WALK_FORWARD_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/data/grid_data_loader.h"
#include "core/data/grid_series.h"
#include "core/forecast/eval/day_ahead_demand_eval.h"
#include "core/forecast/eval/monthly_periods.h"
#include "core/forecast/models/day_ahead_demand_forecaster.h"

namespace gridpilot::forecast::eval {

enum class DayAheadCorrection { kWholeWindow, kRolling, kGated };

// "whole", "rolling" or "gated"; InvalidArgument naming the text otherwise.
absl::StatusOr<DayAheadCorrection> ParseDayAheadCorrection(const std::string& text);
std::string DayAheadCorrectionName(DayAheadCorrection correction);

struct DayAheadWalkForwardConfig {
  DayAheadEvalConfig eval;  // training window, calibration and cache, per refit
  DayAheadCorrection correction = DayAheadCorrection::kWholeWindow;
  int rolling_months = 3;  // kRolling's window, 1..24
};

// One lead band's walk-forward record before a cut-off (kGated's evidence).
struct BandRecord {
  int rows = 0;
  double corrected_abs_error_sum_mw = 0.0;
  double neso_abs_error_sum_mw = 0.0;
};

struct DayAheadMonth {
  WalkForwardPeriod period;
  absl::Time training_end;  // training days end here: the day before period.start
  int training_days = 0;
  std::vector<double> betas;  // the NESO correction used, one per lead band
  DayAheadMetrics metrics;    // over the period's rows (by target start)
};

struct DayAheadWalkForwardResult {
  std::vector<DayAheadEvalRow> rows;  // every period's, in time order
  std::vector<DayAheadMonth> months;
  DayAheadMetrics total;  // over every row
  int skipped_targets = 0;
};

// The per-band record of slopes refitted at each UTC month start in (first_target,
// end_target) on the set's rows before that month's previous day, scored on the rows of
// that month (up to end_target). Only rows with a vintage and a known last NESO error
// count.
std::vector<BandRecord> NesoCorrectionRecord(const models::DayAheadTrainingSet& set,
                                             absl::Time first_target, absl::Time end_target);

// The slopes `correction` uses for a model trained on the set's days [first_day, end_day).
absl::StatusOr<std::vector<double>> CorrectionBetas(const models::DayAheadTrainingSet& set,
                                                    absl::Time first_day, absl::Time end_day,
                                                    const DayAheadWalkForwardConfig& config);

// The monthly walk-forward evaluation of days [from, to) (UTC midnights). InvalidArgument
// for a bad window, rolling_months outside 1..24, or too few training days before a
// period's training end; the forecaster's errors otherwise.
absl::StatusOr<DayAheadWalkForwardResult> WalkForwardDayAhead(
    const data::GridSeries& series, const std::vector<data::DayAheadForecastRow>& neso,
    absl::Time from, absl::Time to, const DayAheadWalkForwardConfig& config);

}  // namespace gridpilot::forecast::eval

#endif  // GRIDPILOT_CORE_FORECAST_EVAL_DAY_AHEAD_WALK_FORWARD_H_
