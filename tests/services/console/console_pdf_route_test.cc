// The console's GET /report.pdf over HTTP, with a stand-in Chromium that prints only when
// the test opens a gate: no session is sent to /login; a viewer gets application/pdf as an
// attachment; with the bound's prints running a further request is 503 with Retry-After
// at once; a missing Chromium is 503 naming it; the bound must be sensible to start.
#include <httplib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/console/console_http_server.h"
#include "services/security/token_table.h"
#include "tests/services/console/console_test_assets.h"
#include "tests/services/console/pdf_test_tools.h"

namespace gridpilot {
namespace {

using ::testing::HasSubstr;

constexpr char kViewerToken[] = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";

class ConsolePdfRouteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshTestDir("console-pdf-route");
    gate_ = dir_ + "/gate";
    // Each print marks that it started, then waits for the gate.
    options_.report_pdf.print.temp_parent = dir_;
    options_.report_pdf.print.chromium =
        FakeChromium(dir_, "gated",
                     "touch " + dir_ + "/started-$$\nwhile [ ! -e " + gate_ +
                         " ]; do sleep 0.05; done\nprintf '%%PDF-1.4 console' > \"$out\"");
    absl::StatusOr<security::TokenTable> tokens = security::TokenTable::Parse(
        absl::StrCat("viewer ", security::Sha256Hex(kViewerToken), "\n"), "test");
    ASSERT_TRUE(tokens.ok()) << tokens.status();
    tokens_ = *std::move(tokens);
  }
  void TearDown() override {
    if (server_ != nullptr) server_->Stop();
  }

  void Start() {
    server_ = std::make_unique<ConsoleHttpServer>(&state_, MinimalWebAssets("", "", "", ""),
                                                  ConsoleAccess{&tokens_, nullptr}, options_);
    absl::StatusOr<int> port = server_->Start("127.0.0.1", 0, "");
    ASSERT_TRUE(port.ok()) << port.status();
    port_ = *port;
  }

  std::unique_ptr<httplib::Client> Client() {
    auto client = std::make_unique<httplib::Client>("127.0.0.1", port_);
    client->set_read_timeout(60, 0);
    return client;
  }

  httplib::Headers Session() {
    httplib::Result r = Client()->Post("/login", std::string("token=") + kViewerToken,
                                       "application/x-www-form-urlencoded");
    EXPECT_TRUE(r);
    if (!r) return {};
    const std::string set_cookie = r->get_header_value("Set-Cookie");
    return {{"Cookie", set_cookie.substr(0, set_cookie.find(';'))}};
  }

  int Started() {
    int n = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
      if (entry.path().filename().string().rfind("started-", 0) == 0) ++n;
    }
    return n;
  }

  std::string dir_;
  std::string gate_;
  ConsoleHttpOptions options_;
  security::TokenTable tokens_;
  ConsoleState state_;
  std::unique_ptr<ConsoleHttpServer> server_;
  int port_ = 0;
};

TEST_F(ConsolePdfRouteTest, AViewerGetsThePdfAndPrintsBeyondTheBoundGet503) {
  options_.report_pdf.max_concurrent = 2;
  Start();
  httplib::Result anonymous = Client()->Get(kReportPdfPath);
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 303);
  EXPECT_EQ(anonymous->get_header_value("Location"), "/login");

  const httplib::Headers session = Session();
  struct Answer {
    int status = 0;
    std::string type, disposition, body;
  };
  std::vector<Answer> results(2);
  std::vector<std::thread> printing;
  for (int i = 0; i < 2; ++i) {
    printing.emplace_back([&, i] {
      httplib::Result r = Client()->Get(kReportPdfPath, session);
      if (r) {
        results[i] = {r->status, r->get_header_value("Content-Type"),
                      r->get_header_value("Content-Disposition"), r->body};
      }
    });
  }
  while (Started() < 2) absl::SleepFor(absl::Milliseconds(10));
  httplib::Result busy = Client()->Get(kReportPdfPath, session);
  ASSERT_TRUE(busy);
  EXPECT_EQ(busy->status, 503);
  EXPECT_EQ(busy->get_header_value("Retry-After"), "5");
  EXPECT_THAT(busy->body, HasSubstr("already running"));
  std::ofstream(gate_).close();
  for (std::thread& t : printing) t.join();
  for (const Answer& r : results) {
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.type, "application/pdf");
    EXPECT_THAT(r.disposition, HasSubstr("attachment"));
    EXPECT_EQ(r.body, "%PDF-1.4 console");
  }
}

TEST_F(ConsolePdfRouteTest, NoChromiumIs503NamingIt) {
  options_.report_pdf.print.chromium = "/nonexistent/chromium";
  Start();
  httplib::Result r = Client()->Get(kReportPdfPath, Session());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_THAT(r->body, HasSubstr("/nonexistent/chromium"));
}

TEST_F(ConsolePdfRouteTest, AnUnboundedPrintLimitDoesNotStart) {
  options_.report_pdf.max_concurrent = 0;
  ConsoleHttpServer server(&state_, MinimalWebAssets("", "", "", ""),
                           ConsoleAccess{&tokens_, nullptr}, options_);
  EXPECT_EQ(server.Start("127.0.0.1", 0, "").status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace gridpilot
