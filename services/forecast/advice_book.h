// AdviceBook: what the forecast process keeps to answer AdviceService: the region's net
// load (region MW) and price (GBP/MWh) of the last kDaysKept days of half-hours it has
// received, in time order, up to the clock. Advise hands them to the pure core
// (core/advice/day_advice.h), which reads only the half-hours before the advised day.
// Thread-safe.
#ifndef GRIDPILOT_SERVICES_FORECAST_ADVICE_BOOK_H_
#define GRIDPILOT_SERVICES_FORECAST_ADVICE_BOOK_H_

#include <map>
#include <optional>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/advice/day_advice.h"
#include "core/data/grid_measurement.h"

namespace gridpilot {

struct BookAdvice {
  advice::DayAdvice advice;
  absl::Time data_until;  // start of the latest half-hour held
};

class AdviceBook {
 public:
  // The profile forecaster's 28 days of lookback, and one more so that "tomorrow" sees
  // all of them.
  static constexpr int kDaysKept = 29;

  // Keeps the interval's net load and price (either may be missing). InvalidArgument unless
  // the interval is after the last one received.
  absl::Status Ingest(const data::GridMeasurement& measurement);

  // The advice (options.unit must be MW) for the UTC day starting at or containing `day`;
  // nullopt = the day after the latest interval held. FailedPrecondition while nothing has
  // been received or no load or price is known in the 28 days before the day;
  // InvalidArgument for a day more than one day past the latest interval held or bad
  // options.
  absl::StatusOr<BookAdvice> Advise(std::optional<absl::Time> day,
                                    const advice::AdviceOptions& options) const;

 private:
  mutable absl::Mutex mu_;
  // interval_start -> (net load MW, price GBP/MWh), the newest kDaysKept * 48 half-hours.
  std::map<absl::Time, std::pair<std::optional<double>, std::optional<double>>> held_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_FORECAST_ADVICE_BOOK_H_
