#include "core/forecast/eval/monthly_periods.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/base/time_util.h"

namespace gridpilot::forecast::eval {

absl::StatusOr<std::vector<WalkForwardPeriod>> MonthlyPeriods(absl::Time from, absl::Time to) {
  if (from >= to) {
    return absl::InvalidArgumentError(absl::StrCat("the walk-forward window ",
                                                   base::FormatUtcTimestamp(from), " .. ",
                                                   base::FormatUtcTimestamp(to), " is empty"));
  }
  const absl::TimeZone utc = absl::UTCTimeZone();
  std::vector<WalkForwardPeriod> periods;
  absl::Time start = from;
  while (start < to) {
    if (static_cast<int>(periods.size()) == kMaxWalkForwardPeriods) {
      return absl::InvalidArgumentError(absl::StrCat(
          "the walk-forward window ", base::FormatUtcTimestamp(from), " .. ",
          base::FormatUtcTimestamp(to), " has more than ", kMaxWalkForwardPeriods, " months"));
    }
    const absl::CivilMonth month = absl::ToCivilMonth(start, utc);
    const absl::Time next_month = absl::FromCivil(month + 1, utc);
    const absl::Time end = std::min(next_month, to);
    periods.push_back({start, end});
    start = end;
  }
  return periods;
}

std::string PeriodLabel(const WalkForwardPeriod& period) {
  const absl::CivilMonth month = absl::ToCivilMonth(period.start, absl::UTCTimeZone());
  return absl::StrFormat("%04d-%02d", month.year(), month.month());
}

int PeriodIndexOf(const std::vector<WalkForwardPeriod>& periods, absl::Time t) {
  for (size_t i = 0; i < periods.size(); ++i) {
    if (periods[i].start <= t && t < periods[i].end) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace gridpilot::forecast::eval
