#include "services/alerts/alert_format.h"

#include <nlohmann/json.hpp>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/alerts/smtp_sink.h"

namespace gridpilot {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

alerts::AlertNotice Notice() {
  alerts::AlertNotice notice;
  notice.rule = "false-data";
  notice.kind = alerts::AlertRuleKind::kFalseDataHeld;
  notice.key = "response";
  notice.status = alerts::AlertStatus::kFiring;
  notice.at = absl::FromUnixSeconds(1678248000);  // 2023-03-08T04:00:00Z
  notice.summary = "response held on suspect telemetry";
  return notice;
}

TEST(AlertFormatTest, JsonCarriesEveryField) {
  const nlohmann::json json = nlohmann::json::parse(AlertJson(Notice()));
  EXPECT_EQ(json["source"], "gridpilot");
  EXPECT_EQ(json["rule"], "false-data");
  EXPECT_EQ(json["kind"], "false_data_held");
  EXPECT_EQ(json["key"], "response");
  EXPECT_EQ(json["status"], "firing");
  EXPECT_EQ(json["at"], "2023-03-08T04:00:00Z");
  EXPECT_EQ(json["summary"], "response held on suspect telemetry");
}

TEST(AlertFormatTest, InvalidUtf8IsReplacedNotThrown) {
  alerts::AlertNotice notice = Notice();
  notice.summary = "bad \xff byte";
  EXPECT_NO_THROW(nlohmann::json::parse(AlertJson(notice)));
}

TEST(AlertFormatTest, EmailSubjectIsOneLine) {
  alerts::AlertNotice notice = Notice();
  EXPECT_EQ(AlertEmailSubject(notice), "[gridpilot] FIRING false-data (response)");
  notice.status = alerts::AlertStatus::kResolved;
  notice.key = "a\r\nBcc: x@y";
  EXPECT_EQ(AlertEmailSubject(notice), "[gridpilot] RESOLVED false-data (a  Bcc: x@y)");
}

TEST(AlertFormatTest, SmtpMessageHasHeadersCrlfAndDotStuffing) {
  EmailConfig config;
  config.from = "gridpilot@localhost";
  config.to = {"ops@localhost", "oncall@localhost"};
  alerts::AlertNotice notice = Notice();
  notice.rule = ".hidden";  // a body line "rule: .hidden" is fine; a line starting "." is not
  const std::string message = SmtpMessage(config, notice);
  EXPECT_THAT(message, HasSubstr("From: <gridpilot@localhost>\r\n"));
  EXPECT_THAT(message, HasSubstr("To: <ops@localhost>, <oncall@localhost>\r\n"));
  EXPECT_THAT(message, HasSubstr("Subject: [gridpilot] FIRING .hidden (response)\r\n"));
  EXPECT_THAT(message, HasSubstr("\r\n\r\nrule: .hidden\r\n"));
  EXPECT_THAT(message, Not(HasSubstr("\r\n.\r\n")));
  // Every LF is part of a CRLF.
  for (size_t i = 0; i < message.size(); ++i) {
    if (message[i] == '\n') {
      ASSERT_GT(i, 0u);
      EXPECT_EQ(message[i - 1], '\r') << i;
    }
  }
  notice.summary = ".\nQUIT";
  EXPECT_THAT(SmtpMessage(config, notice), HasSubstr("\r\n.. QUIT\r\n"));
}

}  // namespace
}  // namespace gridpilot
