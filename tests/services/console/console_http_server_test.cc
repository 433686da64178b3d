// ConsoleHttpServer on loopback with an in-memory ConsoleState and page, a token table and
// a fake response agent: nothing but the login page without a session (401 for the API,
// a redirect for the page), login with a wrong token 401 and rate-limited, the session
// cookie's attributes, writes that need the CSRF token and pass the stack's refusal
// through, logout, session expiry on a fake clock; then, logged in, the page and assets,
// 400s for bad query parameters, the snapshot and the event stream.
#include "services/console/console_http_server.h"

#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "core/base/status_macros.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/proto_time.h"
#include "services/console/csrf_guard.h"
#include "services/security/token_table.h"
#include "tests/services/console/console_test_assets.h"

namespace gridpilot {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kOperatorToken[] =
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
constexpr char kViewerToken[] = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";

// The response agent as the stack's authorizer sees it: reads for any known token,
// SetThresholds for operator only, with the role check's kind of message.
class FakeThresholds : public ThresholdsAccess {
 public:
  absl::StatusOr<v1::Thresholds> Get(const std::string& token) override {
    if (token != kOperatorToken && token != kViewerToken) {
      return absl::UnauthenticatedError("unknown token");
    }
    absl::MutexLock lock(&mu_);
    return thresholds_;
  }
  absl::StatusOr<v1::Thresholds> Set(const std::string& token, const v1::Thresholds& t) override {
    if (token == kViewerToken) {
      return absl::PermissionDeniedError(
          "/gridpilot.v1.ResponseService/SetThresholds needs role operator or admin; the caller "
          "is viewer");
    }
    if (token != kOperatorToken) return absl::UnauthenticatedError("unknown token");
    if (!(t.ramp_limit_mw() > 0)) return absl::InvalidArgumentError("ramp limit must be > 0");
    absl::MutexLock lock(&mu_);
    thresholds_ = t;
    ++sets_;
    return thresholds_;
  }
  int sets() {
    absl::MutexLock lock(&mu_);
    return sets_;
  }

 private:
  absl::Mutex mu_;
  v1::Thresholds thresholds_;
  int sets_ = 0;
};

// The gateway's ApprovalService as the console sees it: approval 7 is pending; deciding
// needs the operator's token; each decision is kept with its token and reason.
class FakeApprovals : public ApprovalsAccess {
 public:
  absl::StatusOr<v1::ListApprovalsResponse> List(const std::string& token) override {
    if (token != kOperatorToken && token != kViewerToken) {
      return absl::UnauthenticatedError("unknown token");
    }
    absl::MutexLock lock(&mu_);
    v1::ListApprovalsResponse response;
    if (!decided_) {
      v1::PendingApproval* a = response.add_approvals();
      a->set_approval_id(7);
      a->set_identity("ai-agent");
      a->mutable_proposal()->set_power_mw(8.0);
      a->set_pending_reason("|power_mw| 8 is above its limit 5 MW");
    }
    return response;
  }
  absl::StatusOr<v1::ApproveResponse> Approve(const std::string& token, int64_t id,
                                              const std::string& reason) override {
    RETURN_IF_ERROR(Decide(token, id, "approved " + reason));
    v1::ApproveResponse response;
    response.set_proposal_id(42);
    return response;
  }
  absl::Status Reject(const std::string& token, int64_t id, const std::string& reason) override {
    return Decide(token, id, "rejected " + reason);
  }
  std::vector<std::string> decisions() {
    absl::MutexLock lock(&mu_);
    return decisions_;
  }

 private:
  absl::Status Decide(const std::string& token, int64_t id, const std::string& what) {
    if (token == kViewerToken) {
      return absl::PermissionDeniedError(
          "/gridpilot.v1.ApprovalService/Approve needs role operator or admin; the caller is "
          "viewer");
    }
    absl::MutexLock lock(&mu_);
    if (id != 7 || decided_) return absl::NotFoundError(absl::StrCat("approval ", id));
    decided_ = true;
    decisions_.push_back(what);
    return absl::OkStatus();
  }
  absl::Mutex mu_;
  bool decided_ = false;
  std::vector<std::string> decisions_;
};

WebAssets Assets() {
  return MinimalWebAssets("/* page */", "/* css */", "/* uPlot */", "/* uPlot css */");
}

v1::Tick Tick(int i, double net_load_mw) {
  v1::Tick tick;
  *tick.mutable_time() = ToProtoTime(absl::FromUnixSeconds(1678233600 + 1800 * (i + 1)));
  *tick.mutable_measured_interval_start() =
      ToProtoTime(absl::FromUnixSeconds(1678233600 + 1800 * i));
  tick.set_net_load_mw(net_load_mw);
  tick.set_interval_boundary(true);
  return tick;
}

class ConsoleHttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<security::TokenTable> tokens = security::TokenTable::Parse(
        absl::StrCat("operator ", security::Sha256Hex(kOperatorToken), "\nviewer ",
                     security::Sha256Hex(kViewerToken), "\n"),
        "test");
    ASSERT_TRUE(tokens.ok()) << tokens.status();
    tokens_ = *std::move(tokens);
    ConsoleHttpOptions options;
    options.min_event_interval = absl::ZeroDuration();
    options.logins.max_failures = 3;
    options.now = [this] {
      absl::MutexLock lock(&clock_mu_);
      return now_;
    };
    server_ = std::make_unique<ConsoleHttpServer>(
        &state_, Assets(), ConsoleAccess{&tokens_, &thresholds_, nullptr, nullptr, &approvals_},
        options);
    port_file_ = ::testing::TempDir() + "/console-http.port";
    std::filesystem::remove(port_file_);
    absl::StatusOr<int> port = server_->Start("127.0.0.1", 0, port_file_);
    ASSERT_TRUE(port.ok()) << port.status();
    port_ = *port;
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
    client_->set_read_timeout(10, 0);
  }
  void TearDown() override { server_->Stop(); }

  void Advance(absl::Duration d) {
    absl::MutexLock lock(&clock_mu_);
    now_ += d;
  }

  httplib::Result Login(const std::string& token) {
    return client_->Post("/login", "token=" + token, "application/x-www-form-urlencoded");
  }

  // Logs in with `token`; the Cookie header and the CSRF token of the new session.
  std::pair<httplib::Headers, std::string> Session(const std::string& token) {
    httplib::Result r = Login(token);
    EXPECT_TRUE(r);
    if (!r) return {};
    EXPECT_EQ(r->status, 303);
    const std::string set_cookie = r->get_header_value("Set-Cookie");
    httplib::Headers headers = {{"Cookie", set_cookie.substr(0, set_cookie.find(';'))}};
    httplib::Result session = client_->Get("/api/session", headers);
    EXPECT_TRUE(session);
    if (!session || session->status != 200) return {headers, ""};
    return {headers, nlohmann::json::parse(session->body)["csrf_token"].get<std::string>()};
  }

  httplib::Result PostThresholds(httplib::Headers headers, double ramp_limit_mw) {
    return client_->Post(
        "/api/thresholds", headers,
        nlohmann::json{{"ramp_limit_mw", ramp_limit_mw}, {"margin_mw", 5.0}}.dump(),
        "application/json");
  }

  absl::Mutex clock_mu_;
  absl::Time now_ = absl::FromUnixSeconds(1780000000);
  security::TokenTable tokens_;
  FakeThresholds thresholds_;
  FakeApprovals approvals_;
  ConsoleState state_;
  std::unique_ptr<ConsoleHttpServer> server_;
  std::unique_ptr<httplib::Client> client_;
  std::string port_file_;
  int port_ = 0;
};

TEST_F(ConsoleHttpServerTest, ServesThePageAndWritesThePortFile) {
  std::ifstream in(port_file_);
  int written = 0;
  in >> written;
  EXPECT_EQ(written, port_);
  const httplib::Headers session = Session(kViewerToken).first;
  httplib::Result page = client_->Get("/", session);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_THAT(page->body, HasSubstr("<script src=\"/lib/uPlot.iife.min.js\">"));
  httplib::Result lib = client_->Get("/lib/uPlot.iife.min.js", session);
  ASSERT_TRUE(lib);
  EXPECT_EQ(lib->body, "/* uPlot */");
  EXPECT_EQ(client_->Get("/nothing-here", session)->status, 404);
}

TEST_F(ConsoleHttpServerTest, BadParametersGet400WithTheReason) {
  const httplib::Headers session = Session(kViewerToken).first;
  for (const char* path : {"/api/snapshot?from=noon", "/api/snapshot?after=-3",
                           "/api/snapshot?color=red", "/api/stream?to=x"}) {
    SCOPED_TRACE(path);
    httplib::Result r = client_->Get(path, session);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400);
    const nlohmann::json body = nlohmann::json::parse(r->body);
    EXPECT_FALSE(body["error"].get<std::string>().empty());
  }
}

TEST_F(ConsoleHttpServerTest, SnapshotIsTheStatesJsonInRange) {
  for (int i = 0; i < 4; ++i) state_.AddTick(Tick(i, 200.0 + i));
  httplib::Result r =
      client_->Get("/api/snapshot?from=2023-03-08T01:00:00Z", Session(kViewerToken).first);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  const nlohmann::json s = nlohmann::json::parse(r->body);
  EXPECT_EQ(s["ticks"]["net_load_mw"], nlohmann::json({201.0, 202.0, 203.0}));
}

TEST_F(ConsoleHttpServerTest, StreamSendsOnlyWhatIsNew) {
  state_.AddTick(Tick(0, 200.0));
  std::vector<nlohmann::json> events;
  std::string buffer;
  std::thread feeder;
  httplib::Result r =
      client_->Get("/api/stream", Session(kViewerToken).first, [&](const char* data, size_t n) {
        buffer.append(data, n);
        size_t end;
        while ((end = buffer.find("\n\n")) != std::string::npos) {
          const std::string event = buffer.substr(0, end);
          buffer.erase(0, end + 2);
          const size_t at = event.find("data: ");
          if (at == std::string::npos) continue;
          events.push_back(nlohmann::json::parse(event.substr(at + 6)));
          if (events.size() == 1) {
            feeder = std::thread([this] { state_.AddTick(Tick(1, 250.0)); });
          }
        }
        return events.size() < 2;  // false ends the download
      });
  if (feeder.joinable()) feeder.join();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_TRUE(events[0]["reset"].get<bool>());
  EXPECT_EQ(events[0]["ticks"]["net_load_mw"], nlohmann::json({200.0}));
  EXPECT_FALSE(events[1]["reset"].get<bool>());
  EXPECT_EQ(events[1]["ticks"]["net_load_mw"], nlohmann::json({250.0}));
}

TEST_F(ConsoleHttpServerTest, WithoutASessionOnlyTheLoginPageIsServed) {
  for (const char* path : {"/api/snapshot", "/api/stream", "/api/session", "/api/thresholds"}) {
    SCOPED_TRACE(path);
    httplib::Result r = client_->Get(path);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401);
    EXPECT_THAT(nlohmann::json::parse(r->body)["error"].get<std::string>(), HasSubstr("log in"));
  }
  for (const char* path : {"/", "/console.js", "/lib/uPlot.iife.min.js"}) {
    SCOPED_TRACE(path);
    httplib::Result r = client_->Get(path);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 303);
    EXPECT_EQ(r->get_header_value("Location"), "/login");
    EXPECT_THAT(r->body, Not(HasSubstr("uPlot")));
  }
  EXPECT_EQ(client_->Post("/api/thresholds", "{}", "application/json")->status, 401);
  httplib::Result login = client_->Get("/login");
  ASSERT_TRUE(login);
  EXPECT_EQ(login->status, 200);
  EXPECT_THAT(login->body, HasSubstr("<form method=\"post\" action=\"/login\">"));
  EXPECT_EQ(client_->Get("/healthz")->status, 200);
  // A made-up cookie is no session.
  const httplib::Headers forged = {{"Cookie", std::string(kSessionCookie) + "=" + kOperatorToken}};
  EXPECT_EQ(client_->Get("/api/snapshot", forged)->status, 401);
}

TEST_F(ConsoleHttpServerTest, AWrongTokenIs401WithoutEchoAndIsRateLimited) {
  const std::string wrong(64, 'e');
  for (int i = 0; i < 3; ++i) {
    httplib::Result r = Login(wrong);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401);
    EXPECT_FALSE(r->has_header("Set-Cookie"));
    EXPECT_THAT(r->body, HasSubstr("not valid"));
    EXPECT_THAT(r->body, Not(HasSubstr(wrong)));
  }
  // Three failures in the window: even the right token waits.
  httplib::Result blocked = Login(kOperatorToken);
  ASSERT_TRUE(blocked);
  EXPECT_EQ(blocked->status, 429);
  EXPECT_EQ(blocked->get_header_value("Retry-After"), "60");
  EXPECT_FALSE(blocked->has_header("Set-Cookie"));
  Advance(absl::Minutes(1));
  EXPECT_EQ(Login(kOperatorToken)->status, 303);
  EXPECT_EQ(Login("")->status, 401);
}

TEST_F(ConsoleHttpServerTest, LoginSetsAnHttpOnlyStrictCookieAndTheSessionGivesRoleAndCsrf) {
  httplib::Result r = Login(kOperatorToken);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 303);
  EXPECT_EQ(r->get_header_value("Location"), "/");
  const std::string cookie = r->get_header_value("Set-Cookie");
  EXPECT_THAT(cookie, ::testing::StartsWith(std::string(kSessionCookie) + "="));
  EXPECT_THAT(cookie, HasSubstr("; HttpOnly"));
  EXPECT_THAT(cookie, HasSubstr("; SameSite=Strict"));
  EXPECT_THAT(cookie, HasSubstr("; Path=/"));
  EXPECT_THAT(cookie, HasSubstr("; Max-Age=43200"));
  EXPECT_THAT(cookie, Not(HasSubstr("Secure")));  // plain HTTP here
  EXPECT_THAT(cookie, Not(HasSubstr(kOperatorToken)));
  const auto [headers, csrf] = Session(kOperatorToken);
  EXPECT_EQ(csrf.size(), 64u);
  httplib::Result session = client_->Get("/api/session", headers);
  const nlohmann::json body = nlohmann::json::parse(session->body);
  EXPECT_EQ(body["role"], "operator");
  EXPECT_EQ(body["can_decide_approvals"], true);
  EXPECT_EQ(body["approval_decider_roles"], nlohmann::json::array({"operator", "admin"}));
  EXPECT_EQ(body["idle_timeout_s"], 1800);
  EXPECT_EQ(client_->Get("/", headers)->status, 200);
  EXPECT_EQ(server_->sessions(), 2);
}

TEST_F(ConsoleHttpServerTest, AWriteNeedsTheCsrfTokenAndIsMadeAsThePerson) {
  auto [headers, csrf] = Session(kOperatorToken);
  httplib::Result no_csrf = PostThresholds(headers, 40.0);
  ASSERT_TRUE(no_csrf);
  EXPECT_EQ(no_csrf->status, 403);
  EXPECT_THAT(nlohmann::json::parse(no_csrf->body)["error"].get<std::string>(),
              HasSubstr("missing X-CSRF-Token"));
  httplib::Headers wrong = headers;
  wrong.emplace(kCsrfHeader, std::string(64, '0'));
  EXPECT_EQ(PostThresholds(wrong, 40.0)->status, 403);
  // Another session's token does not do either.
  const std::string other_csrf = Session(kOperatorToken).second;
  httplib::Headers crossed = headers;
  crossed.emplace(kCsrfHeader, other_csrf);
  EXPECT_EQ(PostThresholds(crossed, 40.0)->status, 403);
  // The right token from another origin is refused too.
  httplib::Headers foreign = headers;
  foreign.emplace(kCsrfHeader, csrf);
  foreign.emplace("Origin", "http://127.0.0.1:1");
  EXPECT_EQ(PostThresholds(foreign, 40.0)->status, 403);
  EXPECT_EQ(thresholds_.sets(), 0);

  headers.emplace(kCsrfHeader, csrf);
  headers.emplace("Origin", "http://127.0.0.1:" + std::to_string(port_));
  headers.emplace("Sec-Fetch-Site", "same-origin");
  httplib::Result ok = PostThresholds(headers, 40.0);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200) << ok->body;
  const nlohmann::json body = nlohmann::json::parse(ok->body);
  EXPECT_EQ(body["thresholds"]["ramp_limit_mw"], 40.0);
  EXPECT_EQ(body["by"], "operator");
  EXPECT_EQ(thresholds_.sets(), 1);
  httplib::Result read = client_->Get("/api/thresholds", headers);
  EXPECT_EQ(nlohmann::json::parse(read->body)["thresholds"]["margin_mw"], 5.0);
  // The stack's InvalidArgument comes back as 400 with its message; a malformed body too.
  httplib::Result bad = PostThresholds(headers, -1.0);
  EXPECT_EQ(bad->status, 400);
  EXPECT_THAT(bad->body, HasSubstr("ramp limit must be > 0"));
  httplib::Result malformed =
      client_->Post("/api/thresholds", headers, R"({"ramp_limit_mw": "x"})", "application/json");
  EXPECT_EQ(malformed->status, 400);
  EXPECT_THAT(malformed->body, HasSubstr("ramp_limit_mw: a number is required"));
}

TEST_F(ConsoleHttpServerTest, AViewersWriteIsThePeersPermissionDeniedAs403) {
  auto [headers, csrf] = Session(kViewerToken);
  headers.emplace(kCsrfHeader, csrf);
  httplib::Result r = PostThresholds(headers, 40.0);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  EXPECT_THAT(nlohmann::json::parse(r->body)["error"].get<std::string>(),
              HasSubstr("needs role operator or admin; the caller is viewer"));
  EXPECT_EQ(thresholds_.sets(), 0);
}

TEST_F(ConsoleHttpServerTest, ApprovalsAreListedAndDecidedAsThePersonWithTheWriteChecks) {
  EXPECT_EQ(client_->Get("/api/approvals")->status, 401);
  auto [viewer, viewer_csrf] = Session(kViewerToken);
  // The page shows a viewer the card without buttons; /api/session says so.
  httplib::Result viewer_session = client_->Get("/api/session", viewer);
  ASSERT_TRUE(viewer_session);
  EXPECT_EQ(nlohmann::json::parse(viewer_session->body)["can_decide_approvals"], false);
  httplib::Result listed = client_->Get("/api/approvals", viewer);
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->status, 200) << listed->body;
  const nlohmann::json list = nlohmann::json::parse(listed->body);
  EXPECT_EQ(list["approvals"][0]["approval_id"], "7");  // proto JSON: int64 as a string
  EXPECT_EQ(list["approvals"][0]["pending_reason"], "|power_mw| 8 is above its limit 5 MW");
  const std::string origin = "http://127.0.0.1:" + std::to_string(port_);
  viewer.emplace(kCsrfHeader, viewer_csrf);
  viewer.emplace("Origin", origin);
  const std::string approve7 = R"({"approval_id": 7, "reason": "ok"})";
  httplib::Result denied =
      client_->Post("/api/approvals/approve", viewer, approve7, "application/json");
  EXPECT_EQ(denied->status, 403);
  EXPECT_THAT(denied->body, HasSubstr("the caller is viewer"));

  auto [headers, csrf] = Session(kOperatorToken);
  EXPECT_EQ(client_->Post("/api/approvals/approve", headers, approve7, "application/json")->status,
            403);  // no CSRF token
  headers.emplace(kCsrfHeader, csrf);
  headers.emplace("Origin", origin);
  httplib::Result malformed = client_->Post("/api/approvals/approve", headers,
                                            R"({"approval_id": -7})", "application/json");
  EXPECT_EQ(malformed->status, 400);
  EXPECT_THAT(malformed->body, HasSubstr("approval_id: a positive integer is required"));
  EXPECT_TRUE(approvals_.decisions().empty());
  httplib::Result ok =
      client_->Post("/api/approvals/approve", headers, approve7, "application/json");
  ASSERT_EQ(ok->status, 200) << ok->body;
  const nlohmann::json body = nlohmann::json::parse(ok->body);
  EXPECT_EQ(body["decision"], "approved");
  EXPECT_EQ(body["proposal_id"], 42);
  EXPECT_EQ(body["by"], "operator");
  EXPECT_EQ(approvals_.decisions(), std::vector<std::string>{"approved ok"});
  httplib::Result again =
      client_->Post("/api/approvals/reject", headers, approve7, "application/json");
  EXPECT_EQ(again->status, 404);
  EXPECT_EQ(nlohmann::json::parse(client_->Get("/api/approvals", headers)->body).count("approvals"),
            0u);
}

TEST_F(ConsoleHttpServerTest, SessionsEndOnLogoutAndAfterTheIdleLifetime) {
  auto [headers, csrf] = Session(kOperatorToken);
  EXPECT_EQ(client_->Post("/api/logout", headers, "", "text/plain")->status, 403);  // no CSRF
  httplib::Headers with_csrf = headers;
  with_csrf.emplace(kCsrfHeader, csrf);
  httplib::Result out = client_->Post("/api/logout", with_csrf, "", "text/plain");
  ASSERT_TRUE(out);
  EXPECT_EQ(out->status, 200);
  EXPECT_THAT(out->get_header_value("Set-Cookie"), HasSubstr("Max-Age=0"));
  EXPECT_EQ(client_->Get("/api/snapshot", headers)->status, 401);

  const httplib::Headers idle = Session(kViewerToken).first;
  Advance(absl::Minutes(29));
  EXPECT_EQ(client_->Get("/api/snapshot", idle)->status, 200);
  Advance(absl::Minutes(30));
  EXPECT_EQ(client_->Get("/api/snapshot", idle)->status, 401);
}

TEST_F(ConsoleHttpServerTest, AnEventStreamEndsWithItsSession) {
  state_.AddTick(Tick(0, 200.0));
  int events = 0;
  std::thread feeder;
  httplib::Result r =
      client_->Get("/api/stream", Session(kViewerToken).first, [&](const char* data, size_t n) {
        const std::string chunk(data, n);
        if (chunk.find("data: ") == std::string::npos) return true;
        if (++events == 1) {
          // The session outlives its absolute lifetime, then
          // something new arrives: no event carries it.
          Advance(absl::Hours(13));
          feeder = std::thread([this] { state_.AddTick(Tick(1, 250.0)); });
        }
        return events < 2;
      });
  if (feeder.joinable()) feeder.join();
  EXPECT_EQ(events, 1);
  EXPECT_EQ(server_->sessions(), 0);
}

}  // namespace
}  // namespace gridpilot
