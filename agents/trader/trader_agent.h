// TraderAgent: the arbitrage trader's edge. Each tick it turns the gateway's v1::Tick into
// a TradingObservation, asks its verdict source whether the tick's measurement is suspect
// (possible false data), applies the pure control::TradingPolicy (core/control/
// trading_policy.h: the price view, the re-plan, the step window, the hold on suspect
// telemetry, the trading floor) and turns the decision into a trading proposal for the
// interval after the one being decided (trading is scheduled one interval ahead, so the
// response agent sees the trader's intent in the tick and can adjust around it), the
// published schedule and the plan for the gateway's audit log. When it holds on suspect
// telemetry it says so in its answer's note. Without a verdict source, or when the source
// fails, it plans as usual (its own inputs are prices; the failure is logged). It also
// settles each ended interval at its price for its P&L report.
// Every battery in the ticks is traded, each by its own policy, with a share of the ramp
// limit pro rata to its power rating (RampShareMw) and the same share of the expected
// net-load change to lean with (TradingObservation::load_change_share). Behind a shared
// connection (RegionInfo's battery limits) that the batteries' limits together exceed, each
// plans within its share of it, pro rata to its own limit (ConnectionShare), so that their
// plans together keep within it. The schedule and the audit plan are the fleet's sums. With
// one battery and no connection everything is exactly the single-battery trader's.
// Thread-safe: OnTick on the runtime thread, accessors on gRPC threads.
#ifndef GRIDPILOT_AGENTS_TRADER_TRADER_AGENT_H_
#define GRIDPILOT_AGENTS_TRADER_TRADER_AGENT_H_

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "agents/common/agent_runtime.h"
#include "agents/common/verdict_client.h"
#include "core/assets/battery.h"
#include "core/control/trading_observation.h"
#include "core/control/trading_policy.h"
#include "core/market/yesterday_plan_baseline.h"
#include "gridpilot/v1/trader.pb.h"

namespace gridpilot {

class TraderAgent final : public TickAgent {
 public:
  static constexpr char kAgentName[] = "trader";
  // `verdicts` (not owned, may be null) judges each tick's measurement. `risk_aversion` is
  // the policy's (control::TradingPolicy's constructor).
  explicit TraderAgent(TelemetryVerdictSource* verdicts = nullptr, double risk_aversion = 0.0);

  void OnRegistered(const v1::RegionInfo& region) override;
  std::vector<v1::DispatchProposal> OnTick(const v1::Tick& tick) override;
  std::string AnswerNote() override;
  // The plan made on the tick just answered (none when it held or did not plan), for the
  // gateway's audit log.
  std::optional<v1::AgentPlan> AnswerPlan() override;

  // Forwards to control::TradingPolicy::set_replan_observer (benchmarks only).
  void SetReplanObserver(control::TradingPolicy::ReplanObserver observer);

  // The ramp limit a battery's plans step within: `ramp_limit_mw` times its power rating
  // (the larger of its charge and discharge limits) over the sum of all batteries' ratings.
  static double RampShareMw(double ramp_limit_mw, const assets::BatteryParams& battery,
                            double fleet_rating_mw);

  // `battery` with its power limits capped at its share of the batteries' shared connection:
  // in each direction with a limit that the fleet's ratings in that direction
  // (`fleet_discharge_mw`, `fleet_charge_mw`, sums of the batteries' limits) exceed, the
  // limit times its own limit over the fleet's. Otherwise unchanged.
  static assets::BatteryParams ConnectionShare(const assets::BatteryParams& battery,
                                               double fleet_discharge_mw, double fleet_charge_mw,
                                               std::optional<double> export_limit_mw,
                                               std::optional<double> import_limit_mw);

  v1::GetScheduleResponse Schedule() const;
  v1::GetTraderStatusResponse Status() const;
  // Solves the hindsight perfect-foresight problem over the prices seen so far.
  v1::GetTraderPnlResponse Pnl() const;

 private:
  // One battery's policy and accounting since the first tick it was seen in (see Pnl()).
  struct Book {
    Book(double risk_aversion, absl::Duration interval) : policy(risk_aversion, interval) {}
    control::TradingPolicy policy;
    std::optional<assets::BatteryParams> at_start;
    absl::Time first_settled_interval;  // the first tick's time
    std::vector<std::optional<double>> prices_seen;
    std::optional<double> last_price;
    double realised_pnl_gbp = 0.0;
    std::optional<market::YesterdayPlanBaseline> yesterday_plan;
  };

  // The policy's view of `tick` for `battery` (null: none shown; its ramp share `ramp_limit_mw`),
  // whose verdict is `verdict` (nullopt: none).
  control::TradingObservation Observe(const v1::Tick& tick, const v1::Asset* battery,
                                      double ramp_limit_mw,
                                      const std::optional<TelemetryVerdict>& verdict) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // The book of battery `id`, made on first sight.
  Book& BookFor(const std::string& id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Settles the interval that just ended at its price and feeds the baseline.
  void Account(Book& book, const assets::BatteryParams& params, double ended_power_mw,
               std::optional<double> ended_price, absl::Time t) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // The published schedule and the audit log's plan for `plan`.
  void Publish(const control::TradingPlan& plan) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // The proposal of `power_mw` for the interval starting at `start`.
  v1::DispatchProposal TradingProposal(const std::string& asset_id, double power_mw,
                                       absl::Time start, const std::string& reason)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  TelemetryVerdictSource* const verdicts_;
  mutable absl::Mutex mu_;
  absl::Duration interval_ ABSL_GUARDED_BY(mu_) = absl::Minutes(30);
  double ramp_limit_mw_ ABSL_GUARDED_BY(mu_) = 0.0;  // the region's
  // The region's batteries' shared connection, MW; unset = none.
  std::optional<double> export_limit_mw_ ABSL_GUARDED_BY(mu_);
  std::optional<double> import_limit_mw_ ABSL_GUARDED_BY(mu_);
  const double risk_aversion_;
  control::TradingPolicy::ReplanObserver replan_observer_ ABSL_GUARDED_BY(mu_);
  // By battery id, in the order first seen.
  std::vector<std::pair<std::string, std::unique_ptr<Book>>> books_ ABSL_GUARDED_BY(mu_);
  v1::GetScheduleResponse schedule_ ABSL_GUARDED_BY(mu_);
  v1::GetTraderStatusResponse status_ ABSL_GUARDED_BY(mu_);
  bool price_seen_ ABSL_GUARDED_BY(mu_) = false;  // any tick so far has carried a price
  std::string note_ ABSL_GUARDED_BY(mu_);         // for the answer to the tick just decided
  std::optional<v1::AgentPlan> answer_plan_ ABSL_GUARDED_BY(mu_);  // likewise
};

}  // namespace gridpilot

#endif  // GRIDPILOT_AGENTS_TRADER_TRADER_AGENT_H_
