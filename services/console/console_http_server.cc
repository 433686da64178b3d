#include "services/console/console_http_server.h"

#include <google/protobuf/util/json_util.h>
#include <httplib.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "core/base/logging.h"
#include "services/console/console_page.h"
#include "services/console/csrf_guard.h"
#include "services/console/login_page.h"
#include "services/console/session_cookie.h"
#include "services/console/snapshot_query.h"
#include "services/console/upload_json.h"
#include "services/security/private_file.h"
#include "services/security/roles.h"

namespace gridpilot {
namespace {

constexpr absl::string_view kApproveMethod = "/gridpilot.v1.ApprovalService/Approve";
constexpr absl::string_view kRejectMethod = "/gridpilot.v1.ApprovalService/Reject";

void SendError(httplib::Response& res, int http_status, absl::string_view message) {
  res.status = http_status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(nlohmann::json{{"error", std::string(message)}}.dump(
                      -1, ' ', false, nlohmann::json::error_handler_t::replace),
                  "application/json");
}

void SendBadRequest(httplib::Response& res, const absl::Status& status) {
  SendError(res, 400, status.message());
}

// `message` as JSON with the proto field names, not cached.
void SendProtoJson(httplib::Response& res, const google::protobuf::Message& message) {
  std::string json;
  google::protobuf::util::JsonPrintOptions print;
  print.preserve_proto_field_names = true;
  if (!google::protobuf::util::MessageToJsonString(message, &json, print).ok()) {
    return SendError(res, 500, "the answer could not be written as JSON");
  }
  res.set_header("Cache-Control", "no-store");
  res.set_content(json, "application/json");
}

// The HTTP status for a refusal by the stack (or by the console's own checks).
int HttpStatusOf(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange: return 400;
    case absl::StatusCode::kUnauthenticated: return 401;
    case absl::StatusCode::kPermissionDenied: return 403;
    case absl::StatusCode::kNotFound: return 404;
    case absl::StatusCode::kFailedPrecondition: return 409;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded: return 503;
    default: return 502;
  }
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

bool IsPublicPath(const std::string& path) {
  return path == kLoginPath || path == kPageCssPath || path == "/healthz";
}

RequestOrigin OriginOf(const httplib::Request& req) {
  RequestOrigin o;
  o.host = req.get_header_value("Host");
  o.origin = req.get_header_value("Origin");
  o.sec_fetch_site = req.get_header_value("Sec-Fetch-Site");
  return o;
}

nlohmann::json ThresholdsJson(const v1::Thresholds& t) {
  return {{"ramp_limit_mw", t.ramp_limit_mw()}, {"margin_mw", t.margin_mw()}};
}

// {"ramp_limit_mw": number, "margin_mw": number} -> Thresholds; InvalidArgument naming
// the field otherwise. The ranges are the response agent's to check.
absl::StatusOr<v1::Thresholds> ParseThresholds(const std::string& body) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return absl::InvalidArgumentError("body: not a JSON object");
  }
  v1::Thresholds t;
  for (const char* field : {"ramp_limit_mw", "margin_mw"}) {
    if (!j.contains(field) || !j[field].is_number()) {
      return absl::InvalidArgumentError(absl::StrCat(field, ": a number is required"));
    }
    const double value = j[field].get<double>();
    if (!std::isfinite(value)) {
      return absl::InvalidArgumentError(absl::StrCat(field, ": must be finite"));
    }
    if (std::string(field) == "ramp_limit_mw") {
      t.set_ramp_limit_mw(value);
    } else {
      t.set_margin_mw(value);
    }
  }
  return t;
}

}  // namespace

ConsoleHttpServer::ConsoleHttpServer(const ConsoleState* state, WebAssets assets,
                                     ConsoleAccess access, ConsoleHttpOptions options)
    : state_(state),
      assets_(std::move(assets)),
      access_(access),
      options_(std::move(options)),
      sessions_(options_.sessions),
      login_throttle_(options_.logins),
      report_pdf_(state_, &assets_, options_.report_pdf) {}

ConsoleHttpServer::~ConsoleHttpServer() { Stop(); }

std::optional<ConsoleSession> ConsoleHttpServer::SessionOf(const httplib::Request& req) {
  const std::string id = CookieValue(req.get_header_value("Cookie"), kSessionCookie);
  if (id.empty()) return std::nullopt;
  return sessions_.Find(id, options_.now());
}

absl::StatusOr<int> ConsoleHttpServer::Start(const std::string& host, int port,
                                             const std::string& port_file) {
  absl::StatusOr<std::string> page = LivePageHtml(assets_);
  if (!page.ok()) return page.status();
  if (absl::StatusOr<SessionLimits> limits = ConsoleSessions::CheckLimits(options_.sessions);
      !limits.ok()) {
    return limits.status();
  }
  if (absl::Status pdf = ReportPdf::CheckOptions(options_.report_pdf); !pdf.ok()) return pdf;
  if (access_.tokens == nullptr) {
    return absl::InvalidArgumentError(
        "the console needs the stack's tokens.sha256 to check logins (--credentials DIR)");
  }
  if (options_.tls_cert_path.empty() != options_.tls_key_path.empty()) {
    return absl::InvalidArgumentError("HTTPS needs both a certificate and a key file");
  }
  https_ = !options_.tls_cert_path.empty();
  if (https_) {
    // The key is a secret: refused if others may read it, as every key of the stack is.
    if (absl::StatusOr<std::string> key = security::ReadPrivateFile(options_.tls_key_path);
        !key.ok()) {
      return key.status();
    }
    auto tls = std::make_unique<httplib::SSLServer>(options_.tls_cert_path.c_str(),
                                                    options_.tls_key_path.c_str());
    if (!tls->is_valid()) {
      return absl::InvalidArgumentError(absl::StrCat("HTTPS: cannot load the certificate ",
                                                     options_.tls_cert_path, " with the key ",
                                                     options_.tls_key_path));
    }
    server_ = std::move(tls);
  } else {
    server_ = std::make_unique<httplib::Server>();
  }
  httplib::Server& s = *server_;
  const size_t threads = static_cast<size_t>(std::max(2, options_.threads));
  s.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  // The upload route takes a file; every other body stays under kMaxRequestBodyBytes,
  // refused here from its headers before it is read.
  s.set_payload_max_length(kMaxUploadBodyBytes);

  // Every route but the public ones needs a session: checked here, before any handler.
  s.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (req.path != kUploadApiPath &&
        (req.has_header("Transfer-Encoding") ||
         req.get_header_value<uint64_t>("Content-Length") > kMaxRequestBodyBytes)) {
      SendError(res, 413, absl::StrCat("request body over ", kMaxRequestBodyBytes, " bytes"));
      return httplib::Server::HandlerResponse::Handled;
    }
    if (IsPublicPath(req.path) || SessionOf(req).has_value()) {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    if (absl::StartsWith(req.path, "/api/")) {
      SendError(res, 401, "no valid session: log in at /login");
    } else {
      res.status = 303;
      res.set_header("Location", kLoginPath);
      res.set_header("Cache-Control", "no-store");
    }
    return httplib::Server::HandlerResponse::Handled;
  });
  // No framing (a write button must not be clicked through another site's page).
  s.set_post_routing_handler([](const httplib::Request&, httplib::Response& res) {
    res.set_header("X-Frame-Options", "DENY");
    res.set_header("Content-Security-Policy", "frame-ancestors 'none'");
    res.set_header("X-Content-Type-Options", "nosniff");
    // Not "no-referrer": under it a browser sends "Origin: null" with a form POST, which
    // the same-origin check must refuse.
    res.set_header("Referrer-Policy", "same-origin");
  });

  auto serve_text = [&s](const char* path, const std::string* text, const char* type) {
    s.Get(path, [text, type](const httplib::Request&, httplib::Response& res) {
      res.set_content(*text, type);
    });
  };
  // The page is built once; the assets live as long as the server.
  auto page_text = std::make_shared<std::string>(*std::move(page));
  s.Get("/", [page_text](const httplib::Request&, httplib::Response& res) {
    res.set_header("Cache-Control", "no-store");
    res.set_content(*page_text, "text/html; charset=utf-8");
  });
  serve_text(kPageJsPath, &assets_.page_js, "text/javascript; charset=utf-8");
  serve_text(kPageCssPath, &assets_.page_css, "text/css; charset=utf-8");
  serve_text(kChartJsPath, &assets_.chart_js, "text/javascript; charset=utf-8");
  serve_text(kChartCssPath, &assets_.chart_css, "text/css; charset=utf-8");
  s.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", "text/plain");
  });

  s.Get(kLoginPath, [](const httplib::Request&, httplib::Response& res) {
    res.set_header("Cache-Control", "no-store");
    res.set_content(LoginPageHtml(""), "text/html; charset=utf-8");
  });
  s.Post(kLoginPath, [this](const httplib::Request& req, httplib::Response& res) {
    const absl::Time now = options_.now();
    auto refuse = [&res](int http_status, absl::string_view message) {
      res.status = http_status;
      res.set_header("Cache-Control", "no-store");
      res.set_content(LoginPageHtml(message), "text/html; charset=utf-8");
    };
    if (absl::Status same = CheckSameOrigin(OriginOf(req), https_); !same.ok()) {
      base::LogWarning(absl::StrCat("login refused from ", base::EscapeForLog(req.remote_addr),
                                    ": ", same.message()));
      return refuse(403, same.message());
    }
    const absl::Duration wait = login_throttle_.WaitBeforeAttempt(req.remote_addr, now);
    if (wait > absl::ZeroDuration()) {
      const int64_t seconds =
          std::max<int64_t>(1, absl::ToInt64Seconds(absl::Ceil(wait, absl::Seconds(1))));
      res.set_header("Retry-After", std::to_string(seconds));
      return refuse(429, absl::StrCat("Too many failed logins from this address; try again in ",
                                      seconds, " s."));
    }
    httplib::Params form;
    httplib::detail::parse_query_text(req.body, form);
    auto field = form.find("token");
    std::string token = field == form.end() ? "" : field->second;
    while (!token.empty() &&
           (token.back() == '\n' || token.back() == '\r' || token.back() == ' ')) {
      token.pop_back();
    }
    std::optional<std::string> role;
    if (!token.empty() && token.size() <= kMaxLoginTokenBytes) role = access_.tokens->RoleOf(token);
    if (!role.has_value()) {
      login_throttle_.Failed(req.remote_addr, now);
      base::LogWarning(absl::StrCat("login refused from ", base::EscapeForLog(req.remote_addr),
                                    token.empty() ? ": no token given" : ": unknown token"));
      return refuse(401, token.empty() ? "No token given." : "That token is not valid here.");
    }
    absl::StatusOr<ConsoleSession> session = sessions_.Create(*role, token, now);
    if (!session.ok()) return refuse(500, "Cannot make a session; see the console's log.");
    base::LogInfo(absl::StrCat("login: ", *role, " from ", base::EscapeForLog(req.remote_addr)));
    res.status = 303;
    res.set_header("Location", "/");
    res.set_header("Cache-Control", "no-store");
    res.set_header("Set-Cookie", SessionSetCookie(kSessionCookie, session->id,
                                                  options_.sessions.absolute, https_));
  });

  s.Get("/api/session", [this](const httplib::Request& req, httplib::Response& res) {
    std::optional<ConsoleSession> session = SessionOf(req);
    if (!session.has_value()) return SendError(res, 401, "no valid session: log in at /login");
    res.set_header("Cache-Control", "no-store");
    // Which roles the gateway lets decide approvals, from the one roles table: the page
    // shows the approve and reject buttons only to them (the gateway still checks).
    nlohmann::json decider_roles = nlohmann::json::array();
    for (const std::string& role : security::PersonRoles()) {
      if (security::AuthorizeMethod(kApproveMethod, role).ok() &&
          security::AuthorizeMethod(kRejectMethod, role).ok()) {
        decider_roles.push_back(role);
      }
    }
    const bool can_decide_approvals =
        security::AuthorizeMethod(kApproveMethod, session->role).ok() &&
        security::AuthorizeMethod(kRejectMethod, session->role).ok();
    const nlohmann::json body = {
        {"role", session->role},
        {"can_decide_approvals", can_decide_approvals},
        {"approval_decider_roles", decider_roles},
        {"csrf_token", session->csrf_token},
        {"idle_timeout_s", absl::ToInt64Seconds(options_.sessions.idle)},
        {"expires_unix_s", absl::ToUnixSeconds(session->created + options_.sessions.absolute)}};
    res.set_content(body.dump(), "application/json");
  });

  // The checks every write makes: a session, its CSRF token, a same-origin request.
  auto writer = [this](const httplib::Request& req,
                       httplib::Response& res) -> std::optional<ConsoleSession> {
    std::optional<ConsoleSession> session = SessionOf(req);
    if (!session.has_value()) {
      SendError(res, 401, "no valid session: log in at /login");
      return std::nullopt;
    }
    if (absl::Status guard =
            CheckWriteRequest(*session, req.get_header_value(kCsrfHeader), OriginOf(req), https_);
        !guard.ok()) {
      base::LogWarning(
          absl::StrCat("write ", req.path, " refused for ", session->role, ": ", guard.message()));
      SendError(res, 403, guard.message());
      return std::nullopt;
    }
    return session;
  };

  s.Post("/api/logout", [this, writer](const httplib::Request& req, httplib::Response& res) {
    std::optional<ConsoleSession> session = writer(req, res);
    if (!session.has_value()) return;
    sessions_.End(session->id);
    res.set_header("Set-Cookie", ClearSessionCookie(kSessionCookie, https_));
    res.set_content(R"({"logged_out":true})", "application/json");
  });

  s.Get("/api/thresholds", [this](const httplib::Request& req, httplib::Response& res) {
    std::optional<ConsoleSession> session = SessionOf(req);
    if (!session.has_value()) return SendError(res, 401, "no valid session: log in at /login");
    if (access_.thresholds == nullptr) return SendError(res, 503, "no response agent configured");
    absl::StatusOr<v1::Thresholds> t = access_.thresholds->Get(session->bearer_token);
    if (!t.ok()) return SendError(res, HttpStatusOf(t.status()), t.status().message());
    res.set_header("Cache-Control", "no-store");
    res.set_content(nlohmann::json{{"thresholds", ThresholdsJson(*t)}}.dump(), "application/json");
  });

  s.Get("/api/advice", [this](const httplib::Request& req, httplib::Response& res) {
    std::optional<ConsoleSession> session = SessionOf(req);
    if (!session.has_value()) return SendError(res, 401, "no valid session: log in at /login");
    if (access_.advice == nullptr) return SendError(res, 503, "no forecast process configured");
    absl::StatusOr<v1::AdviseRequest> request = AdviceRequestFromQuery(req.params);
    if (!request.ok()) return SendBadRequest(res, request.status());
    absl::StatusOr<v1::AdviseResponse> advice =
        access_.advice->Advise(session->bearer_token, *request);
    if (!advice.ok())
      return SendError(res, HttpStatusOf(advice.status()), advice.status().message());
    std::string json;
    google::protobuf::util::JsonPrintOptions print;
    print.preserve_proto_field_names = true;
    if (!google::protobuf::util::MessageToJsonString(*advice, &json, print).ok()) {
      return SendError(res, 500, "the advice could not be written as JSON");
    }
    res.set_header("Cache-Control", "no-store");
    res.set_content(json, "application/json");
  });

  s.Post("/api/thresholds", [this, writer](const httplib::Request& req, httplib::Response& res) {
    std::optional<ConsoleSession> session = writer(req, res);
    if (!session.has_value()) return;
    if (access_.thresholds == nullptr) return SendError(res, 503, "no response agent configured");
    absl::StatusOr<v1::Thresholds> wanted = ParseThresholds(req.body);
    if (!wanted.ok()) return SendBadRequest(res, wanted.status());
    absl::StatusOr<v1::Thresholds> now_in_force =
        access_.thresholds->Set(session->bearer_token, *wanted);
    if (!now_in_force.ok()) {
      base::LogWarning(absl::StrCat("SetThresholds by ", session->role,
                                    " refused: ", now_in_force.status().ToString()));
      return SendError(res, HttpStatusOf(now_in_force.status()), now_in_force.status().message());
    }
    base::LogInfo(absl::StrCat("SetThresholds by ", session->role, ": ramp limit ",
                               now_in_force->ramp_limit_mw(), " MW, margin ",
                               now_in_force->margin_mw(), " MW"));
    res.set_header("Cache-Control", "no-store");
    res.set_content(
        nlohmann::json{{"thresholds", ThresholdsJson(*now_in_force)}, {"by", session->role}}.dump(),
        "application/json");
  });

  // The gateway's pending approvals, listed and decided as the person (approvals_access.h).
  s.Get("/api/approvals", [this](const httplib::Request& req, httplib::Response& res) {
    std::optional<ConsoleSession> session = SessionOf(req);
    if (!session.has_value()) return SendError(res, 401, "no valid session: log in at /login");
    if (access_.approvals == nullptr) return SendError(res, 503, "no gateway configured");
    absl::StatusOr<v1::ListApprovalsResponse> list = access_.approvals->List(session->bearer_token);
    if (!list.ok()) return SendError(res, HttpStatusOf(list.status()), list.status().message());
    SendProtoJson(res, *list);
  });
  for (const bool approve : {true, false}) {
    s.Post(approve ? "/api/approvals/approve" : "/api/approvals/reject",
           [this, writer, approve](const httplib::Request& req, httplib::Response& res) {
             std::optional<ConsoleSession> session = writer(req, res);
             if (!session.has_value()) return;
             if (access_.approvals == nullptr) return SendError(res, 503, "no gateway configured");
             absl::StatusOr<ApprovalDecision> decision = ParseApprovalDecision(req.body);
             if (!decision.ok()) return SendBadRequest(res, decision.status());
             const std::string what = absl::StrCat(approve ? "Approve " : "Reject ",
                                                   decision->approval_id, " by ", session->role);
             absl::StatusOr<v1::ApproveResponse> done = v1::ApproveResponse();
             if (approve) {
               done = access_.approvals->Approve(session->bearer_token, decision->approval_id,
                                                 decision->reason);
             } else if (absl::Status rejected = access_.approvals->Reject(
                            session->bearer_token, decision->approval_id, decision->reason);
                        !rejected.ok()) {
               done = rejected;
             }
             if (!done.ok()) {
               base::LogWarning(absl::StrCat(what, " refused: ", done.status().ToString()));
               return SendError(res, HttpStatusOf(done.status()), done.status().message());
             }
             base::LogInfo(what);
             res.set_header("Cache-Control", "no-store");
             res.set_content(nlohmann::json{{"approval_id", decision->approval_id},
                                            {"decision", approve ? "approved" : "rejected"},
                                            {"proposal_id", done->proposal_id()},
                                            {"by", session->role}}
                                 .dump(),
                             "application/json");
           });
  }

  auto upload_page = std::make_shared<std::string>(assets_.upload_html);
  s.Get(kUploadPagePath, [upload_page](const httplib::Request&, httplib::Response& res) {
    res.set_header("Cache-Control", "no-store");
    res.set_content(*upload_page, "text/html; charset=utf-8");
  });
  serve_text(kUploadJsPath, &assets_.upload_js, "text/javascript; charset=utf-8");
  // A file's text scored by the forecast service as the person; a write's checks (CSRF,
  // same origin) although nothing is stored, since it spends the stack's CPU.
  s.Post(kUploadApiPath, [this, writer](const httplib::Request& req, httplib::Response& res) {
    std::optional<ConsoleSession> session = writer(req, res);
    if (!session.has_value()) return;
    if (access_.scoring == nullptr) return SendError(res, 503, "no forecast service configured");
    absl::StatusOr<v1::ScoreReadingsRequest> request =
        UploadRequest(req.body, req.get_header_value("Content-Type"), req.params);
    if (!request.ok()) return SendBadRequest(res, request.status());
    absl::StatusOr<v1::ScoreReadingsResponse> scored =
        access_.scoring->Score(session->bearer_token, *request);
    if (!scored.ok()) {
      return SendError(res,
                       scored.status().code() == absl::StatusCode::kResourceExhausted
                           ? 429
                           : HttpStatusOf(scored.status()),
                       scored.status().message());
    }
    base::LogInfo(absl::StrCat("upload scored for ", session->role, ": ",
                               base::EscapeForLog(request->source_name()), ", ",
                               scored->rows_size(), " rows, ", scored->flagged(), " flagged"));
    res.set_header("Cache-Control", "no-store");
    res.set_content(UploadResultJson(request->source_name(), *scored)
                        .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                    "application/json");
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
    // Per connection: what this client has been sent, and whose session it serves.
    struct Cursor {
      SnapshotQuery query;
      int64_t version = -1;
      std::string session_id;
    };
    auto cursor = std::make_shared<Cursor>(
        Cursor{*query, -1, CookieValue(req.get_header_value("Cookie"), kSessionCookie)});
    res.set_chunked_content_provider(
        "text/event-stream", [this, cursor](size_t, httplib::DataSink& sink) {
          const absl::Time give_up = absl::Now() + options_.keep_alive;
          while (!stopping_.load()) {
            if (!sink.is_writable()) return false;
            // An open page counts as use; the stream ends with its session.
            if (!sessions_.Find(cursor->session_id, options_.now()).has_value()) break;
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

  s.Get(kReportPdfPath, [this](const httplib::Request&, httplib::Response& res) {
    absl::StatusOr<std::string> pdf = report_pdf_.Print("gridpilot console report");
    if (!pdf.ok()) {
      base::LogWarning(absl::StrCat("PDF report: ", pdf.status().ToString()));
      if (pdf.status().code() == absl::StatusCode::kResourceExhausted) {
        res.set_header("Retry-After", "5");
      }
      return SendError(res, ReportPdfHttpStatus(pdf.status()), pdf.status().message());
    }
    res.set_header("Cache-Control", "no-store");
    res.set_header("Content-Disposition", "attachment; filename=\"gridpilot-report.pdf\"");
    res.set_content(*std::move(pdf), "application/pdf");
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
