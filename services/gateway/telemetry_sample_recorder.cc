#include "services/gateway/telemetry_sample_recorder.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/base/logging.h"

namespace gridpilot {

namespace {

TelemetrySampleRecorderOptions Clamped(TelemetrySampleRecorderOptions options) {
  options.max_queued_samples = std::clamp<int64_t>(options.max_queued_samples, 1, 10'000'000);
  options.max_batch_samples = std::clamp<int64_t>(options.max_batch_samples, 1, 100'000);
  options.max_batch_wait =
      std::clamp(options.max_batch_wait, absl::ZeroDuration(), absl::Seconds(1));
  return options;
}

}  // namespace

TelemetrySampleRecorder::TelemetrySampleRecorder(Store* store, base::Clock* wall_clock,
                                                 TelemetrySampleRecorderOptions options)
    : store_(store), wall_clock_(wall_clock), options_(Clamped(options)) {
  writer_ = std::thread([this] { WriteLoop(); });
}

TelemetrySampleRecorder::~TelemetrySampleRecorder() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  writer_.join();
}

bool TelemetrySampleRecorder::Offer(StoredTelemetrySample sample) {
  std::string line;
  {
    absl::MutexLock lock(&mu_);
    ++counts_.offered;
    if (static_cast<int64_t>(queue_.size()) < options_.max_queued_samples) {
      queue_.push_back(std::move(sample));
      ++counts_.queued;
      return true;
    }
    ++counts_.dropped;
    ++dropped_since_log_;
    const absl::Time now = wall_clock_->Now();
    if (now - drop_log_minute_ < absl::Minutes(1)) return false;
    drop_log_minute_ = now;
    line = absl::StrCat("telemetry samples: the store's queue is full (",
                        options_.max_queued_samples, " samples); ", dropped_since_log_,
                        " samples not stored since the last such line (", counts_.dropped,
                        " in all); they still count for settlement");
    dropped_since_log_ = 0;
  }
  base::LogWarning(line);
  return false;
}

void TelemetrySampleRecorder::WriteLoop() {
  std::vector<StoredTelemetrySample> batch;
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](TelemetrySampleRecorder* self)
               ABSL_NO_THREAD_SAFETY_ANALYSIS { return self->stopping_ || !self->queue_.empty(); },
          this));
      if (queue_.empty()) return;  // stopping, and everything is written
      if (options_.max_batch_wait > absl::ZeroDuration()) {
        mu_.AwaitWithTimeout(absl::Condition(
                                 +[](TelemetrySampleRecorder* self) ABSL_NO_THREAD_SAFETY_ANALYSIS {
                                   return self->stopping_ ||
                                          static_cast<int64_t>(self->queue_.size()) >=
                                              self->options_.max_batch_samples;
                                 },
                                 this),
                             options_.max_batch_wait);
      }
      const size_t n = std::min(queue_.size(), static_cast<size_t>(options_.max_batch_samples));
      batch.assign(std::make_move_iterator(queue_.begin()),
                   std::make_move_iterator(queue_.begin() + static_cast<ptrdiff_t>(n)));
      queue_.erase(queue_.begin(), queue_.begin() + static_cast<ptrdiff_t>(n));
    }
    const absl::Status written = store_->RecordTelemetrySamples(batch);
    std::string line;
    {
      absl::MutexLock lock(&mu_);
      const int64_t n = static_cast<int64_t>(batch.size());
      counts_.queued -= n;
      if (written.ok()) {
        counts_.written += n;
        ++counts_.batches;
      } else {
        counts_.failed += n;
        const absl::Time now = wall_clock_->Now();
        if (now - failure_log_minute_ >= absl::Minutes(1)) {
          failure_log_minute_ = now;
          line = absl::StrCat("telemetry samples: the store refused ", n, " samples (",
                              counts_.failed, " in all): ", written.message());
        }
      }
    }
    if (!line.empty()) base::LogWarning(line);
    batch.clear();
  }
}

void TelemetrySampleRecorder::WaitUntilWritten() {
  absl::MutexLock lock(&mu_);
  const int64_t target = counts_.offered - counts_.dropped;
  std::pair<TelemetrySampleRecorder*, int64_t> wanted(this, target);
  mu_.Await(absl::Condition(
      +[](std::pair<TelemetrySampleRecorder*, int64_t>* arg) ABSL_NO_THREAD_SAFETY_ANALYSIS {
        const TelemetrySampleRecorderCounts& c = arg->first->counts_;
        return c.written + c.failed >= arg->second;
      },
      &wanted));
}

TelemetrySampleRecorderCounts TelemetrySampleRecorder::Counts() const {
  absl::MutexLock lock(&mu_);
  return counts_;
}

}  // namespace gridpilot
