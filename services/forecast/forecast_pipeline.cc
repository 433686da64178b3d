#include "services/forecast/forecast_pipeline.h"

#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/base/logging.h"
#include "core/base/time_util.h"
#include "services/common/proto_time.h"

namespace gridpilot {

data::GridMeasurement MeasurementOf(const v1::Tick& tick) {
  data::GridMeasurement m;
  m.interval_start = FromProtoTime(tick.measured_interval_start());
  if (tick.has_net_load_mw()) m.net_load_mw = tick.net_load_mw();
  if (tick.has_embedded_solar_mw()) m.embedded_solar_mw = tick.embedded_solar_mw();
  if (tick.has_embedded_wind_mw()) m.embedded_wind_mw = tick.embedded_wind_mw();
  if (tick.has_price_gbp_per_mwh()) m.price_gbp_per_mwh = tick.price_gbp_per_mwh();
  return m;
}

data::DayAheadForecastRow DayAheadRowOf(const v1::DayAheadDemandForecast& forecast) {
  return {FromProtoTime(forecast.target_start()), FromProtoTime(forecast.published()),
          forecast.demand_mw()};
}

ForecastPipeline::ForecastPipeline(ForecastBooks books, ForecastMetrics* metrics)
    : books_(books), metrics_(metrics) {}

void ForecastPipeline::OnTick(const v1::Tick& tick) {
  if (tick.day_ahead_forecasts_size() > 0) {
    std::vector<data::DayAheadForecastRow> published;
    for (const v1::DayAheadDemandForecast& f : tick.day_ahead_forecasts()) {
      published.push_back(DayAheadRowOf(f));
    }
    books_.forecasts->AddDayAheadForecasts(published);
    if (books_.retrainer != nullptr) books_.retrainer->AddDayAheadForecasts(published);
    if (books_.day_ahead != nullptr) books_.day_ahead->AddDayAheadForecasts(published);
  }
  // The feature store is half-hourly: only a tick that starts an interval brings a new
  // interval's measurement (every tick of a backtest).
  if (tick.interval_boundary()) IngestInterval(tick);
}

void ForecastPipeline::IngestInterval(const v1::Tick& tick) {
  const data::GridMeasurement measured = MeasurementOf(tick);
  // Anomalies first: a forecast served for this tick carries the verdict on its base.
  // The one-step check compares the reading with the 30-min forecast of it, issued at the
  // decision time that began its interval (when that forecast had an interval).
  std::optional<anomaly::OneStepForecast> one_step;
  if (absl::StatusOr<IssuedForecast> before =
          books_.forecasts->Get(measured.interval_start, absl::ZeroDuration());
      before.ok() && !before->forecasts.empty() && before->half_width_mw[0].has_value()) {
    one_step = anomaly::OneStepForecast{before->last_net_load_mw + before->forecasts[0].change_mw,
                                        *before->half_width_mw[0]};
  }
  absl::StatusOr<IntervalVerdict> verdict = books_.anomalies->Ingest(measured, one_step);
  if (!verdict.ok()) {
    metrics_->IngestFailed("anomaly");
    base::LogWarning(absl::StrCat("anomaly scoring: ", verdict.status().message()));
  } else {
    metrics_->OnVerdict(*verdict);
    if (verdict->reading.suspect) {
      base::LogWarning(
          absl::StrFormat("suspect reading for %s (seasonal residual %+.1f robust sigma): %s",
                          base::FormatUtcTimestamp(verdict->interval_start),
                          verdict->reading.residual.z, verdict->reading.label.cause));
    }
  }
  // Prices come from the market, not the meter: observed even on a suspect reading.
  if (absl::Status priced =
          books_.prices->Ingest(measured.interval_start, measured.price_gbp_per_mwh);
      !priced.ok()) {
    metrics_->IngestFailed("price");
    base::LogWarning(absl::StrCat("price: ", priced.message()));
  }
  if (books_.advice != nullptr) {
    if (absl::Status kept = books_.advice->Ingest(measured); !kept.ok()) {
      metrics_->IngestFailed("advice");
      base::LogWarning(kept.message());
    }
  }
  if (books_.day_ahead != nullptr) {
    if (absl::Status issued = books_.day_ahead->Ingest(measured); !issued.ok()) {
      metrics_->IngestFailed("day_ahead");
      base::LogWarning(absl::StrCat("day-ahead demand: ", issued.message()));
    }
  }
  if (books_.retrainer != nullptr) books_.retrainer->BeforeIssue(measured);
  if (absl::Status ingested = books_.forecasts->Ingest(measured); !ingested.ok()) {
    metrics_->IngestFailed("forecast");
    base::LogWarning(absl::StrCat("tick: ", ingested.message()));
    return;
  }
  // The forecast for the decision time this measurement completes, if one was issued.
  absl::StatusOr<IssuedForecast> issued = books_.forecasts->Get(
      measured.interval_start + books_.forecasts->interval(), absl::ZeroDuration());
  if (issued.ok()) metrics_->OnIssued(*issued, books_.forecasts->interval());
}

}  // namespace gridpilot
