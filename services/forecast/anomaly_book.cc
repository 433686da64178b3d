#include "services/forecast/anomaly_book.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "core/base/time_util.h"

namespace gridpilot {
namespace {

// Verdicts kept for Get: a year of half-hours and then some.
constexpr size_t kVerdictsKept = 20000;

// Interval of the UTC day the interval starts in, 0..(intervals per day - 1).
int PeriodOfDay(absl::Time interval_start, absl::Duration interval) {
  const absl::Time midnight =
      absl::FromCivil(absl::ToCivilDay(interval_start, absl::UTCTimeZone()), absl::UTCTimeZone());
  absl::Duration remainder;
  return static_cast<int>(absl::IDivDuration(interval_start - midnight, interval, &remainder));
}

double ValueOf(const data::GridMeasurement& m) {
  return m.net_load_mw.has_value() ? *m.net_load_mw : std::nan("");
}

}  // namespace

absl::StatusOr<anomaly::SeriesAnomalyDetector> FitNetLoadAnomalyDetector(
    const std::vector<data::GridMeasurement>& history, const anomaly::SeriesAnomalyOptions& options,
    absl::Duration interval) {
  if (history.empty()) return absl::InvalidArgumentError("no history to fit the detectors on");
  std::vector<double> values;
  values.reserve(history.size());
  for (const data::GridMeasurement& m : history) values.push_back(ValueOf(m));
  return anomaly::SeriesAnomalyDetector::Fit(
      values, PeriodOfDay(history.front().interval_start, interval), options);
}

AnomalyBook::AnomalyBook(anomaly::SeriesAnomalyDetector detector,
                         const std::vector<data::GridMeasurement>& history,
                         double one_step_suspect_multiple, absl::Duration interval)
    : interval_(interval),
      detector_(std::move(detector)),
      one_step_suspect_multiple_(one_step_suspect_multiple),
      history_rows_(static_cast<size_t>(detector_.HistoryRows())) {
  const size_t keep = std::min(history.size(), history_rows_);
  for (size_t i = history.size() - keep; i < history.size(); ++i) {
    recent_mw_.push_back(ValueOf(history[i]));
  }
  recent_end_ = history.empty() ? absl::InfinitePast() : history.back().interval_start + interval_;
}

absl::StatusOr<IntervalVerdict> AnomalyBook::Ingest(
    const data::GridMeasurement& measurement,
    const std::optional<anomaly::OneStepForecast>& one_step) {
  absl::MutexLock lock(&mu_);
  if (recent_end_ != absl::InfinitePast() && measurement.interval_start < recent_end_) {
    return absl::AlreadyExistsError(absl::StrCat(
        "interval ", base::FormatUtcTimestamp(measurement.interval_start), " was already scored"));
  }
  if (recent_end_ != absl::InfinitePast()) {
    for (absl::Time t = recent_end_; t < measurement.interval_start; t += interval_) {
      recent_mw_.push_back(std::nan(""));
    }
  }
  recent_mw_.push_back(ValueOf(measurement));
  if (recent_mw_.size() > history_rows_ + 1) {
    recent_mw_.erase(recent_mw_.begin(),
                     recent_mw_.begin() + static_cast<long>(recent_mw_.size() - history_rows_ - 1));
  }
  recent_end_ = measurement.interval_start + interval_;
  const absl::Time first_start =
      measurement.interval_start - static_cast<int64_t>(recent_mw_.size() - 1) * interval_;
  absl::StatusOr<anomaly::ScoredReading> reading =
      detector_.ScoreLast(recent_mw_, PeriodOfDay(first_start, interval_));
  if (!reading.ok()) return reading.status();
  if (one_step.has_value() && one_step_suspect_multiple_ > 0) {
    anomaly::ApplyOneStepCheck(*one_step, one_step_suspect_multiple_, &*reading);
  }
  IntervalVerdict verdict{measurement.interval_start, *std::move(reading)};
  ++scored_;
  verdicts_[verdict.interval_start] = verdict;
  if (verdicts_.size() > kVerdictsKept) verdicts_.erase(verdicts_.begin());
  if (verdict.flagged()) flagged_.push_back(verdict);
  return verdict;
}

absl::StatusOr<IntervalVerdict> AnomalyBook::Get(absl::Time interval_start,
                                                 absl::Duration max_wait) const {
  absl::MutexLock lock(&mu_);
  auto scored = [this, interval_start]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return recent_end_ != absl::InfinitePast() && recent_end_ > interval_start;
  };
  mu_.AwaitWithTimeout(absl::Condition(&scored), max_wait);
  if (!scored()) {
    return absl::DeadlineExceededError(absl::StrCat(
        "interval ", base::FormatUtcTimestamp(interval_start), " has not been measured yet"));
  }
  auto it = verdicts_.find(interval_start);
  if (it == verdicts_.end()) {
    return absl::NotFoundError(absl::StrCat("no verdict on interval ",
                                            base::FormatUtcTimestamp(interval_start),
                                            ": before the book's memory or not a tick"));
  }
  return it->second;
}

std::vector<IntervalVerdict> AnomalyBook::List(absl::Time from,
                                               const std::vector<anomaly::AnomalyKind>& kinds,
                                               size_t limit) const {
  absl::MutexLock lock(&mu_);
  std::vector<IntervalVerdict> out;
  for (auto it = flagged_.rbegin(); it != flagged_.rend() && out.size() < limit; ++it) {
    if (it->interval_start < from) break;
    if (!kinds.empty() &&
        std::find(kinds.begin(), kinds.end(), it->reading.label.kind) == kinds.end()) {
      continue;
    }
    out.push_back(*it);
  }
  std::reverse(out.begin(), out.end());
  return out;
}

std::vector<IntervalVerdict> AnomalyBook::WaitForNew(size_t* seen, absl::Duration max_wait) const {
  absl::MutexLock lock(&mu_);
  auto more = [this, seen]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return flagged_.size() > *seen; };
  mu_.AwaitWithTimeout(absl::Condition(&more), max_wait);
  std::vector<IntervalVerdict> out(
      flagged_.begin() + static_cast<long>(std::min(*seen, flagged_.size())), flagged_.end());
  *seen = flagged_.size();
  return out;
}

int64_t AnomalyBook::intervals_scored() const {
  absl::MutexLock lock(&mu_);
  return scored_;
}

}  // namespace gridpilot
