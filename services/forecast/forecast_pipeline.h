// ForecastPipeline: what the forecast process does with each tick from the gateway. A tick
// brings the operator's newly published day-ahead vintages (to the forecast and day-ahead
// books) and, when it starts a settlement interval, the measurement of the interval just
// ended, which goes in this order to: the anomaly book (scored, with the one-step check
// against the 30-min forecast of that interval), the price book, the day-ahead book, and
// the forecast book (which issues the forecasts for the decision time the measurement
// completes). Nothing here reads a clock or a network: main.cc feeds it from its
// forecaster session (AgentSessionClient); a test feeds it ticks directly.
//
// The conversions from the gateway's Tick are here too, so that the history main.cc
// fetches before the replay and the ticks during it become the same domain values.
#ifndef GRIDPILOT_SERVICES_FORECAST_FORECAST_PIPELINE_H_
#define GRIDPILOT_SERVICES_FORECAST_FORECAST_PIPELINE_H_

#include "core/data/day_ahead_forecast_row.h"
#include "core/data/grid_measurement.h"
#include "gridpilot/v1/types.pb.h"
#include "services/forecast/advice_book.h"
#include "services/forecast/anomaly_book.h"
#include "services/forecast/day_ahead_book.h"
#include "services/forecast/forecast_book.h"
#include "services/forecast/forecast_metrics.h"
#include "services/forecast/model_retrainer.h"
#include "services/forecast/price_book.h"

namespace gridpilot {

// The measured interval a tick carries (region MW, GBP/MWh; absent fields stay missing).
data::GridMeasurement MeasurementOf(const v1::Tick& tick);
// One value of an operator day-ahead vintage (region MW).
data::DayAheadForecastRow DayAheadRowOf(const v1::DayAheadDemandForecast& forecast);

// The books one pipeline feeds. None is owned; all must outlive the pipeline. `day_ahead`
// may be null (no day-ahead demand model), and so may `retrainer` (no scheduled
// retraining: it sees each measurement and vintage just before the forecast book); the
// others may not.
struct ForecastBooks {
  AnomalyBook* anomalies = nullptr;
  ForecastBook* forecasts = nullptr;
  PriceBook* prices = nullptr;
  DayAheadBook* day_ahead = nullptr;
  AdviceBook* advice = nullptr;  // may be null: no AdviceService
  ModelRetrainer* retrainer = nullptr;
};

class ForecastPipeline {
 public:
  // `metrics` (not owned, not null) must outlive the pipeline.
  ForecastPipeline(ForecastBooks books, ForecastMetrics* metrics);

  // Takes one tick; ticks come in time order, each once (an AgentSessionClient's on_tick).
  // A book that refuses the measurement (a repeated or out-of-order interval, a model
  // error) is logged and counted in the metrics (IngestFailed with the book's stage) and
  // the other books still take it: a tick is never an error for the process. What each
  // book issued is read from the books. Not thread-safe (one feeder); the books may be
  // read concurrently.
  void OnTick(const v1::Tick& tick);

 private:
  // The interval measurement of an interval-boundary tick.
  void IngestInterval(const v1::Tick& tick);

  const ForecastBooks books_;
  ForecastMetrics* const metrics_;
};

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_FORECAST_FORECAST_PIPELINE_H_
