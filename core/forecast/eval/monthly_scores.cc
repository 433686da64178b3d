#include "core/forecast/eval/monthly_scores.h"

namespace gridpilot::forecast::eval {

std::vector<DayAheadMetrics> ScoreDayAheadByPeriod(const std::vector<DayAheadEvalRow>& rows,
                                                   const std::vector<WalkForwardPeriod>& periods) {
  const std::vector<std::vector<DayAheadEvalRow>> by_period =
      RowsByPeriod(rows, periods, [](const DayAheadEvalRow& row) { return row.target_start; });
  std::vector<DayAheadMetrics> out;
  for (const std::vector<DayAheadEvalRow>& period_rows : by_period) {
    out.push_back(ScoreDayAhead(period_rows));
  }
  return out;
}

std::vector<PriceMetrics> ScorePriceRowsByPeriod(const std::vector<PriceEvalRow>& rows,
                                                 const std::vector<WalkForwardPeriod>& periods,
                                                 int first_horizon, int last_horizon) {
  const std::vector<std::vector<PriceEvalRow>> by_period =
      RowsByPeriod(rows, periods, [](const PriceEvalRow& row) { return row.issue_time; });
  std::vector<PriceMetrics> out;
  for (const std::vector<PriceEvalRow>& period_rows : by_period) {
    out.push_back(ScorePriceRows(period_rows, first_horizon, last_horizon));
  }
  return out;
}

}  // namespace gridpilot::forecast::eval
