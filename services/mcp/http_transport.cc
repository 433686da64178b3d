#include "services/mcp/http_transport.h"

#include <httplib.h>

#include <deque>
#include <optional>
#include <thread>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "core/base/logging.h"
#include "services/common/port_file.h"
#include "services/mcp/json_rpc.h"

namespace gridpilot::mcp {
namespace {

using nlohmann::json;

constexpr char kPath[] = "/mcp";
constexpr absl::Duration kKeepAlive = absl::Seconds(15);

std::string Dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

void SendJsonError(httplib::Response& res, int http_status, const json& reply) {
  res.status = http_status;
  res.set_content(Dump(reply), "application/json");
}

void SendPlainError(httplib::Response& res, int http_status, int code, const std::string& why) {
  SendJsonError(res, http_status, ErrorReply(nullptr, code, why));
}

std::string SseEvent(const std::string& data) {
  return absl::StrCat("event: message\ndata: ", data, "\n\n");
}

}  // namespace

bool IsAllowedOrigin(const std::string& origin, const std::vector<std::string>& allowed) {
  if (origin.empty()) return true;
  for (const std::string& one : allowed) {
    if (origin == one) return true;
  }
  for (const char* scheme : {"http://", "https://"}) {
    if (!absl::StartsWith(origin, scheme)) continue;
    const std::string rest = origin.substr(std::string(scheme).size());
    for (const char* host : {"localhost", "127.0.0.1", "[::1]"}) {
      if (rest == host) return true;
      if (absl::StartsWith(rest, absl::StrCat(host, ":"))) {
        const std::string port = rest.substr(std::string(host).size() + 1);
        if (!port.empty() && port.size() <= 5 &&
            port.find_first_not_of("0123456789") == std::string::npos) {
          return true;
        }
      }
    }
  }
  return false;
}

HttpTransport::HttpTransport(const McpDispatcher* dispatcher, const security::TokenTable* tokens,
                             HttpTransportOptions options)
    : dispatcher_(dispatcher),
      tokens_(tokens),
      options_(std::move(options)),
      sessions_(options_.max_sessions) {}

HttpTransport::~HttpTransport() { Stop(); }

namespace {

// One tools/call answered as a stream: its notifications, then its reply, as they happen.
struct StreamedCall {
  absl::Mutex mutex;
  std::deque<std::string> events ABSL_GUARDED_BY(mutex);
  bool done ABSL_GUARDED_BY(mutex) = false;
  std::thread worker;
};

}  // namespace

void HttpTransport::StreamToolCall(const json& message, const json& id,
                                   const std::shared_ptr<HttpSession>& session,
                                   httplib::Response& res) {
  auto call = std::make_shared<StreamedCall>();
  call->worker = std::thread([this, call, message, session] {
    const json reply =
        dispatcher_->Handle(message, session->mcp.get(), [&call](const json& notification) {
          absl::MutexLock lock(&call->mutex);
          call->events.push_back(Dump(notification));
        });
    absl::MutexLock lock(&call->mutex);
    if (!reply.is_null()) call->events.push_back(Dump(reply));  // null: cancelled
    call->done = true;
  });
  res.set_header("Cache-Control", "no-cache");
  res.set_chunked_content_provider(
      "text/event-stream",
      [this, call, last_write = absl::Now()](size_t, httplib::DataSink& sink) mutable {
        std::deque<std::string> batch;
        bool done = false;
        {
          absl::MutexLock lock(&call->mutex);
          auto ready = [&call, this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(call->mutex) {
            return !call->events.empty() || call->done || stopping_.load();
          };
          call->mutex.AwaitWithTimeout(absl::Condition(&ready), absl::Milliseconds(500));
          batch.swap(call->events);
          done = call->done;
        }
        for (const std::string& event : batch) {
          const std::string text = SseEvent(event);
          if (!sink.write(text.data(), text.size())) return false;
          last_write = absl::Now();
        }
        if (done) {
          sink.done();
          return true;
        }
        if (stopping_.load()) return false;
        if (absl::Now() - last_write > kKeepAlive) {
          constexpr char kComment[] = ": keep-alive\n\n";
          if (!sink.write(kComment, sizeof(kComment) - 1)) return false;
          last_write = absl::Now();
        }
        return true;
      },
      // When the stream ends, also when the client went away or the server stops: a call
      // still running is cancelled (its work, e.g. a what-if's backtests, stopped), then
      // its thread joined.
      [call, session, request_key = id.dump()](bool) {
        bool done = false;
        {
          absl::MutexLock lock(&call->mutex);
          done = call->done;
        }
        if (!done) session->mcp->Cancel(request_key);
        call->worker.join();
      });
}

absl::StatusOr<int> HttpTransport::Start() {
  server_ = std::make_unique<httplib::Server>();
  httplib::Server& s = *server_;
  const size_t threads = static_cast<size_t>(std::max(4, options_.threads));
  s.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  s.set_payload_max_length(kMaxMessageBytes);
  // Without it a reply written as headers then body waits out the peer's delayed ACK (~40 ms).
  s.set_tcp_nodelay(true);

  // The caller of a request: nullopt after answering 401/403 itself.
  auto authenticate = [this](const httplib::Request& req, httplib::Response& res,
                             std::string* credential_hash) -> std::optional<McpCaller> {
    if (!IsAllowedOrigin(req.get_header_value("Origin"), options_.allowed_origins)) {
      SendPlainError(res, 403, kInvalidRequest, "forbidden Origin");
      return std::nullopt;
    }
    McpCaller caller;
    if (tokens_ == nullptr) return caller;
    const std::string header = req.get_header_value("Authorization");
    constexpr absl::string_view kBearer = "Bearer ";
    std::optional<std::string> role;
    if (absl::StartsWith(header, kBearer)) {
      caller.bearer_token = header.substr(kBearer.size());
      role = tokens_->RoleOf(caller.bearer_token);
    }
    if (!role.has_value()) {
      res.set_header("WWW-Authenticate",
                     header.empty() ? R"(Bearer realm="gridpilot-mcp")"
                                    : R"(Bearer realm="gridpilot-mcp", error="invalid_token")");
      SendPlainError(res, 401, kInvalidRequest,
                     header.empty() ? "missing \"Authorization: Bearer <token>\"; use a token "
                                      "from the stack's credentials directory"
                                    : "the bearer token is not one of this stack's tokens");
      return std::nullopt;
    }
    caller.role = *role;
    *credential_hash = security::Sha256Hex(caller.bearer_token);
    return caller;
  };

  // The request's session: null after answering 400/403/404 itself.
  auto session_of = [this](const httplib::Request& req, httplib::Response& res,
                           const std::string& credential_hash) -> std::shared_ptr<HttpSession> {
    const std::string id = req.get_header_value("Mcp-Session-Id");
    if (id.empty()) {
      SendPlainError(res, 400, kInvalidRequest, "missing Mcp-Session-Id; send initialize first");
      return nullptr;
    }
    std::shared_ptr<HttpSession> session = sessions_.Find(id);
    if (session == nullptr) {
      SendPlainError(res, 404, kInvalidRequest, "unknown or expired session; initialize again");
      return nullptr;
    }
    if (session->credential_hash != credential_hash) {
      SendPlainError(res, 403, kInvalidRequest, "the session belongs to another credential");
      return nullptr;
    }
    return session;
  };

  s.Post(kPath,
         [this, authenticate, session_of](const httplib::Request& req, httplib::Response& res) {
           std::string credential_hash;
           const std::optional<McpCaller> caller = authenticate(req, res, &credential_hash);
           if (!caller.has_value()) return;
           const std::string content_type = req.get_header_value("Content-Type");
           if (!content_type.empty() && !absl::StrContains(content_type, "json")) {
             SendPlainError(res, 415, kInvalidRequest, "Content-Type must be application/json");
             return;
           }
           const std::string version = req.get_header_value("MCP-Protocol-Version");
           if (!version.empty() && !IsSupportedProtocolVersion(version)) {
             SendPlainError(
                 res, 400, kInvalidRequest,
                 absl::StrCat("unsupported MCP-Protocol-Version \"", version.substr(0, 32), "\""));
             return;
           }
           json message;
           json error;
           if (!ParseMessageText(req.body, &message, &error)) {
             SendJsonError(res, 400, error);
             return;
           }
           const RpcMessage rpc = ClassifyMessage(message);
           if (rpc.kind == MessageKind::kInvalid) {
             SendJsonError(res, 400, rpc.error_reply);
             return;
           }
           std::shared_ptr<HttpSession> session;
           if (rpc.kind == MessageKind::kRequest && rpc.method == "initialize") {
             session = sessions_.Open(*caller, credential_hash);
           } else {
             session = session_of(req, res, credential_hash);
             if (session == nullptr) return;
           }
           if (rpc.kind != MessageKind::kRequest) {
             dispatcher_->Handle(message, session->mcp.get());
             res.status = 202;
             return;
           }
           const bool wants_stream =
               absl::StrContains(req.get_header_value("Accept"), "text/event-stream") &&
               rpc.method == "tools/call" && rpc.params.contains("_meta") &&
               rpc.params["_meta"].is_object() && rpc.params["_meta"].contains("progressToken");
           if (wants_stream) {
             StreamToolCall(message, rpc.id, session, res);
             return;
           }
           const json reply = dispatcher_->Handle(message, session->mcp.get());
           if (reply.is_null()) {  // cancelled by the client: nothing to answer
             res.status = 202;
             return;
           }
           if (rpc.method == "initialize") {
             if (reply.contains("error")) {
               sessions_.Close(session->id);
             } else {
               res.set_header("Mcp-Session-Id", session->id);
             }
           }
           res.set_content(Dump(reply), "application/json");
         });

  s.Get(kPath, [this, authenticate, session_of](const httplib::Request& req,
                                                httplib::Response& res) {
    std::string credential_hash;
    if (!authenticate(req, res, &credential_hash).has_value()) return;
    std::shared_ptr<HttpSession> session = session_of(req, res, credential_hash);
    if (session == nullptr) return;
    {
      absl::MutexLock lock(&session->mutex);
      if (session->stream_open) {
        SendPlainError(res, 409, kInvalidRequest, "this session already has an event stream open");
        return;
      }
      if (open_streams_.load() >= static_cast<int>(options_.max_event_streams)) {
        SendPlainError(res, 503, kInvalidRequest, "too many event streams open; try later");
        return;
      }
      session->stream_open = true;
      ++open_streams_;
    }
    res.set_header("Cache-Control", "no-cache");
    res.set_chunked_content_provider(
        "text/event-stream",
        [this, session, last_write = absl::Now()](size_t, httplib::DataSink& sink) mutable {
          std::deque<std::string> batch;
          bool closed = false;
          {
            absl::MutexLock lock(&session->mutex);
            auto ready = [&session, this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(session->mutex) {
              return !session->queue.empty() || session->closed || stopping_.load();
            };
            session->mutex.AwaitWithTimeout(absl::Condition(&ready), absl::Milliseconds(500));
            batch.swap(session->queue);
            closed = session->closed || stopping_.load();
          }
          for (const std::string& event : batch) {
            const std::string text = SseEvent(event);
            if (!sink.write(text.data(), text.size())) return false;
            last_write = absl::Now();
          }
          if (closed) {
            sink.done();
            return true;
          }
          if (absl::Now() - last_write > kKeepAlive) {
            constexpr char kComment[] = ": keep-alive\n\n";
            if (!sink.write(kComment, sizeof(kComment) - 1)) return false;
            last_write = absl::Now();
          }
          return true;
        },
        [this, session](bool) {
          absl::MutexLock lock(&session->mutex);
          session->stream_open = false;
          session->queue.clear();
          --open_streams_;
        });
  });

  s.Delete(kPath,
           [this, authenticate, session_of](const httplib::Request& req, httplib::Response& res) {
             std::string credential_hash;
             if (!authenticate(req, res, &credential_hash).has_value()) return;
             std::shared_ptr<HttpSession> session = session_of(req, res, credential_hash);
             if (session == nullptr) return;
             sessions_.Close(session->id);
             res.status = 200;
           });

  const int port = options_.port == 0
                       ? s.bind_to_any_port(options_.host)
                       : (s.bind_to_port(options_.host, options_.port) ? options_.port : -1);
  if (port <= 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options_.host, ":", options_.port));
  }
  if (!options_.port_file.empty()) {
    if (absl::Status written = WritePortFile(options_.port_file, port); !written.ok()) {
      return written;
    }
  }
  thread_ = std::thread([&s] { s.listen_after_bind(); });
  return port;
}

void HttpTransport::Stop() {
  stopping_ = true;
  sessions_.ForEach([](HttpSession& session) {
    absl::MutexLock lock(&session.mutex);
    session.closed = true;
  });
  if (server_ != nullptr) server_->stop();
  if (thread_.joinable()) thread_.join();
}

void HttpTransport::NotifyResourceUpdated(const std::string& uri) {
  sessions_.ForEach([&uri](HttpSession& session) {
    McpDispatcher::NotifyResourceUpdated(uri, session.mcp.get());
  });
}

}  // namespace gridpilot::mcp
