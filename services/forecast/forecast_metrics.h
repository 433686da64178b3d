// The forecast process's Prometheus metrics. ForecastMetrics counts what the tick
// follower sees as it happens (anomalies by kind, suspect readings, ingest errors, broken
// streams) and keeps the latest forecast as gauges; MakeForecastBookCollector reads the
// running forecast error and the intervals scored from the books at scrape time. The
// books and the core know nothing of either.
#ifndef GRIDPILOT_SERVICES_FORECAST_FORECAST_METRICS_H_
#define GRIDPILOT_SERVICES_FORECAST_FORECAST_METRICS_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"
#include "services/common/metric_snapshot.h"
#include "services/forecast/anomaly_book.h"
#include "services/forecast/forecast_book.h"
#include "services/forecast/model_history.h"

namespace gridpilot {

class ForecastMetrics {
 public:
  // Registers the families in `registry` (not owned; must outlive this). Thread-safe.
  explicit ForecastMetrics(prometheus::Registry* registry);

  // Models loaded and serving (health SERVING): 1, else 0.
  void SetReady(bool ready);
  // The verdict on a newly measured interval.
  void OnVerdict(const IntervalVerdict& verdict);
  // The forecasts issued for one decision time: net load per horizon = base + change.
  // `interval`: the region's resolution, which the horizons count.
  void OnIssued(const IssuedForecast& issued, absl::Duration interval = absl::Minutes(30));
  // A measurement that `stage` ("anomaly", "forecast") could not take.
  void IngestFailed(const std::string& stage);
  // The tick stream from the gateway broke before the run ended.
  void StreamBroken();

 private:
  prometheus::Gauge& ready_;
  prometheus::Family<prometheus::Counter>& anomalies_;
  prometheus::Counter& suspect_;
  prometheus::Gauge& residual_sigma_;
  prometheus::Family<prometheus::Gauge>& forecast_mw_;
  prometheus::Family<prometheus::Gauge>& forecast_change_mw_;
  // The two gauges of each horizon, by horizon in minutes: found once, then set per tick
  // without building a label map (Family::Add's gauges live as long as the family).
  struct HorizonGauges {
    prometheus::Gauge* forecast_mw;
    prometheus::Gauge* change_mw;
  };
  absl::Mutex horizons_mu_;
  absl::flat_hash_map<int64_t, HorizonGauges> horizon_gauges_ ABSL_GUARDED_BY(horizons_mu_);
  prometheus::Family<prometheus::Counter>& ingest_errors_;
  prometheus::Family<prometheus::Counter>& rpc_errors_;
};

// Running forecast error per horizon (absolute error sums and counts, from which PromQL
// takes a windowed MAE, and the MAE since the start) and intervals scored for anomalies.
// `book` and `anomalies` are not owned and must outlive the collector's last scrape.
std::shared_ptr<SnapshotCollector> MakeForecastBookCollector(const ForecastBook* book,
                                                             const AnomalyBook* anomalies);

// The serving model's training cut-off (gridpilot_forecast_model_cutoff_seconds, Unix
// seconds) and age (gridpilot_forecast_model_age_seconds: the newest issue time minus the
// cut-off, in the stack's clock, so a backtest reports replay time), with the serving
// model's source as a label, and the models swapped in by source
// (gridpilot_forecast_model_swaps_total). Not owned; must outlive the last scrape.
std::shared_ptr<SnapshotCollector> MakeModelCollector(const ModelHistory* models,
                                                      const ForecastBook* book);

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_FORECAST_FORECAST_METRICS_H_
