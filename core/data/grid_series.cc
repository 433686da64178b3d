#include "core/data/grid_series.h"

#include <cstdint>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "core/base/time_util.h"

namespace gridpilot::data {

absl::StatusOr<GridSeries> GridSeries::Create(std::vector<GridInterval> intervals,
                                              absl::Duration interval) {
  if (interval != absl::Minutes(5) && interval != absl::Minutes(15) &&
      interval != absl::Minutes(30) && interval != absl::Minutes(60)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "series interval ", absl::FormatDuration(interval), " is not 5, 15, 30 or 60 minutes"));
  }
  for (size_t i = 1; i < intervals.size(); ++i) {
    const absl::Time expected = intervals[i - 1].start + interval;
    if (intervals[i].start != expected) {
      return absl::InvalidArgumentError(
          absl::StrCat("interval ", i, " starts at ", base::FormatUtcTimestamp(intervals[i].start),
                       ", expected ", base::FormatUtcTimestamp(expected), " (",
                       absl::FormatDuration(interval), " after the previous one)"));
    }
  }
  return GridSeries(std::move(intervals), interval);
}

absl::Time GridSeries::start() const {
  return intervals_.empty() ? absl::UnixEpoch() : intervals_.front().start;
}

absl::Time GridSeries::end() const {
  return intervals_.empty() ? absl::UnixEpoch() : intervals_.back().start + interval_;
}

std::optional<size_t> GridSeries::IndexOf(absl::Time start) const {
  if (intervals_.empty() || start < this->start() || start >= end()) return std::nullopt;
  absl::Duration remainder;
  const int64_t index = absl::IDivDuration(start - this->start(), interval_, &remainder);
  if (remainder != absl::ZeroDuration()) return std::nullopt;
  return static_cast<size_t>(index);
}

}  // namespace gridpilot::data
