// ConsoleHttpServer: the console's HTTP edge (cpp-httplib), on loopback by default, HTTPS
// when given a certificate. A person logs in once with their bearer token and gets a
// session cookie (console_sessions.h); every other route needs that session. Routes:
//   GET  /login               the login page (public)
//   POST /login               form field `token`: 303 to / with the session cookie, or 401
//                             with the page again; 429 after too many failures (public)
//   GET  /console.css, /healthz                                          (public)
//   GET  /                    the page (no session: 303 to /login)
//   GET  /console.js, /lib/uPlot.iife.min.js, /lib/uPlot.min.css
//   GET  /api/snapshot?from=&to=&after=   ConsoleState::Snapshot as JSON
//   GET  /api/stream?from=&to=&after=     text/event-stream: a "snapshot" event with the
//       points after `after` at once, then one with what is new after each change (at
//       most one per `min_event_interval`), and a comment line as keep-alive; each event
//       also carries sent_unix_ms, the server's wall clock when it was written. It ends
//       when the session does.
//   GET  /api/session         {"role", "csrf_token", "idle_timeout_s", "expires_unix_s"}
//   GET  /api/thresholds      the response agent's thresholds, read as the person
//   GET  /api/advice          the forecast process's flexibility advice (AdviceService),
//                             read as the person; query: advice_access.h
//   POST /api/thresholds      {"ramp_limit_mw", "margin_mw"}: SetThresholds as the person
//   GET  /api/approvals       the gateway's pending approvals (ListApprovals) as the person
//   POST /api/approvals/approve, /api/approvals/reject   {"approval_id", "reason"}: the
//                             gateway's Approve or Reject as the person (a write)
//   POST /api/logout          ends the session
//   GET  /report.pdf          the run's report as PDF (report_pdf.h): 503 with Retry-After
//                             when the bound on concurrent prints is reached
//   GET  /upload, /upload.js  the upload page: a CSV or JSON file scored for anomalies
//   POST /api/upload?format=csv|json&name=FILE&column=NAME   body: the file's text (at most
//                             kMaxUploadBodyBytes); ScoreReadings as the person; 200 with
//                             UploadResultJson, 400 naming line and field, 429 when busy
// API routes without a valid session get 401 {"error"}; the POST /api routes also need
// the X-CSRF-Token header of the session and a same-origin request (so does the upload)
// (csrf_guard.h), else 403. A refusal by the stack passes through: PERMISSION_DENIED as 403,
// INVALID_ARGUMENT as 400, with the stack's message. Bad query parameters get 400 with {"error"}.
// Thread-safe. docs/decisions.md, "Console sessions".
#ifndef GRIDPILOT_SERVICES_CONSOLE_CONSOLE_HTTP_SERVER_H_
#define GRIDPILOT_SERVICES_CONSOLE_CONSOLE_HTTP_SERVER_H_

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "services/console/advice_access.h"
#include "services/console/approvals_access.h"
#include "services/console/console_sessions.h"
#include "services/console/console_state.h"
#include "services/console/login_throttle.h"
#include "services/console/readings_scoring.h"
#include "services/console/report_pdf.h"
#include "services/console/thresholds_access.h"
#include "services/console/web_assets.h"
#include "services/security/token_table.h"

namespace httplib {
class Server;
struct Request;
}  // namespace httplib

namespace gridpilot {

inline constexpr char kSessionCookie[] = "gridpilot_session";
// Longest token accepted at login, bytes (a gridpilot token is 64).
inline constexpr size_t kMaxLoginTokenBytes = 256;
// Longest request body accepted, bytes (a login form or a thresholds write); the upload
// route alone takes up to kMaxUploadBodyBytes (upload_json.h). Larger: 413.
inline constexpr size_t kMaxRequestBodyBytes = 16 * 1024;
inline constexpr char kUploadPagePath[] = "/upload";
inline constexpr char kUploadJsPath[] = "/upload.js";
inline constexpr char kUploadApiPath[] = "/api/upload";

struct ConsoleHttpOptions {
  absl::Duration min_event_interval = absl::Milliseconds(250);
  absl::Duration keep_alive = absl::Seconds(10);
  // Request threads. Each open event stream (a browser tab) holds one, so this bounds
  // the tabs served at once; further requests queue.
  int threads = 32;
  SessionLimits sessions;
  LoginThrottleLimits logins;
  // HTTPS with this certificate chain and key (PEM files) when both are set; the key must
  // not be readable by group or others.
  std::string tls_cert_path;
  std::string tls_key_path;
  // The "PDF" download: concurrent prints and the Chromium print's options.
  ReportPdfOptions report_pdf;
  // The wall clock sessions and the login throttle run on.
  std::function<absl::Time()> now = [] { return absl::Now(); };
};

// Who may log in and what a session may do. Not owned; both must outlive the server.
struct ConsoleAccess {
  const security::TokenTable* tokens = nullptr;  // login checks tokens against it; required
  ThresholdsAccess* thresholds = nullptr;        // the write; nullptr answers 503
  AdviceAccess* advice = nullptr;                // /api/advice; nullptr answers 503
  ReadingsScoring* scoring = nullptr;            // the upload; nullptr answers 503
  ApprovalsAccess* approvals = nullptr;          // /api/approvals*; nullptr answers 503
};

class ConsoleHttpServer {
 public:
  // `state` is not owned and must outlive the server.
  ConsoleHttpServer(const ConsoleState* state, WebAssets assets, ConsoleAccess access,
                    ConsoleHttpOptions options = {});
  ~ConsoleHttpServer();  // Stop()

  // Binds host:port (0 = any free port), writes the bound port to `port_file` if not empty
  // (write + rename) and serves on a thread. Returns the port. Unavailable if it cannot
  // bind; InvalidArgument if the page template is malformed, the session limits are
  // invalid, no token table is given, or the TLS certificate or key cannot be loaded;
  // PermissionDenied for a TLS key others can read.
  absl::StatusOr<int> Start(const std::string& host, int port, const std::string& port_file);
  // Ends open event streams and stops serving. Idempotent.
  void Stop();

  bool https() const { return https_; }
  int sessions() const { return sessions_.size(); }

 private:
  // The live session whose id the request's cookie holds (marked used), if any.
  std::optional<ConsoleSession> SessionOf(const httplib::Request& req);

  const ConsoleState* const state_;
  const WebAssets assets_;
  const ConsoleAccess access_;
  const ConsoleHttpOptions options_;
  ConsoleSessions sessions_;
  LoginThrottle login_throttle_;
  ReportPdf report_pdf_;
  bool https_ = false;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
};

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_CONSOLE_CONSOLE_HTTP_SERVER_H_
