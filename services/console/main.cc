// gridpilot-console: the control room's web console. Attaches to a running stack over
// gRPC (addresses from `gridpilot up --run_dir DIR`'s port files, or explicit flags),
// follows it into a ConsoleState and serves the page, its data and a server-sent-event
// stream on loopback HTTP (HTTPS with --tls_cert/--tls_key) behind a login with a
// person's bearer token (docs/decisions.md, "Console sessions"). It never opens the
// gateway's store.
//   gridpilot-console --run_dir DIR [--http_port 0] [--http_port_file FILE] [--web_dir DIR]
//                     [--tls_cert PEM --tls_key PEM]
#include <cstdio>
#include <optional>
#include <string>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "core/base/logging.h"
#include "services/common/credentials_flag.h"
#include "services/common/flag_help.h"
#include "services/common/shutdown_signal.h"
#include "services/console/advice_access.h"
#include "services/console/approvals_access.h"
#include "services/console/console_http_server.h"
#include "services/console/console_state.h"
#include "services/console/listen_address.h"
#include "services/console/readings_scoring.h"
#include "services/console/stack_addresses.h"
#include "services/console/stack_follower.h"
#include "services/console/thresholds_access.h"
#include "services/console/web_assets.h"
#include "services/security/transport_credentials.h"

ABSL_FLAG(std::string, run_dir, "", "run directory of `gridpilot up` (reads its *.port files)");
ABSL_FLAG(std::string, gateway, "", "gateway host:port (overrides --run_dir)");
ABSL_FLAG(std::string, forecast, "", "forecast host:port (overrides --run_dir)");
ABSL_FLAG(std::string, response, "", "response agent host:port (overrides --run_dir)");
ABSL_FLAG(std::string, trader, "", "trader host:port (overrides --run_dir)");
ABSL_FLAG(std::string, http_host, "127.0.0.1", "HTTP listen address");
ABSL_FLAG(int, http_port, 8080, "HTTP port; 0 = any free port");
ABSL_FLAG(std::string, http_port_file, "", "write the bound HTTP port here");
ABSL_FLAG(std::string, web_dir, "",
          "page and chart library (web/ after `npm ci`); default $GRIDPILOT_WEB_DIR or the "
          "source tree's web/");
ABSL_FLAG(std::string, tls_cert, "",
          "serve HTTPS with this certificate chain (PEM); with --tls_key. The stack's own "
          "CREDENTIALS/console.pem works for browsers that trust its ca.pem");
ABSL_FLAG(std::string, tls_key, "", "the key of --tls_cert (PEM, mode 0600)");
ABSL_FLAG(int, session_idle_minutes, 30, "a session ends after this long without a request");
ABSL_FLAG(int, session_hours, 12, "a session ends this long after login");
ABSL_FLAG(double, poll_seconds, 1.0, "how often events, schedule, P&L and decisions are read");
ABSL_FLAG(int, pdf_max_concurrent, 2,
          "PDF downloads (/report.pdf) printed at once, in [1, 16]; more get 503");

ABSL_DECLARE_FLAG(std::string, credentials);

namespace gridpilot {
namespace {

int Main() {
  base::SetLogTag("console");
  absl::StatusOr<StackAddresses> resolved = ResolveStackAddresses(
      absl::GetFlag(FLAGS_run_dir), {absl::GetFlag(FLAGS_gateway), absl::GetFlag(FLAGS_forecast),
                                     absl::GetFlag(FLAGS_response), absl::GetFlag(FLAGS_trader)});
  if (!resolved.ok()) {
    base::LogError(resolved.status().message());
    return 2;
  }
  const double poll_seconds = absl::GetFlag(FLAGS_poll_seconds);
  if (!(poll_seconds > 0)) {
    base::LogError("--poll_seconds must be positive");
    return 2;
  }
  std::string web_dir = absl::GetFlag(FLAGS_web_dir);
  if (web_dir.empty()) web_dir = DefaultWebDir();
  absl::StatusOr<WebAssets> assets = LoadWebAssets(web_dir);
  if (!assets.ok()) {
    base::LogError(assets.status().message());
    return 2;
  }

  ConsoleState state;
  StackFollowerOptions follow;
  follow.poll_period = absl::Seconds(poll_seconds);
  if (const std::string run_dir = absl::GetFlag(FLAGS_run_dir); !run_dir.empty()) {
    follow.supervisor_status_path = absl::StrCat(run_dir, "/supervisor.json");
  }
  StackFollower follower(*resolved, &state, follow);
  const security::TokenTable* tokens = security::InstalledTokenTable();
  if (tokens == nullptr) {
    base::LogError(
        "the console needs the stack's credentials to check logins: --credentials DIR, or "
        "--run_dir of a stack that made RUN_DIR/credentials");
    return 2;
  }
  const int idle_minutes = absl::GetFlag(FLAGS_session_idle_minutes);
  const int session_hours = absl::GetFlag(FLAGS_session_hours);
  if (idle_minutes < 1 || idle_minutes > 24 * 60 || session_hours < 1 || session_hours > 7 * 24 ||
      idle_minutes > session_hours * 60) {
    base::LogError(
        "--session_idle_minutes must be in [1, 1440], --session_hours in [1, 168], and the idle "
        "lifetime no longer than the absolute one");
    return 2;
  }
  GrpcThresholdsAccess thresholds(resolved->response);
  GrpcAdviceAccess advice(resolved->forecast);
  GrpcReadingsScoring scoring(resolved->forecast);
  GrpcApprovalsAccess approvals(resolved->gateway);
  ConsoleHttpOptions http_options;
  http_options.sessions.idle = absl::Minutes(idle_minutes);
  http_options.sessions.absolute = absl::Hours(session_hours);
  http_options.tls_cert_path = absl::GetFlag(FLAGS_tls_cert);
  http_options.tls_key_path = absl::GetFlag(FLAGS_tls_key);
  http_options.report_pdf.max_concurrent = absl::GetFlag(FLAGS_pdf_max_concurrent);
  ConsoleHttpServer http(&state, *std::move(assets),
                         ConsoleAccess{tokens, &thresholds, &advice, &scoring, &approvals},
                         http_options);
  const std::string host = absl::GetFlag(FLAGS_http_host);
  absl::StatusOr<int> port =
      http.Start(absl::GetFlag(FLAGS_http_host), absl::GetFlag(FLAGS_http_port),
                 absl::GetFlag(FLAGS_http_port_file));
  if (!port.ok()) {
    base::LogError(port.status().message());
    return 2;
  }
  follower.Start();
  if (std::optional<std::string> warning = PlaintextExposureWarning(host, http.https())) {
    base::LogWarning(*warning);
  }
  const std::string credentials = security::ResolveCredentialsDir(absl::GetFlag(FLAGS_credentials),
                                                                  absl::GetFlag(FLAGS_run_dir));
  base::LogInfo(absl::StrCat("console at ", http.https() ? "https" : "http", "://", host, ":",
                             *port, "/ following gateway ", resolved->gateway,
                             "; log in with the token in ", credentials,
                             "/operator.token (viewer.token to watch only)"));
  WaitForShutdownSignal();
  base::LogInfo("shutting down");
  follower.Stop();
  http.Stop();
  return 0;
}

}  // namespace
}  // namespace gridpilot

int main(int argc, char** argv) {
  gridpilot::BlockShutdownSignals();
  gridpilot::HandleHelpFlag(
      argc, argv,
      "gridpilot-console --run_dir DIR [--http_port 8080] [flags]\n"
      "The web console of a running gridpilot stack: follows it over gRPC (the port files of\n"
      "`gridpilot up --run_dir DIR`, or --gateway/--forecast/--response/--trader host:port) "
      "and\nserves live charts on loopback HTTP (HTTPS with --tls_cert/--tls_key), behind a login\n"
      "with a person's token from the stack's credentials (operator.token, viewer.token).");
  absl::ParseCommandLine(argc, argv);
  if (!gridpilot::InstallCredentialsFromFlag("console", absl::GetFlag(FLAGS_run_dir))) return 2;
  return gridpilot::Main();
}
