#include "services/forecast/day_ahead_book.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/base/time_util.h"
#include "core/forecast/day_ahead_demand_features.h"

namespace gridpilot {
namespace {

data::GridInterval IntervalOf(const data::GridMeasurement& m) {
  return {m.interval_start, m.net_load_mw, m.embedded_solar_mw, m.embedded_wind_mw,
          m.price_gbp_per_mwh};
}

bool IsUtcMidnightTime(absl::Time t) {
  return (t - absl::UnixEpoch()) % absl::Hours(24) == absl::ZeroDuration();
}

std::vector<data::GridInterval> IntervalsOf(
    const std::vector<data::GridMeasurement>& measurements) {
  std::vector<data::GridInterval> out;
  out.reserve(measurements.size());
  for (const data::GridMeasurement& m : measurements) out.push_back(IntervalOf(m));
  return out;
}

}  // namespace

absl::StatusOr<std::unique_ptr<DayAheadBook>> DayAheadBook::Train(
    const std::vector<data::GridMeasurement>& history,
    std::vector<data::DayAheadForecastRow> day_ahead, absl::Time replay_start,
    const forecast::eval::DayAheadEvalConfig& config) {
  ASSIGN_OR_RETURN(const data::GridSeries series, data::GridSeries::Create(IntervalsOf(history)));
  const absl::Time first_day =
      absl::UnixEpoch() + absl::Floor(replay_start - absl::UnixEpoch(), absl::Hours(24));
  ASSIGN_OR_RETURN(forecast::eval::TrainedDayAheadDemand trained,
                   forecast::eval::TrainDayAheadDemand(series, day_ahead, first_day, config));
  return std::make_unique<DayAheadBook>(std::move(trained), history, std::move(day_ahead));
}

DayAheadBook::DayAheadBook(forecast::eval::TrainedDayAheadDemand trained,
                           const std::vector<data::GridMeasurement>& history,
                           std::vector<data::DayAheadForecastRow> day_ahead)
    : trained_(std::move(trained)) {
  absl::MutexLock lock(&mu_);
  intervals_ = IntervalsOf(history);
  day_ahead_ = std::move(day_ahead);
}

void DayAheadBook::AddDayAheadForecasts(const std::vector<data::DayAheadForecastRow>& day_ahead) {
  absl::MutexLock lock(&mu_);
  day_ahead_.insert(day_ahead_.end(), day_ahead.begin(), day_ahead.end());
}

absl::Status DayAheadBook::Ingest(const data::GridMeasurement& measurement) {
  absl::MutexLock lock(&mu_);
  if (!intervals_.empty() &&
      measurement.interval_start != intervals_.back().start + base::kHalfHour) {
    return absl::InvalidArgumentError(
        absl::StrCat("interval ", base::FormatUtcTimestamp(measurement.interval_start),
                     " does not follow ", base::FormatUtcTimestamp(intervals_.back().start)));
  }
  intervals_.push_back(IntervalOf(measurement));
  const absl::Time day = measurement.interval_start + base::kHalfHour;
  if (!IsUtcMidnightTime(day)) return absl::OkStatus();
  // The day's forecast, from what had ended or been published by its cut-off (the
  // features' gates); the series is rebuilt once a day, from the intervals the features
  // can read: none starts before day - kOutturnKept.
  const auto first_kept =
      std::find_if(intervals_.begin(), intervals_.end(),
                   [&](const data::GridInterval& i) { return i.start >= day - kOutturnKept; });
  intervals_.erase(intervals_.begin(), first_kept);
  ASSIGN_OR_RETURN(const data::GridSeries series, data::GridSeries::Create(intervals_));
  const forecast::DayAheadDemandFeatures features(&series, &day_ahead_, trained_.holidays);
  ASSIGN_OR_RETURN(
      std::vector<forecast::eval::DayAheadEvalRow> rows,
      forecast::eval::ForecastDayAheadDays(trained_.forecaster, features, day,
                                           day + absl::Hours(24), trained_.half_widths));
  issued_[day] = std::move(rows);
  while (issued_.size() > kDaysKept) issued_.erase(issued_.begin());
  return absl::OkStatus();
}

absl::StatusOr<std::vector<forecast::eval::DayAheadEvalRow>> DayAheadBook::Get(
    absl::Time day) const {
  absl::MutexLock lock(&mu_);
  auto it = issued_.find(day);
  if (it == issued_.end()) {
    return absl::NotFoundError(absl::StrCat(
        "no day-ahead demand forecast issued for ", base::FormatUtcTimestamp(day),
        issued_.empty()
            ? std::string(" (none issued yet: one is issued at each UTC midnight)")
            : absl::StrCat(" (kept: ", base::FormatUtcTimestamp(issued_.begin()->first), " to ",
                           base::FormatUtcTimestamp(issued_.rbegin()->first), ")")));
  }
  return it->second;
}

}  // namespace gridpilot
