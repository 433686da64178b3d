#include "services/forecast/forecast_metrics.h"

#include <cmath>
#include <map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/base/time_util.h"

namespace gridpilot {
namespace {

std::string HorizonLabel(int horizon_intervals, absl::Duration interval) {
  return absl::StrCat(horizon_intervals * absl::ToInt64Minutes(interval));
}

}  // namespace

ForecastMetrics::ForecastMetrics(prometheus::Registry* registry)
    : ready_(prometheus::BuildGauge()
                 .Name("gridpilot_forecast_ready")
                 .Help("1 once the models are loaded and the service answers, else 0")
                 .Register(*registry)
                 .Add({})),
      anomalies_(prometheus::BuildCounter()
                     .Name("gridpilot_anomalies_total")
                     .Help("Measured intervals of the region's net load flagged as "
                           "anomalous, by kind (spike, drop, flat_line, missing, false_data)")
                     .Register(*registry)),
      suspect_(prometheus::BuildCounter()
                   .Name("gridpilot_suspect_readings_total")
                   .Help("Measured intervals judged suspect (at least the suspect threshold "
                         "of robust sigmas from the seasonal forecast): agents hold on them")
                   .Register(*registry)
                   .Add({})),
      residual_sigma_(prometheus::BuildGauge()
                          .Name("gridpilot_anomaly_residual_sigma")
                          .Help("Residual of the last measured interval from its seasonal "
                                "forecast, robust sigmas, signed")
                          .Register(*registry)
                          .Add({})),
      forecast_mw_(prometheus::BuildGauge()
                       .Name("gridpilot_forecast_net_load_mw")
                       .Help("Latest forecast of the region's net load, MW, by horizon "
                             "(minutes after the last measured half-hour's end)")
                       .Register(*registry)),
      forecast_change_mw_(prometheus::BuildGauge()
                              .Name("gridpilot_forecast_change_mw")
                              .Help("Latest forecast net-load change from the last measured "
                                    "half-hour, MW (> 0 rising), by horizon in minutes")
                              .Register(*registry)),
      ingest_errors_(prometheus::BuildCounter()
                         .Name("gridpilot_ingest_errors_total")
                         .Help("Measurements a stage (anomaly, forecast) could not take")
                         .Register(*registry)),
      rpc_errors_(prometheus::BuildCounter()
                      .Name("gridpilot_rpc_errors_total")
                      .Help("RPCs to the gateway that failed, by rpc")
                      .Register(*registry)) {
  for (anomaly::AnomalyKind kind :
       {anomaly::AnomalyKind::kSpike, anomaly::AnomalyKind::kDrop, anomaly::AnomalyKind::kFlatLine,
        anomaly::AnomalyKind::kMissing, anomaly::AnomalyKind::kFalseData}) {
    anomalies_.Add({{"kind", std::string(anomaly::AnomalyKindName(kind))}});  // present at 0
  }
  for (const char* stage : {"anomaly", "forecast"}) ingest_errors_.Add({{"stage", stage}});
  rpc_errors_.Add({{"rpc", "Subscribe"}});
}

void ForecastMetrics::SetReady(bool ready) { ready_.Set(ready ? 1.0 : 0.0); }

void ForecastMetrics::OnVerdict(const IntervalVerdict& verdict) {
  if (verdict.flagged()) {
    anomalies_.Add({{"kind", std::string(anomaly::AnomalyKindName(verdict.reading.label.kind))}})
        .Increment();
  }
  if (verdict.reading.suspect) suspect_.Increment();
  if (std::isfinite(verdict.reading.residual.z)) residual_sigma_.Set(verdict.reading.residual.z);
}

void ForecastMetrics::OnIssued(const IssuedForecast& issued, absl::Duration interval) {
  absl::MutexLock lock(&horizons_mu_);
  for (const forecast::models::ChangeForecast& f : issued.forecasts) {
    const int64_t minutes = f.horizon_intervals * absl::ToInt64Minutes(interval);
    auto [it, added] = horizon_gauges_.try_emplace(minutes);
    if (added) {
      const std::string horizon = HorizonLabel(f.horizon_intervals, interval);
      it->second = {&forecast_mw_.Add({{"horizon_minutes", horizon}}),
                    &forecast_change_mw_.Add({{"horizon_minutes", horizon}})};
    }
    it->second.forecast_mw->Set(issued.last_net_load_mw + f.change_mw);
    it->second.change_mw->Set(f.change_mw);
  }
}

void ForecastMetrics::IngestFailed(const std::string& stage) {
  ingest_errors_.Add({{"stage", stage}}).Increment();
}

void ForecastMetrics::StreamBroken() { rpc_errors_.Add({{"rpc", "Subscribe"}}).Increment(); }

std::shared_ptr<SnapshotCollector> MakeForecastBookCollector(const ForecastBook* book,
                                                             const AnomalyBook* anomalies) {
  return std::make_shared<SnapshotCollector>([book, anomalies] {
    SnapshotFamily error = SnapshotFamily::Counter(
        "gridpilot_forecast_abs_error_mw_total",
        "Sum of |actual - forecast| net-load change over scored forecasts, MW, by horizon "
        "in minutes; with gridpilot_forecast_scored_total gives the MAE over any window");
    SnapshotFamily persistence = SnapshotFamily::Counter(
        "gridpilot_forecast_persistence_abs_error_mw_total",
        "The same sum for the no-change (persistence) forecast, MW, by horizon");
    SnapshotFamily scored = SnapshotFamily::Counter(
        "gridpilot_forecast_scored_total", "Forecasts scored against the outturn, by horizon");
    SnapshotFamily mae = SnapshotFamily::Gauge(
        "gridpilot_forecast_mae_mw",
        "Mean absolute error of the net-load change forecast since the start, MW, by horizon");
    for (const HorizonScore& s : book->Scores()) {
      const MetricLabels horizon = {
          {"horizon_minutes", HorizonLabel(s.horizon_intervals, book->interval())}};
      error.Add(horizon, s.abs_error_sum_mw);
      persistence.Add(horizon, s.persistence_abs_error_sum_mw);
      scored.Add(horizon, static_cast<double>(s.count));
      if (s.count > 0) mae.Add(horizon, s.abs_error_sum_mw / s.count);
    }
    std::vector<prometheus::MetricFamily> out;
    for (SnapshotFamily* f : {&error, &persistence, &scored, &mae}) out.push_back(f->Take());
    out.push_back(SnapshotFamily::Counter("gridpilot_intervals_scored_total",
                                          "Measured intervals the anomaly detectors scored")
                      .Add(static_cast<double>(anomalies->intervals_scored()))
                      .Take());
    return out;
  });
}

std::shared_ptr<SnapshotCollector> MakeModelCollector(const ModelHistory* models,
                                                      const ForecastBook* book) {
  return std::make_shared<SnapshotCollector>([models, book] {
    SnapshotFamily cutoff = SnapshotFamily::Gauge(
        "gridpilot_forecast_model_cutoff_seconds",
        "Training cut-off of the serving net-load change model, Unix seconds (trained only on "
        "intervals that ended by then), labelled by where it came from");
    SnapshotFamily age = SnapshotFamily::Gauge(
        "gridpilot_forecast_model_age_seconds",
        "Newest forecast issue time minus the serving model's cut-off, seconds of the stack's "
        "clock (replay time in a backtest)");
    SnapshotFamily swaps = SnapshotFamily::Counter(
        "gridpilot_forecast_model_swaps_total",
        "Net-load change models put into service, by source (startup, registry, retrain, "
        "reload)");
    std::map<std::string, double> by_source = {
        {"startup", 0.0}, {"registry", 0.0}, {"retrain", 0.0}, {"reload", 0.0}};
    const std::vector<ServedModel> all = models->All();
    for (const ServedModel& m : all) by_source[m.source] += 1.0;
    for (const auto& [source, count] : by_source) swaps.Add({{"source", source}}, count);
    if (!all.empty()) {
      const ServedModel& serving = all.back();
      const MetricLabels labels = {{"source", serving.source}};
      cutoff.Add(labels, absl::ToDoubleSeconds(serving.cutoff - absl::UnixEpoch()));
      if (const absl::Time latest = book->LatestIssueTime(); latest != absl::InfinitePast()) {
        age.Add(labels, absl::ToDoubleSeconds(latest - serving.cutoff));
      }
    }
    std::vector<prometheus::MetricFamily> out;
    for (SnapshotFamily* f : {&cutoff, &age, &swaps}) out.push_back(f->Take());
    return out;
  });
}

}  // namespace gridpilot
