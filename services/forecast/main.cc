// gridpilot-forecast: fetches the history before the replay from the gateway, trains (or
// loads from --model_dir) the XGBoost net-load-change models on it, or serves the newest
// set trained before the replay from a model registry (--registry), follows the tick
// stream into its feature store and anomaly detectors, and serves ForecastService,
// AnomalyService and AdviceService (flexibility advice on the series it has received).
// Health is NOT_SERVING until the models are ready.
#include <optional>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "core/base/logging.h"
#include "core/base/time_util.h"
#include "core/data/holiday_dates_file.h"
#include "core/forecast/models/change_model_registry.h"
#include "gridpilot/v1/clock.grpc.pb.h"
#include "gridpilot/v1/telemetry.grpc.pb.h"
#include "services/common/agent_session_client.h"
#include "services/common/audit_reporter.h"
#include "services/common/credentials_flag.h"
#include "services/common/flag_help.h"
#include "services/common/grpc_poll_strategy.h"
#include "services/common/metrics_server.h"
#include "services/common/proto_time.h"
#include "services/common/rpc_metrics_interceptor.h"
#include "services/common/server_runner.h"
#include "services/common/shutdown_signal.h"
#include "services/forecast/advice_service.h"
#include "services/forecast/anomaly_service.h"
#include "services/forecast/forecast_metrics.h"
#include "services/forecast/forecast_pipeline.h"
#include "services/forecast/forecast_service.h"
#include "services/forecast/model_history.h"
#include "services/forecast/model_retrainer.h"

ABSL_FLAG(std::string, gateway, "", "gateway address host:port (required)");
ABSL_FLAG(std::string, model_dir, "gridpilot-models", "where trained models are cached");
ABSL_FLAG(int, training_days, 365, "days of history before the replay used for training");
// 4 half-widths of a 90% interval is about 6.6 sigma for normal errors, the seasonal
// rule's 6 with room for heavier tails. On 2023's real data it adds 2 suspect intervals to
// the seasonal rule's 15; a +60 MW/h fake ramp is caught from its first +30 MW reading.
ABSL_FLAG(double, one_step_suspect_multiple, 4.0,
          "a reading this many 90% interval half-widths from the 30-min forecast of it is "
          "suspect (the one-step false-data check); 0 = off");
ABSL_FLAG(std::string, registry, "",
          "change model registry (gridpilot train --registry): serve its newest set trained "
          "before the replay instead of training, and reload from it on ReloadModel; empty = "
          "train (or load from --model_dir) on the history");
ABSL_FLAG(std::string, retrain_every, "none",
          "scheduled walk-forward retraining of the change models: none, day or month "
          "(the config's \"retrain\" section; README.md, \"Scheduled retraining\")");
ABSL_FLAG(std::string, holidays, "uk",
          "the region's holidays for the forecast features: uk, none, or a file of ISO dates "
          "(the config's data.holidays; the launcher passes it)");
ABSL_FLAG(std::string, holidays_time_zone, "",
          "the time zone whose local days the holidays and the local-time features are counted "
          "on (the config's data.time_zone; empty, UTC or Europe/London: the UK clock)");
ABSL_FLAG(int, resolution_minutes, 30,
          "the region's interval, 5, 15, 30 or 60 minutes (the config's data.resolution_minutes; "
          "the launcher passes it): features, horizons and models are in these intervals");
ABSL_FLAG(std::string, retrain_at, "00:00", "UTC time of day of the retraining cut-offs, HH:MM");
ABSL_FLAG(int, retrain_training_days, 365, "days of history before each retraining cut-off");
ABSL_FLAG(std::string, retrain_swap, "at_cutoff",
          "at_cutoff: the forecast at the cut-off waits for the new models (deterministic, "
          "backtests); when_ready: the old models serve until the new are trained (live)");
ABSL_FLAG(std::string, host, "127.0.0.1", "listen address");
ABSL_FLAG(int, port, 0, "listen port; 0 = any free port");
ABSL_FLAG(std::string, port_file, "", "write the bound port here");
ABSL_FLAG(int, metrics_port, gridpilot::kMetricsPortOff,
          "Prometheus /metrics port; 0 = any free port; -1 (default) = no metrics endpoint");
ABSL_FLAG(std::string, metrics_port_file, "", "write the bound metrics port here");

namespace gridpilot {
namespace {

absl::StatusOr<absl::Time> ReplayStart(v1::ClockService::Stub* clock) {
  for (int attempt = 0; attempt < 300; ++attempt) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
    v1::GetClockStatusResponse status;
    if (clock->GetClockStatus(&context, v1::GetClockStatusRequest(), &status).ok()) {
      return FromProtoTime(status.region().replay_start());
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
  return absl::UnavailableError("gateway did not answer for 30 s");
}

absl::StatusOr<std::vector<data::GridMeasurement>> FetchHistory(
    v1::TelemetryService::Stub* telemetry, absl::Time start, absl::Time end) {
  v1::HistoryRequest request;
  *request.mutable_start() = ToProtoTime(start);
  *request.mutable_end() = ToProtoTime(end);
  grpc::ClientContext context;
  std::unique_ptr<grpc::ClientReader<v1::HistoryResponse>> reader =
      telemetry->History(&context, request);
  std::vector<data::GridMeasurement> history;
  v1::HistoryResponse message;
  while (reader->Read(&message)) history.push_back(MeasurementOf(message.tick()));
  grpc::Status status = reader->Finish();
  if (!status.ok()) {
    return absl::UnavailableError(absl::StrCat("history: ", status.error_message()));
  }
  return history;
}

// The operator's day-ahead forecast values published before `published_before`.
absl::StatusOr<std::vector<data::DayAheadForecastRow>> FetchDayAhead(
    v1::TelemetryService::Stub* telemetry, absl::Time published_before) {
  v1::DayAheadForecastsRequest request;
  *request.mutable_published_before() = ToProtoTime(published_before);
  v1::DayAheadForecastsResponse response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  grpc::Status status = telemetry->DayAheadForecasts(&context, request, &response);
  if (!status.ok()) {
    return absl::UnavailableError(absl::StrCat("day-ahead forecasts: ", status.error_message()));
  }
  std::vector<data::DayAheadForecastRow> rows;
  rows.reserve(response.forecasts_size());
  for (const v1::DayAheadDemandForecast& f : response.forecasts()) rows.push_back(DayAheadRowOf(f));
  return rows;
}

int Main() {
  base::SetLogTag("forecast");
  if (absl::GetFlag(FLAGS_gateway).empty()) {
    base::LogError("--gateway is required");
    return 2;
  }
  absl::StatusOr<forecast::RetrainSchedule> schedule = forecast::ParseRetrainSchedule(
      absl::GetFlag(FLAGS_retrain_every), absl::GetFlag(FLAGS_retrain_at),
      absl::GetFlag(FLAGS_retrain_training_days), "--retrain");
  if (!schedule.ok()) {
    base::LogError(schedule.status().message());
    return 2;
  }
  const std::string swap_flag = absl::GetFlag(FLAGS_retrain_swap);
  absl::StatusOr<base::HolidayCalendar> holidays = data::LoadRegionHolidayCalendar(
      absl::GetFlag(FLAGS_holidays), absl::GetFlag(FLAGS_holidays_time_zone));
  if (!holidays.ok()) {
    base::LogError(absl::StrCat("--holidays: ", holidays.status().message()));
    return 2;
  }
  base::LogInfo(absl::StrCat("holidays for the forecast features: ", holidays->Describe()));
  const int resolution_minutes = absl::GetFlag(FLAGS_resolution_minutes);
  if (resolution_minutes != 5 && resolution_minutes != 15 && resolution_minutes != 30 &&
      resolution_minutes != 60) {
    base::LogError(
        absl::StrCat("--resolution_minutes: ", resolution_minutes, " is not 5, 15, 30 or 60"));
    return 2;
  }
  const absl::Duration interval = absl::Minutes(resolution_minutes);
  // Half-hourly only: the registry's sets, household advice and the day-ahead demand model
  // (docs/decisions.md, "Native resolution").
  const bool half_hourly = interval == base::kHalfHour;
  if (swap_flag != "at_cutoff" && swap_flag != "when_ready") {
    base::LogError(
        absl::StrCat("--retrain_swap: \"", swap_flag, "\" is not one of at_cutoff, when_ready"));
    return 2;
  }
  auto registry = std::make_shared<prometheus::Registry>();
  ForecastMetrics metrics(registry.get());
  // Model reloads and refused calls go to the gateway's audit log.
  AuditReporter audit("forecast", MakeChannel(absl::GetFlag(FLAGS_gateway)));
  security::SetRefusalObserver(&audit);
  struct ObserverReset {
    ~ObserverReset() { security::SetRefusalObserver(nullptr); }
  } observer_reset;
  ForecastServiceImpl service;
  service.SetInterval(interval);
  service.SetAuditReporter(&audit);
  AnomalyServiceImpl anomaly_service;
  AdviceServiceImpl advice_service;
  absl::StatusOr<RunningServer> server =
      StartGrpcServer(absl::GetFlag(FLAGS_host), absl::GetFlag(FLAGS_port),
                      {&service, &anomaly_service, &advice_service}, absl::GetFlag(FLAGS_port_file),
                      RpcMetricsInterceptors(registry.get()));
  if (!server.ok()) {
    base::LogError(server.status().message());
    return 2;
  }
  server->server->GetHealthCheckService()->SetServingStatus(false);
  // Metrics are served from the start, so that an operator sees a process still training.
  absl::StatusOr<std::unique_ptr<MetricsServer>> started =
      MetricsServer::StartUnlessOff(absl::GetFlag(FLAGS_host), absl::GetFlag(FLAGS_metrics_port),
                                    absl::GetFlag(FLAGS_metrics_port_file), registry);
  if (!started.ok()) {
    base::LogError(started.status().message());
    return 2;
  }
  std::unique_ptr<MetricsServer> metrics_server = *std::move(started);

  std::shared_ptr<grpc::Channel> channel = MakeChannel(absl::GetFlag(FLAGS_gateway));
  auto clock = v1::ClockService::NewStub(channel);
  auto telemetry = v1::TelemetryService::NewStub(channel);
  absl::StatusOr<absl::Time> replay_start = ReplayStart(clock.get());
  if (!replay_start.ok()) {
    base::LogError(replay_start.status().message());
    return 2;
  }
  absl::StatusOr<std::vector<data::GridMeasurement>> history = FetchHistory(
      telemetry.get(), *replay_start - absl::Hours(24) * absl::GetFlag(FLAGS_training_days),
      *replay_start - interval);  // the first tick carries the interval just before the replay
  if (!history.ok()) {
    base::LogError(history.status().message());
    return 2;
  }
  absl::StatusOr<std::vector<data::DayAheadForecastRow>> day_ahead =
      FetchDayAhead(telemetry.get(), *replay_start);
  if (!day_ahead.ok()) {
    base::LogError(day_ahead.status().message());
    return 2;
  }
  // Wall time here only reports how long training took.
  const absl::Time began = absl::Now();
  const std::vector<int>& horizons = forecast::models::ServedChangeHorizons();
  std::optional<forecast::models::NetLoadChangeForecaster> forecaster;
  std::string model_name, serving_set;
  ServedModel first_model;
  first_model.first_issue = *replay_start;
  if (const std::string registry_dir = absl::GetFlag(FLAGS_registry);
      !registry_dir.empty() && half_hourly) {
    // No look-ahead: the newest set trained on data before the replay starts.
    absl::StatusOr<forecast::models::ChangeModelSet> set =
        forecast::models::LoadNewestChangeModelSet(registry_dir, *replay_start);
    if (set.ok() && set->forecaster.horizons() == horizons) {
      model_name = RegistryModelName(*set);
      serving_set = set->path;
      first_model.source = "registry";
      first_model.cutoff = set->cutoff;
      forecaster.emplace(std::move(set->forecaster));
    } else {
      base::LogWarning(absl::StrCat(
          "registry ", registry_dir, ": ",
          set.ok() ? "the newest set has other horizons" : std::string(set.status().message()),
          "; training on the history instead"));
    }
  }
  if (!absl::GetFlag(FLAGS_registry).empty() && !half_hourly) {
    base::LogWarning(absl::StrCat("registry ", absl::GetFlag(FLAGS_registry),
                                  ": holds half-hourly sets only; this region is at ",
                                  resolution_minutes, " min, so it is neither read nor written"));
  }
  if (!forecaster.has_value()) {
    absl::StatusOr<forecast::models::NetLoadChangeForecaster> trained =
        forecast::models::NetLoadChangeForecaster::LoadOrTrain(
            absl::GetFlag(FLAGS_model_dir), *history, horizons, ml::XgboostParams{}, *day_ahead,
            *holidays, interval);
    if (!trained.ok()) {
      base::LogError(absl::StrCat("models: ", trained.status().message()));
      return 2;
    }
    forecaster.emplace(*std::move(trained));
    model_name = absl::StrFormat(
        "xgboost net-load change h1..h8, trained on %d intervals of %d min and %d day-ahead "
        "forecast values before %s (fingerprint %016x)",
        history->size(), resolution_minutes, day_ahead->size(),
        base::FormatUtcTimestamp(*replay_start),
        forecast::models::ChangeModelFingerprint(*history, horizons, ml::XgboostParams{},
                                                 *day_ahead, *holidays, interval));
    first_model.source = "startup";
    first_model.cutoff = *replay_start;
    first_model.training_intervals = static_cast<int64_t>(history->size());
    first_model.training_wall_seconds = absl::ToDoubleSeconds(absl::Now() - began);
  }
  first_model.name = model_name;
  ModelHistory models;
  models.Add(first_model);
  service.SetModelHistory(&models, *schedule);
  service.SetRegistry(absl::GetFlag(FLAGS_registry), serving_set);
  base::LogInfo(absl::StrCat(model_name, "; ready in ", absl::FormatDuration(absl::Now() - began)));
  anomaly::SeriesAnomalyOptions anomaly_options;
  anomaly_options.residual.periods_per_day = static_cast<int>(absl::Hours(24) / interval);
  absl::StatusOr<anomaly::SeriesAnomalyDetector> detector =
      FitNetLoadAnomalyDetector(*history, anomaly_options, interval);
  if (!detector.ok()) {
    base::LogError(absl::StrCat("anomaly detectors: ", detector.status().message()));
    return 2;
  }
  AnomalyBook anomalies(*std::move(detector), *history,
                        absl::GetFlag(FLAGS_one_step_suspect_multiple), interval);
  anomaly_service.SetBook(&anomalies);
  service.SetAnomalyBook(&anomalies);
  ForecastBook book(*std::move(forecaster), *history, *day_ahead, *holidays, interval);
  PriceBook prices(interval);
  for (const data::GridMeasurement& m : *history) {
    absl::Status priced = prices.Ingest(m.interval_start, m.price_gbp_per_mwh);
    if (!priced.ok()) base::LogWarning(absl::StrCat("price history: ", priced.message()));
  }
  service.SetPriceBook(&prices);
  AdviceBook advice;
  if (half_hourly) {
    for (const data::GridMeasurement& m : *history) {
      if (absl::Status kept = advice.Ingest(m); !kept.ok()) base::LogWarning(kept.message());
    }
    advice_service.SetBook(&advice);
  }
  // Day-ahead demand: trained on the whole days before the replay's first midnight.
  forecast::eval::DayAheadEvalConfig day_ahead_config;
  day_ahead_config.model_dir = absl::GetFlag(FLAGS_model_dir);
  day_ahead_config.holidays = *holidays;
  absl::StatusOr<std::unique_ptr<DayAheadBook>> day_ahead_book =
      half_hourly ? DayAheadBook::Train(*history, *day_ahead, *replay_start, day_ahead_config)
                  : absl::UnimplementedError(absl::StrCat("the day-ahead demand model is "
                                                          "half-hourly; this region is at ",
                                                          resolution_minutes, " min"));
  if (day_ahead_book.ok()) {
    service.SetDayAheadBook(day_ahead_book->get());
  } else {
    const std::string why =
        absl::StrCat("no day-ahead demand model: ", day_ahead_book.status().message());
    base::LogWarning(why);
    service.SetDayAheadUnavailable(why);
  }
  // Scheduled retraining keeps its own history: the window before the replay it may need.
  std::optional<ModelRetrainer> retrainer;
  if (schedule->cadence != forecast::RetrainCadence::kNone) {
    absl::StatusOr<std::vector<data::GridMeasurement>> retrain_history =
        FetchHistory(telemetry.get(), *replay_start - absl::Hours(24) * schedule->training_days,
                     *replay_start - interval);
    if (!retrain_history.ok()) {
      base::LogError(retrain_history.status().message());
      return 2;
    }
    RetrainOptions options;
    options.schedule = *schedule;
    options.swap = swap_flag == "when_ready" ? RetrainSwap::kWhenReady : RetrainSwap::kAtCutoff;
    // Sets trained at another resolution stay out of the registry, which holds (and serves)
    // half-hourly sets only.
    options.registry_dir = half_hourly ? absl::GetFlag(FLAGS_registry) : "";
    options.holidays = *holidays;
    options.interval = interval;
    retrainer.emplace(
        options, *std::move(retrain_history), *day_ahead, *replay_start, &book, &models,
        [&service](const ServedModel& swapped) { service.SetModelName(swapped.name); });
    base::LogInfo(absl::StrFormat(
        "retraining every %s at %s UTC on %d days, swapped %s; first cut-off %s",
        absl::GetFlag(FLAGS_retrain_every), absl::GetFlag(FLAGS_retrain_at),
        schedule->training_days, swap_flag,
        retrainer->next_cutoff().has_value() ? base::FormatUtcTimestamp(*retrainer->next_cutoff())
                                             : std::string("none")));
  }
  service.SetBook(&book, model_name);
  std::shared_ptr<SnapshotCollector> book_metrics = MakeForecastBookCollector(&book, &anomalies);
  std::shared_ptr<SnapshotCollector> model_metrics = MakeModelCollector(&models, &book);
  if (metrics_server != nullptr) {
    metrics_server->Register(book_metrics);
    metrics_server->Register(model_metrics);
  }
  server->server->GetHealthCheckService()->SetServingStatus(true);
  metrics.SetReady(true);

  ForecastPipeline pipeline(
      {&anomalies, &book, &prices, day_ahead_book.ok() ? day_ahead_book->get() : nullptr,
       half_hourly ? &advice : nullptr, retrainer.has_value() ? &*retrainer : nullptr},
      &metrics);
  // The forecaster's session: each tick comes here before any agent sees it, and the
  // forecast issued at it goes back to the gateway, which attaches it to the tick.
  AgentSessionClientOptions session_options;
  session_options.agent = "forecast";
  session_options.forecaster = true;
  session_options.first_retry = absl::Milliseconds(200);
  session_options.max_retry = absl::Milliseconds(200);
  AgentSessionClient ticks(channel, std::move(session_options));
  AgentSessionCallbacks callbacks;
  callbacks.on_tick = [&pipeline, &service](const v1::Tick& tick) {
    pipeline.OnTick(tick);
    v1::AgentSessionRequest answer;
    v1::GetNetLoadChangeResponse& forecast = *answer.mutable_forecast();
    if (tick.interval_boundary()) {
      absl::StatusOr<v1::GetNetLoadChangeResponse> issued =
          service.NetLoadChange(FromProtoTime(tick.time()), absl::ZeroDuration());
      if (issued.ok()) forecast = *std::move(issued);
    }
    *forecast.mutable_issue_time() = tick.time();
    return answer;
  };
  callbacks.on_session_ended = [&metrics](const grpc::Status& status, absl::Duration) {
    if (!status.ok()) metrics.StreamBroken();
  };
  std::thread follower([&] { ticks.Run(callbacks); });
  WaitForShutdownSignal();
  LogCpuUsage();
  ticks.Stop();
  anomaly_service.Stop();
  ShutdownServer(server->server.get());
  follower.join();
  retrainer.reset();       // waits for a training in progress
  metrics_server.reset();  // no scrape may read the books once they are gone
  return 0;
}

}  // namespace
}  // namespace gridpilot

int main(int argc, char** argv) {
  // Abseil's lock-order checking costs every lock, gRPC's included; the tests keep it
  // (docs/decisions.md, "Per-tick CPU outside the hand-off").
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  gridpilot::SelectGrpcPollStrategy();  // before any gRPC object
  gridpilot::BlockShutdownSignals();
  gridpilot::HandleHelpFlag(
      argc, argv,
      "gridpilot-forecast --gateway HOST:PORT [--registry DIR | --model_dir DIR] [flags]\n"
      "The forecast process: trains (or loads) the net-load-change models on the history "
      "before\nthe replay, follows the ticks into its feature store and anomaly detectors, "
      "and serves\nForecastService and AnomalyService. Health is NOT_SERVING until the "
      "models are ready.");
  absl::ParseCommandLine(argc, argv);
  if (!gridpilot::InstallCredentialsFromFlag("forecast")) return 2;
  return gridpilot::Main();
}
