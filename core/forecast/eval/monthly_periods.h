// The periods of a monthly walk-forward evaluation: the window [from, to) cut at every UTC
// calendar month start inside it, so each period is forecast by models refitted at its
// start. Rows are assigned to periods by a time the caller picks (the target's start for
// the day-ahead forecast, the issue time for the price and change forecasts).
#ifndef GRIDPILOT_CORE_FORECAST_EVAL_MONTHLY_PERIODS_H_
#define GRIDPILOT_CORE_FORECAST_EVAL_MONTHLY_PERIODS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace gridpilot::forecast::eval {

struct WalkForwardPeriod {
  absl::Time start;  // from, or a UTC month start
  absl::Time end;    // the next UTC month start, or to
};

// At most this many periods (ten years of months): a longer window is an error.
inline constexpr int kMaxWalkForwardPeriods = 120;

// [from, to) cut at each UTC month start strictly inside it, in time order. InvalidArgument
// if from >= to or there would be more than kMaxWalkForwardPeriods periods.
absl::StatusOr<std::vector<WalkForwardPeriod>> MonthlyPeriods(absl::Time from, absl::Time to);

// "2023-01" for a period starting in January 2023 (the month of its start, UTC).
std::string PeriodLabel(const WalkForwardPeriod& period);

// The index of the period with start <= t < end, or -1 if none.
int PeriodIndexOf(const std::vector<WalkForwardPeriod>& periods, absl::Time t);

// rows split by period: out[i] holds, in their order, the rows whose time_of(row) falls in
// periods[i]; rows outside every period are dropped.
template <typename Row, typename TimeOf>
std::vector<std::vector<Row>> RowsByPeriod(const std::vector<Row>& rows,
                                           const std::vector<WalkForwardPeriod>& periods,
                                           TimeOf time_of) {
  std::vector<std::vector<Row>> out(periods.size());
  for (const Row& row : rows) {
    const int i = PeriodIndexOf(periods, time_of(row));
    if (i >= 0) out[i].push_back(row);
  }
  return out;
}

}  // namespace gridpilot::forecast::eval

#endif  // GRIDPILOT_CORE_FORECAST_EVAL_MONTHLY_PERIODS_H_
