#include "services/cli/backtest_report.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/base/time_util.h"
#include "services/common/proto_enum.h"
#include "services/common/proto_time.h"
#include "services/console/served_models_report.h"

namespace gridpilot {

nlohmann::json BacktestReportJson(const std::string& from, const std::string& to,
                                  double wall_seconds, const StackFigures& figures,
                                  const std::vector<ProcessInfo>& processes) {
  nlohmann::json report;
  report["from"] = from;
  report["to"] = to;
  report["ticks"] = figures.clock.ticks_done();
  report["wall_seconds"] = wall_seconds;
  nlohmann::json ledger = nlohmann::json::object();
  for (const v1::CauseTotal& c : figures.pnl.by_cause()) {
    ledger[ShortName(c.cause())] = c.amount_gbp();
  }
  ledger["net"] = figures.pnl.net_gbp();
  report["ledger_gbp"] = ledger;
  // Which region the figures are from: the trader's capture depends on its ramp duty
  // (deploy/arbitrage-only.json lifts it).
  const v1::RegionInfo& region = figures.clock.region();
  report["region"] = {{"name", region.name()},
                      {"ramp_limit_mw", region.ramp_limit_mw()},
                      {"instability_penalty_gbp_per_mw", region.instability_penalty_gbp_per_mw()}};
  report["baseline_instability_penalty_gbp"] = figures.pnl.baseline_instability_penalty_gbp();
  const int64_t measured = figures.response.measured_ramp_events();
  const int64_t forecast = figures.response.forecast_ramp_events();
  report["ramp_events"] = measured + forecast;
  report["ramp_events_by_kind"] = {{"measured", measured}, {"forecast", forecast}};
  report["events"] = report["ramp_events_by_kind"];
  const v1::GetResponseStatusResponse& r = figures.response;
  report["ramp_episodes"] = {{"countered", r.episodes_countered()},
                             {"not_countered", r.episodes_not_countered()},
                             {"did_not_happen", r.episodes_did_not_happen()},
                             {"open", r.open_episode_id() != 0 ? 1 : 0}};
  report["response_degraded_ticks"] = r.degraded_ticks();
  report["response_suspect_ticks_held"] = r.suspect_ticks_held();
  report["step_seconds"] = absl::ToDoubleSeconds(FromProtoDuration(r.step()));
  report["resilience_dispatch_cost_gbp"] = figures.pnl.resilience_dispatch_cost_gbp();
  report["response_net_benefit_gbp"] = figures.pnl.response_net_benefit_gbp();
  nlohmann::json dispatches = nlohmann::json::object();
  for (const v1::AssetDispatchSummary& d : figures.pnl.dispatches()) {
    nlohmann::json& entry = dispatches[d.asset_id()];
    entry = {{"count", d.intervals_dispatched()}, {"mwh", d.energy_mwh()}};
    if (!d.peaker()) continue;
    entry["starts"] = d.starts();
    nlohmann::json runs = nlohmann::json::array();
    for (const v1::PeakerRun& run : d.runs()) {
      auto stamp = [](bool has, const google::protobuf::Timestamp& t) -> nlohmann::json {
        if (!has) return nullptr;
        return base::FormatUtcTimestamp(FromProtoTime(t));
      };
      runs.push_back({{"start_command", stamp(true, run.start_command())},
                      {"online", stamp(run.has_online(), run.online())},
                      {"stopped", stamp(run.has_stopped(), run.stopped())}});
    }
    entry["runs"] = runs;
  }
  report["dispatches"] = dispatches;
  report["battery_cycles"] = figures.pnl.battery_cycles();
  report["forecast_change_30min_mae_mw"] = nullptr;
  report["forecast_change_30min_persistence_mae_mw"] = nullptr;
  for (const v1::HorizonAccuracy& h : figures.accuracy.horizons()) {
    if (FromProtoDuration(h.horizon()) == absl::Minutes(30) && h.count() > 0) {
      report["forecast_change_30min_mae_mw"] = h.mae_mw();
      report["forecast_change_30min_persistence_mae_mw"] = h.persistence_mae_mw();
    }
  }
  const v1::GetTraderPnlResponse& trader = figures.trader_pnl;
  report["trader_pnl_gbp"] = trader.realised_pnl_gbp();
  report["perfect_foresight_pnl_gbp"] = trader.perfect_foresight_pnl_gbp();
  report["trader_capture_ratio"] = trader.capture_ratio();
  report["yesterday_plan_pnl_gbp"] = trader.yesterday_plan_pnl_gbp();
  report["yesterday_plan_capture_ratio"] = trader.yesterday_plan_capture_ratio();
  report["trader_suspect_ticks_held"] = figures.trader.suspect_ticks_held();
  report["trader_risk_aversion"] = figures.trader.risk_aversion();
  // Several batteries: each one's share of the trader's figures.
  if (trader.batteries_size() > 1) {
    nlohmann::json by_battery = nlohmann::json::object();
    for (const v1::BatteryPnl& b : trader.batteries()) {
      by_battery[b.battery_id()] = {{"pnl_gbp", b.realised_pnl_gbp()},
                                    {"perfect_foresight_pnl_gbp", b.perfect_foresight_pnl_gbp()},
                                    {"capture_ratio", b.capture_ratio()},
                                    {"yesterday_plan_pnl_gbp", b.yesterday_plan_pnl_gbp()}};
    }
    report["trader_pnl_by_battery"] = by_battery;
  }
  report["missed_answers"] = figures.clock.missed_answers();
  // Only with scheduled retraining, so that a run without it reports exactly as before.
  if (!figures.models.retrain_every().empty() && figures.models.retrain_every() != "none") {
    report["retraining"] = ServedModelsJson(figures.models);
  }
  nlohmann::json procs = nlohmann::json::array();
  for (const ProcessInfo& p : processes) procs.push_back({{"name", p.name}, {"pid", p.pid}});
  report["processes"] = procs;
  return report;
}

std::string BacktestSummary(const nlohmann::json& r) {
  const nlohmann::json& l = r["ledger_gbp"];
  std::string out = absl::StrFormat(
      "backtest %s .. %s: %d ticks in %.2f s (%.0f ticks/s)\n", r["from"].get<std::string>(),
      r["to"].get<std::string>(), r["ticks"].get<int64_t>(), r["wall_seconds"].get<double>(),
      r["ticks"].get<int64_t>() / std::max(1e-9, r["wall_seconds"].get<double>()));
  absl::StrAppend(
      &out, absl::StrFormat(
                "  ledger GBP: arbitrage sold %.0f, bought %.0f, peaker fuel %.0f, starts %.0f, "
                "degradation %.0f, instability %.0f => net %.0f\n",
                l["arbitrage_sold"].get<double>(), l["arbitrage_bought"].get<double>(),
                l["peaker_fuel"].get<double>(), l["peaker_starts"].get<double>(),
                l["battery_degradation"].get<double>(), l["instability_penalty"].get<double>(),
                l["net"].get<double>()));
  absl::StrAppend(
      &out, absl::StrFormat(
                "  instability penalty %.0f GBP vs %.0f GBP with no dispatch; %d ramp events; "
                "response net benefit %.0f GBP (after %.0f GBP of resilience dispatch cost)\n",
                -l["instability_penalty"].get<double>(),
                r["baseline_instability_penalty_gbp"].get<double>(),
                r["ramp_events"].get<int64_t>(), r["response_net_benefit_gbp"].get<double>(),
                r["resilience_dispatch_cost_gbp"].get<double>()));
  const nlohmann::json& episodes = r["ramp_episodes"];
  absl::StrAppend(
      &out,
      absl::StrFormat(
          "  ramp episodes: %d countered, %d not fully countered, %d forecast but did not happen; "
          "%d ticks in degraded mode\n",
          episodes["countered"].get<int64_t>(), episodes["not_countered"].get<int64_t>(),
          episodes["did_not_happen"].get<int64_t>(), r["response_degraded_ticks"].get<int64_t>()));
  for (const auto& [asset, d] : r["dispatches"].items()) {
    absl::StrAppend(&out, absl::StrFormat("  %s: dispatched in %d intervals, %.1f MWh", asset,
                                          d["count"].get<int64_t>(), d["mwh"].get<double>()));
    if (d.contains("starts")) {
      absl::StrAppend(&out, absl::StrFormat(", %d starts", d["starts"].get<int64_t>()));
    }
    absl::StrAppend(&out, "\n");
  }
  absl::StrAppend(&out,
                  absl::StrFormat("  battery cycles %.1f\n", r["battery_cycles"].get<double>()));
  absl::StrAppend(
      &out,
      absl::StrFormat("  trader P&L %.0f GBP = %.2f of perfect foresight (%.0f GBP, hindsight); "
                      "yesterday's-price plan %.0f GBP = %.2f\n",
                      r["trader_pnl_gbp"].get<double>(), r["trader_capture_ratio"].get<double>(),
                      r["perfect_foresight_pnl_gbp"].get<double>(),
                      r["yesterday_plan_pnl_gbp"].get<double>(),
                      r["yesterday_plan_capture_ratio"].get<double>()));
  if (r.contains("trader_pnl_by_battery")) {
    for (const auto& [battery, b] : r["trader_pnl_by_battery"].items()) {
      absl::StrAppend(&out,
                      absl::StrFormat("    %s: trader P&L %.0f GBP = %.2f of %.0f GBP\n", battery,
                                      b["pnl_gbp"].get<double>(), b["capture_ratio"].get<double>(),
                                      b["perfect_foresight_pnl_gbp"].get<double>()));
    }
  }
  if (!r["forecast_change_30min_mae_mw"].is_null()) {
    // The key keeps its name; its horizon is one interval: the step of a backtest.
    const double step_s = r.contains("step_seconds") ? r["step_seconds"].get<double>() : 1800.0;
    const int horizon_min =
        step_s == 300.0 || step_s == 900.0 || step_s == 3600.0 ? static_cast<int>(step_s / 60) : 30;
    absl::StrAppend(
        &out, absl::StrFormat(
                  "  %d-min net-load change forecast MAE %.2f MW (no-change baseline %.2f MW)\n",
                  horizon_min, r["forecast_change_30min_mae_mw"].get<double>(),
                  r["forecast_change_30min_persistence_mae_mw"].get<double>()));
  }
  if (r.contains("retraining")) {
    const nlohmann::json& retraining = r["retraining"];
    absl::StrAppend(
        &out,
        absl::StrFormat("  retrained every %s at %s UTC on %d days: %d cut-offs",
                        retraining["every"].get<std::string>(), retraining["at"].get<std::string>(),
                        retraining["training_days"].get<int>(), retraining["cutoffs"].size()));
    for (const nlohmann::json& m : retraining["models"]) {
      if (m["source"] != "retrain") continue;
      absl::StrAppend(&out, absl::StrFormat("; %s (trained %.1f s, ticks waited %.1f s)",
                                            m["cutoff"].get<std::string>(),
                                            m["training_wall_seconds"].get<double>(),
                                            m["waited_wall_seconds"].get<double>()));
    }
    absl::StrAppend(&out, "\n");
  }
  return out;
}

}  // namespace gridpilot
