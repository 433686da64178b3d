// WebhookSink against a local cpp-httplib server on a free loopback port.
#include "services/alerts/webhook_sink.h"

#include <httplib.h>

#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gridpilot {
namespace {

using ::testing::HasSubstr;

class WebhookSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.Post("/hook", [this](const httplib::Request& request, httplib::Response& response) {
      bodies_.push_back(request.body);
      content_types_.push_back(request.get_header_value("Content-Type"));
      response.status = statuses_.empty() ? 200 : statuses_.front();
      if (!statuses_.empty()) statuses_.erase(statuses_.begin());
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::yield();
  }
  void TearDown() override {
    server_.stop();
    thread_.join();
  }
  std::unique_ptr<WebhookSink> Sink(const std::string& path = "/hook") {
    absl::StatusOr<std::unique_ptr<WebhookSink>> sink =
        WebhookSink::Create(absl::StrCat("http://127.0.0.1:", port_, path), absl::Seconds(10));
    EXPECT_TRUE(sink.ok()) << sink.status();
    return *std::move(sink);
  }

  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::vector<int> statuses_;  // answered in order, then 200
  std::vector<std::string> bodies_;
  std::vector<std::string> content_types_;
};

alerts::AlertNotice Notice() {
  alerts::AlertNotice notice;
  notice.rule = "stale";
  notice.kind = alerts::AlertRuleKind::kDataStale;
  notice.key = "gateway";
  notice.at = absl::FromUnixSeconds(0);
  notice.summary = "no new tick";
  return notice;
}

TEST_F(WebhookSinkTest, PostsTheAlertAsJson) {
  EXPECT_TRUE(Sink()->Deliver(Notice()).ok());
  ASSERT_EQ(bodies_.size(), 1u);
  EXPECT_EQ(content_types_[0], "application/json");
  const nlohmann::json json = nlohmann::json::parse(bodies_[0]);
  EXPECT_EQ(json["rule"], "stale");
  EXPECT_EQ(json["at"], "1970-01-01T00:00:00Z");
}

TEST_F(WebhookSinkTest, ServerErrorsAreRetryableClientErrorsAreNot) {
  statuses_ = {500, 503, 429, 400, 404};
  std::unique_ptr<WebhookSink> sink = Sink();
  EXPECT_TRUE(absl::IsUnavailable(sink->Deliver(Notice())));
  EXPECT_TRUE(absl::IsUnavailable(sink->Deliver(Notice())));
  EXPECT_TRUE(absl::IsUnavailable(sink->Deliver(Notice())));
  const absl::Status bad_request = sink->Deliver(Notice());
  EXPECT_TRUE(absl::IsFailedPrecondition(bad_request));
  EXPECT_THAT(bad_request.message(), HasSubstr("/hook: HTTP 400"));
  EXPECT_TRUE(absl::IsFailedPrecondition(sink->Deliver(Notice())));
  EXPECT_TRUE(sink->Deliver(Notice()).ok());
}

TEST_F(WebhookSinkTest, NoReceiverIsUnavailable) {
  TearDown();  // the server is gone; its port refuses connections
  const absl::Status status = Sink()->Deliver(Notice());
  EXPECT_TRUE(absl::IsUnavailable(status)) << status;
  SetUp();
}

TEST(WebhookSinkUrlTest, RejectsUrlsItCannotPost) {
  EXPECT_FALSE(WebhookSink::Create("https://example.org/", absl::Seconds(1)).ok());
  EXPECT_FALSE(WebhookSink::Create("http://:80/", absl::Seconds(1)).ok());
  EXPECT_THAT(WebhookSink::Create("http://h:99999/", absl::Seconds(1)).status().message(),
              HasSubstr("the port must be in 1..65535"));
  EXPECT_TRUE(WebhookSink::Create("http://localhost", absl::Seconds(1)).ok());
}

}  // namespace
}  // namespace gridpilot
