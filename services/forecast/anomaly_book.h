// AnomalyBook: the forecast process's anomaly state. It keeps the recent region net load,
// scores each newly measured interval with a SeriesAnomalyDetector fitted on the history
// before the replay, keeps every verdict (so agents can ask about a tick, waiting briefly
// for one that has not arrived) and every anomaly (for listing and streaming).
// Thread-safe.
#ifndef GRIDPILOT_SERVICES_FORECAST_ANOMALY_BOOK_H_
#define GRIDPILOT_SERVICES_FORECAST_ANOMALY_BOOK_H_

#include <map>
#include <optional>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/anomaly/one_step_check.h"
#include "core/anomaly/series_anomaly_detector.h"
#include "core/data/grid_measurement.h"

namespace gridpilot {

struct IntervalVerdict {
  absl::Time interval_start;
  anomaly::ScoredReading reading;  // label.kind kNone: not flagged
  double expected_mw() const { return reading.residual.forecast; }
  bool flagged() const { return reading.label.kind != anomaly::AnomalyKind::kNone; }
};

// Fits the detector on the net load of `history` (one row per `interval`, in order; missing
// values allowed; options' periods_per_day must match). InvalidArgument when it cannot be
// fitted.
absl::StatusOr<anomaly::SeriesAnomalyDetector> FitNetLoadAnomalyDetector(
    const std::vector<data::GridMeasurement>& history, const anomaly::SeriesAnomalyOptions& options,
    absl::Duration interval = absl::Minutes(30));

class AnomalyBook {
 public:
  // `history` (measurements strictly before the first tick, in order) seeds the recent
  // series the first verdicts look back on.
  // `one_step_suspect_multiple` > 0 turns on the one-step check (core/anomaly/one_step_check.h)
  // at that many interval half-widths; 0 leaves it off.
  AnomalyBook(anomaly::SeriesAnomalyDetector detector,
              const std::vector<data::GridMeasurement>& history,
              double one_step_suspect_multiple = 0.0, absl::Duration interval = absl::Minutes(30));

  // Scores the interval of one tick's measurement, and with `one_step` (the 30-min
  // forecast of this interval, with its interval) applies the one-step check. An interval
  // at or before the last one scored is ignored (a re-sent tick); a gap is filled with
  // missing readings.
  absl::StatusOr<IntervalVerdict> Ingest(
      const data::GridMeasurement& measurement,
      const std::optional<anomaly::OneStepForecast>& one_step = {});

  // The verdict on the interval starting at `interval_start`, waiting up to `max_wait`
  // for it. DeadlineExceeded if it has not been scored in time; NotFound if it is older
  // than the book's memory.
  absl::StatusOr<IntervalVerdict> Get(absl::Time interval_start, absl::Duration max_wait) const;

  // Flagged intervals from `from` on (all kinds, or those in `kinds`), the newest `limit`.
  std::vector<IntervalVerdict> List(absl::Time from, const std::vector<anomaly::AnomalyKind>& kinds,
                                    size_t limit) const;

  // Flagged intervals after the first `*seen` ever flagged, waiting up to `max_wait` for
  // one; advances `*seen`. For streaming.
  std::vector<IntervalVerdict> WaitForNew(size_t* seen, absl::Duration max_wait) const;

  int64_t intervals_scored() const;
  absl::Duration interval() const { return interval_; }
  double threshold() const { return detector_.threshold(); }

 private:
  const absl::Duration interval_;  // the region's resolution
  const anomaly::SeriesAnomalyDetector detector_;
  const double one_step_suspect_multiple_;
  const size_t history_rows_;
  mutable absl::Mutex mu_;
  std::vector<double> recent_mw_ ABSL_GUARDED_BY(mu_);  // oldest first
  absl::Time recent_end_ ABSL_GUARDED_BY(mu_);          // start of the interval after the last
  std::map<absl::Time, IntervalVerdict> verdicts_ ABSL_GUARDED_BY(mu_);
  std::vector<IntervalVerdict> flagged_ ABSL_GUARDED_BY(mu_);
  int64_t scored_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_FORECAST_ANOMALY_BOOK_H_
