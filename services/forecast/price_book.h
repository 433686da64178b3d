// PriceBook: the forecast process's price forecasts for the next 48 half-hours. It
// observes each tick's price of the interval just ended, issues a forecast at the
// decision time that follows (the trader's profile, core/forecast/profile_forecaster.h: the same
// method the trader plans on, so an operator sees the price view the trader acts on),
// scores every issued forecast as its half-hours' prices arrive, and gives each forecast
// 90% intervals from those scores: per horizon, the conformal quantile of the last 500
// errors known at its issue time (as ConformalBand does for net load). The intervals are
// worked out when a forecast is asked for, not at every tick. Thread-safe.
#ifndef GRIDPILOT_SERVICES_FORECAST_PRICE_BOOK_H_
#define GRIDPILOT_SERVICES_FORECAST_PRICE_BOOK_H_

#include <array>
#include <deque>
#include <map>
#include <optional>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/forecast/profile_forecaster.h"

namespace gridpilot {

struct IssuedPriceForecast {
  absl::Time issue_time;
  std::vector<double> price_gbp_per_mwh;              // half-hours from issue_time on
  std::vector<std::optional<double>> half_width_gbp;  // per half-hour; nullopt: too few errors
};

class PriceBook {
 public:
  static constexpr int kHorizonIntervals = 48;
  static constexpr double kIntervalCoverage = 0.9;
  static constexpr int kIntervalWindow = 500;
  static constexpr int kIntervalMinErrors = 10;
  static constexpr size_t kIssuedKept = 96;

  // Intervals of `interval` (the region's resolution): kHorizonIntervals of them ahead.
  explicit PriceBook(absl::Duration interval = absl::Minutes(30))
      : interval_(interval), profile_(interval) {}

  // Observes the price (nullopt = missing) of the interval starting at `interval_start`
  // and issues the forecast for interval_start + 30 min. InvalidArgument unless the
  // interval is after the last one observed.
  absl::Status Ingest(absl::Time interval_start, std::optional<double> price_gbp_per_mwh);

  // The forecast issued at `issue_time`, or the newest when nullopt. NotFound if it was
  // never issued or is no longer kept.
  absl::StatusOr<IssuedPriceForecast> Get(std::optional<absl::Time> issue_time) const;

 private:
  struct ScoredError {
    absl::Time known_at;  // when the price it was scored against became known
    double abs_error_gbp;
  };

  mutable absl::Mutex mu_;
  const absl::Duration interval_;
  forecast::ProfileForecaster profile_ ABSL_GUARDED_BY(mu_);
  std::optional<absl::Time> last_interval_ ABSL_GUARDED_BY(mu_);
  // Issued forecasts (prices only; Get adds the intervals), kept kIssuedKept, which is
  // long enough for every horizon to be scored.
  std::map<absl::Time, std::vector<double>> issued_ ABSL_GUARDED_BY(mu_);
  // Per horizon, the newest errors: enough for the window of any kept issue time.
  std::array<std::deque<ScoredError>, kHorizonIntervals> errors_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_FORECAST_PRICE_BOOK_H_
