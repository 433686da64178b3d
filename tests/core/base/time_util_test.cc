// ParseUtcTimestamp, ParseUtcDate and FormatUtcTimestamp: the accepted forms, and the
// texts refused, "infinite-past" and "infinite-future" among them.
#include "core/base/time_util.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gridpilot::base {
namespace {

using ::testing::HasSubstr;

TEST(TimeUtilTest, ParsesAndFormatsUtcTimestamps) {
  absl::StatusOr<absl::Time> t = ParseUtcTimestamp("2023-03-08T04:00:00Z");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(*t, absl::FromUnixSeconds(1678248000));
  EXPECT_EQ(FormatUtcTimestamp(*t), "2023-03-08T04:00:00Z");
  t = ParseUtcTimestamp("2023-03-08T04:30Z");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(*t, absl::FromUnixSeconds(1678249800));
  absl::StatusOr<absl::Time> date = ParseUtcDate("2023-03-08");
  ASSERT_TRUE(date.ok()) << date.status();
  EXPECT_EQ(*date, absl::FromUnixSeconds(1678233600));
}

// Found by fuzz/csv_ingest_fuzzer.cc: absl::ParseTime turns these two words into infinite
// times whatever the format, so a CSV row or a config time could hold one.
TEST(TimeUtilTest, RefusesInfiniteTimesAndOtherText) {
  for (const std::string text :
       {"infinite-past", "infinite-future", " infinite-future ", "2023-03-08", "yesterday", ""}) {
    const absl::StatusOr<absl::Time> t = ParseUtcTimestamp(text);
    ASSERT_FALSE(t.ok()) << text;
    EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(t.status().message()), HasSubstr("is not a UTC timestamp"));
  }
  for (const std::string text : {"infinite-past", "infinite-future", "2023-13-01"}) {
    EXPECT_FALSE(ParseUtcDate(text).ok()) << text;
  }
}

}  // namespace
}  // namespace gridpilot::base
