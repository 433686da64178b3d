#include "bench/in_process_backtest.h"

#include <sys/resource.h>

#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "agents/response/response_agent.h"
#include "agents/trader/trader_agent.h"
#include "core/base/clock.h"
#include "core/base/status_macros.h"
#include "core/base/time_util.h"
#include "core/data/grid_data_loader.h"
#include "core/forecast/models/net_load_change_forecaster.h"
#include "services/common/proto_time.h"
#include "services/forecast/anomaly_book.h"
#include "services/forecast/anomaly_service.h"
#include "services/forecast/day_ahead_book.h"
#include "services/forecast/forecast_book.h"
#include "services/forecast/forecast_metrics.h"
#include "services/forecast/forecast_pipeline.h"
#include "services/forecast/price_book.h"
#include "services/gateway/gateway_config.h"
#include "services/gateway/gateway_run.h"
#include "services/gateway/grid_feed.h"
#include "services/gateway/sqlite_store.h"

namespace gridpilot {
namespace {

// What gridpilot-forecast's flags default to, as the launcher starts it.
constexpr int kTrainingDays = 365;
constexpr double kOneStepSuspectMultiple = 4.0;

// The response agent's forecasts, read from the books as ForecastService.GetNetLoadChange
// reads them.
class BookChangeForecastSource final : public ChangeForecastSource {
 public:
  BookChangeForecastSource(const ForecastBook* forecasts, const AnomalyBook* anomalies)
      : forecasts_(forecasts), anomalies_(anomalies) {}
  absl::StatusOr<IssuedChangeForecast> ChangeForecast(absl::Time issue_time) override {
    ASSIGN_OR_RETURN(IssuedForecast issued, forecasts_->Get(issue_time, absl::ZeroDuration()));
    IssuedChangeForecast out;
    for (const forecast::models::ChangeForecast& f : issued.forecasts) {
      out.changes_mw.push_back(f.change_mw);
    }
    absl::StatusOr<IntervalVerdict> verdict =
        anomalies_->Get(issued.issue_time - base::kHalfHour, absl::ZeroDuration());
    if (verdict.ok()) {
      const v1::Verdict proto = ToProtoVerdict(*verdict);
      out.base_suspect = proto.suspect();
      out.suspect_cause = proto.anomaly().cause();
    }
    return out;
  }

 private:
  const ForecastBook* const forecasts_;
  const AnomalyBook* const anomalies_;
};

// The trader's verdicts, read from the anomaly book as AnomalyService.GetVerdict reads them.
class BookVerdictSource final : public TelemetryVerdictSource {
 public:
  explicit BookVerdictSource(const AnomalyBook* anomalies) : anomalies_(anomalies) {}
  absl::StatusOr<TelemetryVerdict> VerdictAt(absl::Time tick_time) override {
    ASSIGN_OR_RETURN(IntervalVerdict verdict,
                     anomalies_->Get(tick_time - base::kHalfHour, absl::ZeroDuration()));
    const v1::Verdict proto = ToProtoVerdict(verdict);
    return TelemetryVerdict{proto.suspect(), proto.anomaly().cause()};
  }

 private:
  const AnomalyBook* const anomalies_;
};

double ProcessCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// The agent's answer to `tick`, as AgentRuntime sends it.
v1::SubmitDispatchRequest AnswerOf(const char* name, TickAgent& agent, const v1::Tick& tick) {
  v1::SubmitDispatchRequest answer;
  answer.set_agent(name);
  for (v1::DispatchProposal& p : agent.OnTick(tick)) *answer.add_proposals() = std::move(p);
  answer.set_note(agent.AnswerNote());
  if (std::optional<v1::AgentPlan> plan = agent.AnswerPlan(); plan.has_value()) {
    *answer.mutable_plan() = *std::move(plan);
  }
  *answer.mutable_answers_tick() = tick.time();
  return answer;
}

}  // namespace

absl::StatusOr<InProcessBacktestResult> RunInProcessBacktest(
    const InProcessBacktestOptions& options) {
  // The gateway, as gridpilot-gateway sets it up for `gridpilot backtest`.
  ASSIGN_OR_RETURN(GatewayConfig config, LoadGatewayConfig(""));
  ASSIGN_OR_RETURN(data::GridSeries series,
                   data::LoadGridSeries(options.data_dir + "/gb_demand_2022_2023.csv",
                                        options.data_dir + "/gb_price_mid_2022-10_2023-12.csv"));
  ASSIGN_OR_RETURN(std::vector<data::DayAheadForecastRow> gb_day_ahead,
                   data::LoadDayAheadForecast(options.data_dir +
                                              "/gb_demand_forecast_dayahead_2022-10_2023-12.csv"));
  ASSIGN_OR_RETURN(std::unique_ptr<SqliteStore> store, SqliteStore::Open(options.store_path));
  RETURN_IF_ERROR(store->BeginRun(options.replay_from, options.replay_to, ""));
  GatewayRunOptions run_options;
  run_options.replay_from = options.replay_from;
  run_options.replay_to = options.replay_to;
  run_options.expected_agents = {ResponseAgent::kAgentName, TraderAgent::kAgentName};
  ASSIGN_OR_RETURN(std::unique_ptr<data::TelemetrySource> feed,
                   MakeGridFeed(config, series, run_options));
  base::SystemClock wall_clock;
  ASSIGN_OR_RETURN(std::unique_ptr<GatewayRun> run,
                   GatewayRun::Create(config, std::move(series), run_options, std::move(feed),
                                      &wall_clock, store.get(), std::move(gb_day_ahead)));

  // The forecast process's books, as gridpilot-forecast builds them from the gateway's
  // history before the replay.
  std::vector<data::GridMeasurement> history;
  for (const v1::Tick& tick : run->History(options.replay_from - absl::Hours(24) * kTrainingDays,
                                           options.replay_from - base::kHalfHour)) {
    history.push_back(MeasurementOf(tick));
  }
  std::vector<data::DayAheadForecastRow> day_ahead;
  for (const v1::DayAheadDemandForecast& f : run->DayAheadForecasts(options.replay_from)) {
    day_ahead.push_back(DayAheadRowOf(f));
  }
  ASSIGN_OR_RETURN(forecast::models::NetLoadChangeForecaster forecaster,
                   forecast::models::NetLoadChangeForecaster::LoadOrTrain(
                       options.model_dir, history, forecast::models::ServedChangeHorizons(),
                       ml::XgboostParams{}, day_ahead));
  ASSIGN_OR_RETURN(anomaly::SeriesAnomalyDetector detector,
                   FitNetLoadAnomalyDetector(history, anomaly::SeriesAnomalyOptions{}));
  AnomalyBook anomalies(std::move(detector), history, kOneStepSuspectMultiple);
  ForecastBook forecasts(std::move(forecaster), history, day_ahead);
  PriceBook prices;
  for (const data::GridMeasurement& m : history) {
    prices.Ingest(m.interval_start, m.price_gbp_per_mwh).IgnoreError();
  }
  forecast::eval::DayAheadEvalConfig day_ahead_config;
  day_ahead_config.model_dir = options.model_dir;
  absl::StatusOr<std::unique_ptr<DayAheadBook>> day_ahead_book =
      DayAheadBook::Train(history, day_ahead, options.replay_from, day_ahead_config);
  prometheus::Registry registry;
  ForecastMetrics metrics(&registry);
  ForecastPipeline pipeline(
      {&anomalies, &forecasts, &prices, day_ahead_book.ok() ? day_ahead_book->get() : nullptr},
      &metrics);

  // The agents, as gridpilot-response and gridpilot-trader run them with --forecast.
  BookChangeForecastSource change_source(&forecasts, &anomalies);
  BookVerdictSource verdict_source(&anomalies);
  ResponseAgent response(&change_source);
  TraderAgent trader(&verdict_source);
  response.OnRegistered(run->RegisterAgent(ResponseAgent::kAgentName));
  trader.OnRegistered(run->RegisterAgent(TraderAgent::kAgentName));

  // Wall time and CPU measure the ticks only; neither enters a decision.
  const double cpu_before = ProcessCpuSeconds();
  const absl::Time began = absl::Now();
  RETURN_IF_ERROR(run->Start());
  InProcessBacktestResult result;
  v1::Tick tick;
  for (size_t k = 0;; ++k) {
    const GatewayRun::TickWait waited = run->WaitForTick(k, absl::Seconds(10), &tick);
    if (waited == GatewayRun::TickWait::kFinished) break;
    if (waited == GatewayRun::TickWait::kTimeout) {
      return absl::InternalError(absl::StrCat("tick ", k, " did not come within 10 s"));
    }
    pipeline.OnTick(tick);
    for (auto [name, agent] :
         {std::pair<const char*, TickAgent*>{ResponseAgent::kAgentName, &response},
          std::pair<const char*, TickAgent*>{TraderAgent::kAgentName, &trader}}) {
      absl::StatusOr<std::vector<v1::ProposalResult>> submitted =
          run->Submit(AnswerOf(name, *agent, tick));
      if (!submitted.ok()) {
        return absl::InternalError(absl::StrCat(name, "'s answer to tick ", k,
                                                " was refused: ", submitted.status().message()));
      }
    }
    ++result.ticks;
  }
  run->WaitFinished(absl::Minutes(1));
  result.tick_seconds = absl::ToDoubleSeconds(absl::Now() - began);
  result.tick_cpu_seconds = ProcessCpuSeconds() - cpu_before;
  RETURN_IF_ERROR(run->Failure());
  result.net_gbp = run->Pnl().net_gbp();
  return result;
}

}  // namespace gridpilot
