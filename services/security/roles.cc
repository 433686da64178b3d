#include "services/security/roles.h"

#include <algorithm>
#include <map>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace gridpilot::security {
namespace {

constexpr char kAnyRole[] = "*";

// Method -> roles allowed; "*" = every authenticated caller. Reads are open to every
// authenticated caller; each write names its roles.
const std::map<std::string, std::vector<std::string>, std::less<>>& MethodRoles() {
  static const auto* table = new std::map<std::string, std::vector<std::string>, std::less<>>{
      {"/gridpilot.v1.AnomalyService/ListAnomalies", {kAnyRole}},
      {"/gridpilot.v1.AnomalyService/StreamAnomalies", {kAnyRole}},
      {"/gridpilot.v1.AnomalyService/GetVerdict", {kAnyRole}},
      // Reads nothing of the stack and writes nothing: a viewer may score a file.
      {"/gridpilot.v1.AnomalyService/ScoreReadings", {kAnyRole}},
      {"/gridpilot.v1.AssetService/ListAssets", {kAnyRole}},
      {"/gridpilot.v1.ApprovalService/ListApprovals", {kAnyRole}},
      {"/gridpilot.v1.ApprovalService/Approve", {"operator", "admin"}},
      {"/gridpilot.v1.ApprovalService/Reject", {"operator", "admin"}},
      {"/gridpilot.v1.AuditService/ListAuditEvents", {kAnyRole}},
      {"/gridpilot.v1.AssetService/SubmitDispatch",
       {"operator", "response", "trader", "ai-agent", "admin"}},
      {"/gridpilot.v1.AssetService/CancelDispatch", {"operator", "admin"}},
      {"/gridpilot.v1.AssetService/ListDecisions", {kAnyRole}},
      {"/gridpilot.v1.AssetService/SimulateDispatch", {kAnyRole}},
      {"/gridpilot.v1.ClockService/RegisterAgent", {"response", "trader"}},
      // viewer: the forecast process's forecaster session (the gateway checks the identity).
      {"/gridpilot.v1.ClockService/AgentSession", {"response", "trader", "viewer"}},
      {"/gridpilot.v1.ClockService/Start", {"operator", "admin"}},
      {"/gridpilot.v1.ClockService/GetClockStatus", {kAnyRole}},
      {"/gridpilot.v1.ForecastService/GetNetLoadChange", {kAnyRole}},
      {"/gridpilot.v1.ForecastService/GetAccuracy", {kAnyRole}},
      {"/gridpilot.v1.ForecastService/Explain", {kAnyRole}},
      {"/gridpilot.v1.ForecastService/ReloadModel", {"admin"}},
      {"/gridpilot.v1.ForecastService/GetPriceForecast", {kAnyRole}},
      {"/gridpilot.v1.ForecastService/GetDayAheadDemand", {kAnyRole}},
      {"/gridpilot.v1.AdviceService/Advise", {kAnyRole}},
      {"/gridpilot.v1.ForecastService/GetModels", {kAnyRole}},
      {"/gridpilot.v1.LedgerService/GetPnl", {kAnyRole}},
      {"/gridpilot.v1.ResponseService/GetResponseStatus", {kAnyRole}},
      {"/gridpilot.v1.ResponseService/ListEvents", {kAnyRole}},
      {"/gridpilot.v1.ResponseService/GetThresholds", {kAnyRole}},
      {"/gridpilot.v1.ResponseService/SetThresholds", {"operator", "admin"}},
      {"/gridpilot.v1.TelemetryService/Subscribe", {kAnyRole}},
      {"/gridpilot.v1.TelemetryService/History", {kAnyRole}},
      {"/gridpilot.v1.TelemetryService/DayAheadForecasts", {kAnyRole}},
      {"/gridpilot.v1.TelemetryService/Publish", {"operator", "telemetry", "admin"}},
      {"/gridpilot.v1.TraderService/GetSchedule", {kAnyRole}},
      {"/gridpilot.v1.TraderService/GetTraderStatus", {kAnyRole}},
      {"/gridpilot.v1.TraderService/GetTraderPnl", {kAnyRole}},
  };
  return *table;
}

// Methods only some of the stack's own processes may call, by certificate: method ->
// process identities. No role reaches them.
const std::map<std::string, std::vector<std::string>, std::less<>>& ProcessOnlyMethods() {
  static const auto* table = new std::map<std::string, std::vector<std::string>, std::less<>>{
      {"/gridpilot.v1.AuditService/RecordAuditEvent", {"forecast", "response", "trader", "mcp"}},
  };
  return *table;
}

// gRPC's own services every server carries: health checking and reflection, open to
// every authenticated caller.
bool IsGrpcInfrastructure(absl::string_view method) {
  return absl::StartsWith(method, "/grpc.health.v1.Health/") ||
         absl::StartsWith(method, "/grpc.reflection.v1alpha.ServerReflection/") ||
         absl::StartsWith(method, "/grpc.reflection.v1.ServerReflection/");
}

}  // namespace

const std::vector<std::string>& PersonRoles() {
  static const auto* roles = new std::vector<std::string>{
      "viewer", "operator", "trader", "response", "ai-agent", "telemetry", "admin"};
  return *roles;
}

bool IsPersonRole(absl::string_view role) {
  const std::vector<std::string>& roles = PersonRoles();
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

const std::vector<std::string>& ProcessIdentities() {
  static const auto* names = new std::vector<std::string>{
      "gateway", "forecast", "response", "trader", "console", "alerter", "mcp", "launcher"};
  return *names;
}

std::optional<std::string> RoleOfProcess(absl::string_view identity) {
  if (identity == "gateway" || identity == "forecast") return "viewer";
  if (identity == "response" || identity == "trader") return std::string(identity);
  if (identity == "console" || identity == "alerter") return "viewer";
  if (identity == "mcp") return "ai-agent";
  if (identity == "launcher") return "admin";
  return std::nullopt;
}

absl::Status AuthorizeMethod(absl::string_view method, absl::string_view role) {
  if (IsGrpcInfrastructure(method)) return absl::OkStatus();
  if (const auto process_only = ProcessOnlyMethods().find(method);
      process_only != ProcessOnlyMethods().end()) {
    return absl::PermissionDeniedError(
        absl::StrCat("role \"", role, "\" may not call ", method, "; only the processes ",
                     absl::StrJoin(process_only->second, ", "),
                     " may, by their certificates or process tokens"));
  }
  const auto found = MethodRoles().find(method);
  if (found == MethodRoles().end()) {
    return absl::PermissionDeniedError(
        absl::StrCat(method, " is not in the role table, so no role may call it"));
  }
  const std::vector<std::string>& allowed = found->second;
  if (allowed.front() == kAnyRole) return absl::OkStatus();
  if (std::find(allowed.begin(), allowed.end(), role) != allowed.end()) return absl::OkStatus();
  return absl::PermissionDeniedError(
      absl::StrCat("role \"", role, "\" may not call ", method,
                   "; it needs one of: ", absl::StrJoin(allowed, ", ")));
}

absl::Status AuthorizeCaller(absl::string_view method, const Caller& caller) {
  const auto process_only = ProcessOnlyMethods().find(method);
  if (process_only == ProcessOnlyMethods().end()) return AuthorizeMethod(method, caller.role);
  const std::vector<std::string>& allowed = process_only->second;
  if (caller.is_process &&
      std::find(allowed.begin(), allowed.end(), caller.identity) != allowed.end()) {
    return absl::OkStatus();
  }
  return absl::PermissionDeniedError(
      absl::StrCat(caller.is_process ? "process \"" : "a token of role \"", caller.identity,
                   "\" may not call ", method, "; only the processes ",
                   absl::StrJoin(allowed, ", "), " may, by their certificates or process tokens"));
}

std::vector<std::string> ListedMethods() {
  std::vector<std::string> methods;
  for (const auto& [method, roles] : MethodRoles()) methods.push_back(method);
  for (const auto& [method, processes] : ProcessOnlyMethods()) methods.push_back(method);
  return methods;
}

absl::Status AuthorizeProposal(const Caller& caller, absl::string_view requested_agent,
                               v1::DispatchPriority priority) {
  if (requested_agent != caller.identity) {
    return absl::PermissionDeniedError(absl::StrCat(
        "the request names agent \"", requested_agent, "\" but the caller is authenticated as \"",
        caller.identity, "\"; the agent must be the authenticated identity"));
  }
  // The ai-agent's band is decided by the gateway's limits (docs/decisions.md, "Limits and
  // approvals"): beyond it, a proposal waits for an operator rather than being refused.
  const bool band_ok =
      caller.role == "operator" || caller.role == "admin" || caller.role == "ai-agent" ||
      (caller.role == "response" && priority == v1::DISPATCH_PRIORITY_RESILIENCE) ||
      (caller.role == "trader" && priority == v1::DISPATCH_PRIORITY_TRADING);
  if (band_ok) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat(
      "role \"", caller.role, "\" may not propose at ", v1::DispatchPriority_Name(priority), "; ",
      caller.role == "trader"     ? "a trader proposes in the trading band only"
      : caller.role == "response" ? "the response agent proposes at resilience only"
                                  : "this role may not dispatch"));
}

}  // namespace gridpilot::security
