#include "services/gateway/gateway_metrics.h"

#include <string>
#include <vector>

#include "services/common/proto_enum.h"
#include "services/common/proto_time.h"

namespace gridpilot {
namespace {

using prometheus::MetricFamily;

std::string PeakerStatusLabel(v1::PeakerStatus status) {
  switch (status) {
    case v1::PEAKER_STATUS_OFF: return "off";
    case v1::PEAKER_STATUS_STARTING: return "starting";
    case v1::PEAKER_STATUS_ON: return "on";
    default: return "unknown";
  }
}

void ClockFamilies(const v1::GetClockStatusResponse& s, std::vector<MetricFamily>* out) {
  out->push_back(SnapshotFamily::Counter("gridpilot_ticks_settled_total",
                                         "Steps applied and settled since the run started")
                     .Add(s.ticks_done())
                     .Take());
  out->push_back(
      SnapshotFamily::Gauge("gridpilot_ticks_planned", "Steps the run will settle in all")
          .Add(s.ticks_total())
          .Take());
  SnapshotFamily state = SnapshotFamily::Gauge(
      "gridpilot_run_state", "1 for the run's state (waiting, running, finished), else 0");
  for (const auto& [value, name] :
       {std::pair{v1::RUN_STATE_WAITING, "waiting"}, std::pair{v1::RUN_STATE_RUNNING, "running"},
        std::pair{v1::RUN_STATE_FINISHED, "finished"}}) {
    state.Add({{"state", name}}, s.state() == value ? 1.0 : 0.0);
  }
  out->push_back(state.Take());
  out->push_back(SnapshotFamily::Gauge("gridpilot_simulated_time_seconds",
                                       "The gateway's clock (decision time of the current "
                                       "step), Unix seconds")
                     .Add(absl::ToDoubleSeconds(FromProtoTime(s.now()) - absl::UnixEpoch()))
                     .Take());
  out->push_back(
      SnapshotFamily::Gauge("gridpilot_agents_registered", "Agents registered with the clock")
          .Add(s.registered_agents_size())
          .Take());
  out->push_back(SnapshotFamily::Counter("gridpilot_missed_answers_total",
                                         "(step, agent) pairs where the lock-step deadline "
                                         "passed before the agent answered")
                     .Add(s.missed_answers())
                     .Take());
  SnapshotFamily latency = SnapshotFamily::Gauge(
      "gridpilot_answer_latency_seconds",
      "Wall time from a step's publication to an agent's answer reaching the arbiter, as "
      "the gateway measures it, by agent and quantile (0.5, 0.99, 1 = max) since the start");
  for (const v1::AnswerLatency& a : s.answer_latency()) {
    latency.Add({{"agent", a.agent()}, {"quantile", "0.5"}}, a.p50_us() / 1e6);
    latency.Add({{"agent", a.agent()}, {"quantile", "0.99"}}, a.p99_us() / 1e6);
    latency.Add({{"agent", a.agent()}, {"quantile", "1"}}, a.max_us() / 1e6);
  }
  out->push_back(latency.Take());
}

void ReadingFamilies(const v1::Tick& tick, std::vector<MetricFamily>* out) {
  if (tick.has_net_load_mw()) {
    out->push_back(SnapshotFamily::Gauge("gridpilot_net_load_mw",
                                         "Region net load of the last measured half-hour "
                                         "(before dispatch), MW, as agents see it")
                       .Add(tick.net_load_mw())
                       .Take());
  }
  if (tick.has_price_gbp_per_mwh()) {
    out->push_back(SnapshotFamily::Gauge("gridpilot_price_gbp_per_mwh",
                                         "Price of the last measured half-hour, GBP/MWh")
                       .Add(tick.price_gbp_per_mwh())
                       .Take());
  }
  if (tick.step().has_net_load_mw()) {
    out->push_back(SnapshotFamily::Gauge("gridpilot_step_net_load_mw",
                                         "Region net load of the last step (before "
                                         "dispatch), MW; equals the half-hour's in a backtest")
                       .Add(tick.step().net_load_mw())
                       .Take());
  }
  out->push_back(SnapshotFamily::Gauge("gridpilot_step_dispatch_mw",
                                       "Batteries + peakers in the last step, MW, > 0 supply")
                     .Add(tick.step().dispatch_mw())
                     .Take());
}

void AssetFamilies(const std::vector<v1::Asset>& assets, std::vector<MetricFamily>* out) {
  SnapshotFamily soc =
      SnapshotFamily::Gauge("gridpilot_battery_soc_mwh", "Energy stored in each battery, MWh");
  SnapshotFamily soc_fraction = SnapshotFamily::Gauge(
      "gridpilot_battery_soc_ratio", "Energy stored over capacity, 0..1, by battery");
  SnapshotFamily power = SnapshotFamily::Gauge("gridpilot_battery_power_mw",
                                               "Battery power in the last step, MW, > 0 discharge");
  SnapshotFamily peaker_state = SnapshotFamily::Gauge(
      "gridpilot_peaker_state", "1 for each peaker's state (off, starting, on), else 0");
  SnapshotFamily peaker_output =
      SnapshotFamily::Gauge("gridpilot_peaker_output_mw", "Peaker output, MW");
  SnapshotFamily scheduled =
      SnapshotFamily::Gauge("gridpilot_asset_scheduled_power_mw",
                            "What the arbiter would request of each asset for the coming step, MW");
  for (const v1::Asset& a : assets) {
    const MetricLabels asset = {{"asset", a.id()}};
    scheduled.Add(asset, a.scheduled_power_mw());
    if (a.has_battery()) {
      soc.Add(asset, a.battery().soc_mwh());
      if (a.battery().energy_capacity_mwh() > 0) {
        soc_fraction.Add(asset, a.battery().soc_mwh() / a.battery().energy_capacity_mwh());
      }
      power.Add(asset, a.battery().power_mw());
    } else if (a.has_peaker()) {
      for (v1::PeakerStatus s :
           {v1::PEAKER_STATUS_OFF, v1::PEAKER_STATUS_STARTING, v1::PEAKER_STATUS_ON}) {
        peaker_state.Add({{"asset", a.id()}, {"state", PeakerStatusLabel(s)}},
                         a.peaker().status() == s ? 1.0 : 0.0);
      }
      peaker_output.Add(asset, a.peaker().output_mw());
    }
  }
  for (SnapshotFamily* f :
       {&soc, &soc_fraction, &power, &peaker_state, &peaker_output, &scheduled}) {
    out->push_back(f->Take());
  }
}

void LedgerFamilies(const v1::GetPnlResponse& pnl, std::vector<MetricFamily>* out) {
  SnapshotFamily by_cause = SnapshotFamily::Gauge(
      "gridpilot_ledger_gbp", "Settled GBP since the run started, by cause (income > 0)");
  for (const v1::CauseTotal& c : pnl.by_cause()) {
    by_cause.Add({{"cause", ShortName(c.cause())}}, c.amount_gbp());
  }
  out->push_back(by_cause.Take());
  out->push_back(
      SnapshotFamily::Gauge("gridpilot_ledger_net_gbp", "Net settled GBP since the run started")
          .Add(pnl.net_gbp())
          .Take());
  out->push_back(SnapshotFamily::Gauge("gridpilot_baseline_instability_penalty_gbp",
                                       "Penalty the same steps would have cost with no "
                                       "dispatch, GBP (>= 0)")
                     .Add(pnl.baseline_instability_penalty_gbp())
                     .Take());
  out->push_back(SnapshotFamily::Gauge("gridpilot_response_net_benefit_gbp",
                                       "Penalty avoided minus resilience dispatch cost, GBP")
                     .Add(pnl.response_net_benefit_gbp())
                     .Take());
  out->push_back(SnapshotFamily::Gauge("gridpilot_battery_cycles",
                                       "Equivalent full battery cycles since the start")
                     .Add(pnl.battery_cycles())
                     .Take());
  SnapshotFamily intervals = SnapshotFamily::Counter("gridpilot_asset_dispatched_steps_total",
                                                     "Steps with non-zero applied power, by asset");
  SnapshotFamily energy = SnapshotFamily::Counter(
      "gridpilot_asset_energy_mwh_total",
      "Grid-side throughput (battery: charge + discharge) or generation (peaker), MWh");
  for (const v1::AssetDispatchSummary& d : pnl.dispatches()) {
    intervals.Add({{"asset", d.asset_id()}}, d.intervals_dispatched());
    energy.Add({{"asset", d.asset_id()}}, d.energy_mwh());
  }
  out->push_back(intervals.Take());
  out->push_back(energy.Take());
}

}  // namespace

std::shared_ptr<SnapshotCollector> MakeGatewayCollector(const GatewayRun* run) {
  return std::make_shared<SnapshotCollector>([run] {
    std::vector<MetricFamily> out;
    const v1::GetClockStatusResponse status = run->Status();
    ClockFamilies(status, &out);
    // The newest published step: the one being answered, else the last settled one.
    v1::Tick tick;
    const int64_t done = status.ticks_done();
    if (run->WaitForTick(done, absl::ZeroDuration(), &tick) == GatewayRun::TickWait::kTick ||
        (done > 0 &&
         run->WaitForTick(done - 1, absl::ZeroDuration(), &tick) == GatewayRun::TickWait::kTick)) {
      ReadingFamilies(tick, &out);
    }
    AssetFamilies(run->Assets(), &out);
    LedgerFamilies(run->Pnl(), &out);
    return out;
  });
}

}  // namespace gridpilot
