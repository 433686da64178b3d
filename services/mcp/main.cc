// gridpilot-mcp: the Model Context Protocol server of a running gridpilot stack. A gRPC
// client of the stack (addresses from the launcher's sockets and port files in --run_dir, or flags)
// that serves MCP over Streamable HTTP at http://HOST:PORT/mcp, or over stdio with
// --stdio. Every tool call reaches the stack with the MCP caller's bearer token.
//   gridpilot-mcp --run_dir DIR [--port 0] [--port_file FILE]
//   gridpilot-mcp --stdio --run_dir DIR [--role ai-agent | --token_file FILE]
#include <cstdio>
#include <filesystem>
#include <functional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "core/base/logging.h"
#include "gridpilot/v1/clock.pb.h"
#include "services/common/audit_reporter.h"
#include "services/common/credentials_flag.h"
#include "services/common/flag_help.h"
#include "services/common/grpc_poll_strategy.h"
#include "services/common/metrics_server.h"
#include "services/common/server_runner.h"
#include "services/common/shutdown_signal.h"
#include "services/console/stack_addresses.h"
#include "services/mcp/gridpilot_catalog.h"
#include "services/mcp/http_transport.h"
#include "services/mcp/live_state_follower.h"
#include "services/mcp/read_call_tally.h"
#include "services/mcp/stack_tools.h"
#include "services/mcp/stdio_transport.h"
#include "services/mcp/whatif_tool.h"
#include "services/security/private_file.h"
#include "services/security/token_table.h"
#include "services/security/transport_credentials.h"

ABSL_FLAG(std::string, run_dir, "",
          "run directory of `gridpilot up|backtest` (its sockets and *.port files)");
ABSL_FLAG(std::string, gateway, "", "gateway host:port or unix:PATH (overrides --run_dir)");
ABSL_FLAG(std::string, forecast, "", "forecast host:port or unix:PATH (overrides --run_dir)");
ABSL_FLAG(std::string, response, "", "response agent host:port or unix:PATH (overrides --run_dir)");
ABSL_FLAG(std::string, trader, "", "trader host:port or unix:PATH (overrides --run_dir)");
ABSL_FLAG(bool, stdio, false, "serve MCP on stdin/stdout instead of HTTP");
ABSL_FLAG(std::string, role, "ai-agent",
          "--stdio: act with the token CREDENTIALS/<role>.token (viewer, operator, ai-agent, ...)");
ABSL_FLAG(std::string, token_file, "",
          "--stdio: act with the token in this file (overrides --role)");
ABSL_FLAG(std::string, host, "127.0.0.1", "HTTP listen address (loopback by default)");
ABSL_FLAG(int, port, 0, "HTTP port of /mcp; 0 = any free port");
ABSL_FLAG(std::string, port_file, "", "write the bound HTTP port here");
ABSL_FLAG(int, metrics_port, gridpilot::kMetricsPortOff,
          "Prometheus /metrics port; 0 = any free port; -1 (default) = no metrics endpoint");
ABSL_FLAG(std::string, metrics_port_file, "", "write the bound metrics port here");
ABSL_FLAG(std::string, allowed_origins, "",
          "comma-separated Origin values accepted besides loopback ones");
ABSL_FLAG(std::string, whatif_launcher, "",
          "the `gridpilot` launcher the what-if tool runs backtests with; empty = the one next "
          "to this binary");
ABSL_FLAG(std::string, whatif_config, "",
          "the stack's gateway config, the what-if's baseline (empty = the defaults)");
ABSL_FLAG(std::string, whatif_scratch_dir, "",
          "where what-if backtests run (removed after each); empty = RUN_DIR/whatif");
ABSL_FLAG(std::string, whatif_backtest_flags, "",
          "comma-separated key=value launcher options both what-if runs get (model_dir, "
          "registry, demand_csv, price_csv, day_ahead_csv)");
ABSL_FLAG(int, whatif_max_days, 31, "longest what-if window, days (1..366)");
ABSL_FLAG(int, whatif_max_concurrent, 1, "what-if backtests running at once (1..4)");
ABSL_FLAG(int, audit_reads_every_seconds, 60,
          "successful read-only tool calls reach the audit log as one row per caller, session "
          "and tool this often, 1..3600 s (and before any act); acts, what-ifs and failures get "
          "a row each at once");
ABSL_FLAG(double, call_timeout_seconds, 5.0, "deadline of each gRPC call a tool makes, 0.1..60 s");

namespace gridpilot::mcp {
namespace {

// The what-if tool's settings from the flags; InvalidArgument naming the flag.
absl::StatusOr<WhatifSettings> WhatifSettingsFromFlags(const std::string& run_dir) {
  WhatifSettings settings;
  settings.launcher = absl::GetFlag(FLAGS_whatif_launcher);
  if (settings.launcher.empty()) {
    std::error_code error;
    const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
    settings.launcher = (self.parent_path() / "gridpilot").string();
  }
  settings.base_config = absl::GetFlag(FLAGS_whatif_config);
  if (!settings.base_config.empty()) {
    settings.base_config = std::filesystem::absolute(settings.base_config).string();
  }
  settings.scratch_dir = absl::GetFlag(FLAGS_whatif_scratch_dir);
  if (settings.scratch_dir.empty()) {
    settings.scratch_dir =
        run_dir.empty() ? std::filesystem::temp_directory_path().string() : run_dir + "/whatif";
  }
  settings.scratch_dir = std::filesystem::absolute(settings.scratch_dir).string();
  for (absl::string_view pair :
       absl::StrSplit(absl::GetFlag(FLAGS_whatif_backtest_flags), ',', absl::SkipWhitespace())) {
    const std::vector<std::string> parts = absl::StrSplit(pair, absl::MaxSplits('=', 1));
    static const std::set<std::string> kAllowed = {"model_dir", "registry", "demand_csv",
                                                   "price_csv", "day_ahead_csv"};
    if (parts.size() != 2 || !kAllowed.contains(parts[0])) {
      return absl::InvalidArgumentError(
          absl::StrCat("--whatif_backtest_flags: \"", pair,
                       "\" is not key=value with key one of model_dir, registry, demand_csv, "
                       "price_csv, day_ahead_csv"));
    }
    settings.backtest_flags.push_back(absl::StrCat("--", parts[0], "=", parts[1]));
  }
  settings.max_days = absl::GetFlag(FLAGS_whatif_max_days);
  if (settings.max_days < 1 || settings.max_days > 366) {
    return absl::InvalidArgumentError("--whatif_max_days must be in 1..366");
  }
  settings.max_concurrent = absl::GetFlag(FLAGS_whatif_max_concurrent);
  if (settings.max_concurrent < 1 || settings.max_concurrent > 4) {
    return absl::InvalidArgumentError("--whatif_max_concurrent must be in 1..4");
  }
  return settings;
}

// Runs `task` every `period` on its own thread, and once more when destroyed.
class PeriodicTask {
 public:
  PeriodicTask(absl::Duration period, std::function<void()> task)
      : task_(std::move(task)), thread_([this, period] {
          while (!stop_.WaitForNotificationWithTimeout(period)) task_();
        }) {}
  ~PeriodicTask() {
    stop_.Notify();
    thread_.join();
    task_();
  }

 private:
  const std::function<void()> task_;
  absl::Notification stop_;
  std::thread thread_;
};

int Main() {
  base::SetLogTag("mcp");
  // Explicit addresses win; the rest come from --run_dir, its Unix sockets first, as for the
  // console. An agent with no address (left out of the stack) makes its tools answer
  // UNAVAILABLE.
  const std::string run_dir = absl::GetFlag(FLAGS_run_dir);
  absl::StatusOr<StackAddresses> resolved =
      ResolveStackAddresses(run_dir,
                            {absl::GetFlag(FLAGS_gateway), absl::GetFlag(FLAGS_forecast),
                             absl::GetFlag(FLAGS_response), absl::GetFlag(FLAGS_trader)},
                            AgentAddresses::kOptional);
  if (!resolved.ok()) {
    base::LogError(resolved.status().message());
    return 2;
  }
  const double timeout_seconds = absl::GetFlag(FLAGS_call_timeout_seconds);
  if (!(timeout_seconds >= 0.1 && timeout_seconds <= 60)) {
    base::LogError("--call_timeout_seconds must be in 0.1..60");
    return 2;
  }
  const absl::Duration timeout = absl::Seconds(timeout_seconds);

  GrpcStackCaller stack(*resolved);
  auto registry = std::make_shared<prometheus::Registry>();
  absl::StatusOr<std::unique_ptr<MetricsServer>> metrics_server =
      absl::GetFlag(FLAGS_stdio) ? absl::StatusOr<std::unique_ptr<MetricsServer>>(nullptr)
                                 : MetricsServer::StartUnlessOff(
                                       absl::GetFlag(FLAGS_host), absl::GetFlag(FLAGS_metrics_port),
                                       absl::GetFlag(FLAGS_metrics_port_file), registry);
  if (!metrics_server.ok()) {
    base::LogError(metrics_server.status().message());
    return 2;
  }
  LiveStateBoard board;
  IdempotencyMemory memory(4096);
  ToolTable tools;
  AddStackTools(&stack, &board, &memory, timeout, &tools);
  absl::StatusOr<WhatifSettings> whatif = WhatifSettingsFromFlags(run_dir);
  if (!whatif.ok()) {
    base::LogError(whatif.status().message());
    return 2;
  }
  AddWhatifTool(
      *whatif,
      [&stack, timeout](const McpCaller& caller) -> absl::StatusOr<absl::Time> {
        v1::GetClockStatusRequest request;
        v1::GetClockStatusResponse response;
        const absl::Status called =
            stack.Call(StackProcess::kGateway, "/gridpilot.v1.ClockService/GetClockStatus", request,
                       &response, caller.bearer_token, timeout);
        if (!called.ok()) return called;
        return absl::FromUnixSeconds(response.now().seconds());
      },
      &tools);
  const std::vector<Resource> resources = GridpilotResources(&stack, &board, timeout);
  const std::vector<Prompt> prompts = GridpilotPrompts();
  McpDispatcher dispatcher(&tools, &resources, &prompts, "1.0");
  const security::TokenTable* tokens = security::InstalledTokenTable();
  // Tool calls to the gateway's audit log, as this process (its certificate); the caller
  // is named by its token, looked up in the stack's token table. Acts, what-ifs and
  // failures get a row each; successful reads are tallied (read_call_tally.h) and sent
  // every --audit_reads_every_seconds, and before any act so the log stays in order.
  const int reads_every_s = absl::GetFlag(FLAGS_audit_reads_every_seconds);
  if (reads_every_s < 1 || reads_every_s > 3600) {
    base::LogError("--audit_reads_every_seconds must be in 1..3600");
    return 2;
  }
  AuditReporter audit("mcp", MakeChannel(resolved->gateway));
  auto report = [&audit, tokens](const ToolCallRecord& record, nlohmann::json detail) {
    std::string identity;
    std::string role = record.caller.role;
    if (tokens != nullptr && !record.caller.bearer_token.empty()) {
      if (std::optional<security::Caller> caller = tokens->CallerOf(record.caller.bearer_token)) {
        identity = caller->identity;
        role = caller->role;
      }
      detail["token_sha256_prefix"] = security::Sha256Hex(record.caller.bearer_token).substr(0, 16);
    }
    audit.Report(v1::AUDIT_EVENT_KIND_MCP_CALL, identity, role, detail.dump());
  };
  ReadCallTally reads;
  auto send_reads = [&reads, &report] {
    const ReadTallyTake take = reads.Take();
    for (const ReadTallyRow& row : take.rows) report(row.last, ReadTallyAuditDetail(row));
    if (take.overflow_calls > 0) {
      base::LogWarning(absl::StrCat(take.overflow_calls, " read calls were not tallied for the ",
                                    "audit log: over ", kMaxReadTallyKeys,
                                    " callers, sessions and tools in one period"));
    }
  };
  dispatcher.set_tool_call_observer([&reads, &report, &send_reads](const ToolCallRecord& record) {
    if (!ShouldAuditToolCall(record)) {
      reads.Add(record, absl::Now());
      return;
    }
    send_reads();
    report(record, ToolCallAuditDetail(record));
  });
  PeriodicTask reads_sender(absl::Seconds(reads_every_s), send_reads);

  if (absl::GetFlag(FLAGS_stdio)) {
    McpCaller caller;
    if (tokens != nullptr) {
      std::string token_file = absl::GetFlag(FLAGS_token_file);
      if (token_file.empty()) {
        const std::string dir = security::ResolveCredentialsDir("", run_dir);
        token_file = absl::StrCat(dir, "/", absl::GetFlag(FLAGS_role), ".token");
      }
      absl::StatusOr<std::string> token = security::ReadPrivateFile(token_file);
      if (!token.ok()) {
        base::LogError(token.status().message());
        return 2;
      }
      caller.bearer_token = std::string(absl::StripAsciiWhitespace(*token));
      std::optional<std::string> role = tokens->RoleOf(caller.bearer_token);
      if (!role.has_value()) {
        base::LogError(absl::StrCat(token_file, ": not one of this stack's tokens"));
        return 2;
      }
      caller.role = *role;
    }
    StdioTransport stdio(&dispatcher, caller, stdin, stdout);
    LiveStateFollower follower(resolved->gateway, &board,
                               [&stdio] { stdio.NotifyResourceUpdated(kLiveStateUri); });
    follower.Start();
    base::LogInfo(absl::StrCat("serving MCP on stdio as role \"", caller.role, "\""));
    const int code = stdio.Run();
    follower.Stop();
    return code;
  }

  HttpTransportOptions options;
  options.host = absl::GetFlag(FLAGS_host);
  options.port = absl::GetFlag(FLAGS_port);
  options.port_file = absl::GetFlag(FLAGS_port_file);
  for (absl::string_view origin :
       absl::StrSplit(absl::GetFlag(FLAGS_allowed_origins), ',', absl::SkipWhitespace())) {
    options.allowed_origins.emplace_back(origin);
  }
  HttpTransport http(&dispatcher, tokens, options);
  absl::StatusOr<int> port = http.Start();
  if (!port.ok()) {
    base::LogError(port.status().message());
    return 2;
  }
  LiveStateFollower follower(resolved->gateway, &board,
                             [&http] { http.NotifyResourceUpdated(kLiveStateUri); });
  follower.Start();
  base::LogInfo(absl::StrCat("MCP at http://", options.host, ":", *port, "/mcp for gateway ",
                             resolved->gateway,
                             tokens == nullptr ? " (no credentials: no token asked)" : ""));
  WaitForShutdownSignal();
  base::LogInfo("shutting down");
  follower.Stop();
  http.Stop();
  return 0;
}

}  // namespace
}  // namespace gridpilot::mcp

int main(int argc, char** argv) {
  gridpilot::SelectGrpcPollStrategy();  // before any gRPC object
  gridpilot::BlockShutdownSignals();
  gridpilot::HandleHelpFlag(
      argc, argv,
      "gridpilot-mcp --run_dir DIR [--port 0] [--stdio] [flags]\n"
      "The MCP (Model Context Protocol) server of a running gridpilot stack: tools, resources\n"
      "and prompts for AI agents over Streamable HTTP at /mcp or over stdio.");
  absl::ParseCommandLine(argc, argv);
  if (!gridpilot::InstallCredentialsFromFlag("mcp", absl::GetFlag(FLAGS_run_dir))) return 2;
  return gridpilot::mcp::Main();
}
