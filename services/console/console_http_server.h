// ConsoleHttpServer: the console's HTTP edge (cpp-httplib) on loopback. It serves the
// page and its assets, the data as JSON and a server-sent-event stream of changes, all
// read from a ConsoleState:
//   GET /                     the page
//   GET /console.js, /console.css, /lib/uPlot.iife.min.js, /lib/uPlot.min.css
//   GET /api/snapshot?from=&to=&after=   ConsoleState::Snapshot as JSON
//   GET /api/stream?from=&to=&after=     text/event-stream: a "snapshot" event with the
//       points after `after` at once, then one with what is new after each change (at
//       most one per `min_event_interval`), and a comment line as keep-alive; each event
//       also carries sent_unix_ms, the server's wall clock when it was written
//   GET /healthz              "ok"
// Bad query parameters get 400 with {"error": message}. Thread-safe.
#ifndef GRIDPILOT_SERVICES_CONSOLE_CONSOLE_HTTP_SERVER_H_
#define GRIDPILOT_SERVICES_CONSOLE_CONSOLE_HTTP_SERVER_H_

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/console/console_state.h"
#include "services/console/web_assets.h"

namespace httplib {
class Server;
}

namespace gridpilot {

struct ConsoleHttpOptions {
  absl::Duration min_event_interval = absl::Milliseconds(250);
  absl::Duration keep_alive = absl::Seconds(10);
  // Request threads. Each open event stream (a browser tab) holds one, so this bounds
  // the tabs served at once; further requests queue.
  int threads = 32;
};

class ConsoleHttpServer {
 public:
  // `state` is not owned and must outlive the server.
  ConsoleHttpServer(const ConsoleState* state, WebAssets assets, ConsoleHttpOptions options = {});
  ~ConsoleHttpServer();  // Stop()

  // Binds host:port (0 = any free port), writes the bound port to `port_file` if not empty
  // (write + rename) and serves on a thread. Returns the port. Unavailable if it cannot
  // bind; InvalidArgument if the page template is malformed.
  absl::StatusOr<int> Start(const std::string& host, int port, const std::string& port_file);
  // Ends open event streams and stops serving. Idempotent.
  void Stop();

 private:
  const ConsoleState* const state_;
  const WebAssets assets_;
  const ConsoleHttpOptions options_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
};

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_CONSOLE_CONSOLE_HTTP_SERVER_H_
