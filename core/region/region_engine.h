// RegionEngine: the region's physics and money for one interval at a time. It owns the
// asset states, the dispatch arbiter and the ledger. Each ApplyStep takes the
// arbiter's winning proposal per asset, passes it through the interlocks, steps the
// asset models, measures instability on the net load after dispatch, and settles.
// The gateway drives it; it knows nothing of gRPC, files or clocks. Not thread-safe.
#ifndef GRIDPILOT_CORE_REGION_REGION_ENGINE_H_
#define GRIDPILOT_CORE_REGION_REGION_ENGINE_H_

#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "core/assets/battery.h"
#include "core/assets/peaker.h"
#include "core/market/ledger.h"
#include "core/region/connection_limit.h"
#include "core/region/dispatch_arbiter.h"

namespace gridpilot::region {

// The region's grid code. Defaults: 1% of GB; a 15 MW per half-hour ramp limit is about
// the 95th percentile of |change| of 1% of GB national demand in 2022 and 2023.
//
// The engine advances in steps. A backtest steps once per settlement interval (step =
// ramp_window = interval, the defaults). The live simulator steps every few seconds. In
// both, instability compares the after-dispatch net load N_k with the mean of the n =
// ramp_window / step steps before it and tolerates RampToleranceMw of difference: what a
// steady ramp of ramp_limit_mw per interval gives. With n = 1 that is the half-hourly rule
// |N_t - N_{t-1}| <= ramp_limit_mw; with n > 1 a one-step spike moves the reference by only
// 1/n of itself, so countering it does not echo a window later. The penalty is charged pro
// rata, instability_penalty_gbp_per_mw x excess x step / interval.
//
// Tolerated |N_k - mean(N_{k-n} .. N_{k-1})|, MW, for a ramp limit per `interval`:
// limit x (window / interval) x (n + 1) / (2 n).
double RampToleranceMw(double ramp_limit_mw, absl::Duration interval, absl::Duration step,
                       absl::Duration ramp_window);

struct RegionConfig {
  std::string name = "gb-1pct";
  double scale = 0.01;                             // region = GB x scale
  double ramp_limit_mw = 15.0;                     // tolerated |change| per interval, MW
  double instability_penalty_gbp_per_mw = 150.0;   // GBP per MW of excess per interval
  absl::Duration interval = absl::Minutes(30);     // settlement interval
  absl::Duration step = absl::Minutes(30);         // physics and dispatch step; divides interval
  absl::Duration ramp_window = absl::Minutes(30);  // a multiple of step, <= interval
  // The batteries' shared grid connection; none by default (connection_limit.h).
  ConnectionLimit battery_connection;

  double ToleranceMw() const { return RampToleranceMw(ramp_limit_mw, interval, step, ramp_window); }
  // GBP per MW of excess per step.
  double StepPenaltyGbpPerMw() const {
    return instability_penalty_gbp_per_mw * absl::FDivDuration(step, interval);
  }

  absl::Status Validate() const;  // InvalidArgument naming the bad field
};

struct AssetDecision {
  std::string asset_id;
  int64_t proposal_id = 0;  // 0: no proposal governed this interval (idle)
  std::string agent;
  std::string role;  // the governing proposal's role ("" when idle or unauthenticated)
  DispatchPriority priority = DispatchPriority::kUnspecified;
  double requested_mw = 0.0;  // battery > 0 discharge; peaker >= 0
  double applied_mw = 0.0;    // after interlocks and physics
  std::string reason;         // the proposal's reason, then any interlock note
};

struct IntervalOutcome {
  absl::Time interval_start;
  std::vector<AssetDecision> decisions;            // one per asset, registry order
  std::vector<assets::BatteryInterval> batteries;  // registry order
  std::vector<assets::PeakerInterval> peakers;     // registry order
  std::optional<double> net_load_mw;               // region net load before dispatch
  double dispatch_mw = 0.0;                        // batteries + peakers, > 0 supply
  std::optional<double> net_load_after_mw;         // net load - dispatch
  double excess_mw = 0.0;                          // ramp excess after dispatch
  double baseline_excess_mw = 0.0;                 // ramp excess with no dispatch at all
  std::vector<market::LedgerEntry> entries;        // settlement of this interval
};

// One peaker run: from the interval its start was commanded in until the interval it was
// off from (a stop, or an aborted start).
struct PeakerRun {
  absl::Time start_command;                     // start of the interval it was started in
  absl::Time online = absl::InfiniteFuture();   // came online; InfiniteFuture if it never did
  absl::Time stopped = absl::InfiniteFuture();  // off from; InfiniteFuture while running
};

// Per-asset running totals.
struct AssetTotals {
  std::string asset_id;
  int64_t intervals_dispatched = 0;  // intervals with |applied| > 1e-9 MW
  double energy_mwh = 0.0;           // grid-side throughput (battery) or generation (peaker)
  // Peakers only: starts in this run of the engine, and the first kMaxPeakerRunsKept runs
  // (a bound on memory; starts keeps counting).
  bool peaker = false;
  int64_t starts = 0;
  std::vector<PeakerRun> runs;
  static constexpr size_t kMaxPeakerRunsKept = 1000;
};

// What a restarted live run carries over from its last stored interval
// (docs/decisions.md, "Resumable runs"): the assets' state and the ledger's totals.
struct CarriedState {
  std::vector<double> battery_soc_mwh;             // one per battery, in params order, MWh
  std::vector<assets::PeakerState> peaker_states;  // one per peaker, in params order
  std::array<double, market::kLedgerCauseCount> ledger_totals_gbp{};  // by cause, signed
};

class RegionEngine {
 public:
  // `previous_net_load_mw` is the region net load before the first step applied (no
  // dispatch happened then); it fills the ramp window. Params must be valid (see Validate()).
  // `idempotency_key_window` is the arbiter's (DispatchArbiter's constructor).
  RegionEngine(RegionConfig region, std::vector<assets::BatteryParams> batteries,
               std::vector<assets::PeakerParams> peakers,
               std::optional<double> previous_net_load_mw,
               absl::Duration idempotency_key_window = kDefaultIdempotencyKeyWindow);

  // Validates region and asset params and that asset ids are unique and non-empty.
  static absl::Status Validate(const RegionConfig& region,
                               const std::vector<assets::BatteryParams>& batteries,
                               const std::vector<assets::PeakerParams>& peakers);

  // Before the first step: replaces each battery's state of charge, each peaker's state
  // and the ledger's totals with `state`'s (so P&L continues). InvalidArgument, changing
  // nothing, if a vector's size does not match the fleet or a state of charge is not
  // within [0, energy capacity].
  absl::Status Restore(const CarriedState& state);

  DispatchArbiter& arbiter() { return arbiter_; }
  const DispatchArbiter& arbiter() const { return arbiter_; }

  // Applies and settles the step [interval_start, interval_start + region.step), given its
  // actual region net load (MW; nullopt if the measurement is missing: no penalty is
  // computed for it or for any step whose window reaches back to it) and price (GBP/MWh;
  // nullopt: settled at the last known price, noted). Steps must be applied in order.
  IntervalOutcome ApplyStep(absl::Time interval_start, std::optional<double> net_load_mw,
                            std::optional<double> price_gbp_per_mwh);

  const RegionConfig& region() const { return region_; }
  const std::vector<assets::BatteryParams>& battery_params() const { return battery_params_; }
  const std::vector<assets::PeakerParams>& peaker_params() const { return peaker_params_; }
  const std::vector<double>& battery_soc_mwh() const { return battery_soc_mwh_; }
  const std::vector<double>& battery_power_mw() const { return battery_power_mw_; }
  const std::vector<assets::PeakerState>& peaker_states() const { return peaker_states_; }
  // Battery + peaker output in the last applied interval, MW (> 0 supply).
  double last_dispatch_mw() const { return last_dispatch_mw_; }

  const market::Ledger& ledger() const { return ledger_; }
  double baseline_instability_penalty_gbp() const { return baseline_penalty_gbp_; }
  // What resilience dispatch cost, GBP (>= 0 is a cost): peaker fuel and starts, plus,
  // in each interval where a resilience proposal governed a battery, what the trading
  // proposal (or idling) would have netted in that interval minus what the override
  // netted (energy cash and wear), counted only when positive. A per-interval estimate:
  // later SoC differences that the override causes are not followed, so an override is
  // never credited with a gain.
  double resilience_dispatch_cost_gbp() const { return resilience_cost_gbp_; }
  const std::vector<AssetTotals>& asset_totals() const { return totals_; }
  int64_t intervals_applied() const { return intervals_applied_; }
  // Equivalent full cycles over all batteries: throughput / (2 x capacity), summed.
  double battery_cycles() const;

 private:
  AssetDecision Governing(const std::string& asset_id, absl::Time t) const;

  RegionConfig region_;
  std::vector<assets::BatteryParams> battery_params_;
  std::vector<assets::PeakerParams> peaker_params_;
  DispatchArbiter arbiter_;
  std::vector<double> battery_soc_mwh_;
  std::vector<double> battery_power_mw_;
  std::vector<assets::PeakerState> peaker_states_;
  // Net load of the last ramp_window / step steps, oldest first, before and after dispatch.
  std::deque<std::optional<double>> window_net_load_mw_;
  std::deque<std::optional<double>> window_net_load_after_mw_;
  std::optional<double> last_price_gbp_per_mwh_;
  double last_dispatch_mw_ = 0.0;
  market::Ledger ledger_;
  double baseline_penalty_gbp_ = 0.0;
  double resilience_cost_gbp_ = 0.0;
  std::vector<AssetTotals> totals_;
  int64_t intervals_applied_ = 0;
};

}  // namespace gridpilot::region

#endif  // GRIDPILOT_CORE_REGION_REGION_ENGINE_H_
