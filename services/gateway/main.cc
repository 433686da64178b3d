// gridpilot-gateway: owns the grid feed (a replay of the shipped GB data), the assets,
// the interlocks, the arbiter, settlement and the store. Serves TelemetryService,
// AssetService, LedgerService, ClockService and ApprovalService (plus health and reflection) on
// loopback.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "core/base/clock.h"
#include "core/base/logging.h"
#include "core/base/time_util.h"
#include "core/data/day_ahead_csv_loader.h"
#include "core/data/grid_data_loader.h"
#include "core/data/region_csv_loader.h"
#include "services/common/credentials_flag.h"
#include "services/common/exit_codes.h"
#include "services/common/flag_help.h"
#include "services/common/grpc_poll_strategy.h"
#include "services/common/metrics_server.h"
#include "services/common/rpc_metrics_interceptor.h"
#include "services/common/server_runner.h"
#include "services/common/shutdown_signal.h"
#include "services/gateway/audit_service.h"
#include "services/gateway/gateway_config.h"
#include "services/gateway/gateway_metrics.h"
#include "services/gateway/gateway_services.h"
#include "services/gateway/grid_feed.h"
#include "services/gateway/input_bounds.h"
#include "services/gateway/metered_store.h"
#include "services/gateway/postgres_url.h"
#include "services/gateway/published_telemetry.h"
#include "services/gateway/refusal_recorder.h"
#include "services/gateway/sqlite_store.h"
#include "services/gateway/store_open.h"
#include "services/gateway/telemetry_ingest.h"

ABSL_FLAG(std::string, config, "", "JSON config file (region, assets, data); empty = defaults");
ABSL_FLAG(std::string, demand_csv, "", "NESO demand CSV (overrides the config)");
ABSL_FLAG(std::string, price_csv, "", "Elexon price CSV (overrides the config)");
ABSL_FLAG(std::string, day_ahead_csv, "",
          "NESO day-ahead demand forecast CSV, published to the forecast side as its vintages "
          "become public (overrides the config); \"none\" for no such feed");
ABSL_FLAG(std::string, from, "2023-01-01", "first day replayed (UTC date or timestamp)");
ABSL_FLAG(std::string, to, "2023-12-31",
          "last day replayed, inclusive (UTC date), or an end timestamp (exclusive)");
ABSL_FLAG(std::string, mode, "lock_step", "lock_step (backtest) or live (real-time pace)");
ABSL_FLAG(double, tick_seconds, 2.0, "live mode: wall seconds per tick");
ABSL_FLAG(double, step_seconds, 1800,
          "simulated seconds per tick: 1800 replays the half-hourly data; a divisor of 1800 "
          "(e.g. 5) runs the live simulator (interpolation, noise, injected events)");
ABSL_FLAG(double, deadline_seconds, 10.0, "lock-step: wall seconds to wait for agents per tick");
ABSL_FLAG(double, forecast_deadline_seconds, 60.0,
          "lock-step: wall seconds an interval tick waits for the forecast process's forecast "
          "(a scheduled retraining answers its cut-off tick once trained); live: at most half "
          "of --tick_seconds");
ABSL_FLAG(int, forecast_lead_ticks, 2,
          "lock-step: ticks of data the forecast process is sent ahead of the agents, so it "
          "forecasts the next tick while they decide this one; 0 = none; at most 16");
ABSL_FLAG(std::string, store, "gridpilot.sqlite",
          "SQLite store path, or a PostgreSQL URL postgresql://USER@HOST:PORT/DB "
          "(password from PGPASSWORD or ~/.pgpass rather than the URL)");
ABSL_FLAG(std::string, host, "127.0.0.1", "listen address");
ABSL_FLAG(int, port, 0, "listen port; 0 = any free port");
ABSL_FLAG(std::string, port_file, "", "write the bound port here");
ABSL_FLAG(int, metrics_port, gridpilot::kMetricsPortOff,
          "Prometheus /metrics port; 0 = any free port; -1 (default) = no metrics endpoint");
ABSL_FLAG(std::string, metrics_port_file, "", "write the bound metrics port here");
ABSL_FLAG(int, start_when_agents, 0,
          "start the clock by itself once this many agents have registered (for stacks "
          "started without the launcher, e.g. docker-compose); 0 = wait for ClockService.Start");

ABSL_FLAG(std::string, telemetry, "",
          "live telemetry in, instead of the shipped data (needs --mode live): "
          "mqtt://HOST[:PORT]/TOPIC subscribes to a broker, \"grpc\" takes only "
          "TelemetryService.Publish (which an MQTT gateway serves too)");
ABSL_FLAG(std::vector<std::string>, telemetry_sources, {"gridpilot-publish"},
          "--telemetry: the meter ids accepted (comma list)");
ABSL_FLAG(double, telemetry_late_seconds, 0,
          "--telemetry: a step settles once data stamped this long after its end has come");
ABSL_FLAG(double, telemetry_silence_seconds, 30,
          "--telemetry: wall seconds without an accepted message after which steps settle "
          "without data and the region is degraded");
ABSL_FLAG(double, telemetry_max_ahead_seconds, 1800,
          "--telemetry: messages stamped further ahead of the step being assembled are refused");
ABSL_FLAG(std::string, mqtt_client_id, "gridpilot-gateway", "--telemetry mqtt: the client id");
ABSL_FLAG(int64_t, telemetry_samples_queue, 200000,
          "--telemetry: accepted samples waiting to be written to the store's "
          "telemetry_samples table, at most (1..10000000; more are dropped and counted); 0 "
          "stores no samples");

ABSL_FLAG(bool, resume, false,
          "continue the latest run in --store whose --from, --to and --config equal these, "
          "from its last committed interval (lock-step: the run re-executes the stored "
          "intervals, checks each is equal, and records from the first one missing; live: "
          "continues after the last stored step with its batteries' and peakers' state and "
          "ledger totals)");
ABSL_FLAG(int64_t, resume_keep_ticks, -1,
          "with --resume: keep at most this many settled intervals of the run and discard the "
          "rest (re-executed), e.g. those a launcher saw settle after a process died; "
          "-1 = keep every committed interval");
ABSL_FLAG(std::vector<std::string>, expected_agents, {},
          "lock-step waits only for these agents (comma list, e.g. response,trader) and "
          "--start_when_agents counts only them; others may register and submit; empty = "
          "every registered agent");

namespace gridpilot {

// Rows of refused calls the audit log keeps per minute (docs/decisions.md, "Identities, TLS
// and roles"): a flood of bad calls costs at most about 86,000 rows a day.
constexpr int kRefusedCallsPerMinute = 60;

// Upper bound on --tick_seconds, --deadline_seconds and --forecast_deadline_seconds (an hour).
constexpr double kMaxWaitSeconds = 3600.0;

namespace {

// "2023-12-31" means the whole day (end = next midnight); a timestamp is exclusive.
absl::StatusOr<absl::Time> ParseRangeEnd(const std::string& text) {
  absl::StatusOr<absl::Time> day = base::ParseUtcDate(text);
  if (day.ok()) return *day + absl::Hours(24);
  return base::ParseUtcTimestamp(text);
}

absl::StatusOr<absl::Time> ParseRangeStart(const std::string& text) {
  absl::StatusOr<absl::Time> day = base::ParseUtcDate(text);
  if (day.ok()) return day;
  return base::ParseUtcTimestamp(text);
}

std::string ReadFileOrEmpty(const std::string& path) {
  if (path.empty()) return "{}";
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// --start_when_agents: polls until that many agents have registered, then starts the
// clock, as the launcher does over ClockService. Returns once the run has been started
// (by anyone) or `*quit` is set.
// With `expected` non-empty, only agents named in it count.
void StartWhenAgentsRegistered(GatewayRun* run, const std::set<std::string>& expected,
                               const std::atomic<bool>* quit) {
  const int wanted = absl::GetFlag(FLAGS_start_when_agents);
  while (!*quit) {
    const v1::GetClockStatusResponse status = run->Status();
    if (status.state() != v1::RUN_STATE_WAITING) return;
    const auto counted = std::count_if(
        status.registered_agents().begin(), status.registered_agents().end(),
        [&](const std::string& agent) { return expected.empty() || expected.contains(agent); });
    if (counted >= wanted) {
      absl::Status started = run->Start();
      if (!started.ok()) base::LogWarning(absl::StrCat("start: ", started.message()));
      return;
    }
    // Wall time only paces this poll; it never enters a decision.
    absl::SleepFor(absl::Milliseconds(100));
  }
}

int Main() {
  base::SetLogTag("gateway");
  absl::StatusOr<GatewayConfig> config = LoadGatewayConfig(absl::GetFlag(FLAGS_config));
  if (!config.ok()) {
    base::LogError(config.status().message());
    return 2;
  }
  const std::string data_dir = GRIDPILOT_DEFAULT_DATA_DIR;
  std::string demand_csv = absl::GetFlag(FLAGS_demand_csv);
  if (demand_csv.empty()) demand_csv = config->demand_csv;
  if (demand_csv.empty()) demand_csv = data_dir + "/gb_demand_2022_2023.csv";
  std::string price_csv = absl::GetFlag(FLAGS_price_csv);
  if (price_csv.empty()) price_csv = config->price_csv;
  if (price_csv.empty()) price_csv = data_dir + "/gb_price_mid_2022-10_2023-12.csv";
  std::string day_ahead_csv = absl::GetFlag(FLAGS_day_ahead_csv);
  if (day_ahead_csv.empty()) day_ahead_csv = config->day_ahead_csv;
  if (day_ahead_csv.empty()) {
    day_ahead_csv = data_dir + "/gb_demand_forecast_dayahead_2022-10_2023-12.csv";
  }

  GatewayRunOptions options;
  absl::StatusOr<absl::Time> from = ParseRangeStart(absl::GetFlag(FLAGS_from));
  absl::StatusOr<absl::Time> to = ParseRangeEnd(absl::GetFlag(FLAGS_to));
  if (!from.ok() || !to.ok()) {
    base::LogError(absl::StrCat("--from/--to: ", (from.ok() ? to : from).status().message()));
    return 2;
  }
  options.replay_from = *from;
  options.replay_to = *to;
  const std::string mode = absl::GetFlag(FLAGS_mode);
  if (mode == "lock_step") {
    options.mode = v1::CLOCK_MODE_LOCK_STEP;
  } else if (mode == "live") {
    options.mode = v1::CLOCK_MODE_LIVE;
  } else {
    base::LogError(absl::StrCat("--mode: \"", mode, "\" is not lock_step or live"));
    return 2;
  }
  struct SecondsFlag {
    const char* name;
    double seconds;
    bool zero_allowed;
    absl::Duration* out;
  };
  for (const SecondsFlag& flag :
       {SecondsFlag{"--tick_seconds", absl::GetFlag(FLAGS_tick_seconds), false,
                    &options.live_tick_period},
        SecondsFlag{"--deadline_seconds", absl::GetFlag(FLAGS_deadline_seconds), false,
                    &options.answer_deadline},
        SecondsFlag{"--forecast_deadline_seconds", absl::GetFlag(FLAGS_forecast_deadline_seconds),
                    true, &options.forecast_deadline}}) {
    const bool above_min = flag.zero_allowed ? flag.seconds >= 0.0 : flag.seconds > 0.0;
    if (!(above_min && flag.seconds <= kMaxWaitSeconds)) {
      base::LogError(absl::StrCat(flag.name, ": ", flag.seconds, " is not in ",
                                  flag.zero_allowed ? "[0" : "(0", ", ", kMaxWaitSeconds, "]"));
      return 2;
    }
    *flag.out = absl::Seconds(flag.seconds);
  }
  options.step = absl::Seconds(absl::GetFlag(FLAGS_step_seconds));
  options.forecast_lead_ticks = absl::GetFlag(FLAGS_forecast_lead_ticks);
  if (options.forecast_lead_ticks < 0 || options.forecast_lead_ticks > kMaxForecastLeadTicks) {
    base::LogError(absl::StrCat("--forecast_lead_ticks: ", options.forecast_lead_ticks,
                                " is not in [0, ", kMaxForecastLeadTicks, "]"));
    return 2;
  }
  for (const std::string& agent : absl::GetFlag(FLAGS_expected_agents)) {
    if (agent.empty()) continue;
    if (absl::Status valid = ValidateIdentifier("--expected_agents", agent, kMaxAgentNameBytes,
                                                /*required=*/true);
        !valid.ok()) {
      base::LogError(valid.message());
      return 2;
    }
    options.expected_agents.insert(agent);
  }
  const bool resume = absl::GetFlag(FLAGS_resume);

  absl::StatusOr<data::RegionSeries> loaded_series =
      data::LoadRegionSeries(config->data_format, demand_csv, price_csv);
  if (!loaded_series.ok()) {
    base::LogError(absl::StrCat("cannot load the grid feed: ", loaded_series.status().message()));
    return 2;
  }
  base::LogInfo(data::DescribeCsvIngest(*loaded_series, config->data_format));
  if (price_csv == "none") {
    base::LogWarning("data.price_csv is none: no prices, the trader stands aside");
  }
  absl::StatusOr<data::GridSeries> series = std::move(loaded_series->series);
  std::vector<data::DayAheadForecastRow> day_ahead;
  if (day_ahead_csv != "none" && series->interval() != base::kHalfHour) {
    // NESO's day-ahead vintages are half-hourly GB forecasts (docs/decisions.md, "Native
    // resolution"): a region at another resolution runs without one.
    base::LogWarning(absl::StrCat("data.day_ahead_csv ", day_ahead_csv,
                                  " is half-hourly: left out at resolution_minutes ",
                                  config->data_format.resolution_minutes));
    day_ahead_csv = "none";
  }
  if (day_ahead_csv != "none") {
    absl::StatusOr<std::vector<data::DayAheadForecastRow>> loaded =
        data::LoadRegionDayAheadForecast(config->data_format, day_ahead_csv);
    if (!loaded.ok()) {
      base::LogError(
          absl::StrCat("cannot load the day-ahead forecast: ", loaded.status().message()));
      return 2;
    }
    day_ahead = *std::move(loaded);
  }
  // The store as logs name it: a PostgreSQL URL's password never reaches a log.
  const std::string store_name = RedactPostgresUrl(absl::GetFlag(FLAGS_store));
  absl::StatusOr<std::unique_ptr<Store>> store =
      OpenStore(absl::GetFlag(FLAGS_store), options.mode == v1::CLOCK_MODE_LIVE);
  if (!store.ok()) {
    base::LogError(store.status().message());
    return 2;
  }
  // The metrics endpoint comes up before the run so that a failed bind stops the start.
  auto registry = std::make_shared<prometheus::Registry>();
  absl::StatusOr<std::unique_ptr<MetricsServer>> started =
      MetricsServer::StartUnlessOff(absl::GetFlag(FLAGS_host), absl::GetFlag(FLAGS_metrics_port),
                                    absl::GetFlag(FLAGS_metrics_port_file), registry);
  if (!started.ok()) {
    base::LogError(started.status().message());
    return 2;
  }
  std::unique_ptr<MetricsServer> metrics = *std::move(started);
  MeteredStore metered_store(store->get(), registry.get());
  const std::string config_json = ReadFileOrEmpty(absl::GetFlag(FLAGS_config));
  if (resume) {
    const int64_t keep_ticks = absl::GetFlag(FLAGS_resume_keep_ticks);
    if (keep_ticks < -1) {
      base::LogError(absl::StrCat("--resume_keep_ticks: ", keep_ticks, " is below -1"));
      return 2;
    }
    // Bounded by the replay: keeping more ticks than it has keeps everything.
    const absl::Time discard_from =
        keep_ticks < 0 || keep_ticks > (options.replay_to - options.replay_from) / options.step
            ? absl::InfiniteFuture()
            : options.replay_from + keep_ticks * options.step;
    absl::StatusOr<ResumePoint> point =
        metered_store.ResumeRun(options.replay_from, options.replay_to, config_json, discard_from);
    if (!point.ok()) {
      base::LogError(absl::StrCat(store_name, ": ", point.status().message()));
      return 2;
    }
    base::LogInfo(absl::StrCat(
        "resuming run ", point->run_id, " from ",
        point->last_interval_start == absl::InfinitePast()
            ? base::FormatUtcTimestamp(options.replay_from)
            : base::FormatUtcTimestamp(point->last_interval_start + options.step),
        ": ", point->intervals_committed, " intervals committed",
        point->intervals_discarded > 0
            ? absl::StrCat(", ", point->intervals_discarded, " discarded (--resume_keep_ticks)")
            : ""));
    if (options.mode == v1::CLOCK_MODE_LOCK_STEP) {
      options.verified_through =
          std::min(point->last_interval_start, options.replay_to - options.step);
    } else if (point->last_interval_start != absl::InfinitePast()) {
      // Live: continue at the step after the last stored one, from its assets and ledger.
      absl::StatusOr<StoredRunState> state = metered_store.LastState();
      if (!state.ok()) {
        base::LogError(absl::StrCat(store_name, ": ", state.status().message()));
        return 2;
      }
      // The region settles whole half-hours and a partial one cannot be rebuilt from the
      // store, so a live run resumes at the first half-hour boundary after its last stored
      // step; with steps shorter than the half-hour, the steps in between are a gap, never
      // applied (docs/decisions.md, "Resumable runs").
      const absl::Time after_last = point->last_interval_start + options.step;
      options.replay_from =
          absl::UnixEpoch() + absl::Ceil(after_last - absl::UnixEpoch(), series->interval());
      if (options.replay_from > after_last) {
        base::LogInfo(absl::StrCat("--resume: steps ", base::FormatUtcTimestamp(after_last), " to ",
                                   base::FormatUtcTimestamp(options.replay_from), " are skipped (",
                                   (options.replay_from - after_last) / options.step,
                                   " steps): live resumes at a settlement-interval boundary"));
      }
      if (options.replay_from >= options.replay_to) {
        base::LogError(absl::StrCat("--resume: run ", point->run_id, " is complete"));
        return 2;
      }
      options.carried_state = *std::move(state);
    }
    // Pending approvals survive the restart (docs/decisions.md, "Approvals on the console
    // and across gateway restarts").
    absl::StatusOr<StoredApprovals> approvals = metered_store.LoadApprovals();
    if (!approvals.ok()) {
      base::LogError(absl::StrCat(store_name, ": ", approvals.status().message()));
      return 2;
    }
    if (!approvals->pending.empty()) {
      base::LogInfo(options.mode == v1::CLOCK_MODE_LIVE
                        ? absl::StrCat("resuming ", approvals->pending.size(), " pending approvals")
                        : absl::StrCat(approvals->pending.size(),
                                       " pending approvals lapse: a lock-step run is "
                                       "re-executed from its start"));
    }
    options.restored_approvals = *std::move(approvals);
  } else {
    absl::Status begun =
        metered_store.BeginRun(options.replay_from, options.replay_to, config_json);
    if (!begun.ok()) {
      base::LogError(begun.message());
      return 2;
    }
  }
  base::SystemClock wall_clock;
  // Live telemetry in (--telemetry): the feed is published by meters, not the shipped data.
  PublishedTelemetryOptions live_in;
  live_in.telemetry = absl::GetFlag(FLAGS_telemetry);
  live_in.sources = absl::GetFlag(FLAGS_telemetry_sources);
  live_in.late_window = absl::Seconds(absl::GetFlag(FLAGS_telemetry_late_seconds));
  live_in.silence_timeout = absl::Seconds(absl::GetFlag(FLAGS_telemetry_silence_seconds));
  live_in.max_ahead = absl::Seconds(absl::GetFlag(FLAGS_telemetry_max_ahead_seconds));
  live_in.mqtt_client_id = absl::GetFlag(FLAGS_mqtt_client_id);
  live_in.interval = series->interval();
  if (absl::GetFlag(FLAGS_telemetry_samples_queue) > 0) {
    live_in.sample_store = &metered_store;
    live_in.samples.max_queued_samples = absl::GetFlag(FLAGS_telemetry_samples_queue);
  }
  absl::StatusOr<PublishedTelemetry> published =
      StartPublishedTelemetry(live_in, options, &wall_clock);
  if (!published.ok()) {
    base::LogError(published.status().message());
    return 2;
  }
  absl::StatusOr<std::unique_ptr<data::TelemetrySource>> feed =
      published->feed != nullptr ? std::move(published->feed)
                                 : MakeGridFeed(*config, *series, options);
  if (!feed.ok()) {
    base::LogError(feed.status().message());
    return 2;
  }
  absl::StatusOr<std::unique_ptr<GatewayRun>> run =
      GatewayRun::Create(*std::move(config), *std::move(series), options, *std::move(feed),
                         &wall_clock, &metered_store, std::move(day_ahead));
  if (!run.ok()) {
    published->mqtt.reset();
    base::LogError(run.status().message());
    return run.status().code() == absl::StatusCode::kFailedPrecondition ? kExitStartRefused : 2;
  }
  TelemetryServiceImpl telemetry(run->get(), published->ingest.get());
  AssetServiceImpl assets(run->get());
  LedgerServiceImpl ledger(run->get());
  ClockServiceImpl clock(run->get());
  ApprovalServiceImpl approvals(run->get());
  // Calls refused for want of a credential or a role go to the store's audit log, rate-limited.
  RefusalRecorder refusals(&metered_store, kRefusedCallsPerMinute, [] { return absl::Now(); });
  security::SetRefusalObserver(&refusals);
  // What the other servers report (their refusals, threshold changes, model reloads), with
  // the same per-minute bound for each process and kind.
  AuditRecorder audit_recorder(&metered_store, kRefusedCallsPerMinute, [] { return absl::Now(); });
  AuditServiceImpl audit(&audit_recorder, &metered_store);
  absl::StatusOr<RunningServer> server =
      StartGrpcServer(absl::GetFlag(FLAGS_host), absl::GetFlag(FLAGS_port),
                      {&telemetry, &assets, &ledger, &clock, &approvals, &audit},
                      absl::GetFlag(FLAGS_port_file), RpcMetricsInterceptors(registry.get()));
  if (!server.ok()) {
    published->mqtt.reset();
    base::LogError(server.status().message());
    return 2;
  }
  std::shared_ptr<SnapshotCollector> run_metrics = MakeGatewayCollector(run->get());
  if (metrics != nullptr) metrics->Register(run_metrics);
  std::shared_ptr<SnapshotCollector> ingest_metrics;
  if (published->ingest != nullptr) {
    ingest_metrics = MakeTelemetryIngestCollector(published->ingest.get());
    if (metrics != nullptr) metrics->Register(ingest_metrics);
  }
  base::LogInfo(absl::StrCat("listening on port ", server->port, ", store ", store_name));
  std::atomic<bool> quit_starter{false};
  std::thread starter;
  if (absl::GetFlag(FLAGS_start_when_agents) > 0) {
    starter = std::thread([&run, &options, &quit_starter] {
      StartWhenAgentsRegistered(run->get(), options.expected_agents, &quit_starter);
    });
  }
  WaitForShutdownSignal();
  LogCpuUsage();
  base::LogInfo("shutting down");
  (*run)->Stop();
  quit_starter = true;
  if (starter.joinable()) starter.join();
  ShutdownServer(server->server.get());
  metrics.reset();          // no scrape may read the run once it is gone
  published->mqtt.reset();  // no message may reach the feed once the run is gone
  // A failed run (GetClockStatus.failure says why) is a failed process.
  if (const absl::Status failure = (*run)->Failure(); !failure.ok()) {
    base::LogError(absl::StrCat("exiting with status 1: the run failed: ", failure.message()));
    return 1;
  }
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
      "gridpilot-gateway [--config FILE] [--from DATE] [--to DATE] [--mode lock_step|live] "
      "[flags]\nThe gateway: owns the grid feed (a replay of the shipped GB data), the "
      "assets, the\ninterlocks, the dispatch arbiter, settlement and the store (SQLite or "
      "PostgreSQL); serves TelemetryService,\nAssetService, LedgerService, ClockService and "
      "ApprovalService.");
  absl::ParseCommandLine(argc, argv);
  if (!gridpilot::InstallCredentialsFromFlag("gateway")) return 2;
  return gridpilot::Main();
}
