// PriceBook: the forecast process's price forecasts for the next 24 h of intervals. It
// observes each tick's price of the interval just ended, issues a forecast at the
// decision time that follows (the trader's profile, core/forecast/profile_forecaster.h: the same
// method the trader plans on, so an operator sees the price view the trader acts on),
// scores every issued forecast as its half-hours' prices arrive, and gives each forecast
// 90% intervals from those scores: per horizon, the conformal quantile of the last 500
// errors known at its issue time (as ConformalBand does for net load). The intervals are
// worked out when a forecast is asked for, not at every tick. Thread-safe.
#ifndef GRIDPILOT_SERVICES_FORECAST_PRICE_BOOK_H_
#define GRIDPILOT_SERVICES_FORECAST_PRICE_BOOK_H_

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
  std::vector<double> price_gbp_per_mwh;              // intervals from issue_time on
  std::vector<std::optional<double>> half_width_gbp;  // per interval; nullopt: too few errors
};

class PriceBook {
 public:
  static constexpr absl::Duration kHorizon = absl::Hours(24);
  static constexpr double kIntervalCoverage = 0.9;
  static constexpr int kIntervalWindow = 500;
  static constexpr int kIntervalMinErrors = 10;

  // Intervals of `interval` (the region's resolution: 5, 15, 30 or 60 min): kHorizon of them
  // ahead (48 at 30 min, 96 at 15, 288 at 5, 24 at 60), as the trader plans.
  explicit PriceBook(absl::Duration interval = absl::Minutes(30))
      : interval_(interval),
        horizon_intervals_(static_cast<int>(kHorizon / interval)),
        profile_(interval),
        errors_(static_cast<size_t>(horizon_intervals_)) {}

  // Forecast values per issue time: the intervals in kHorizon.
  int horizon_intervals() const { return horizon_intervals_; }
  // Issued forecasts kept: two horizons' worth, long enough for every horizon to be scored.
  size_t issued_kept() const { return 2 * static_cast<size_t>(horizon_intervals_); }

  // Observes the price (nullopt = missing) of the interval starting at `interval_start`
  // and issues the forecast for the interval after it. InvalidArgument unless the
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
  const int horizon_intervals_;
  forecast::ProfileForecaster profile_ ABSL_GUARDED_BY(mu_);
  std::optional<absl::Time> last_interval_ ABSL_GUARDED_BY(mu_);
  // Issued forecasts (prices only; Get adds the intervals), issued_kept() of them.
  std::map<absl::Time, std::vector<double>> issued_ ABSL_GUARDED_BY(mu_);
  // Per horizon, the newest errors: enough for the window of any kept issue time.
  std::vector<std::deque<ScoredError>> errors_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_FORECAST_PRICE_BOOK_H_
