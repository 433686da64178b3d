// GatewayRun: one run of the grid feed through the region. It owns the simulated clock,
// the published ticks, the registered agents and the RegionEngine, and runs the tick
// loop on its own thread:
//   lock-step: publish tick t -> wait until every registered agent has answered t (or
//              the deadline passes) -> read step [t, t + step) from the feed ->
//              arbitrate, apply, settle it -> store.
//   live:      publish tick t -> sleep on the wall clock until the next tick is due
//              (tick k is due at start + k * live_tick_period) -> read, apply whatever
//              proposals are active -> store. Nothing waits for agents.
// A tick is published every `step` of simulated time. A tick at decision time t carries
// the reading of the step [t - step, t) and the measurement of the last settlement
// interval that ended by t: agents never see a step or an interval before it has ended.
// A connected forecaster gets an interval tick before the agents and its forecast rides on
// the tick; in lock-step it also gets the data part of up to forecast_lead_ticks ticks
// ahead, which depends on no decision (docs/decisions.md, "The forecaster ahead of the
// agents").
//
// Seams: the readings come from an injected data::TelemetrySource (replay, simulator,
// later live buses); wall time (live pacing, answer latency) from an injected
// base::Clock; the audit log goes to an injected Store. A failed store write stops the
// run (docs/decisions.md, "Audit writes"): the call whose record failed returns the
// error, later Submit and Cancel calls fail with FailedPrecondition, and no further step
// is applied.
// A run may continue one the store already holds (options.verified_through for lock-step,
// options.carried_state for live; docs/decisions.md, "Resumable runs").
// All methods are thread-safe; the gRPC services are thin wrappers over them.
#ifndef GRIDPILOT_SERVICES_GATEWAY_GATEWAY_RUN_H_
#define GRIDPILOT_SERVICES_GATEWAY_GATEWAY_RUN_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/base/clock.h"
#include "core/data/day_ahead_forecast_row.h"
#include "core/data/grid_series.h"
#include "core/data/telemetry_source.h"
#include "core/region/dispatch_arbiter.h"
#include "core/region/dispatch_limits.h"
#include "core/region/pending_approvals.h"
#include "core/region/region_engine.h"
#include "gridpilot/v1/asset.pb.h"
#include "gridpilot/v1/clock.pb.h"
#include "gridpilot/v1/ledger.pb.h"
#include "gridpilot/v1/types.pb.h"
#include "services/gateway/gateway_config.h"
#include "services/gateway/input_bounds.h"
#include "services/gateway/recent_decision_log.h"
#include "services/gateway/store.h"

namespace gridpilot {

// Two hours of run time: 4 ticks of a half-hourly replay, 1440 of the 5 s live simulator
// (about 6.5 MB). Reconnecting followers resume within seconds of wall time.
inline constexpr absl::Duration kDefaultTickWindow = absl::Hours(2);
// The decisions AssetService.ListDecisions can return (RecentDecisionLog).
inline constexpr size_t kRecentDecisionsKept = 1000;
// The most ticks a lock-step forecaster may be sent ahead of the agents.
inline constexpr int kMaxForecastLeadTicks = 16;

struct GatewayRunOptions {
  absl::Time replay_from;  // first interval decided
  absl::Time replay_to;    // end (exclusive) of the last
  v1::ClockMode mode = v1::CLOCK_MODE_LOCK_STEP;
  absl::Duration answer_deadline = absl::Seconds(10);  // lock-step wait per tick (wall)
  // Lock-step: how long an interval tick waits for the forecaster's answer (wall) before
  // the agents get it without a forecast. Long enough for a scheduled retraining at its
  // cut-off (the forecaster answers that tick once the new models issue it); a forecaster
  // that misses max_consecutive_misses ticks in a row stops being waited for until it
  // answers a tick in time again. Live, the wait is at most half of live_tick_period, so
  // the forecaster never delays the clock.
  absl::Duration forecast_deadline = absl::Seconds(60);
  // Lock-step: the forecaster is sent the data of up to this many ticks beyond the one the
  // agents are deciding (only what the forecast reads, none of the agents' decisions), so
  // it forecasts tick k + 1 while the agents decide tick k. 0 = it sees each tick only once
  // published; live, always 0. In [0, kMaxForecastLeadTicks] (docs/decisions.md, "The
  // forecaster ahead of the agents").
  int forecast_lead_ticks = 0;
  absl::Duration live_tick_period = absl::Seconds(2);  // live: wall time per tick
  // Simulated time per tick; the feed's step. The settlement interval (30 min) replays
  // the data as it is; a divisor of it (e.g. 5 s) is for the live simulator
  // (services/gateway/grid_feed.h) and sets the region's ramp window to
  // config.live_ramp_window.
  absl::Duration step = absl::Minutes(30);
  int max_consecutive_misses =
      3;  // an agent missing this many ticks in a row stops being waited for
  // A proposal's lease must lie within this of the run's clock (services/gateway/
  // input_bounds.h: ValidateLease).
  absl::Duration lease_horizon = kDefaultLeaseHorizon;
  // Memory bounds (docs/decisions.md, "Memory bounds"), both in run (simulated) time, >= 0.
  // Live, published ticks are kept while their time is within this of the newest tick; a
  // subscriber resuming from before that gets the oldest tick still kept, then the rest.
  // A lock-step run keeps every tick: it is bounded by its replay window, and the
  // backtest report reads all of them after the run.
  absl::Duration tick_window = kDefaultTickWindow;
  // An idempotency key is remembered until this after its proposal's lease ended.
  absl::Duration idempotency_key_window = region::kDefaultIdempotencyKeyWindow;
  // Lock-step waits only for these agents (docs/decisions.md, "Expected agents"): another
  // agent may register and submit, but no tick waits for it and it is never counted as
  // missing. Empty: every registered agent is waited for.
  std::set<std::string> expected_agents;
  // A resumed lock-step run (docs/decisions.md, "Resumable runs"): the intervals starting
  // at or before this are already in the store. The run re-executes them from the start,
  // checks each against the store (Store::VerifyInterval) instead of recording it, and
  // records nothing submitted while they are decided; a difference fails the run.
  // InfinitePast for a new run. Must be a tick time of the replay window.
  absl::Time verified_through = absl::InfinitePast();
  // A resumed live run (docs/decisions.md, "Resumable runs"): the batteries' state of
  // charge, the peakers' state and the ledger's totals it starts from, by asset id; every
  // configured asset must be in it. Live mode only; replay_from is then the step after
  // the stored run's last one.
  std::optional<StoredRunState> carried_state;
  // A resumed run: the approvals its store still holds pending (Store::LoadApprovals);
  // new ids continue after the largest it used. A live run holds them again with their
  // ids and expiry (those that expired meanwhile lapse, at their expiry, on the first tick
  // or call); a lock-step run, re-executed from its start without the calls that made
  // them, records them all as lapsed when it is created (docs/decisions.md, "Approvals
  // across a lock-step resume").
  StoredApprovals restored_approvals;
};

// The authenticated caller of a request (under TLS). Limits apply only to such callers:
// a plaintext run has no identities to limit.
struct Requester {
  std::string identity;
  std::string role;
};

class GatewayRun {
 public:
  // `gb_series` is the GB-wide data; the run scales it to the region for the settlement
  // measurements its ticks and History carry. It must cover [replay_from - interval,
  // replay_to) (services/gateway/grid_feed.h: ValidateReplayWindow).
  // `feed` (owned) gives the step readings the run applies, region MW; its step must be
  // options.step. Create reads it up to the step that ends at replay_from (readings
  // before that warm the source up and are dropped; for a source fed on the wall clock
  // this waits for that step to end); the run's thread reads one step per tick after.
  // `wall_clock` (not owned, must outlive the run) paces live mode and times answers for
  // the latency metric. `store` (not owned, may be null, must outlive the run) is the
  // audit log. `gb_day_ahead` is the grid operator's day-ahead demand forecast (GB MW,
  // any order; rows without a value are dropped), published to the forecast side as its
  // vintages become public; empty for none.
  // InvalidArgument for a bad config, replay window, or a feed whose step or first
  // readings do not fit the replay.
  static absl::StatusOr<std::unique_ptr<GatewayRun>> Create(
      GatewayConfig config, data::GridSeries gb_series, GatewayRunOptions options,
      std::unique_ptr<data::TelemetrySource> feed, base::Clock* wall_clock, Store* store,
      std::vector<data::DayAheadForecastRow> gb_day_ahead = {});

  // --- ClockService ---
  v1::RegionInfo RegisterAgent(const std::string& agent);
  // Starts the tick loop on its own thread. FailedPrecondition if already started.
  absl::Status Start();
  v1::GetClockStatusResponse Status() const;
  // Blocks until the run has finished or `timeout` passes; true if finished.
  bool WaitFinished(absl::Duration timeout) const;
  v1::ClockMode mode() const { return options_.mode; }

  // --- TelemetryService ---
  // Waits up to `timeout` for tick number `index`. kTick: *tick is filled with that tick,
  // or, when it is older than the tick window and no longer kept, with the oldest tick
  // kept (its sequence says which; continue from sequence + 1).
  // kFinished: the run is over and no such tick will come. kTimeout: try again.
  enum class TickWait { kTick, kFinished, kTimeout };
  // Who waits: the agents' sessions see a tick once it is released (after the forecaster's
  // answer, below); every other follower (Subscribe, metrics) just after the tick listener
  // has pushed it to those sessions, so waking the followers does not delay the agents;
  // the forecaster sees it as soon as it is published, and in lock-step up to
  // forecast_lead_ticks earlier, then as the tick's data part only (DataTick: no assets, no
  // dispatch, no step reading).
  enum class TickAudience { kAgents, kFollowers, kForecaster };
  TickWait WaitForTick(size_t index, absl::Duration timeout, v1::Tick* tick,
                       TickAudience audience = TickAudience::kFollowers) const;
  // False only if WaitForTick(index, zero timeout, ..., audience) would time out now: a
  // check without the run's lock, for streams the tick listener pushes to, so one with
  // nothing new costs no lock. Once a tick is visible (or the run has finished), every
  // call after the listener call that follows returns true.
  bool MayHaveTick(size_t index, TickAudience audience) const;
  // The forecast process's session (ClockService.AgentSession with `open.forecaster`)
  // opened (true) or ended (false). While one is open, each interval tick is released to
  // the agents only after its forecast arrives (AttachForecast), the run stops, or
  // forecast_deadline passes (options above); other ticks, every tick while none is open,
  // and every tick while the forecaster is not waited for, are released as they are
  // published. A forecaster that connects again during the run (a restarted forecast
  // process) and resumes before the newest tick, `resumes_at` (the first tick number its
  // session sends), is catching up: no tick waits for it until it answers the newest tick.
  void ForecasterConnected(bool connected, size_t resumes_at = 0);
  // The forecaster's answer to the tick at forecast.issue_time(): attached to that tick
  // (if it has forecasts) and the tick released; an answer to a tick sent ahead is kept
  // until that tick is published. An answer to any other tick (a late one, or one re-sent
  // on a resumed session) is ignored.
  void AttachForecast(const v1::GetNetLoadChangeResponse& forecast);
  // `listener` is called on the run's thread, with none of the run's locks held, after each
  // tick is published and once after the run has finished: streams push ticks from it
  // instead of a thread per stream waiting in WaitForTick. It must be quick and must not
  // call SetTickListener. Replaces any earlier listener; an empty function for none (after
  // which it is never called again).
  void SetTickListener(std::function<void()> listener);
  // Index of the first published-or-future tick at or after `time`.
  size_t FirstTickIndexAtOrAfter(absl::Time time) const;
  // The index of the newest tick the followers (TickAudience::kFollowers) can read; 0
  // before the first.
  size_t NewestTickIndex() const;
  // Measurements of intervals in [start, end) that have ended by the clock.
  std::vector<v1::Tick> History(absl::Time start, absl::Time end) const;
  // The day-ahead forecast values (region MW) published before min(published_before,
  // the clock), oldest publication first.
  std::vector<v1::DayAheadDemandForecast> DayAheadForecasts(absl::Time published_before) const;

  // --- AssetService ---
  // The requester's role is kept with every proposal and decision of the request (""
  // without one: a gateway running without credentials). With a `requester`, each proposal beyond
  // its limits (config.limits) is held as a pending approval instead of reaching the arbiter
  // (ProposalResult.pending); the request is refused whole (ResourceExhausted, audited) when one
  // would exceed the requester's pending bound.
  absl::StatusOr<std::vector<v1::ProposalResult>> Submit(
      const v1::SubmitDispatchRequest& request,
      const std::optional<Requester>& requester = std::nullopt);
  absl::Status Cancel(int64_t proposal_id);
  std::vector<v1::Asset> Assets() const;
  std::vector<v1::Decision> RecentDecisions(size_t limit) const;
  // A dry run of one proposal from the run's clock on (core/region/dispatch_simulation.h):
  // the proposal is checked as Submit checks it, then run on copies of the region; nothing
  // is stored. InvalidArgument for a malformed request, FailedPrecondition after a failure.
  absl::StatusOr<v1::SimulateDispatchResponse> Simulate(
      const v1::SimulateDispatchRequest& request) const;

  // --- ApprovalService (services/gateway/gateway_run_approvals.cc) ---
  // Approvals lapse on the wall clock (the injected base::Clock): each call below first
  // records every approval past its expiry as lapsed, as does each tick.
  // The pending approvals, oldest first.
  absl::StatusOr<std::vector<region::PendingApproval>> PendingApprovals();
  // Submits pending approval `approval_id` to the arbiter under its requester's identity,
  // recording `approver` and `reason` (at most kMaxReasonBytes). NotFound when it is not
  // pending; PermissionDenied when the approver is its requester; FailedPrecondition when
  // its lease has ended (it lapses) or the arbiter would refuse it now (it stays pending).
  absl::StatusOr<v1::ProposalResult> Approve(int64_t approval_id, const Requester& approver,
                                             const std::string& reason);
  // Drops pending approval `approval_id`, recording `approver` and `reason`. NotFound and
  // PermissionDenied as for Approve.
  absl::Status Reject(int64_t approval_id, const Requester& approver, const std::string& reason);

  // What the run holds in memory, for the bounds in GatewayRunOptions.
  struct Retained {
    size_t ticks = 0;             // published ticks kept
    size_t idempotency_keys = 0;  // remembered by the arbiter
    size_t proposals = 0;         // held by the arbiter (lease not ended)
  };
  Retained RetainedCounts() const;

  // --- LedgerService ---
  v1::GetPnlResponse Pnl() const;

  // OK while the run is sound; otherwise the error that stopped it (a failed store
  // write, or a feed that failed or broke its contract). A Stop is not a failure.
  absl::Status Failure() const;

  // The run's thread: waits for Start, then runs every tick. Call Stop to end early.
  void Stop();
  ~GatewayRun();

 private:
  GatewayRun(GatewayConfig config, data::GridSeries gb_series, GatewayRunOptions options,
             std::unique_ptr<data::TelemetrySource> feed, base::Clock* wall_clock, Store* store,
             data::FeedReading previous_reading, std::vector<data::DayAheadForecastRow> day_ahead);

  // Appends the day-ahead values published in [from, to) to `out`, oldest publication first.
  void AddDayAheadPublishedIn(
      absl::Time from, absl::Time to,
      google::protobuf::RepeatedPtrField<v1::DayAheadDemandForecast>* out) const;

  void Loop();
  // Records every pending approval whose expiry has passed on the wall clock as lapsed.
  // A failed record stops the run (FailLocked) and is returned.
  absl::Status LapseExpiredLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // A resumed lock-step run re-executes from its start, so no pending approval of the
  // killed run is held again: each is recorded as lapsed (at its expiry if that has
  // passed, else now), straight to the store. An error when the store refuses.
  absl::Status LapseForReExecution(const std::vector<region::PendingApproval>& pending);
  // The limits verdict on each of `proposals` of `requester`, counting the actions and
  // pending approvals the earlier ones would add. ResourceExhausted (recorded as a
  // rejected proposal) when one is refused.
  absl::StatusOr<std::vector<region::LimitVerdict>> EvaluateLimitsLocked(
      const Requester& requester, const std::vector<region::DispatchProposal>& proposals,
      Store* store, absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Holds `proposal` as a pending approval (or returns the one already pending with its
  // idempotency key) and records it.
  absl::StatusOr<v1::ProposalResult> HoldForApprovalLocked(const Requester& requester,
                                                           const region::DispatchProposal& proposal,
                                                           const std::string& reason)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Notes an action of `requester` applied within limits, for its actions-per-hour limit.
  void CountActionLocked(const Requester& requester) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Records `event` in the audit store (if any); a failure stops the run.
  absl::Status RecordApprovalLocked(const ApprovalEvent& event) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void NotifyTickListener();
  // Releases the tick just published (number k) to the agents: at once, or, with a
  // forecaster connected, once its forecast is attached (ForecasterConnected); then, once
  // the tick listener has pushed it to the agents' sessions, to the other followers.
  void ReleaseTick(int64_t k);
  // An interval the loop has applied.
  struct SettledInterval {
    int64_t tick = 0;
    data::GridInterval region;
    region::IntervalOutcome outcome;
  };
  // Records (or, resumed, verifies) the interval; false once the run has failed on it.
  bool StoreInterval(const SettledInterval& interval);
  v1::RegionInfo Region() const;  // from immutable config and options; no lock needed
  data::GridInterval RegionInterval(size_t series_index) const;
  // The feed's next reading, which must be of the step starting at `t`; an error if the
  // feed failed, ended early or skipped a step.
  absl::StatusOr<data::FeedReading> ReadStep(absl::Time t);
  // Stops the run for `error`, logging it; the first such error is kept as Failure().
  void FailLocked(const absl::Status& error) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  v1::Tick BuildTick(absl::Time t, int64_t sequence, const data::FeedReading& previous_step) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The part of tick `sequence` (at `t`) that is data, not decisions: its time, the
  // measured interval and the day-ahead values published in [t - step, t). A function of
  // the replayed data alone, so it can be built ahead of the agents' answers.
  v1::Tick DataTick(absl::Time t, int64_t sequence) const;
  // Lock-step with forecast_lead_ticks > 0: extends ahead_ticks_ to the ticks up to
  // number k + forecast_lead_ticks, after tick k has been published; true if it added any.
  bool BuildAheadLocked(int64_t k) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Appends every asset's state, with what is scheduled for it at `scheduled_for`.
  void AddAssetsLocked(absl::Time scheduled_for,
                       google::protobuf::RepeatedPtrField<v1::Asset>* assets) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool AllAnsweredLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Whether lock-step waits for `agent` (options.expected_agents).
  bool WaitsFor(const std::string& agent) const;
  // The store for records made at run time `now`: null (record nothing) while a resumed
  // run re-decides intervals the store already holds, or when there is no store.
  Store* AuditStoreAt(absl::Time now) const;

  const GatewayConfig config_;
  const data::GridSeries gb_series_;
  const std::vector<data::DayAheadForecastRow> day_ahead_;  // region MW, by publication time
  const GatewayRunOptions options_;
  const std::unique_ptr<data::TelemetrySource> feed_;  // read by the loop thread only
  base::Clock* const wall_clock_;
  Store* const store_;
  const absl::Duration step_;
  const int64_t ticks_total_;
  data::FeedReading previous_reading_;  // the step before the next one applied; loop thread

  // The simulated clock: the current tick's decision time, set by the loop. Decisions
  // (Submit's time, History's horizon, what Assets shows as scheduled) read it.
  base::FakeClock sim_clock_;

  mutable absl::Mutex mu_;
  region::RegionEngine engine_ ABSL_GUARDED_BY(mu_);
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status failure_ ABSL_GUARDED_BY(mu_);
  // The published ticks within the tick window; ticks_[i] is tick number
  // first_kept_tick_ + i.
  std::deque<v1::Tick> ticks_ ABSL_GUARDED_BY(mu_);
  size_t first_kept_tick_ ABSL_GUARDED_BY(mu_) = 0;
  // Mean dispatch of the last settlement interval, and the sum building the current one.
  double last_interval_dispatch_mw_ ABSL_GUARDED_BY(mu_) = 0.0;
  double interval_dispatch_sum_mw_ ABSL_GUARDED_BY(mu_) = 0.0;
  std::map<std::string, int> agents_ ABSL_GUARDED_BY(mu_);  // name -> consecutive misses
  absl::Time answering_tick_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  // Ticks released to the agents: ticks numbered below this (docs/decisions.md, "One
  // stream per process per tick").
  size_t released_ticks_ ABSL_GUARDED_BY(mu_) = 0;
  // Ticks the followers (TickAudience::kFollowers) see: released_ticks_ once the tick
  // listener has pushed the released tick.
  size_t followers_released_ ABSL_GUARDED_BY(mu_) = 0;
  int forecasters_ ABSL_GUARDED_BY(mu_) = 0;             // open forecaster sessions
  bool forecaster_seen_ ABSL_GUARDED_BY(mu_) = false;    // one has connected in this run
  int forecast_misses_ ABSL_GUARDED_BY(mu_) = 0;         // interval ticks in a row
  bool forecast_attached_ ABSL_GUARDED_BY(mu_) = false;  // for answering_tick_
  // Lock-step, the forecaster's view beyond the published ticks: ahead_ticks_[i] is the data
  // part of tick number first_kept_tick_ + ticks_.size() + i (at most forecast_lead_ticks),
  // and its answers to those ticks by issue time, until the tick is published.
  std::deque<v1::Tick> ahead_ticks_ ABSL_GUARDED_BY(mu_);
  std::map<absl::Time, v1::GetNetLoadChangeResponse> ahead_forecasts_ ABSL_GUARDED_BY(mu_);
  // For MayHaveTick, written under mu_: ticks the agents (released_ticks_) and the
  // forecaster can see, and whether the run has finished.
  std::atomic<size_t> agents_visible_{0};
  std::atomic<size_t> forecaster_visible_{0};
  std::atomic<bool> ended_{false};
  std::set<std::string> answered_ ABSL_GUARDED_BY(mu_);
  int64_t missed_answers_ ABSL_GUARDED_BY(mu_) = 0;
  RecentDecisionLog recent_decisions_ ABSL_GUARDED_BY(mu_) =
      RecentDecisionLog(kRecentDecisionsKept);
  region::PendingApprovals approvals_ ABSL_GUARDED_BY(mu_);
  // Wall times of the last hour's actions applied within limits, by identity; kept only
  // for identities with an actions-per-hour limit (so at most that many each).
  std::map<std::string, std::deque<absl::Time>> recent_actions_ ABSL_GUARDED_BY(mu_);
  // Answer latency per agent: a histogram of 10 us buckets up to 50 ms (the last bucket
  // holds everything slower), so recording is O(1) and reading it is a bounded scan.
  struct LatencyHistogram {
    static constexpr double kBucketUs = 10.0;
    std::vector<int64_t> buckets = std::vector<int64_t>(5001, 0);
    int64_t count = 0;
    double max_us = 0.0;
    void Add(double us);
    double Percentile(double fraction) const;  // upper edge of the bucket, us
  };
  // Wall time each kept tick was published, parallel to ticks_ (for the latency metric
  // only).
  std::deque<absl::Time> published_at_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, LatencyHistogram> answer_latency_ ABSL_GUARDED_BY(mu_);
  absl::Mutex listener_mu_;
  std::function<void()> tick_listener_ ABSL_GUARDED_BY(listener_mu_);
  std::thread thread_;
};

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_GATEWAY_GATEWAY_RUN_H_
