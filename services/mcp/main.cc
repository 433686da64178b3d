// gridpilot-mcp: the Model Context Protocol server of a running gridpilot stack. A gRPC
// client of the stack (addresses from the launcher's port files in --run_dir, or flags)
// that serves MCP over Streamable HTTP at http://HOST:PORT/mcp, or over stdio with
// --stdio. Every tool call reaches the stack with the MCP caller's bearer token.
//   gridpilot-mcp --run_dir DIR [--http_port 0] [--http_port_file FILE]
//   gridpilot-mcp --stdio --run_dir DIR [--role ai-agent | --token_file FILE]
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "core/base/logging.h"
#include "services/common/credentials_flag.h"
#include "services/common/flag_help.h"
#include "services/common/shutdown_signal.h"
#include "services/console/stack_addresses.h"
#include "services/mcp/gridpilot_catalog.h"
#include "services/mcp/http_transport.h"
#include "services/mcp/live_state_follower.h"
#include "services/mcp/stack_tools.h"
#include "services/mcp/stdio_transport.h"
#include "services/security/private_file.h"
#include "services/security/transport_credentials.h"

ABSL_FLAG(std::string, run_dir, "", "run directory of `gridpilot up|backtest` (its *.port files)");
ABSL_FLAG(std::string, gateway, "", "gateway host:port (overrides --run_dir)");
ABSL_FLAG(std::string, forecast, "", "forecast host:port (overrides --run_dir)");
ABSL_FLAG(std::string, response, "", "response agent host:port (overrides --run_dir)");
ABSL_FLAG(std::string, trader, "", "trader host:port (overrides --run_dir)");
ABSL_FLAG(bool, stdio, false, "serve MCP on stdin/stdout instead of HTTP");
ABSL_FLAG(std::string, role, "ai-agent",
          "--stdio: act with the token CREDENTIALS/<role>.token (viewer, operator, ai-agent, ...)");
ABSL_FLAG(std::string, token_file, "",
          "--stdio: act with the token in this file (overrides --role)");
ABSL_FLAG(std::string, http_host, "127.0.0.1", "HTTP listen address (loopback by default)");
ABSL_FLAG(int, http_port, 0, "HTTP port; 0 = any free port");
ABSL_FLAG(std::string, http_port_file, "", "write the bound HTTP port here");
ABSL_FLAG(std::string, allowed_origins, "",
          "comma-separated Origin values accepted besides loopback ones");
ABSL_FLAG(double, call_timeout_seconds, 5.0, "deadline of each gRPC call a tool makes, 0.1..60 s");

namespace gridpilot::mcp {
namespace {

int Main() {
  base::SetLogTag("mcp");
  StackAddresses addresses;
  const std::string run_dir = absl::GetFlag(FLAGS_run_dir);
  if (!run_dir.empty()) {
    absl::StatusOr<StackAddresses> from_dir = ReadStackAddresses(run_dir);
    if (!from_dir.ok()) {
      base::LogError(from_dir.status().message());
      return 2;
    }
    addresses = *from_dir;
  }
  absl::StatusOr<StackAddresses> resolved = ApplyAddressOverrides(
      addresses, {absl::GetFlag(FLAGS_gateway), absl::GetFlag(FLAGS_forecast),
                  absl::GetFlag(FLAGS_response), absl::GetFlag(FLAGS_trader)});
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
  LiveStateBoard board;
  IdempotencyMemory memory(4096);
  ToolTable tools;
  AddStackTools(&stack, &board, &memory, timeout, &tools);
  const std::vector<Resource> resources = GridpilotResources(&stack, &board, timeout);
  const std::vector<Prompt> prompts = GridpilotPrompts();
  const McpDispatcher dispatcher(&tools, &resources, &prompts, "1.0");
  const security::TokenTable* tokens = security::InstalledTokenTable();

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
  options.host = absl::GetFlag(FLAGS_http_host);
  options.port = absl::GetFlag(FLAGS_http_port);
  options.port_file = absl::GetFlag(FLAGS_http_port_file);
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
  gridpilot::BlockShutdownSignals();
  gridpilot::HandleHelpFlag(
      argc, argv,
      "gridpilot-mcp --run_dir DIR [--http_port 0] [--stdio] [flags]\n"
      "The MCP (Model Context Protocol) server of a running gridpilot stack: tools, resources\n"
      "and prompts for AI agents over Streamable HTTP at /mcp or over stdio.");
  absl::ParseCommandLine(argc, argv);
  if (!gridpilot::InstallCredentialsFromFlag("mcp", absl::GetFlag(FLAGS_run_dir))) return 2;
  return gridpilot::mcp::Main();
}
