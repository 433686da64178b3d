// The console's advice panel route, GET /api/advice, on loopback with a fake forecast
// process: 401 without a session, the query passed on as an AdviseRequest with the
// person's token, the advice as JSON, 400 for a bad query and the peer's refusal passed
// through.
#include <httplib.h>

#include <string>

#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/common/proto_time.h"
#include "services/console/console_http_server.h"
#include "services/security/token_table.h"
#include "tests/services/console/console_test_assets.h"

namespace gridpilot {
namespace {

using ::testing::HasSubstr;

constexpr char kViewerToken[] = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";

class FakeAdvice : public AdviceAccess {
 public:
  absl::StatusOr<v1::AdviseResponse> Advise(const std::string& token,
                                            const v1::AdviseRequest& request) override {
    absl::MutexLock lock(&mu_);
    token_ = token;
    request_ = request;
    if (request.flexible_share() == 1.0) return absl::FailedPreconditionError("no load known");
    v1::AdviseResponse response;
    response.set_advice("move 3264 MWh of flexible load from 16:30-19:00 to 03:30-04:00");
    response.set_forecast_peak_mw(37932);
    return response;
  }
  std::string token() {
    absl::MutexLock lock(&mu_);
    return token_;
  }
  v1::AdviseRequest request() {
    absl::MutexLock lock(&mu_);
    return request_;
  }

 private:
  absl::Mutex mu_;
  std::string token_;
  v1::AdviseRequest request_;
};

class ConsoleAdviceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<security::TokenTable> tokens = security::TokenTable::Parse(
        absl::StrCat("viewer ", security::Sha256Hex(kViewerToken), "\n"), "test");
    ASSERT_TRUE(tokens.ok()) << tokens.status();
    tokens_ = *std::move(tokens);
    ConsoleAccess access{&tokens_, nullptr, &advice_};
    server_ = std::make_unique<ConsoleHttpServer>(
        &state_, MinimalWebAssets("/* page */", "/* css */", "/* uPlot */", "/* uPlot css */"),
        access);
    absl::StatusOr<int> port = server_->Start("127.0.0.1", 0, "");
    ASSERT_TRUE(port.ok()) << port.status();
    client_ = std::make_unique<httplib::Client>("127.0.0.1", *port);
    client_->set_read_timeout(10, 0);
  }
  void TearDown() override { server_->Stop(); }

  httplib::Headers Session() {
    httplib::Result r = client_->Post("/login", std::string("token=") + kViewerToken,
                                      "application/x-www-form-urlencoded");
    EXPECT_TRUE(r);
    if (!r) return {};
    const std::string set_cookie = r->get_header_value("Set-Cookie");
    return {{"Cookie", set_cookie.substr(0, set_cookie.find(';'))}};
  }

  security::TokenTable tokens_;
  FakeAdvice advice_;
  ConsoleState state_;
  std::unique_ptr<ConsoleHttpServer> server_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(ConsoleAdviceTest, NeedsASession) {
  httplib::Result r = client_->Get("/api/advice");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
}

TEST_F(ConsoleAdviceTest, PassesTheQueryOnAsThePersonAndReturnsTheAdvice) {
  const httplib::Headers session = Session();
  httplib::Result r = client_->Get(
      "/api/advice?date=2023-01-17&flexible_share=0.1&peak_limit_mw=30000&battery_capacity_mwh=100",
      session);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const nlohmann::json json = nlohmann::json::parse(r->body);
  EXPECT_EQ(json["advice"], "move 3264 MWh of flexible load from 16:30-19:00 to 03:30-04:00");
  EXPECT_DOUBLE_EQ(json["forecast_peak_mw"].get<double>(), 37932);
  EXPECT_EQ(advice_.token(), kViewerToken);
  const v1::AdviseRequest request = advice_.request();
  EXPECT_EQ(FromProtoTime(request.day()),
            absl::FromCivil(absl::CivilDay(2023, 1, 17), absl::UTCTimeZone()));
  EXPECT_DOUBLE_EQ(request.flexible_share(), 0.1);
  EXPECT_DOUBLE_EQ(request.peak_limit_mw(), 30000);
  EXPECT_DOUBLE_EQ(request.battery_capacity_mwh(), 100);
}

TEST_F(ConsoleAdviceTest, RefusesABadQueryAndPassesTheRefusalThrough) {
  const httplib::Headers session = Session();
  httplib::Result bad = client_->Get("/api/advice?flexible_share=2", session);
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_THAT(bad->body, HasSubstr("flexible_share"));
  httplib::Result unknown = client_->Get("/api/advice?share=0.1", session);
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 400);
  EXPECT_THAT(unknown->body, HasSubstr("unknown parameter share"));
  httplib::Result refused = client_->Get("/api/advice?flexible_share=1", session);
  ASSERT_TRUE(refused);
  EXPECT_NE(refused->status, 200);
  EXPECT_THAT(refused->body, HasSubstr("no load known"));
}

}  // namespace
}  // namespace gridpilot
