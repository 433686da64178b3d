// ConsoleState: everything the web console and the backtest report show, built from the
// stack's gRPC messages and turned into the JSON the page draws. It is the pure core of
// the console: it never talks to a network (StackFollower feeds it; the HTTP server and
// the report read it), so it is tested by feeding it messages.
//
// Time series (ticks and the 30-min forecast) are append-only and carry a running index,
// so the live stream can send each browser only the points it has not seen; they are kept
// up to `max_points` each (oldest dropped). Lists (anomalies, ramp events, decisions) are
// bounded the same way; the schedule, P&L and ramp events are replaced on each poll.
// Thread-safe.
#ifndef GRIDPILOT_SERVICES_CONSOLE_CONSOLE_STATE_H_
#define GRIDPILOT_SERVICES_CONSOLE_CONSOLE_STATE_H_

#include <cstdint>
#include <deque>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "gridpilot/v1/anomaly.pb.h"
#include "gridpilot/v1/asset.pb.h"
#include "gridpilot/v1/forecast.pb.h"
#include "gridpilot/v1/ledger.pb.h"
#include "gridpilot/v1/response.pb.h"
#include "gridpilot/v1/telemetry.pb.h"
#include "gridpilot/v1/trader.pb.h"
#include "services/console/snapshot_query.h"

namespace gridpilot {

struct ConsoleStateOptions {
  int max_points = 50000;  // ticks and forecast points kept, each
  int max_anomalies = 2000;
};

class ConsoleState {
 public:
  explicit ConsoleState(ConsoleStateOptions options = {});

  // One tick of the gateway's feed. The chart's net load is the step reading when the
  // tick has one, else the interval's; an interval tick also gives the interval's reported
  // measurement (which carries any injected false data). SoC and peaker state come from
  // its assets. Ticks must come in order; one not after the last kept is ignored.
  void AddTick(const v1::Tick& tick);
  // A forecast issued at a decision time: its 30-min horizon joins the forecast series (net
  // load = last measured + change) with the forecast service's prediction interval (the
  // band; none while the service has too few scored errors), and all its horizons
  // become the latest forecast. A forecast not issued after the last one kept is ignored.
  void AddForecast(const v1::GetNetLoadChangeResponse& forecast);
  // An anomaly from ListAnomalies or StreamAnomalies; one per (series, interval), later wins.
  void AddAnomaly(const v1::Anomaly& anomaly);
  // Replace the ramp events and episodes, the trader's plan, the ledger, the audit log.
  void SetEvents(const v1::ListEventsResponse& events);
  void SetSchedule(const v1::GetScheduleResponse& schedule);
  void SetPnl(const v1::GetPnlResponse& pnl);
  void SetDecisions(const v1::ListDecisionsResponse& decisions);
  // Whether a source (e.g. "trader") answered its last call; shown on the page. An empty
  // `error` means it did.
  void SetSourceStatus(const std::string& source, const std::string& error);
  // Sources whose last call failed, with the error (SetSourceStatus).
  std::map<std::string, std::string> SourceErrors() const;
  // Extra figures shown as a summary table (the backtest report's), as key -> value.
  void SetSummary(nlohmann::json summary);
  // The launcher's supervised processes (RUN_DIR/supervisor.json's "processes": name,
  // pid, state, restarts, last_exit, last_restart_utc), shown with their restarts.
  // Counts as a change only when they differ from the last ones set.
  void SetProcesses(nlohmann::json processes);
  // The forecast's served models (served_models_report.h's ServedModelsJson): each model's
  // cut-off and age, and the retraining schedule. Counts as a change only when they differ.
  void SetModels(nlohmann::json models);

  // Increases on every change.
  int64_t version() const;
  // Blocks until version() > `seen` or `timeout` passes; returns version().
  int64_t WaitForChange(int64_t seen, absl::Duration timeout) const;

  // The page's data (see web/console.js for how it is drawn). Keys: version, last_index,
  // reset (true when the client must replace its series rather than append), ticks and
  // forecast (columnar: index, t in Unix seconds, values; null where unknown),
  // latest_forecast, band_coverage, anomalies, events (each with the decisions applied at
  // its decision time), episodes, schedule, pnl, decisions, sources, summary, processes,
  // models (SetModels; null until set).
  nlohmann::json Snapshot(const SnapshotQuery& query) const;

 private:
  struct TickPoint {
    int64_t index = 0;
    absl::Time time;
    std::optional<double> net_load_mw;  // region MW before dispatch (step reading)
    // The settlement interval's measurement as the gateway reported it (what the agents
    // and the anomaly detectors see; false data shows here): interval ticks only.
    std::optional<double> interval_net_load_mw;
    std::optional<double> soc_mwh;  // first battery's stored energy
    double battery_mw = 0.0;        // > 0 discharge
    double peaker_mw = 0.0;
    std::string peaker_status;  // off, starting, on; empty if no peaker
    std::optional<double> price_gbp_per_mwh;
  };
  struct ForecastPoint {
    int64_t index = 0;
    absl::Time issue_time;
    absl::Time target;  // start of the forecast interval
    double net_load_mw = 0.0;
    std::optional<double> half_width_mw;  // band: the service's interval, when it gave one
  };

  void Changed() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const ConsoleStateOptions options_;
  mutable absl::Mutex mu_;
  int64_t version_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t next_index_ ABSL_GUARDED_BY(mu_) = 0;
  // Highest index dropped to keep max_points (-1 if none): a client that has not seen it
  // must reset.
  int64_t dropped_through_ ABSL_GUARDED_BY(mu_) = -1;
  // Start of the first step the gateway settled with its live source silent, until a step
  // settles with data (StepReading.source_silent); nullopt when not silent.
  std::optional<absl::Time> telemetry_silent_since_ ABSL_GUARDED_BY(mu_);
  std::deque<TickPoint> ticks_ ABSL_GUARDED_BY(mu_);
  std::deque<ForecastPoint> forecasts_ ABSL_GUARDED_BY(mu_);
  v1::GetNetLoadChangeResponse latest_forecast_ ABSL_GUARDED_BY(mu_);
  std::vector<std::optional<double>> latest_half_widths_ ABSL_GUARDED_BY(mu_);
  double band_coverage_ ABSL_GUARDED_BY(mu_) = 0.0;  // of the latest forecast's intervals
  std::map<std::pair<std::string, absl::Time>, v1::Anomaly> anomalies_ ABSL_GUARDED_BY(mu_);
  v1::ListEventsResponse events_ ABSL_GUARDED_BY(mu_);
  v1::GetScheduleResponse schedule_ ABSL_GUARDED_BY(mu_);
  bool has_pnl_ ABSL_GUARDED_BY(mu_) = false;
  v1::GetPnlResponse pnl_ ABSL_GUARDED_BY(mu_);
  v1::ListDecisionsResponse decisions_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::string> sources_ ABSL_GUARDED_BY(mu_);
  nlohmann::json summary_ ABSL_GUARDED_BY(mu_);
  nlohmann::json processes_ ABSL_GUARDED_BY(mu_);
  nlohmann::json models_ ABSL_GUARDED_BY(mu_);  // null until set
};

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_CONSOLE_CONSOLE_STATE_H_
