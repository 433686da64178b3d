#include "core/forecast/eval/day_ahead_walk_forward.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/base/time_util.h"
#include "core/forecast/day_ahead_demand_features.h"
#include "core/forecast/eval/monthly_scores.h"

namespace gridpilot::forecast::eval {
namespace {

constexpr absl::Duration kDay = absl::Hours(24);
constexpr int kMaxRollingMonths = 24;

size_t FeatureColumn(const std::string& name) {
  const std::vector<std::string>& names = DayAheadDemandFeatures::FeatureNames();
  return static_cast<size_t>(std::find(names.begin(), names.end(), name) - names.begin());
}

bool IsUtcMidnight(absl::Time t) {
  return absl::ToCivilDay(t, absl::UTCTimeZone()) == absl::ToCivilSecond(t, absl::UTCTimeZone());
}

}  // namespace

absl::StatusOr<DayAheadCorrection> ParseDayAheadCorrection(const std::string& text) {
  if (text == "whole") return DayAheadCorrection::kWholeWindow;
  if (text == "rolling") return DayAheadCorrection::kRolling;
  if (text == "gated") return DayAheadCorrection::kGated;
  return absl::InvalidArgumentError(
      absl::StrCat("correction \"", text, "\": must be whole, rolling or gated"));
}

std::string DayAheadCorrectionName(DayAheadCorrection correction) {
  switch (correction) {
    case DayAheadCorrection::kWholeWindow: return "whole";
    case DayAheadCorrection::kRolling: return "rolling";
    case DayAheadCorrection::kGated: return "gated";
  }
  return "?";
}

std::vector<BandRecord> NesoCorrectionRecord(const models::DayAheadTrainingSet& set,
                                             absl::Time first_target, absl::Time end_target) {
  std::vector<BandRecord> record(models::kNesoLeadBands);
  if (set.target_starts.size() != set.rows || first_target >= end_target) return record;
  const size_t lead_col = FeatureColumn("neso_lead_hours");
  const size_t error_col = FeatureColumn("neso_error_last_known_mw");
  const absl::TimeZone utc = absl::UTCTimeZone();
  for (absl::CivilMonth month = absl::ToCivilMonth(first_target, utc) + 1;
       absl::FromCivil(month, utc) < end_target; ++month) {
    const absl::Time month_start = absl::FromCivil(month, utc);
    const absl::Time month_end = std::min(absl::FromCivil(month + 1, utc), end_target);
    // Fitted on targets that ended before the month's first cut-off (D-1 23:45 UTC).
    const std::vector<double> betas =
        models::FitNesoErrorBetas(set, first_target, month_start - kDay);
    for (size_t r = 0; r < set.rows; ++r) {
      const absl::Time target = set.target_starts[r];
      const float error = set.features[r * set.cols + error_col];
      if (target < month_start || target >= month_end) continue;
      if (std::isnan(set.neso_mw[r]) || std::isnan(error)) continue;
      const int band = models::NesoLeadBand(set.features[r * set.cols + lead_col]);
      const double corrected = set.neso_mw[r] + betas[band] * error;
      BandRecord& b = record[band];
      ++b.rows;
      b.corrected_abs_error_sum_mw += std::abs(set.actuals_mw[r] - corrected);
      b.neso_abs_error_sum_mw += std::abs(static_cast<double>(set.actuals_mw[r]) - set.neso_mw[r]);
    }
  }
  return record;
}

absl::StatusOr<std::vector<double>> CorrectionBetas(const models::DayAheadTrainingSet& set,
                                                    absl::Time first_day, absl::Time end_day,
                                                    const DayAheadWalkForwardConfig& config) {
  if (config.rolling_months < 1 || config.rolling_months > kMaxRollingMonths) {
    return absl::InvalidArgumentError(
        absl::StrCat("rolling_months ", config.rolling_months, ": must be 1..", kMaxRollingMonths));
  }
  switch (config.correction) {
    case DayAheadCorrection::kWholeWindow:
      return models::FitNesoErrorBetas(set, first_day, end_day);
    case DayAheadCorrection::kRolling: {
      const absl::CivilDay end = absl::ToCivilDay(end_day, absl::UTCTimeZone());
      const absl::CivilDay start(end.year(), end.month() - config.rolling_months, end.day());
      const absl::Time window_start =
          std::max(first_day, absl::FromCivil(start, absl::UTCTimeZone()));
      return models::FitNesoErrorBetas(set, window_start, end_day);
    }
    case DayAheadCorrection::kGated: {
      std::vector<double> betas = models::FitNesoErrorBetas(set, first_day, end_day);
      const std::vector<BandRecord> record = NesoCorrectionRecord(set, first_day, end_day);
      for (size_t b = 0; b < betas.size(); ++b) {
        const bool beat_neso = record[b].rows > 0 && record[b].corrected_abs_error_sum_mw <
                                                         record[b].neso_abs_error_sum_mw;
        if (!beat_neso) betas[b] = 0.0;
      }
      return betas;
    }
  }
  return absl::InvalidArgumentError("unknown day-ahead correction");
}

absl::StatusOr<DayAheadWalkForwardResult> WalkForwardDayAhead(
    const data::GridSeries& series, const std::vector<data::DayAheadForecastRow>& neso,
    absl::Time from, absl::Time to, const DayAheadWalkForwardConfig& config) {
  if (!IsUtcMidnight(from) || !IsUtcMidnight(to) || from >= to) {
    return absl::InvalidArgumentError(
        absl::StrCat("the evaluation window ", base::FormatUtcTimestamp(from), " .. ",
                     base::FormatUtcTimestamp(to), " is not a non-empty span of UTC days"));
  }
  ASSIGN_OR_RETURN(const std::vector<WalkForwardPeriod> periods, MonthlyPeriods(from, to));
  const DayAheadDemandFeatures features(&series, &neso, config.eval.holidays);
  DayAheadWalkForwardResult result;
  for (const WalkForwardPeriod& period : periods) {
    DayAheadMonth month;
    month.period = period;
    month.training_end = period.start - kDay;
    ASSIGN_OR_RETURN(const TrainedDayAheadDemand trained,
                     TrainDayAheadDemand(series, neso, month.training_end, config.eval));
    month.training_days = trained.training_days;
    ASSIGN_OR_RETURN(
        const models::DayAheadTrainingSet set,
        models::BuildDayAheadTrainingSet(features, trained.training_first_day, month.training_end));
    ASSIGN_OR_RETURN(month.betas,
                     CorrectionBetas(set, trained.training_first_day, month.training_end, config));
    ASSIGN_OR_RETURN(const models::DayAheadDemandForecaster forecaster,
                     trained.forecaster.WithNesoErrorBetas(month.betas));
    int skipped = 0;
    ASSIGN_OR_RETURN(const std::vector<DayAheadEvalRow> rows,
                     ForecastDayAheadDays(forecaster, features, period.start, period.end,
                                          trained.half_widths, &skipped));
    result.skipped_targets += skipped;
    result.rows.insert(result.rows.end(), rows.begin(), rows.end());
    result.months.push_back(std::move(month));
  }
  const std::vector<DayAheadMetrics> by_month = ScoreDayAheadByPeriod(result.rows, periods);
  for (size_t i = 0; i < periods.size(); ++i) result.months[i].metrics = by_month[i];
  result.total = ScoreDayAhead(result.rows);
  return result;
}

}  // namespace gridpilot::forecast::eval
