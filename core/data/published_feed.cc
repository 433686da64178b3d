#include "core/data/published_feed.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/base/time_util.h"

namespace gridpilot::data {

namespace {

// How often a waiting Next looks for new samples; it bounds the settle latency only.
constexpr absl::Duration kPollPeriod = absl::Milliseconds(5);

// The index of the step containing `t` (t >= first).
int64_t StepIndex(absl::Time t, absl::Time first, absl::Duration step) {
  absl::Duration remainder;
  return absl::IDivDuration(t - first, step, &remainder);
}

std::optional<double> Mean(double sum, int64_t count) {
  if (count == 0) return std::nullopt;
  return sum / static_cast<double>(count);
}

}  // namespace

absl::Status PublishedFeedConfig::Validate() const {
  if (step <= absl::ZeroDuration() || absl::Minutes(30) % step != absl::ZeroDuration()) {
    return absl::InvalidArgumentError("published feed step: must be > 0 and divide 30 minutes");
  }
  if (end <= first_step_start) {
    return absl::InvalidArgumentError("published feed: end must be after first_step_start");
  }
  if (late_window < absl::ZeroDuration() || late_window > absl::Hours(1)) {
    return absl::InvalidArgumentError("telemetry late_window: must be within 0 to 1 hour");
  }
  if (silence_timeout < absl::Milliseconds(10) || silence_timeout > absl::Hours(1)) {
    return absl::InvalidArgumentError("telemetry silence_timeout: must be within 10 ms to 1 hour");
  }
  return validator.Validate();
}

absl::StatusOr<std::unique_ptr<PublishedFeed>> PublishedFeed::Create(PublishedFeedConfig config,
                                                                     base::Clock* wall_clock) {
  if (absl::Status valid = config.Validate(); !valid.ok()) return valid;
  return std::unique_ptr<PublishedFeed>(new PublishedFeed(std::move(config), wall_clock));
}

PublishedFeed::PublishedFeed(PublishedFeedConfig config, base::Clock* wall_clock)
    : config_(std::move(config)),
      wall_clock_(wall_clock),
      validator_(config_.validator),
      next_start_(config_.first_step_start),
      newest_stamp_(absl::InfinitePast()),
      last_accepted_wall_(wall_clock->Now()) {}

PushResult PublishedFeed::Push(const TelemetrySample& sample) {
  const absl::Time wall_now = wall_clock_->Now();
  absl::MutexLock lock(&mu_);
  PushResult result;
  result.verdict = validator_.Check(sample, next_start_ + config_.step);
  if (!result.verdict.accepted()) {
    ++counts_.rejected[static_cast<size_t>(*result.verdict.rejection)];
    return result;
  }
  ++counts_.accepted;
  last_accepted_wall_ = wall_now;
  newest_stamp_ = std::max(newest_stamp_, sample.timestamp);
  if (sample.timestamp < next_start_ || sample.timestamp >= config_.end) {
    ++counts_.late;
    result.outcome = PushOutcome::kLate;
    return result;
  }
  const int64_t index = StepIndex(sample.timestamp, config_.first_step_start, config_.step);
  StepSums& sums = steps_[index];
  const std::optional<double> values[] = {sample.net_load_mw, sample.solar_mw, sample.wind_mw,
                                          sample.price_gbp_per_mwh};
  for (size_t q = 0; q < 4; ++q) {
    if (values[q]) {
      sums.sum[q] += *values[q];
      ++sums.count[q];
    }
  }
  ++sums.samples;
  ++counts_.pending;
  result.outcome = PushOutcome::kSettles;
  return result;
}

bool PublishedFeed::SettleableLocked(absl::Time now) const {
  return newest_stamp_ >= next_start_ + config_.step + config_.late_window ||
         now - last_accepted_wall_ >= config_.silence_timeout;
}

absl::StatusOr<FeedReading> PublishedFeed::Next() {
  while (true) {
    const absl::Time now = wall_clock_->Now();
    absl::Time wake;
    {
      absl::MutexLock lock(&mu_);
      if (next_start_ >= config_.end) {
        return absl::OutOfRangeError(
            absl::StrCat("published feed ends at ", base::FormatUtcTimestamp(config_.end)));
      }
      if (SettleableLocked(now)) {
        const int64_t index = StepIndex(next_start_, config_.first_step_start, config_.step);
        FeedReading reading;
        reading.start = next_start_;
        auto it = steps_.find(index);
        if (it != steps_.end()) {
          const StepSums& s = it->second;
          reading.net_load_mw = Mean(s.sum[0], s.count[0]);
          reading.embedded_solar_mw = Mean(s.sum[1], s.count[1]);
          reading.embedded_wind_mw = Mean(s.sum[2], s.count[2]);
          reading.price_gbp_per_mwh = Mean(s.sum[3], s.count[3]);
          counts_.settled += s.samples;
          counts_.pending -= s.samples;
          steps_.erase(it);
        }
        if (newest_stamp_ < next_start_ + config_.step + config_.late_window) {
          ++counts_.steps_settled_silent;
          reading.source_silent = true;
        }
        ++counts_.steps_settled;
        next_start_ += config_.step;
        return reading;
      }
      wake = std::min(now + kPollPeriod, last_accepted_wall_ + config_.silence_timeout);
    }
    wall_clock_->SleepUntil(wake);
  }
}

PublishedFeedCounts PublishedFeed::Counts() const {
  absl::MutexLock lock(&mu_);
  return counts_;
}

bool PublishedFeed::Silent() const {
  const absl::Time now = wall_clock_->Now();
  absl::MutexLock lock(&mu_);
  return now - last_accepted_wall_ >= config_.silence_timeout;
}

}  // namespace gridpilot::data
