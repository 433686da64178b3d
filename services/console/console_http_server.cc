#include "services/console/console_http_server.h"

#include <httplib.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "services/console/console_page.h"
#include "services/console/snapshot_query.h"

namespace gridpilot {
namespace {

void SendBadRequest(httplib::Response& res, const absl::Status& status) {
  res.status = 400;
  res.set_content(nlohmann::json{{"error", std::string(status.message())}}.dump(),
                  "application/json");
}

std::string SnapshotText(const ConsoleState& state, const SnapshotQuery& query) {
  return state.Snapshot(query).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

absl::Status WritePortFile(const std::string& path, int port) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp);
    out << port << "\n";
    if (!out) return absl::UnavailableError(absl::StrCat(tmp, ": cannot write"));
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return absl::UnavailableError(absl::StrCat(path, ": ", ec.message()));
  return absl::OkStatus();
}

}  // namespace

ConsoleHttpServer::ConsoleHttpServer(const ConsoleState* state, WebAssets assets,
                                     ConsoleHttpOptions options)
    : state_(state), assets_(std::move(assets)), options_(options) {}

ConsoleHttpServer::~ConsoleHttpServer() { Stop(); }

absl::StatusOr<int> ConsoleHttpServer::Start(const std::string& host, int port,
                                             const std::string& port_file) {
  absl::StatusOr<std::string> page = LivePageHtml(assets_);
  if (!page.ok()) return page.status();
  server_ = std::make_unique<httplib::Server>();
  httplib::Server& s = *server_;
  const size_t threads = static_cast<size_t>(std::max(2, options_.threads));
  s.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };

  auto serve_text = [&s](const char* path, const std::string* text, const char* type) {
    s.Get(path, [text, type](const httplib::Request&, httplib::Response& res) {
      res.set_content(*text, type);
    });
  };
  // The page is built once; the assets live as long as the server.
  auto page_text = std::make_shared<std::string>(*std::move(page));
  s.Get("/", [page_text](const httplib::Request&, httplib::Response& res) {
    res.set_content(*page_text, "text/html; charset=utf-8");
  });
  serve_text(kPageJsPath, &assets_.page_js, "text/javascript; charset=utf-8");
  serve_text(kPageCssPath, &assets_.page_css, "text/css; charset=utf-8");
  serve_text(kChartJsPath, &assets_.chart_js, "text/javascript; charset=utf-8");
  serve_text(kChartCssPath, &assets_.chart_css, "text/css; charset=utf-8");
  s.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", "text/plain");
  });

  s.Get("/api/snapshot", [this](const httplib::Request& req, httplib::Response& res) {
    absl::StatusOr<SnapshotQuery> query = ParseSnapshotQuery(req.params);
    if (!query.ok()) return SendBadRequest(res, query.status());
    res.set_header("Cache-Control", "no-store");
    res.set_content(SnapshotText(*state_, *query), "application/json");
  });

  s.Get("/api/stream", [this](const httplib::Request& req, httplib::Response& res) {
    absl::StatusOr<SnapshotQuery> query = ParseSnapshotQuery(req.params);
    if (!query.ok()) return SendBadRequest(res, query.status());
    res.set_header("Cache-Control", "no-store");
    // Per connection: what this client has been sent.
    struct Cursor {
      SnapshotQuery query;
      int64_t version = -1;
    };
    auto cursor = std::make_shared<Cursor>(Cursor{*query, -1});
    res.set_chunked_content_provider(
        "text/event-stream", [this, cursor](size_t, httplib::DataSink& sink) {
          const absl::Time give_up = absl::Now() + options_.keep_alive;
          while (!stopping_.load()) {
            if (!sink.is_writable()) return false;
            if (state_->version() > cursor->version) {
              nlohmann::json snapshot = state_->Snapshot(cursor->query);
              cursor->version = snapshot["version"].get<int64_t>();
              // Wall-clock stamp so a page can measure delivery; never part of the data.
              snapshot["sent_unix_ms"] = absl::ToUnixMillis(absl::Now());
              cursor->query.after = snapshot["last_index"].get<int64_t>();
              const std::string event = absl::StrCat(
                  "event: snapshot\ndata: ",
                  snapshot.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), "\n\n");
              if (!sink.write(event.data(), event.size())) return false;
              // Changes that come meanwhile go out together in the next event.
              absl::SleepFor(options_.min_event_interval);
              return true;
            }
            if (absl::Now() >= give_up) {
              static constexpr char kKeepAlive[] = ": keep-alive\n\n";
              return sink.write(kKeepAlive, sizeof(kKeepAlive) - 1);
            }
            // Short waits so Stop() and a closed connection are noticed promptly.
            state_->WaitForChange(cursor->version, absl::Milliseconds(500));
          }
          sink.done();
          return false;
        });
  });

  const int bound = port == 0 ? s.bind_to_any_port(host) : (s.bind_to_port(host, port) ? port : -1);
  if (bound <= 0) {
    return absl::UnavailableError(absl::StrCat("cannot bind HTTP on ", host, ":", port));
  }
  if (!port_file.empty()) {
    if (absl::Status w = WritePortFile(port_file, bound); !w.ok()) return w;
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  return bound;
}

void ConsoleHttpServer::Stop() {
  stopping_.store(true);
  if (server_ != nullptr) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace gridpilot
