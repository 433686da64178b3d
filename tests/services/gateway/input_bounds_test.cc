// The gateway's input bounds, one function at a time; gateway_run_test drives them through
// Submit.
#include "services/gateway/input_bounds.h"

#include <limits>
#include <string>

#include "core/base/time_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gridpilot {
namespace {

using ::testing::HasSubstr;

TEST(InputBoundsTest, Identifiers) {
  EXPECT_TRUE(ValidateIdentifier("agent", "trader", kMaxAgentNameBytes, true).ok());
  EXPECT_TRUE(ValidateIdentifier("key", "", kMaxIdempotencyKeyBytes, false).ok());
  EXPECT_TRUE(ValidateIdentifier("agent", std::string(64, 'a'), kMaxAgentNameBytes, true).ok());
  EXPECT_THAT(ValidateIdentifier("agent", "", kMaxAgentNameBytes, true).message(),
              HasSubstr("agent: required"));
  EXPECT_EQ(ValidateIdentifier("agent", std::string(65, 'a'), kMaxAgentNameBytes, true).message(),
            "agent: 65 bytes is longer than the limit of 64 bytes");
  EXPECT_EQ(ValidateIdentifier("agent", "a\nb", kMaxAgentNameBytes, true).message(),
            "agent: control character 0x0a at byte 1 is not allowed in an identifier");
  EXPECT_EQ(ValidateIdentifier("agent", "a\x7f", kMaxAgentNameBytes, true).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(ValidateIdentifier("agent", "trädér", kMaxAgentNameBytes, true).ok());  // UTF-8
}

TEST(InputBoundsTest, Timestamps) {
  google::protobuf::Timestamp t;
  t.set_seconds(253402300799);
  t.set_nanos(999999999);
  EXPECT_TRUE(ValidateProtoTimestamp("end", t).ok());
  t.set_seconds(253402300800);
  EXPECT_THAT(ValidateProtoTimestamp("end", t).message(), HasSubstr("end: seconds 253402300800"));
  t.set_seconds(-62135596801);
  EXPECT_FALSE(ValidateProtoTimestamp("end", t).ok());
  t.set_seconds(0);
  t.set_nanos(1000000000);
  EXPECT_THAT(ValidateProtoTimestamp("end", t).message(), HasSubstr("nanos"));
}

TEST(InputBoundsTest, Leases) {
  const absl::Time now = *base::ParseUtcTimestamp("2023-06-01T12:00:00Z");
  const absl::Duration horizon = absl::Hours(48);
  EXPECT_TRUE(ValidateLease("p", now, now + horizon, now, horizon).ok());
  EXPECT_TRUE(ValidateLease("p", now - horizon, now, now, horizon).ok());
  EXPECT_THAT(ValidateLease("p", now, now, now, horizon).message(), HasSubstr("p.end"));
  EXPECT_THAT(ValidateLease("p", now, now + horizon + absl::Seconds(1), now, horizon).message(),
              HasSubstr("p.end: 2023-06-03T12:00:01Z is more than 48h after the run's clock"));
  EXPECT_THAT(ValidateLease("p", now - horizon - absl::Seconds(1), now, now, horizon).message(),
              HasSubstr("p.start"));
}

TEST(InputBoundsTest, PowersAndText) {
  EXPECT_TRUE(ValidatePowerBound("plan.power_mw[0]", -110, 110).ok());
  EXPECT_EQ(ValidatePowerBound("plan.power_mw[0]", 1e308, 110).message(),
            "plan.power_mw[0]: 1e+308 is outside [-110, 110] MW");
  EXPECT_THAT(ValidatePowerBound("x", std::numeric_limits<double>::quiet_NaN(), 110).message(),
              HasSubstr("not finite"));
  EXPECT_TRUE(ValidateText("note", std::string(kMaxNoteBytes, 'n'), kMaxNoteBytes).ok());
  EXPECT_FALSE(ValidateText("note", std::string(kMaxNoteBytes + 1, 'n'), kMaxNoteBytes).ok());
  EXPECT_EQ(Truncated("abcdef", 3), "abc...(6 bytes)");
  EXPECT_EQ(Truncated("abc", 3), "abc");
}

}  // namespace
}  // namespace gridpilot
