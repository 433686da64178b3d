#include "services/mcp/stack_tools.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gridpilot/v1/anomaly.pb.h"
#include "gridpilot/v1/asset.pb.h"
#include "gridpilot/v1/clock.pb.h"
#include "gridpilot/v1/forecast.pb.h"
#include "gridpilot/v1/ledger.pb.h"
#include "gridpilot/v1/response.pb.h"
#include "gridpilot/v1/trader.pb.h"
#include "services/mcp/proto_json.h"

namespace gridpilot::mcp {
namespace {

namespace pb = ::gridpilot::v1;
using google::protobuf::Message;

struct Deps {
  StackCaller* stack;
  const LiveStateBoard* board;
  IdempotencyMemory* memory;
  absl::Duration timeout;
};

json Object(json properties, json required = json::array()) {
  return json{{"type", "object"},
              {"properties", std::move(properties)},
              {"required", std::move(required)},
              {"additionalProperties", false}};
}

json TimeArg(const std::string& what) {
  return json{
      {"type", "string"}, {"format", "date-time"}, {"maxLength", 40}, {"description", what}};
}

json LimitArg() {
  return json{{"type", "integer"}, {"minimum", 1}, {"maximum", 1000}, {"description", "newest N"}};
}

const json& KeyAndReason() {
  static const json* both = new json{
      {"idempotency_key",
       {{"type", "string"},
        {"maxLength", 128},
        {"description", "unique per caller; a retry with the same key gets the first outcome"}}},
      {"reason",
       {{"type", "string"}, {"maxLength", 500}, {"description", "why, for the audit log"}}}};
  return *both;
}

// An error outcome carrying the stack's verdict, e.g. "PERMISSION_DENIED: role ...".
ToolOutcome StackError(const absl::Status& status) {
  ToolOutcome outcome;
  outcome.is_error = true;
  outcome.text = absl::StrCat(absl::StatusCodeToString(status.code()), ": ", status.message());
  outcome.structured = json{{"code", absl::StatusCodeToString(status.code())},
                            {"message", std::string(status.message())}};
  return outcome;
}

// Parses `arguments` (already checked against the tool's schema) into `request` with the
// proto3 JSON mapping; InvalidArgument naming what protobuf objected to.
absl::Status ArgumentsToRequest(const json& arguments, Message* request) {
  const auto status = google::protobuf::util::JsonStringToMessage(arguments.dump(), request);
  if (!status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("arguments: ", std::string(status.message())));
  }
  return absl::OkStatus();
}

absl::StatusOr<ToolOutcome> CallToJson(const Deps& deps, const ToolContext& context,
                                       StackProcess process, const std::string& method,
                                       const Message& request, Message* response) {
  const absl::Status called = deps.stack->Call(process, method, request, response,
                                               context.caller.bearer_token, deps.timeout);
  if (!called.ok()) return StackError(called);
  absl::StatusOr<json> printed = ProtoToJson(*response);
  if (!printed.ok()) return printed.status();
  ToolOutcome outcome;
  outcome.structured = *std::move(printed);
  return outcome;
}

// A read-only tool that is one unary call whose request fields are the arguments.
template <typename Request, typename Response>
Tool ProtoTool(const Deps& deps, std::string name, std::string title, std::string description,
               StackProcess process, std::string method, json input_schema) {
  Tool tool;
  tool.name = std::move(name);
  tool.title = std::move(title);
  tool.description = std::move(description);
  tool.input_schema = std::move(input_schema);
  tool.output_schema = SchemaOfMessage(Response::descriptor());
  tool.handler = [deps, process, method](
                     const json& arguments,
                     const ToolContext& context) -> absl::StatusOr<ToolOutcome> {
    Request request;
    if (absl::Status parsed = ArgumentsToRequest(arguments, &request); !parsed.ok()) return parsed;
    Response response;
    return CallToJson(deps, context, process, method, request, &response);
  };
  return tool;
}

// The newest forecast issue time, asked with the caller's token: the gateway clock's now
// floored to the settlement interval (forecasts are issued at interval starts).
absl::StatusOr<std::string> LatestIssueTime(const Deps& deps, const ToolContext& context) {
  pb::GetClockStatusRequest request;
  pb::GetClockStatusResponse response;
  absl::Status called =
      deps.stack->Call(StackProcess::kGateway, "/gridpilot.v1.ClockService/GetClockStatus", request,
                       &response, context.caller.bearer_token, deps.timeout);
  if (!called.ok()) return called;
  const int64_t interval_s =
      response.region().interval().seconds() > 0 ? response.region().interval().seconds() : 1800;
  const int64_t now_s = response.now().seconds();
  const int64_t issue_s = now_s - ((now_s % interval_s) + interval_s) % interval_s;
  return absl::FormatTime("%Y-%m-%d%ET%H:%M:%SZ", absl::FromUnixSeconds(issue_s),
                          absl::UTCTimeZone());
}

// A forecast-service tool whose request has an issue_time that defaults to the newest.
template <typename Request, typename Response>
Tool IssueTimeTool(const Deps& deps, std::string name, std::string title, std::string description,
                   std::string method, json input_schema) {
  Tool tool =
      ProtoTool<Request, Response>(deps, std::move(name), std::move(title), std::move(description),
                                   StackProcess::kForecast, method, std::move(input_schema));
  tool.handler = [deps, method](const json& arguments,
                                const ToolContext& context) -> absl::StatusOr<ToolOutcome> {
    json filled = arguments;
    if (!filled.contains("issue_time")) {
      absl::StatusOr<std::string> now = LatestIssueTime(deps, context);
      if (!now.ok()) return StackError(now.status());
      filled["issue_time"] = *now;
    }
    Request request;
    if (absl::Status parsed = ArgumentsToRequest(filled, &request); !parsed.ok()) return parsed;
    Response response;
    return CallToJson(deps, context, StackProcess::kForecast, method, request, &response);
  };
  return tool;
}

Tool GridStateTool(const Deps& deps) {
  Tool tool;
  tool.name = "get_grid_state";
  tool.title = "Grid state now";
  tool.description =
      "The grid now: the gateway clock and run state, the region's grid code (ramp limit, "
      "instability penalty), every asset's state (battery state of charge and limits, peaker "
      "status) with the proposal the arbiter would apply next, and the newest tick (net load of "
      "the last interval, embedded solar and wind, price, suspect readings show as absent "
      "values). Battery power > 0 discharges to the grid. Net load = demand - solar - wind.";
  tool.input_schema = Object(json::object());
  tool.output_schema = json{{"type", "object"},
                            {"properties",
                             {{"clock", SchemaOfMessage(pb::GetClockStatusResponse::descriptor())},
                              {"assets", SchemaOfMessage(pb::ListAssetsResponse::descriptor())},
                              {"latest_tick", {{"type", json::array({"object", "null"})}}}}},
                            {"required", json::array({"clock", "assets", "latest_tick"})}};
  tool.handler = [deps](const json&, const ToolContext& context) -> absl::StatusOr<ToolOutcome> {
    pb::GetClockStatusRequest clock_request;
    pb::GetClockStatusResponse clock;
    absl::Status called =
        deps.stack->Call(StackProcess::kGateway, "/gridpilot.v1.ClockService/GetClockStatus",
                         clock_request, &clock, context.caller.bearer_token, deps.timeout);
    if (!called.ok()) return StackError(called);
    pb::ListAssetsRequest assets_request;
    pb::ListAssetsResponse assets;
    called = deps.stack->Call(StackProcess::kGateway, "/gridpilot.v1.AssetService/ListAssets",
                              assets_request, &assets, context.caller.bearer_token, deps.timeout);
    if (!called.ok()) return StackError(called);
    absl::StatusOr<json> clock_json = ProtoToJson(clock);
    if (!clock_json.ok()) return clock_json.status();
    absl::StatusOr<json> assets_json = ProtoToJson(assets);
    if (!assets_json.ok()) return assets_json.status();
    ToolOutcome outcome;
    outcome.structured = json{{"clock", *std::move(clock_json)},
                              {"assets", *std::move(assets_json)},
                              {"latest_tick", deps.board->Latest()}};
    return outcome;
  };
  return tool;
}

Tool AuditLogTool(const Deps& deps) {
  Tool tool;
  tool.name = "list_decisions";
  tool.title = "Audit log of dispatch decisions";
  tool.description =
      "The gateway's audit log: per interval and asset, what was requested, by which agent "
      "(the authenticated identity), what the arbiter and interlocks applied and why, newest "
      "last. Filters: asset_id, agent, only_overridden (applied differs from requested).";
  tool.input_schema = Object({{"limit", LimitArg()},
                              {"asset_id", {{"type", "string"}, {"maxLength", 64}}},
                              {"agent", {{"type", "string"}, {"maxLength", 64}}},
                              {"only_overridden", {{"type", "boolean"}}}});
  tool.output_schema = SchemaOfMessage(pb::ListDecisionsResponse::descriptor());
  tool.handler = [deps](const json& arguments,
                        const ToolContext& context) -> absl::StatusOr<ToolOutcome> {
    pb::ListDecisionsRequest request;
    request.set_limit(arguments.value("limit", 100));
    pb::ListDecisionsResponse response;
    const absl::Status called =
        deps.stack->Call(StackProcess::kGateway, "/gridpilot.v1.AssetService/ListDecisions",
                         request, &response, context.caller.bearer_token, deps.timeout);
    if (!called.ok()) return StackError(called);
    pb::ListDecisionsResponse kept;
    for (const pb::Decision& decision : response.decisions()) {
      if (arguments.contains("asset_id") && decision.asset_id() != arguments["asset_id"]) continue;
      if (arguments.contains("agent") && decision.agent() != arguments["agent"]) continue;
      if (arguments.value("only_overridden", false) &&
          decision.applied_mw() == decision.requested_mw()) {
        continue;
      }
      *kept.add_decisions() = decision;
    }
    absl::StatusOr<json> printed = ProtoToJson(kept);
    if (!printed.ok()) return printed.status();
    ToolOutcome outcome;
    outcome.structured = *std::move(printed);
    return outcome;
  };
  return tool;
}

// Wraps an acting tool's handler: requires key and reason, answers a retry from memory,
// and remembers successful outcomes under (role, tool, key).
Tool Acting(const Deps& deps, Tool tool, bool destructive, bool idempotent) {
  tool.annotations.read_only = false;
  tool.annotations.destructive = destructive;
  tool.annotations.idempotent = idempotent;
  tool.input_schema["properties"].update(KeyAndReason());
  tool.input_schema["required"].push_back("idempotency_key");
  tool.input_schema["required"].push_back("reason");
  auto act = tool.handler;
  const std::string name = tool.name;
  tool.handler = [deps, act, name](const json& arguments,
                                   const ToolContext& context) -> absl::StatusOr<ToolOutcome> {
    const std::string key = arguments.at("idempotency_key").get<std::string>();
    if (key.empty()) return absl::InvalidArgumentError("arguments.idempotency_key: empty");
    if (arguments.at("reason").get<std::string>().empty()) {
      return absl::InvalidArgumentError("arguments.reason: empty; say why, for the audit log");
    }
    const std::string memory_key = absl::StrCat(context.caller.role, "\n", name, "\n", key);
    if (std::optional<ToolOutcome> seen = deps.memory->Find(memory_key)) {
      seen->structured["replayed"] = true;
      return *seen;
    }
    absl::StatusOr<ToolOutcome> outcome = act(arguments, context);
    if (outcome.ok() && !outcome->is_error) deps.memory->Remember(memory_key, *outcome);
    return outcome;
  };
  return tool;
}

absl::StatusOr<absl::Time> ParseTime(const json& arguments, const std::string& field) {
  absl::Time time;
  std::string error;
  const std::string text = arguments.at(field).get<std::string>();
  if (!absl::ParseTime(absl::RFC3339_full, text, &time, &error)) {
    return absl::InvalidArgumentError(absl::StrCat("arguments.", field, ": \"", text.substr(0, 40),
                                                   "\" is not an RFC 3339 time"));
  }
  return time;
}

json SubmitInputSchema() {
  return Object(
      {{"asset_id", {{"type", "string"}, {"maxLength", 64}}},
       {"power_mw",
        {{"type", "number"},
         {"minimum", -kMaxProposalPowerMw},
         {"maximum", kMaxProposalPowerMw},
         {"description", "MW; battery > 0 discharge, < 0 charge; peaker >= 0"}}},
       {"priority",
        {{"type", "string"},
         {"enum", json::array({"DISPATCH_PRIORITY_TRADING", "DISPATCH_PRIORITY_RESILIENCE"})}}},
       {"start", TimeArg("lease start (UTC)")},
       {"end", TimeArg("lease end, exclusive (UTC)")}},
      json::array({"asset_id", "power_mw", "priority", "start", "end"}));
}

// The proposal the arguments describe (checked against SubmitInputSchema); the key and
// reason, when given, are marked as coming through MCP (the reason with the session).
// InvalidArgument for times that do not parse or a lease that is empty or too long.
absl::StatusOr<pb::DispatchProposal> ProposalFromArguments(const json& arguments,
                                                           const ToolContext& context) {
  absl::StatusOr<absl::Time> start = ParseTime(arguments, "start");
  if (!start.ok()) return start.status();
  absl::StatusOr<absl::Time> end = ParseTime(arguments, "end");
  if (!end.ok()) return end.status();
  if (*end <= *start) return absl::InvalidArgumentError("arguments.end: not after start");
  if (*end - *start > kMaxLease) {
    return absl::InvalidArgumentError(
        absl::StrCat("arguments.end: the lease is longer than ", absl::FormatDuration(kMaxLease)));
  }
  pb::DispatchProposal proposal;
  proposal.set_asset_id(arguments.at("asset_id").get<std::string>());
  pb::DispatchPriority priority = pb::DISPATCH_PRIORITY_UNSPECIFIED;
  pb::DispatchPriority_Parse(arguments.at("priority").get<std::string>(), &priority);
  proposal.set_priority(priority);
  proposal.set_power_mw(arguments.at("power_mw").get<double>());
  proposal.mutable_start()->set_seconds(absl::ToUnixSeconds(*start));
  proposal.mutable_end()->set_seconds(absl::ToUnixSeconds(*end));
  if (arguments.contains("idempotency_key")) {
    proposal.set_idempotency_key(
        absl::StrCat("mcp:", arguments.at("idempotency_key").get<std::string>()));
  }
  if (arguments.contains("reason")) {
    proposal.set_reason(absl::StrCat("[mcp session ", context.caller.session_id, "] ",
                                     arguments.at("reason").get<std::string>()));
  }
  return proposal;
}

Tool SimulateTool(const Deps& deps) {
  Tool tool;
  tool.name = "simulate_dispatch";
  tool.title = "Simulate a dispatch proposal (dry run)";
  tool.description =
      "What the gateway's arbiter and interlocks would apply if this proposal were submitted "
      "now, step by step from the gateway's clock to the lease's end (at most 48 steps), next "
      "to the same steps without it: who it would displace, the MW applied, the ramp excess, "
      "and the change in GBP and in the instability penalty. The expected net load is the last "
      "measurement plus the current net-load change forecast per horizon (held beyond the "
      "last horizon). Nothing is stored or applied. Battery power_mw > 0 discharges.";
  tool.input_schema = SubmitInputSchema();
  tool.output_schema =
      json{{"type", "object"},
           {"properties",
            {{"simulation", SchemaOfMessage(pb::SimulateDispatchResponse::descriptor())},
             {"expected_net_load_mw", {{"type", "array"}, {"items", {{"type", "number"}}}}},
             {"net_load_basis", {{"type", "string"}}}}},
           {"required", json::array({"simulation", "expected_net_load_mw", "net_load_basis"})}};
  tool.handler = [deps](const json& arguments,
                        const ToolContext& context) -> absl::StatusOr<ToolOutcome> {
    absl::StatusOr<pb::DispatchProposal> proposal = ProposalFromArguments(arguments, context);
    if (!proposal.ok()) return proposal.status();
    pb::GetClockStatusRequest clock_request;
    pb::GetClockStatusResponse clock;
    absl::Status called =
        deps.stack->Call(StackProcess::kGateway, "/gridpilot.v1.ClockService/GetClockStatus",
                         clock_request, &clock, context.caller.bearer_token, deps.timeout);
    if (!called.ok()) return StackError(called);
    const int64_t step_s =
        clock.region().step().seconds() > 0 ? clock.region().step().seconds() : 1800;
    const int64_t interval_s =
        clock.region().interval().seconds() > 0 ? clock.region().interval().seconds() : 1800;
    const int64_t now_s = clock.now().seconds();
    const int64_t end_s = proposal->end().seconds();
    const int64_t steps = std::clamp<int64_t>((end_s - now_s + step_s - 1) / step_s, 1, 48);
    // The forecast issued at the newest interval start, with the caller's token.
    absl::StatusOr<std::string> issue = LatestIssueTime(deps, context);
    if (!issue.ok()) return StackError(issue.status());
    pb::GetNetLoadChangeRequest forecast_request;
    pb::GetNetLoadChangeResponse forecast;
    absl::Status parsed = ArgumentsToRequest(json{{"issue_time", *issue}}, &forecast_request);
    if (!parsed.ok()) return parsed;
    called =
        deps.stack->Call(StackProcess::kForecast, "/gridpilot.v1.ForecastService/GetNetLoadChange",
                         forecast_request, &forecast, context.caller.bearer_token, deps.timeout);
    if (!called.ok()) return StackError(called);
    pb::SimulateDispatchRequest request;
    request.set_agent(context.caller.role.empty() ? "mcp" : context.caller.role);
    *request.mutable_proposal() = *proposal;
    double expected = forecast.last_net_load_mw();
    for (int64_t k = 0; k < steps; ++k) {
      const int64_t t = now_s + k * step_s;
      for (const pb::HorizonForecast& h : forecast.forecasts()) {
        const int64_t target = h.target_interval_start().seconds();
        if (t >= target && t < target + interval_s) {
          expected = forecast.last_net_load_mw() + h.change_mw();
        }
      }
      request.add_expected_net_load_mw(expected);
    }
    pb::SimulateDispatchResponse response;
    called = deps.stack->Call(StackProcess::kGateway, "/gridpilot.v1.AssetService/SimulateDispatch",
                              request, &response, context.caller.bearer_token, deps.timeout);
    if (!called.ok()) return StackError(called);
    absl::StatusOr<json> printed = ProtoToJson(response);
    if (!printed.ok()) return printed.status();
    json expected_mw = json::array();
    for (double value : request.expected_net_load_mw()) expected_mw.push_back(value);
    ToolOutcome outcome;
    outcome.structured =
        json{{"simulation", *std::move(printed)},
             {"expected_net_load_mw", std::move(expected_mw)},
             {"net_load_basis", absl::StrCat("last measured ", forecast.last_net_load_mw(),
                                             " MW + the change forecast issued ", *issue, " (",
                                             forecast.model(), ")")}};
    return outcome;
  };
  return tool;
}

Tool SubmitTool(const Deps& deps) {
  Tool tool;
  tool.name = "submit_dispatch";
  tool.title = "Submit a dispatch proposal";
  tool.description =
      "Proposes a setpoint for one asset over a lease window [start, end). The gateway's "
      "arbiter and interlocks decide what is applied (resilience outranks trading; the "
      "interlocks clamp to the asset's limits), under your identity and role; the outcome is in "
      "list_decisions once the interval is applied. Battery power_mw > 0 discharges to the "
      "grid, < 0 charges; a peaker takes >= 0 (0 = stop). The same idempotency_key is never "
      "stored twice.";
  tool.input_schema = SubmitInputSchema();
  tool.output_schema = SchemaOfMessage(pb::SubmitDispatchResponse::descriptor());
  tool.handler = [deps](const json& arguments,
                        const ToolContext& context) -> absl::StatusOr<ToolOutcome> {
    absl::StatusOr<pb::DispatchProposal> proposal = ProposalFromArguments(arguments, context);
    if (!proposal.ok()) return proposal.status();
    pb::SubmitDispatchRequest request;
    request.set_agent(context.caller.role.empty() ? "mcp" : context.caller.role);
    *request.add_proposals() = *std::move(proposal);
    pb::SubmitDispatchResponse response;
    return CallToJson(deps, context, StackProcess::kGateway,
                      "/gridpilot.v1.AssetService/SubmitDispatch", request, &response);
  };
  return Acting(deps, std::move(tool), /*destructive=*/true, /*idempotent=*/true);
}

}  // namespace

void AddStackTools(StackCaller* stack, const LiveStateBoard* board, IdempotencyMemory* memory,
                   absl::Duration call_timeout, ToolTable* table) {
  const Deps deps{stack, board, memory, call_timeout};
  table->Add(GridStateTool(deps));
  table->Add(ProtoTool<pb::ListAssetsRequest, pb::ListAssetsResponse>(
      deps, "list_assets", "Assets and their limits",
      "Every asset the gateway controls with its state and limits: battery energy capacity, "
      "state of charge bounds and reserve (MWh), charge/discharge limits (MW), efficiencies; "
      "peaker capacity, minimum stable load, start-up and minimum up/down times, ramp rate, "
      "fuel and start costs. Battery power > 0 discharges to the grid.",
      StackProcess::kGateway, "/gridpilot.v1.AssetService/ListAssets", Object(json::object())));
  table->Add(IssueTimeTool<pb::GetNetLoadChangeRequest, pb::GetNetLoadChangeResponse>(
      deps, "get_net_load_forecast", "Net-load change forecasts",
      "Predicted change of region net load (MW) per horizon (30 min ... 4 h) from the last "
      "measured interval, with 90% prediction intervals, the 30-min ramp probability and the "
      "anomaly verdict on the base reading. issue_time defaults to the newest"
      " (the gateway's now at the settlement interval's start).",
      "/gridpilot.v1.ForecastService/GetNetLoadChange",
      Object({{"issue_time", TimeArg("forecast issue time (UTC); default: the newest")}})));
  table->Add(IssueTimeTool<pb::ExplainRequest, pb::ExplainResponse>(
      deps, "explain_forecast", "Explain a forecast (SHAP)",
      "The top SHAP contributions (MW, signed) of the features behind each horizon's forecast "
      "issued at issue_time (default: the newest), with the model's bias and the rest summed.",
      "/gridpilot.v1.ForecastService/Explain",
      Object({{"issue_time", TimeArg("a forecast's issue time (UTC); default: the newest")},
              {"top_k", {{"type", "integer"}, {"minimum", 1}, {"maximum", 50}}}})));
  table->Add(ProtoTool<pb::GetDayAheadDemandRequest, pb::GetDayAheadDemandResponse>(
      deps, "get_day_ahead_demand", "Day-ahead demand forecast",
      "The day-ahead forecast of region demand (MW) per half-hour of `day` (a UTC midnight) "
      "with 90% intervals, next to the grid operator's own forecast where one was published.",
      StackProcess::kForecast, "/gridpilot.v1.ForecastService/GetDayAheadDemand",
      Object({{"day", TimeArg("a UTC midnight, e.g. 2023-03-08T00:00:00Z")}},
             json::array({"day"}))));
  table->Add(ProtoTool<pb::GetPriceForecastRequest, pb::GetPriceForecastResponse>(
      deps, "get_price_view", "Price forecast",
      "The market price forecast (GBP/MWh, may be negative) for the next 48 half-hours with "
      "90% intervals; issue_time defaults to the newest.",
      StackProcess::kForecast, "/gridpilot.v1.ForecastService/GetPriceForecast",
      Object({{"issue_time", TimeArg("issue time (UTC); default: the newest")}})));
  table->Add(ProtoTool<pb::ListAnomaliesRequest, pb::ListAnomaliesResponse>(
      deps, "list_anomalies", "Anomalies in the telemetry",
      "Readings the anomaly detectors flagged (false data, spikes, stuck values), newest last, "
      "with their score and the threshold.",
      StackProcess::kForecast, "/gridpilot.v1.AnomalyService/ListAnomalies",
      Object({{"limit", LimitArg()},
              {"from_interval_start", TimeArg("only intervals from here (UTC)")}})));
  table->Add(ProtoTool<pb::ListEventsRequest, pb::ListEventsResponse>(
      deps, "list_ramp_events", "Ramp events and episodes",
      "The response agent's ramp events and episodes: what was forecast, what it decided "
      "(battery, peaker) and how the episode ended.",
      StackProcess::kResponse, "/gridpilot.v1.ResponseService/ListEvents",
      Object({{"limit", LimitArg()}})));
  table->Add(ProtoTool<pb::GetPnlRequest, pb::GetPnlResponse>(
      deps, "get_pnl", "P&L by cause",
      "Settled money by cause (GBP, income > 0), the instability penalty avoided against no "
      "dispatch, battery cycles, the cost of resilience overriding trading and the response "
      "agent's net benefit.",
      StackProcess::kGateway, "/gridpilot.v1.LedgerService/GetPnl", Object(json::object())));
  table->Add(ProtoTool<pb::GetTraderPnlRequest, pb::GetTraderPnlResponse>(
      deps, "get_trader_pnl", "Trader P&L and capture ratio",
      "The trader's realised P&L and its capture ratio against the perfect-foresight optimum.",
      StackProcess::kTrader, "/gridpilot.v1.TraderService/GetTraderPnl", Object(json::object())));
  table->Add(ProtoTool<pb::GetScheduleRequest, pb::GetScheduleResponse>(
      deps, "get_trader_schedule", "Trader's battery schedule",
      "The trader's planned battery power per interval (MW, > 0 discharge) with the prices it "
      "planned against.",
      StackProcess::kTrader, "/gridpilot.v1.TraderService/GetSchedule", Object(json::object())));
  table->Add(AuditLogTool(deps));
  table->Add(ProtoTool<pb::GetThresholdsRequest, pb::GetThresholdsResponse>(
      deps, "get_thresholds", "Response agent thresholds",
      "The ramp limit (MW per interval) and margin (MW) the response agent acts on.",
      StackProcess::kResponse, "/gridpilot.v1.ResponseService/GetThresholds",
      Object(json::object())));
  table->Add(SimulateTool(deps));
  table->Add(SubmitTool(deps));

  Tool cancel = ProtoTool<pb::CancelDispatchRequest, pb::CancelDispatchResponse>(
      deps, "cancel_dispatch", "Cancel a dispatch proposal",
      "Withdraws a proposal (by the proposal_id submit_dispatch returned) from the arbiter.",
      StackProcess::kGateway, "/gridpilot.v1.AssetService/CancelDispatch",
      Object({{"proposal_id", {{"type", "integer"}, {"minimum", 1}}}},
             json::array({"proposal_id"})));
  {
    auto call = cancel.handler;
    cancel.handler = [call](const json& arguments, const ToolContext& context) {
      return call(json{{"proposal_id", arguments.at("proposal_id")}}, context);
    };
  }
  table->Add(Acting(deps, std::move(cancel), /*destructive=*/true, /*idempotent=*/true));

  Tool thresholds = ProtoTool<pb::SetThresholdsRequest, pb::SetThresholdsResponse>(
      deps, "set_thresholds", "Set the response agent's thresholds",
      "Sets the ramp limit (MW per interval, > 0) and margin (MW, >= 0) the response agent "
      "acts on; returns the thresholds now in force.",
      StackProcess::kResponse, "/gridpilot.v1.ResponseService/SetThresholds",
      Object({{"ramp_limit_mw", {{"type", "number"}, {"minimum", 0}, {"maximum", 100000}}},
              {"margin_mw", {{"type", "number"}, {"minimum", 0}, {"maximum", 100000}}}},
             json::array({"ramp_limit_mw", "margin_mw"})));
  {
    auto call = thresholds.handler;
    thresholds.handler = [call](const json& arguments, const ToolContext& context) {
      return call(json{{"thresholds",
                        {{"ramp_limit_mw", arguments.at("ramp_limit_mw")},
                         {"margin_mw", arguments.at("margin_mw")}}}},
                  context);
    };
  }
  table->Add(Acting(deps, std::move(thresholds), /*destructive=*/true, /*idempotent=*/true));

  Tool reload = ProtoTool<pb::ReloadModelRequest, pb::ReloadModelResponse>(
      deps, "reload_models", "Reload the forecast models",
      "Makes the forecast service load the newest usable model set from its model directory.",
      StackProcess::kForecast, "/gridpilot.v1.ForecastService/ReloadModel", Object(json::object()));
  {
    auto call = reload.handler;
    reload.handler = [call](const json&, const ToolContext& context) {
      return call(json::object(), context);
    };
  }
  table->Add(Acting(deps, std::move(reload), /*destructive=*/false, /*idempotent=*/true));
}

}  // namespace gridpilot::mcp
