#include "services/mcp/gridpilot_catalog.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gridpilot/v1/asset.pb.h"
#include "gridpilot/v1/clock.pb.h"
#include "services/mcp/proto_json.h"

namespace gridpilot::mcp {
namespace {

namespace pb = ::gridpilot::v1;

constexpr char kConventions[] = R"(# gridpilot: units and sign conventions

- Time is UTC. An interval is named by its start; settlement intervals are 30 minutes.
- Power in MW, energy in MWh, price in GBP/MWh (may be negative), money in GBP.
- Net load = national demand (ND, already net of embedded solar and wind) scaled to the
  region. Gross load = net load + embedded solar + embedded wind.
- Battery power > 0 discharges to the grid, < 0 charges. Peaker output >= 0 (0 = stop).
- A ramp is the change of net load from one interval to the next. The region tolerates
  |change| up to ramp_limit_mw per interval after dispatch; every MW beyond costs
  instability_penalty_gbp_per_mw.
- Dispatch priority: RESILIENCE (the response agent, smoothing ramps) outranks TRADING
  (the trader, buying low and selling high). Agents and AI clients only propose; the
  gateway's arbiter picks one proposal per asset and its interlocks clamp it to the
  asset's limits (power, state of charge bounds, reserve, peaker start-up and minimum
  up/down times). Every decision is in the audit log (tool list_decisions).
- Forecasts: change_mw is the predicted net load of a future interval minus the last
  measured one; lower/upper are its 90% prediction interval; ramp_probability is the
  chance that the next interval's |change| exceeds ramp_threshold_mw.
)";

std::string GlossaryText(StackCaller* stack, absl::Duration timeout, const McpCaller& caller) {
  std::string text = kConventions;
  pb::GetClockStatusRequest clock_request;
  pb::GetClockStatusResponse clock;
  if (stack
          ->Call(StackProcess::kGateway, "/gridpilot.v1.ClockService/GetClockStatus", clock_request,
                 &clock, caller.bearer_token, timeout)
          .ok()) {
    const pb::RegionInfo& region = clock.region();
    absl::StrAppend(&text, "\n# The region\n\n- name: ", region.name(),
                    "\n- scale of Great Britain: ", region.scale(),
                    "\n- ramp_limit_mw: ", region.ramp_limit_mw(),
                    "\n- instability_penalty_gbp_per_mw: ", region.instability_penalty_gbp_per_mw(),
                    "\n");
  }
  pb::ListAssetsRequest request;
  pb::ListAssetsResponse assets;
  if (stack
          ->Call(StackProcess::kGateway, "/gridpilot.v1.AssetService/ListAssets", request, &assets,
                 caller.bearer_token, timeout)
          .ok()) {
    absl::StrAppend(&text, "\n# Assets (limits as now)\n");
    for (const pb::Asset& asset : assets.assets()) {
      if (asset.has_battery()) {
        const pb::BatteryState& b = asset.battery();
        absl::StrAppend(&text, "\n- ", asset.id(), ": battery, ", b.energy_capacity_mwh(),
                        " MWh, charge up to ", b.max_charge_mw(), " MW, discharge up to ",
                        b.max_discharge_mw(), " MW, state of charge ", b.soc_min_mwh(), "..",
                        b.soc_max_mwh(), " MWh with ", b.reserve_mwh(),
                        " MWh held for resilience; now ", b.soc_mwh(), " MWh");
      } else if (asset.has_peaker()) {
        const pb::PeakerState& p = asset.peaker();
        absl::StrAppend(&text, "\n- ", asset.id(), ": peaker, ", p.capacity_mw(),
                        " MW, minimum stable load ", p.min_stable_load_mw(), " MW, ramp ",
                        p.ramp_rate_mw_per_min(), " MW/min, fuel ", p.fuel_gbp_per_mwh(),
                        " GBP/MWh, start ", p.start_cost_gbp(), " GBP; now ",
                        pb::PeakerStatus_Name(p.status()));
      }
    }
    absl::StrAppend(&text, "\n");
  } else {
    absl::StrAppend(&text, "\n(The asset list is unavailable: the gateway did not answer.)\n");
  }
  return text;
}

}  // namespace

std::vector<Resource> GridpilotResources(StackCaller* stack, const LiveStateBoard* board,
                                         absl::Duration call_timeout) {
  std::vector<Resource> resources;
  Resource glossary;
  glossary.uri = kGlossaryUri;
  glossary.name = "region-glossary";
  glossary.title = "Region, assets, units and sign conventions";
  glossary.description =
      "How to read every number gridpilot gives: units, signs, priorities, and the region's "
      "assets with their limits.";
  glossary.mime_type = "text/markdown";
  glossary.read = [stack, call_timeout](const McpCaller& caller) -> absl::StatusOr<std::string> {
    return GlossaryText(stack, call_timeout, caller);
  };
  resources.push_back(std::move(glossary));

  Resource live;
  live.uri = kLiveStateUri;
  live.name = "live-state";
  live.title = "Live grid state (newest tick)";
  live.description =
      "The newest tick the gateway published: measured net load, solar, wind and price of the "
      "interval just ended and every asset's state. Subscribe to be told of each new tick.";
  live.mime_type = "application/json";
  live.subscribable = true;
  live.read = [board](const McpCaller&) -> absl::StatusOr<std::string> {
    const nlohmann::json tick = board->Latest();
    if (tick.is_null()) return std::string(R"({"tick":null,"note":"no tick published yet"})");
    return nlohmann::json{{"tick", tick}}.dump();
  };
  resources.push_back(std::move(live));
  return resources;
}

std::vector<Prompt> GridpilotPrompts() {
  std::vector<Prompt> prompts;
  prompts.push_back(Prompt{
      "explain_last_ramp",
      "Explain the last ramp and what was done",
      "Walks through the most recent ramp episode: the forecast, what the response agent and "
      "the arbiter did, and the outcome.",
      {},
      [](const nlohmann::json&) {
        return std::string(
            "Explain the most recent ramp on the grid and what was done about it. Call "
            "list_ramp_events (limit 5) and take the newest episode; call explain_forecast at "
            "its forecast's issue time to say why the ramp was predicted; call list_decisions "
            "to show what was requested and applied for each asset in those intervals and "
            "why any request was clamped or overridden; read gridpilot://region/glossary for "
            "units and signs. End with whether the ramp stayed within the ramp limit and what "
            "it cost or saved.");
      }});
  prompts.push_back(
      Prompt{"daily_operations_report",
             "Daily operations report",
             "A report of one operating day: demand and forecasts, ramps, dispatch, money.",
             {{"day", "the UTC day to report, e.g. 2023-03-08 (default: the current one)", false}},
             [](const nlohmann::json& arguments) {
               const std::string day = arguments.value("day", std::string("the current day"));
               return absl::StrCat(
                   "Write the daily operations report for ", day,
                   ". Use get_grid_state for where the run stands, get_day_ahead_demand for the "
                   "demand outlook, list_ramp_events and list_anomalies for what happened, "
                   "list_decisions for the dispatch audit trail, get_pnl and get_trader_pnl for "
                   "money by cause and the capture ratio. Sections: summary, demand and forecast "
                   "quality, ramps and response, trading, anomalies, P&L, actions for tomorrow.");
             }});
  prompts.push_back(Prompt{
      "should_we_dispatch_now",
      "Should we dispatch now?",
      "Weighs the current forecasts, assets and prices and recommends a dispatch or none, "
      "checking it with simulate-free reads first.",
      {{"asset_id", "the asset to consider (default: all)", false}},
      [](const nlohmann::json& arguments) {
        const std::string asset = arguments.value("asset_id", std::string("any asset"));
        return absl::StrCat(
            "Decide whether to dispatch ", asset,
            " now. Call get_grid_state (state of charge, peaker status, what is scheduled), "
            "get_net_load_forecast (the next hours' change with 90% intervals and ramp "
            "probability) and get_price_view. Recommend a setpoint and lease window or no "
            "action, with the expected effect on the ramp limit and in GBP. Do not call "
            "submit_dispatch unless the user confirms; if you do, give an idempotency_key and "
            "a reason.");
      }});
  return prompts;
}

}  // namespace gridpilot::mcp
