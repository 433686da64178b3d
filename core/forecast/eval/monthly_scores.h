// Per-period scores of evaluation rows, for the monthly walk-forward tables. A day-ahead
// row belongs to the period of its target's start (the day it forecasts; its issue time
// is the evening before); a price row to the period of its issue time (the model that
// issued it was trained at that period's start).
#ifndef GRIDPILOT_CORE_FORECAST_EVAL_MONTHLY_SCORES_H_
#define GRIDPILOT_CORE_FORECAST_EVAL_MONTHLY_SCORES_H_

#include <vector>

#include "core/forecast/eval/day_ahead_demand_eval.h"
#include "core/forecast/eval/monthly_periods.h"
#include "core/forecast/eval/price_forecast_eval.h"

namespace gridpilot::forecast::eval {

// ScoreDayAhead over each period's rows; one entry per period.
std::vector<DayAheadMetrics> ScoreDayAheadByPeriod(const std::vector<DayAheadEvalRow>& rows,
                                                   const std::vector<WalkForwardPeriod>& periods);

// ScorePriceRows(rows of the period, first_horizon, last_horizon); one entry per period.
std::vector<PriceMetrics> ScorePriceRowsByPeriod(const std::vector<PriceEvalRow>& rows,
                                                 const std::vector<WalkForwardPeriod>& periods,
                                                 int first_horizon, int last_horizon);

}  // namespace gridpilot::forecast::eval

#endif  // GRIDPILOT_CORE_FORECAST_EVAL_MONTHLY_SCORES_H_
