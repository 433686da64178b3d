#include "services/cli/operator_commands.h"

#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "core/base/time_util.h"
#include "gridpilot/v1/anomaly.grpc.pb.h"
#include "gridpilot/v1/approval.grpc.pb.h"
#include "gridpilot/v1/asset.grpc.pb.h"
#include "gridpilot/v1/audit.grpc.pb.h"
#include "gridpilot/v1/clock.grpc.pb.h"
#include "gridpilot/v1/forecast.grpc.pb.h"
#include "gridpilot/v1/ledger.grpc.pb.h"
#include "gridpilot/v1/response.grpc.pb.h"
#include "gridpilot/v1/trader.grpc.pb.h"
#include "services/cli/advice_command.h"
#include "services/common/grpc_status.h"
#include "services/common/proto_enum.h"
#include "services/common/proto_time.h"
#include "services/common/server_runner.h"
#include "services/console/served_models_report.h"
#include "services/console/stack_addresses.h"

namespace gridpilot {
namespace {

using Options = std::map<std::string, std::string>;

constexpr absl::Duration kCallDeadline = absl::Seconds(10);
constexpr char kOperatorAgent[] = "operator";

// A failed command: what it was doing and why, for stderr.
struct Failure {
  int exit_code;
  std::string message;
};

int Report(const std::string& command, const Failure& failure) {
  std::fprintf(stderr, "gridpilot %s: %s\n", command.c_str(), failure.message.c_str());
  return failure.exit_code;
}

std::string Get(const Options& o, const std::string& key, const std::string& fallback = "") {
  auto it = o.find(key);
  return it == o.end() ? fallback : it->second;
}

bool WantsJson(const Options& o) { return o.contains("json"); }

// The address of `process` ("gateway", "forecast", "response" or "trader"): its flag,
// else its port file in --run_dir.
absl::StatusOr<std::string> AddressOf(const Options& o, const std::string& process) {
  if (o.contains(process)) return o.at(process);
  if (!o.contains("run_dir")) {
    return absl::InvalidArgumentError(
        absl::StrCat("needs --run_dir (of a running `gridpilot up`) or --", process));
  }
  absl::StatusOr<StackAddresses> found = ReadStackAddresses(o.at("run_dir"));
  if (!found.ok()) return found.status();
  if (process == "gateway") return found->gateway;
  if (process == "forecast") return found->forecast;
  if (process == "response") return found->response;
  return found->trader;
}

void SetDeadline(grpc::ClientContext* context) {
  context->set_deadline(absl::ToChronoTime(absl::Now() + kCallDeadline));
}

// One RPC on a fresh stub; the failure names the process and its address.
template <typename Service, typename Request, typename Response, typename Method>
absl::Status Call(const std::string& process, const std::string& address, Method method,
                  const Request& request, Response* response) {
  auto stub = Service::NewStub(MakeChannel(address));
  grpc::ClientContext context;
  SetDeadline(&context);
  const grpc::Status status = ((*stub).*method)(&context, request, response);
  if (status.ok()) return absl::OkStatus();
  const absl::Status error = FromGrpcStatus(status);
  return absl::Status(error.code(), absl::StrCat(process, " at ", address, ": ", error.ToString()));
}

nlohmann::json ToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  std::string text;
  if (!google::protobuf::util::MessageToJsonString(message, &text, options).ok()) {
    return nlohmann::json();
  }
  return nlohmann::json::parse(text);
}

void PrintJson(const nlohmann::json& json) { std::printf("%s\n", json.dump(2).c_str()); }

std::string Time(const google::protobuf::Timestamp& t) {
  if (t.seconds() == 0 && t.nanos() == 0) return "-";
  return base::FormatUtcTimestamp(FromProtoTime(t));
}

// A positive integer option, or `fallback` when absent. False if present and bad.
bool ReadLimit(const Options& o, int fallback, int* limit) {
  *limit = fallback;
  if (!o.contains("limit")) return true;
  return absl::SimpleAtoi(o.at("limit"), limit) && *limit > 0 && *limit <= 100000;
}

// The addresses of `processes`, in order. InvalidArgument (a usage error) when one can
// be found neither from its flag nor from --run_dir.
absl::StatusOr<std::vector<std::string>> AddressesOf(const Options& o,
                                                     const std::vector<std::string>& processes) {
  std::vector<std::string> out;
  for (const std::string& process : processes) {
    absl::StatusOr<std::string> address = AddressOf(o, process);
    if (!address.ok()) return address.status();
    out.push_back(*std::move(address));
  }
  return out;
}

// Reports `status`; exit 2 (usage) for InvalidArgument, else 1.
int Refused(const std::string& command, const absl::Status& status) {
  return Report(command, {status.code() == absl::StatusCode::kInvalidArgument ? 2 : 1,
                          std::string(status.message())});
}

int Fail(const std::string& command, const absl::Status& status) {
  return Report(command, {1, std::string(status.message())});
}

// "off", "starting", "on" from PEAKER_STATUS_OFF etc.
std::string PeakerStatusText(v1::PeakerStatus status) {
  std::string name = v1::PeakerStatus_Name(status);
  name = name.substr(std::string("PEAKER_STATUS_").size());
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

const char* ModeName(v1::ClockMode mode) {
  return mode == v1::CLOCK_MODE_LIVE        ? "live"
         : mode == v1::CLOCK_MODE_LOCK_STEP ? "lock-step"
                                            : "?";
}

const char* StateName(v1::RunState state) {
  switch (state) {
    case v1::RUN_STATE_WAITING: return "waiting to start";
    case v1::RUN_STATE_RUNNING: return "running";
    case v1::RUN_STATE_FINISHED: return "finished";
    default: return "?";
  }
}

int Status(const Options& o) {
  const std::string cmd = "status";
  absl::StatusOr<std::vector<std::string>> at = AddressesOf(o, {"gateway", "response", "trader"});
  if (!at.ok()) return Refused(cmd, at.status());
  const std::string& gateway = (*at)[0];
  const std::string& response = (*at)[1];
  const std::string& trader = (*at)[2];
  v1::GetClockStatusResponse clock;
  v1::GetResponseStatusResponse agent;
  v1::GetTraderStatusResponse trading;
  absl::Status s =
      Call<v1::ClockService>("gateway", gateway, &v1::ClockService::Stub::GetClockStatus,
                             v1::GetClockStatusRequest(), &clock);
  if (s.ok()) {
    s = Call<v1::ResponseService>("response", response,
                                  &v1::ResponseService::Stub::GetResponseStatus,
                                  v1::GetResponseStatusRequest(), &agent);
  }
  if (s.ok()) {
    s = Call<v1::TraderService>("trader", trader, &v1::TraderService::Stub::GetTraderStatus,
                                v1::GetTraderStatusRequest(), &trading);
  }
  if (!s.ok()) return Fail(cmd, s);
  if (WantsJson(o)) {
    PrintJson({{"clock", ToJson(clock)}, {"response", ToJson(agent)}, {"trader", ToJson(trading)}});
    return 0;
  }
  const v1::RegionInfo& region = clock.region();
  std::printf("clock     %s, %s; now %s; %lld / %lld ticks settled; %lld missed answers\n",
              ModeName(clock.mode()), StateName(clock.state()), Time(clock.now()).c_str(),
              static_cast<long long>(clock.ticks_done()),
              static_cast<long long>(clock.ticks_total()),
              static_cast<long long>(clock.missed_answers()));
  std::printf("region    %s (GB x %g), interval %s, ramp limit %.1f MW, replay %s .. %s\n",
              region.name().c_str(), region.scale(),
              absl::FormatDuration(FromProtoDuration(region.interval())).c_str(),
              region.ramp_limit_mw(), Time(region.replay_start()).c_str(),
              Time(region.replay_end()).c_str());
  for (const std::string& name : clock.registered_agents()) {
    std::string latency = "no answers measured yet";
    for (const v1::AnswerLatency& l : clock.answer_latency()) {
      if (l.agent() == name && l.count() > 0) {
        latency = absl::StrFormat("%d answers, p50 %.0f us, p99 %.0f us, max %.0f us", l.count(),
                                  l.p50_us(), l.p99_us(), l.max_us());
      }
    }
    std::printf("agent     %s: %s\n", name.c_str(), latency.c_str());
  }
  std::printf(
      "response  %s; %lld ticks seen; ramp events %lld measured, %lld forecast; "
      "episodes %lld countered, %lld not countered, %lld did not happen; "
      "%lld suspect ticks held\n",
      agent.degraded() ? absl::StrCat("DEGRADED since ", Time(agent.degraded_since()), ": ",
                                      agent.degraded_reason())
                             .c_str()
                       : "normal",
      static_cast<long long>(agent.ticks_seen()),
      static_cast<long long>(agent.measured_ramp_events()),
      static_cast<long long>(agent.forecast_ramp_events()),
      static_cast<long long>(agent.episodes_countered()),
      static_cast<long long>(agent.episodes_not_countered()),
      static_cast<long long>(agent.episodes_did_not_happen()),
      static_cast<long long>(agent.suspect_ticks_held()));
  std::printf("trader    %lld plans, %lld proposals, %lld suspect ticks held; last plan %s: %s\n",
              static_cast<long long>(trading.plans_made()),
              static_cast<long long>(trading.proposals_sent()),
              static_cast<long long>(trading.suspect_ticks_held()),
              Time(trading.last_plan_time()).c_str(), trading.last_reason().c_str());
  return 0;
}

absl::Status ListAssets(const std::string& gateway, v1::ListAssetsResponse* assets) {
  return Call<v1::AssetService>("gateway", gateway, &v1::AssetService::Stub::ListAssets,
                                v1::ListAssetsRequest(), assets);
}

int Assets(const Options& o) {
  const std::string cmd = "assets";
  absl::StatusOr<std::vector<std::string>> at = AddressesOf(o, {"gateway"});
  if (!at.ok()) return Refused(cmd, at.status());
  const std::string& gateway = (*at)[0];
  v1::ListAssetsResponse assets;
  if (absl::Status s = ListAssets(gateway, &assets); !s.ok()) return Fail(cmd, s);
  if (WantsJson(o)) {
    PrintJson(ToJson(assets));
    return 0;
  }
  std::printf("assets as of %s\n", Time(assets.as_of()).c_str());
  for (const v1::Asset& a : assets.assets()) {
    if (a.has_battery()) {
      const v1::BatteryState& b = a.battery();
      std::printf(
          "  %-12s battery  power %+7.1f MW  SoC %6.1f / %.1f MWh (floor %.1f + reserve "
          "%.1f)  scheduled %+.1f MW\n",
          a.id().c_str(), b.power_mw(), b.soc_mwh(), b.energy_capacity_mwh(), b.soc_min_mwh(),
          b.reserve_mwh(), a.scheduled_power_mw());
    } else if (a.has_peaker()) {
      const v1::PeakerState& p = a.peaker();
      std::printf("  %-12s peaker   %s since %s  output %.1f / %.1f MW  scheduled %+.1f MW\n",
                  a.id().c_str(), PeakerStatusText(p.status()).c_str(),
                  Time(p.status_since()).c_str(), p.output_mw(), p.capacity_mw(),
                  a.scheduled_power_mw());
    }
  }
  return 0;
}

int Events(const Options& o) {
  const std::string cmd = "events";
  absl::StatusOr<std::vector<std::string>> at = AddressesOf(o, {"response"});
  if (!at.ok()) return Refused(cmd, at.status());
  const std::string& response = (*at)[0];
  int limit = 0;
  if (!ReadLimit(o, 20, &limit)) return Report(cmd, {2, "--limit must be an integer in 1..100000"});
  v1::ListEventsRequest request;
  request.set_limit(limit);
  v1::ListEventsResponse events;
  absl::Status s = Call<v1::ResponseService>(
      "response", response, &v1::ResponseService::Stub::ListEvents, request, &events);
  if (!s.ok()) return Fail(cmd, s);
  if (WantsJson(o)) {
    PrintJson(ToJson(events));
    return 0;
  }
  std::printf("ramp episodes (%d):\n", events.episodes_size());
  for (const v1::RampEpisode& e : events.episodes()) {
    std::printf("  #%lld %-15s started %s  peak change %+.1f MW  peak excess %.1f MW  %s\n",
                static_cast<long long>(e.id()), ShortName(e.outcome()).c_str(),
                Time(e.started_at()).c_str(), e.peak_change_mw(), e.peak_excess_mw(),
                e.reason().c_str());
  }
  std::printf("ramp events (%d):\n", events.events_size());
  for (const v1::RampEvent& e : events.events()) {
    std::printf("  %s %-8s %+7.1f MW (limit %.1f)  detected %s  -> %s\n",
                Time(e.interval_start()).c_str(),
                e.kind() == v1::RAMP_EVENT_KIND_MEASURED ? "measured" : "forecast", e.change_mw(),
                e.limit_mw(), Time(e.detected_at()).c_str(), e.decision().c_str());
  }
  return 0;
}

int Forecast(const Options& o) {
  const std::string cmd = "forecast";
  absl::StatusOr<std::vector<std::string>> at = AddressesOf(o, {"gateway", "forecast"});
  if (!at.ok()) return Refused(cmd, at.status());
  const std::string& gateway = (*at)[0];
  const std::string& forecast = (*at)[1];
  v1::GetClockStatusResponse clock;
  absl::Status s =
      Call<v1::ClockService>("gateway", gateway, &v1::ClockService::Stub::GetClockStatus,
                             v1::GetClockStatusRequest(), &clock);
  if (!s.ok()) return Fail(cmd, s);
  // Forecasts are issued at interval boundaries: the latest one the clock has reached.
  const absl::Duration interval = FromProtoDuration(clock.region().interval());
  if (interval <= absl::ZeroDuration())
    return Fail(cmd, absl::UnavailableError("gateway reports no interval"));
  const absl::Time now = FromProtoTime(clock.now());
  const absl::Time issue =
      absl::FromUnixSeconds(0) + absl::Floor(now - absl::FromUnixSeconds(0), interval);
  v1::GetNetLoadChangeRequest request;
  *request.mutable_issue_time() = ToProtoTime(issue);
  *request.mutable_max_wait() = ToProtoDuration(absl::Seconds(2));
  v1::GetNetLoadChangeResponse response;
  s = Call<v1::ForecastService>("forecast", forecast, &v1::ForecastService::Stub::GetNetLoadChange,
                                request, &response);
  if (!s.ok()) return Fail(cmd, s);
  // Why: the three features that moved each horizon most.
  v1::ExplainRequest explain_request;
  *explain_request.mutable_issue_time() = response.issue_time();
  explain_request.set_top_k(3);
  v1::ExplainResponse explained;
  s = Call<v1::ForecastService>("forecast", forecast, &v1::ForecastService::Stub::Explain,
                                explain_request, &explained);
  if (!s.ok()) return Fail(cmd, s);
  // The price view issued at the same decision time.
  v1::GetPriceForecastRequest price_request;
  *price_request.mutable_issue_time() = response.issue_time();
  v1::GetPriceForecastResponse prices;
  s = Call<v1::ForecastService>("forecast", forecast, &v1::ForecastService::Stub::GetPriceForecast,
                                price_request, &prices);
  if (!s.ok()) return Fail(cmd, s);
  // The day-ahead demand forecast of the day the issue time falls in (issued at its
  // cut-off); the command still answers when the service has no day-ahead model.
  v1::GetDayAheadDemandRequest day_request;
  *day_request.mutable_day() =
      ToProtoTime(absl::UnixEpoch() + absl::Floor(issue - absl::UnixEpoch(), absl::Hours(24)));
  v1::GetDayAheadDemandResponse day_ahead;
  const absl::Status day_ahead_status = Call<v1::ForecastService>(
      "forecast", forecast, &v1::ForecastService::Stub::GetDayAheadDemand, day_request, &day_ahead);
  if (WantsJson(o)) {
    nlohmann::json out = {{"forecast", ToJson(response)},
                          {"explanation", ToJson(explained)},
                          {"prices", ToJson(prices)}};
    if (day_ahead_status.ok()) {
      out["day_ahead_demand"] = ToJson(day_ahead);
    } else {
      out["day_ahead_demand_error"] = std::string(day_ahead_status.message());
    }
    PrintJson(out);
    return 0;
  }
  std::printf(
      "net-load change forecast issued %s from %.1f MW (last measured interval); "
      "%.0f%% intervals\n",
      Time(response.issue_time()).c_str(), response.last_net_load_mw(),
      response.interval_coverage() * 100);
  for (int j = 0; j < response.forecasts_size(); ++j) {
    const v1::HorizonForecast& f = response.forecasts(j);
    std::string why;
    if (j < explained.horizons_size()) {
      for (const v1::FeatureContribution& c : explained.horizons(j).top()) {
        absl::StrAppend(&why, why.empty() ? "  why: " : ", ", c.feature(), " ",
                        absl::StrFormat("%+.1f", c.contribution_mw()));
      }
    }
    const std::string band =
        f.has_lower_change_mw() && f.has_upper_change_mw()
            ? absl::StrFormat(" [%+.1f, %+.1f]", f.lower_change_mw(), f.upper_change_mw())
            : std::string(" [no interval yet]");
    std::printf("  +%-4.0f min  interval %s  %+7.1f MW%s  -> %.1f MW%s\n",
                absl::ToDoubleMinutes(FromProtoDuration(f.horizon())),
                Time(f.target_interval_start()).c_str(), f.change_mw(), band.c_str(),
                response.last_net_load_mw() + f.change_mw(), why.c_str());
    if (f.has_ramp_probability() && response.has_ramp_threshold_mw()) {
      std::printf("             ramp alarm: %s (P(|change| > %.1f MW) = %.2f)\n",
                  f.ramp_probability() > 0.5 ? "RAMP EXPECTED" : "none",
                  response.ramp_threshold_mw(), f.ramp_probability());
    }
  }
  const v1::Verdict& verdict = response.verdict();
  std::printf("base reading: %s\n",
              verdict.suspect()
                  ? absl::StrCat("SUSPECT (", verdict.anomaly().cause(), "): agents hold").c_str()
              : verdict.flagged() ? absl::StrCat("flagged ", ShortName(verdict.anomaly().kind()),
                                                 " (", verdict.anomaly().cause(), ")")
                                        .c_str()
                                  : "trusted");
  std::printf("model: %s\n", response.model().c_str());
  std::printf("prices, next 6 of %d half-hours (GBP/MWh, %.0f%% intervals; %s):\n",
              prices.prices_size(), prices.interval_coverage() * 100, prices.model().c_str());
  for (int k = 0; k < std::min(6, prices.prices_size()); ++k) {
    const v1::HalfHourPrice& p = prices.prices(k);
    std::printf(
        "  %s  %7.2f%s\n", Time(p.interval_start()).c_str(), p.price_gbp_per_mwh(),
        p.has_lower_gbp_per_mwh()
            ? absl::StrFormat(" [%.2f, %.2f]", p.lower_gbp_per_mwh(), p.upper_gbp_per_mwh()).c_str()
            : " [no interval yet]");
  }
  if (!day_ahead_status.ok()) {
    std::printf("day-ahead demand: unavailable (%s)\n",
                std::string(day_ahead_status.message()).c_str());
    return 0;
  }
  std::printf("day-ahead demand issued %s for %d half-hours (MW, 90%% intervals; %s):\n",
              Time(day_ahead.issue_time()).c_str(), day_ahead.demand_size(),
              day_ahead.model().c_str());
  for (int k = 0; k < std::min(6, day_ahead.demand_size()); ++k) {
    const v1::HalfHourDemand& d = day_ahead.demand(k);
    std::printf("  %s  %7.1f [%.1f, %.1f]%s\n", Time(d.interval_start()).c_str(), d.demand_mw(),
                d.lower_mw(), d.upper_mw(),
                d.has_operator_forecast_mw()
                    ? absl::StrFormat("  NESO %.1f", d.operator_forecast_mw()).c_str()
                    : "");
  }
  return 0;
}

int Anomalies(const Options& o) {
  const std::string cmd = "anomalies";
  absl::StatusOr<std::vector<std::string>> at = AddressesOf(o, {"forecast"});
  if (!at.ok()) return Refused(cmd, at.status());
  const std::string& forecast = (*at)[0];
  int limit = 0;
  if (!ReadLimit(o, 20, &limit)) return Report(cmd, {2, "--limit must be an integer in 1..100000"});
  v1::ListAnomaliesRequest request;
  request.set_limit(limit);
  if (o.contains("kind")) {
    const v1::AnomalyKind kind = FromShortName<v1::AnomalyKind>(o.at("kind"));
    if (kind == v1::ANOMALY_KIND_UNSPECIFIED) {
      return Report(cmd, {2, absl::StrCat("--kind: unknown kind \"", o.at("kind"),
                                          "\" (spike, drop, flat_line, missing, false_data)")});
    }
    request.add_kinds(kind);
  }
  v1::ListAnomaliesResponse anomalies;
  absl::Status s = Call<v1::AnomalyService>(
      "forecast", forecast, &v1::AnomalyService::Stub::ListAnomalies, request, &anomalies);
  if (!s.ok()) return Refused(cmd, s);
  if (WantsJson(o)) {
    PrintJson(ToJson(anomalies));
    return 0;
  }
  std::printf("%lld intervals scored; flagged at score >= %.3f; %d shown (newest %d)\n",
              static_cast<long long>(anomalies.intervals_scored()), anomalies.threshold(),
              anomalies.anomalies_size(), limit);
  for (const v1::Anomaly& a : anomalies.anomalies()) {
    std::printf("  %s  %-10s %9s  score %.3f%s  %s\n", Time(a.interval_start()).c_str(),
                ShortName(a.kind()).c_str(),
                a.has_value() ? absl::StrFormat("%.1f MW", a.value()).c_str() : "missing",
                a.score(), a.suspect() ? "  SUSPECT" : "", a.cause().c_str());
  }
  return 0;
}

int Pnl(const Options& o) {
  const std::string cmd = "pnl";
  absl::StatusOr<std::vector<std::string>> at = AddressesOf(o, {"gateway", "trader"});
  if (!at.ok()) return Refused(cmd, at.status());
  const std::string& gateway = (*at)[0];
  const std::string& trader = (*at)[1];
  v1::GetPnlResponse ledger;
  v1::GetTraderPnlResponse trading;
  absl::Status s = Call<v1::LedgerService>("gateway", gateway, &v1::LedgerService::Stub::GetPnl,
                                           v1::GetPnlRequest(), &ledger);
  if (s.ok()) {
    s = Call<v1::TraderService>("trader", trader, &v1::TraderService::Stub::GetTraderPnl,
                                v1::GetTraderPnlRequest(), &trading);
  }
  if (!s.ok()) return Fail(cmd, s);
  if (WantsJson(o)) {
    PrintJson({{"ledger", ToJson(ledger)}, {"trader", ToJson(trading)}});
    return 0;
  }
  std::printf("ledger over %lld settled intervals (GBP, income > 0):\n",
              static_cast<long long>(ledger.intervals_settled()));
  for (const v1::CauseTotal& c : ledger.by_cause()) {
    std::printf("  %-22s %+14.2f\n", ShortName(c.cause()).c_str(), c.amount_gbp());
  }
  std::printf("  %-22s %+14.2f\n", "net", ledger.net_gbp());
  std::printf(
      "instability penalty with no dispatch %.2f GBP; resilience dispatch cost %.2f GBP; "
      "response net benefit %+.2f GBP\n",
      ledger.baseline_instability_penalty_gbp(), ledger.resilience_dispatch_cost_gbp(),
      ledger.response_net_benefit_gbp());
  std::printf(
      "trader: realised %+.2f GBP = %.2f of perfect foresight %.2f GBP (hindsight); "
      "yesterday's-price plan %+.2f GBP\n",
      trading.realised_pnl_gbp(), trading.capture_ratio(), trading.perfect_foresight_pnl_gbp(),
      trading.yesterday_plan_pnl_gbp());
  return 0;
}

// The trader's current plan: when it was made, why, and its first --limit intervals
// (default 12) with the power, the stored energy after, and the price forecast it was
// planned on (with its 90% interval when the trader plans with risk settings).
int Schedule(const Options& o) {
  const std::string cmd = "schedule";
  int limit = 0;
  if (!ReadLimit(o, 12, &limit)) return Report(cmd, {2, "--limit must be an integer in 1..100000"});
  absl::StatusOr<std::vector<std::string>> at = AddressesOf(o, {"trader"});
  if (!at.ok()) return Refused(cmd, at.status());
  v1::GetScheduleResponse schedule;
  absl::Status s =
      Call<v1::TraderService>("trader", (*at)[0], &v1::TraderService::Stub::GetSchedule,
                              v1::GetScheduleRequest(), &schedule);
  if (!s.ok()) return Fail(cmd, s);
  if (WantsJson(o)) {
    PrintJson(ToJson(schedule));
    return 0;
  }
  if (!schedule.has_planned_at()) {
    std::printf("the trader has not planned yet\n");
    return 0;
  }
  std::printf("plan made at %s, %d intervals, expected %+.2f GBP\n  %s\n",
              Time(schedule.planned_at()).c_str(), schedule.intervals_size(),
              schedule.expected_value_gbp(), schedule.reason().c_str());
  int shown = 0;
  for (const v1::ScheduledInterval& i : schedule.intervals()) {
    if (shown++ == limit) break;
    std::string band;
    if (i.has_price_lower_gbp_per_mwh() && i.has_price_upper_gbp_per_mwh()) {
      band = absl::StrFormat("  90%% %.2f .. %.2f", i.price_lower_gbp_per_mwh(),
                             i.price_upper_gbp_per_mwh());
    }
    std::printf("  %s  %+7.1f MW  SoC after %6.1f MWh  price %8.2f GBP/MWh%s\n",
                Time(i.interval_start()).c_str(), i.power_mw(), i.soc_after_mwh(),
                i.price_forecast_gbp_per_mwh(), band.c_str());
  }
  return 0;
}

int ReloadModel(const Options& o) {
  const std::string cmd = "reload-model";
  absl::StatusOr<std::vector<std::string>> at = AddressesOf(o, {"forecast"});
  if (!at.ok()) return Refused(cmd, at.status());
  v1::ReloadModelResponse response;
  absl::Status s =
      Call<v1::ForecastService>("forecast", (*at)[0], &v1::ForecastService::Stub::ReloadModel,
                                v1::ReloadModelRequest(), &response);
  if (!s.ok()) return Fail(cmd, s);
  if (WantsJson(o)) {
    PrintJson(ToJson(response));
    return 0;
  }
  std::printf("%s: serving %s (cut-off %s)\n",
              response.changed() ? "reloaded" : "unchanged, the newest usable set was serving",
              response.model().c_str(), Time(response.cutoff()).c_str());
  return 0;
}

// The forecast's served models, their cut-offs and ages, and the retraining schedule.
int Models(const Options& o) {
  const std::string cmd = "models";
  absl::StatusOr<std::vector<std::string>> at = AddressesOf(o, {"forecast"});
  if (!at.ok()) return Refused(cmd, at.status());
  v1::GetModelsResponse response;
  absl::Status s =
      Call<v1::ForecastService>("forecast", (*at)[0], &v1::ForecastService::Stub::GetModels,
                                v1::GetModelsRequest(), &response);
  if (!s.ok()) return Fail(cmd, s);
  if (WantsJson(o)) {
    PrintJson(ServedModelsJson(response));
    return 0;
  }
  std::printf("%s", ServedModelsTable(response).c_str());
  return 0;
}

// Asks on stdin; true only for "yes" (or "y").
bool Confirmed(const std::string& question) {
  std::fprintf(stderr, "%s Type yes to confirm: ", question.c_str());
  std::fflush(stderr);
  std::string answer;
  if (!std::getline(std::cin, answer)) return false;
  return answer == "yes" || answer == "y";
}

int Dispatch(const Options& o) {
  const std::string cmd = "dispatch";
  absl::StatusOr<std::vector<std::string>> at = AddressesOf(o, {"gateway"});
  if (!at.ok()) return Refused(cmd, at.status());
  const std::string& gateway = (*at)[0];
  if (!o.contains("asset") || !o.contains("power_mw")) {
    return Report(cmd, {2, "needs --asset ID and --power_mw X"});
  }
  double power_mw = 0.0, minutes = 30.0;
  if (!absl::SimpleAtod(o.at("power_mw"), &power_mw) || !std::isfinite(power_mw)) {
    return Report(cmd, {2, absl::StrCat("--power_mw: not a number: ", o.at("power_mw"))});
  }
  if (o.contains("minutes") &&
      (!absl::SimpleAtod(o.at("minutes"), &minutes) || !(minutes > 0) || minutes > 7 * 24 * 60)) {
    return Report(cmd, {2, "--minutes must be a number in (0, 10080]"});
  }
  const std::string priority_name = Get(o, "priority", "resilience");
  v1::DispatchPriority priority;
  if (priority_name == "resilience") {
    priority = v1::DISPATCH_PRIORITY_RESILIENCE;
  } else if (priority_name == "trading") {
    priority = v1::DISPATCH_PRIORITY_TRADING;
  } else {
    return Report(cmd, {2, "--priority must be resilience or trading"});
  }
  // The lease starts at the gateway's clock, not this machine's: the region may be a replay.
  v1::ListAssetsResponse assets;
  if (absl::Status s = ListAssets(gateway, &assets); !s.ok()) return Fail(cmd, s);
  const absl::Time start = FromProtoTime(assets.as_of());
  const absl::Time end = start + absl::Seconds(std::round(minutes * 60));

  v1::SubmitDispatchRequest request;
  // With a token, the gateway takes the agent to be the token's identity, its role.
  const std::string agent = Get(o, "role", kOperatorAgent);
  request.set_agent(agent);
  v1::DispatchProposal* p = request.add_proposals();
  p->set_asset_id(o.at("asset"));
  p->set_priority(priority);
  p->set_power_mw(power_mw);
  *p->mutable_start() = ToProtoTime(start);
  *p->mutable_end() = ToProtoTime(end);
  p->set_reason(Get(o, "reason", "operator dispatch from the gridpilot CLI"));
  const std::string what = absl::StrFormat(
      "%s at %+.1f MW (%s) for intervals starting %s .. %s, as %s with %s priority.", o.at("asset"),
      power_mw,
      power_mw > 0   ? "discharge / generate"
      : power_mw < 0 ? "charge"
                     : "idle",
      base::FormatUtcTimestamp(start), base::FormatUtcTimestamp(end), agent, priority_name);
  if (!o.contains("yes") && !Confirmed(absl::StrCat("Dispatch ", what))) {
    return Report(cmd, {1, "not confirmed; nothing was submitted"});
  }
  v1::SubmitDispatchResponse response;
  absl::Status s = Call<v1::AssetService>(
      "gateway", gateway, &v1::AssetService::Stub::SubmitDispatch, request, &response);
  // The gateway refuses what the arbiter or the asset would not take, and says why.
  if (!s.ok()) return Refused(cmd, s);
  if (WantsJson(o)) {
    PrintJson({{"request", ToJson(request)}, {"response", ToJson(response)}});
    return 0;
  }
  for (const v1::ProposalResult& r : response.results()) {
    if (r.pending()) {
      std::printf("held for approval %lld (gridpilot approve %lld): %s\n",
                  static_cast<long long>(r.approval_id()), static_cast<long long>(r.approval_id()),
                  r.pending_reason().c_str());
      continue;
    }
    std::printf("submitted %s: proposal %lld%s\n", what.c_str(),
                static_cast<long long>(r.proposal_id()), r.duplicate() ? " (duplicate)" : "");
  }
  return 0;
}

const char* PriorityName(v1::DispatchPriority priority) {
  return priority == v1::DISPATCH_PRIORITY_RESILIENCE ? "resilience"
         : priority == v1::DISPATCH_PRIORITY_TRADING  ? "trading"
                                                      : "unspecified";
}

int Approvals(const Options& o) {
  const std::string cmd = "approvals";
  absl::StatusOr<std::vector<std::string>> at = AddressesOf(o, {"gateway"});
  if (!at.ok()) return Refused(cmd, at.status());
  v1::ListApprovalsResponse response;
  absl::Status s =
      Call<v1::ApprovalService>("gateway", (*at)[0], &v1::ApprovalService::Stub::ListApprovals,
                                v1::ListApprovalsRequest(), &response);
  if (!s.ok()) return Fail(cmd, s);
  if (WantsJson(o)) {
    PrintJson(ToJson(response));
    return 0;
  }
  if (response.approvals().empty()) {
    std::printf("no pending approvals\n");
    return 0;
  }
  for (const v1::PendingApproval& a : response.approvals()) {
    const v1::DispatchProposal& p = a.proposal();
    std::printf("%lld  %s (%s): %s %+.1f MW %s, intervals %s .. %s; expires %s\n    held: %s\n",
                static_cast<long long>(a.approval_id()), a.identity().c_str(), a.role().c_str(),
                p.asset_id().c_str(), p.power_mw(), PriorityName(p.priority()),
                Time(p.start()).c_str(), Time(p.end()).c_str(), Time(a.expires_at()).c_str(),
                a.pending_reason().c_str());
    if (!p.reason().empty()) std::printf("    reason: %s\n", p.reason().c_str());
  }
  return 0;
}

// --since: a UTC timestamp ("2026-12-06T15:00:00Z") or a duration back from now ("90m").
absl::StatusOr<absl::Time> ReadSince(const std::string& text) {
  if (absl::Duration back; absl::ParseDuration(text, &back) && back >= absl::ZeroDuration()) {
    return absl::Now() - back;
  }
  absl::StatusOr<absl::Time> at = base::ParseUtcTimestamp(text);
  if (!at.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--since: \"", text,
                     "\" is neither a UTC time (2026-12-06T15:00:00Z) nor a duration (90m)"));
  }
  return *at;
}

int Audit(const Options& o) {
  const std::string cmd = "audit";
  absl::StatusOr<std::vector<std::string>> at = AddressesOf(o, {"gateway"});
  if (!at.ok()) return Refused(cmd, at.status());
  int limit = 0;
  if (!ReadLimit(o, 20, &limit) || limit > 1000) {
    return Report(cmd, {2, "--limit must be an integer in 1..1000"});
  }
  v1::ListAuditEventsRequest request;
  request.set_limit(limit);
  if (o.contains("kind")) {
    const v1::AuditEventKind kind = FromShortName<v1::AuditEventKind>(o.at("kind"));
    if (kind == v1::AUDIT_EVENT_KIND_UNSPECIFIED) {
      return Report(cmd, {2, absl::StrCat("--kind: unknown kind \"", o.at("kind"),
                                          "\" (refusal, thresholds, model_reload, mcp_call)")});
    }
    request.set_kind(kind);
  }
  if (o.contains("since")) {
    absl::StatusOr<absl::Time> since = ReadSince(o.at("since"));
    if (!since.ok()) return Report(cmd, {2, std::string(since.status().message())});
    *request.mutable_since() = ToProtoTime(*since);
  }
  v1::ListAuditEventsResponse events;
  absl::Status s = Call<v1::AuditService>(
      "gateway", (*at)[0], &v1::AuditService::Stub::ListAuditEvents, request, &events);
  if (!s.ok()) return Refused(cmd, s);
  if (WantsJson(o)) {
    PrintJson(ToJson(events));
    return 0;
  }
  std::printf("%d audit rows (newest first, at most %d)\n", events.events_size(), limit);
  for (const v1::AuditEvent& e : events.events()) {
    const std::string who =
        e.identity().empty() ? "(unauthenticated)" : absl::StrCat(e.identity(), "/", e.role());
    std::printf("  %s  %-8s %-12s %-20s %s%s\n", Time(e.at()).c_str(), e.process().c_str(),
                ShortName(e.kind()).c_str(), who.c_str(), e.detail_json().c_str(),
                e.dropped_before() > 0
                    ? absl::StrCat("  (", e.dropped_before(), " dropped before)").c_str()
                    : "");
  }
  return 0;
}

// The approval id of approve and reject (the positional ID, passed as --id).
bool ReadApprovalId(const Options& o, int64_t* id) {
  return o.contains("id") && absl::SimpleAtoi(o.at("id"), id) && *id > 0;
}

int Approve(const Options& o) {
  const std::string cmd = "approve";
  int64_t id = 0;
  if (!ReadApprovalId(o, &id)) return Report(cmd, {2, "needs an approval ID (a number > 0)"});
  absl::StatusOr<std::vector<std::string>> at = AddressesOf(o, {"gateway"});
  if (!at.ok()) return Refused(cmd, at.status());
  v1::ApproveRequest request;
  request.set_approval_id(id);
  request.set_reason(Get(o, "reason"));
  v1::ApproveResponse response;
  absl::Status s = Call<v1::ApprovalService>(
      "gateway", (*at)[0], &v1::ApprovalService::Stub::Approve, request, &response);
  if (!s.ok()) return Fail(cmd, s);
  if (WantsJson(o)) {
    PrintJson(ToJson(response));
    return 0;
  }
  std::printf("approved %lld: proposal %lld%s\n", static_cast<long long>(id),
              static_cast<long long>(response.proposal_id()),
              response.duplicate() ? " (duplicate)" : "");
  return 0;
}

int Reject(const Options& o) {
  const std::string cmd = "reject";
  int64_t id = 0;
  if (!ReadApprovalId(o, &id)) return Report(cmd, {2, "needs an approval ID (a number > 0)"});
  absl::StatusOr<std::vector<std::string>> at = AddressesOf(o, {"gateway"});
  if (!at.ok()) return Refused(cmd, at.status());
  v1::RejectRequest request;
  request.set_approval_id(id);
  request.set_reason(Get(o, "reason"));
  v1::RejectResponse response;
  absl::Status s = Call<v1::ApprovalService>(
      "gateway", (*at)[0], &v1::ApprovalService::Stub::Reject, request, &response);
  if (!s.ok()) return Fail(cmd, s);
  if (WantsJson(o)) {
    PrintJson(ToJson(response));
    return 0;
  }
  std::printf("rejected %lld\n", static_cast<long long>(id));
  return 0;
}

}  // namespace

std::vector<std::string> OperatorAddressOptions() {
  return {"run_dir", "gateway", "forecast", "response", "trader", "credentials", "role"};
}

const std::vector<OperatorCommand>& OperatorCommands() {
  static const std::vector<OperatorCommand> commands = {
      {"status", {}, Status},
      {"assets", {}, Assets},
      {"events", {"limit"}, Events},
      {"forecast", {}, Forecast},
      {"advice",
       {"date", "flexible_share", "peak_limit_mw", "peak_percentile", "battery_capacity_mwh",
        "battery_power_mw"},
       RunAdviceCommand},
      {"anomalies", {"limit", "kind"}, Anomalies},
      {"pnl", {}, Pnl},
      {"schedule", {"limit"}, Schedule},
      {"reload-model", {}, ReloadModel},
      {"models", {}, Models},
      {"audit", {"kind", "since", "limit"}, Audit},
      {"dispatch", {"asset", "power_mw", "minutes", "priority", "reason"}, Dispatch},
      {"approvals", {}, Approvals},
      {"approve", {"id", "reason"}, Approve},
      {"reject", {"id", "reason"}, Reject},
  };
  return commands;
}

}  // namespace gridpilot
