// ForecastBook: the forecast process's live state. It pushes each tick's measurement
// into the feature store, issues the net-load-change forecasts for that tick's decision
// time, keeps recent forecasts so agents can fetch them (waiting briefly for a tick that
// has not arrived yet), and scores every forecast against the outturn when its target
// interval is measured; those scores give each new forecast its prediction interval. Its models can
// be swapped while it serves (ReloadModel). Thread-safe.
#ifndef GRIDPILOT_SERVICES_FORECAST_FORECAST_BOOK_H_
#define GRIDPILOT_SERVICES_FORECAST_FORECAST_BOOK_H_

#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/data/grid_measurement.h"
#include "core/forecast/conformal_band.h"
#include "core/forecast/feature_store.h"
#include "core/forecast/models/net_load_change_forecaster.h"
#include "core/ml/forecast_explanation.h"

namespace gridpilot {

struct IssuedForecast {
  absl::Time issue_time;
  double last_net_load_mw = 0.0;                            // base of the changes, region MW
  std::vector<forecast::models::ChangeForecast> forecasts;  // increasing horizon
  // Per forecast: the half-width of its prediction interval at kIntervalCoverage, MW of
  // change, from the errors known when it was issued; nullopt while too few are known.
  std::vector<std::optional<double>> half_width_mw;
  std::vector<float> features;  // the row the models read (FeatureNames order)
  std::shared_ptr<const forecast::models::NetLoadChangeForecaster>
      model;  // the models that issued it
};

// One horizon of an issued forecast, explained.
struct HorizonExplanation {
  int horizon_intervals = 0;
  ml::Explanation explanation;  // in MW of change
};

// Running accuracy for one horizon.
struct HorizonScore {
  int horizon_intervals = 0;
  int64_t count = 0;
  double abs_error_sum_mw = 0.0;
  double persistence_abs_error_sum_mw = 0.0;  // forecasting "no change"
};

class ForecastBook {
 public:
  static constexpr double kIntervalCoverage = 0.9;
  static constexpr int kIntervalWindow = 500;    // scored errors per horizon kept
  static constexpr int kIntervalMinErrors = 10;  // no interval before this many

  // `history` warms the feature store (measurements strictly before the first tick);
  // `day_ahead` holds the operator's day-ahead forecast values (region MW) known so far;
  // `holidays` is the calendar the forecaster was trained with; `interval` the region's
  // resolution it was trained at (horizons are counted in it).
  ForecastBook(forecast::models::NetLoadChangeForecaster forecaster,
               const std::vector<data::GridMeasurement>& history,
               const std::vector<data::DayAheadForecastRow>& day_ahead = {},
               const base::HolidayCalendar& holidays = base::HolidayCalendar::Uk(),
               absl::Duration interval = absl::Minutes(30));

  absl::Duration interval() const { return interval_; }

  // Queues newly published day-ahead forecast values (region MW). Each reaches the
  // features from the first decision time after its publication (FeatureStore's rule).
  void AddDayAheadForecasts(const std::vector<data::DayAheadForecastRow>& day_ahead);

  // Ingests one tick's measurement; issues forecasts for the decision time that follows
  // it (interval_start + 30 min), with the queued day-ahead values published before it.
  // Errors from the feature store pass through.
  absl::Status Ingest(const data::GridMeasurement& measurement);

  // The forecast issued at `issue_time`, waiting up to `max_wait` for it.
  // DeadlineExceeded if it has not been issued in time; NotFound if it is too old or
  // was never issued (not enough history, or a measurement was missing).
  absl::StatusOr<IssuedForecast> Get(absl::Time issue_time, absl::Duration max_wait) const;

  // The forecast issued at `issue_time` explained per horizon: its `top_k` largest SHAP
  // contributions. Errors as Get with no wait; InvalidArgument if top_k < 1.
  absl::StatusOr<std::vector<HorizonExplanation>> Explain(absl::Time issue_time, int top_k) const;
  std::vector<HorizonScore> Scores() const;
  // The newest issue time ingested (InfinitePast before the first tick).
  absl::Time LatestIssueTime() const;
  // Replaces the models from the next ingested tick on; forecasts already issued keep
  // the models that issued them (Explain uses those). Calls in progress are not dropped:
  // the swap waits for the book's lock like any call. InvalidArgument unless the new
  // models have the same horizons (the running scores are per horizon).
  absl::Status SwapForecaster(forecast::models::NetLoadChangeForecaster forecaster);

 private:
  void ScoreTarget(absl::Time interval_start, double actual_net_load_mw)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  std::shared_ptr<const forecast::models::NetLoadChangeForecaster> forecaster_ ABSL_GUARDED_BY(mu_);
  mutable absl::Mutex mu_;
  const absl::Duration interval_;  // the region's resolution
  forecast::FeatureStore store_ ABSL_GUARDED_BY(mu_);
  forecast::DayAheadForecastFeed day_ahead_ ABSL_GUARDED_BY(mu_);
  forecast::ConformalBand band_ ABSL_GUARDED_BY(mu_){kIntervalCoverage, kIntervalWindow,
                                                     kIntervalMinErrors};
  absl::Time latest_issue_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  std::map<absl::Time, IssuedForecast> issued_ ABSL_GUARDED_BY(mu_);
  std::vector<HorizonScore> scores_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_FORECAST_FORECAST_BOOK_H_
