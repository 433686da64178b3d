// ParseUtcTimestamp, ParseUtcDate and FormatUtcTimestamp: the accepted forms, and the
// texts refused, "infinite-past" and "infinite-future" among them; the direct formatter
// against absl::FormatTime.
#include "core/base/time_util.h"

#include <cstdint>
#include <limits>
#include <random>
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

// What absl writes, which FormatUtcTimestamp must equal.
std::string AbslText(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

void ExpectAsAbsl(absl::Time t) {
  const std::string expected = AbslText(t);
  EXPECT_EQ(FormatUtcTimestamp(t), expected) << absl::ToUnixNanos(t);
  EXPECT_EQ(FormatUtcTimestampText(t).view(), expected) << absl::ToUnixNanos(t);
}

TEST(TimeUtilTest, FormatsEveryTimeAsAbslDoes) {
  // The edges of the direct range (years 1000..9999), a second and a nanosecond either
  // side, the epoch, leap days, the ends of centuries, and the infinite times.
  for (const int64_t s :
       {int64_t{-30610224000}, int64_t{253402300799}, int64_t{0},
        int64_t{951782400} /* 2000-02-29 */, int64_t{-2203891200} /* 1900-03-01 */,
        int64_t{4107542400} /* 2100-03-01 */, int64_t{-62135596800} /* 0001 */,
        int64_t{-62167219200} /* 0000 */, int64_t{-62198755200} /* -0001 */,
        int64_t{253402300800} /* 10000 */, int64_t{1678248000}}) {
    for (const absl::Duration d : {absl::ZeroDuration(), absl::Seconds(1), absl::Seconds(-1),
                                   absl::Nanoseconds(1), absl::Nanoseconds(-1)}) {
      ExpectAsAbsl(absl::FromUnixSeconds(s) + d);
    }
  }
  ExpectAsAbsl(absl::InfinitePast());
  ExpectAsAbsl(absl::InfiniteFuture());
  ExpectAsAbsl(absl::FromUnixSeconds(std::numeric_limits<int64_t>::max() / 2));
  ExpectAsAbsl(absl::FromUnixSeconds(std::numeric_limits<int64_t>::min() / 2));
  // Every day's midnight and last second of 1600..2400 (leap years of every kind), and
  // random instants with sub-second parts from years 0..12000.
  for (int64_t s = -11676096000; s < 13569465600; s += 86400) {
    ExpectAsAbsl(absl::FromUnixSeconds(s));
    ExpectAsAbsl(absl::FromUnixSeconds(s) - absl::Nanoseconds(1));
  }
  std::mt19937_64 random(20);
  std::uniform_int_distribution<int64_t> seconds(-62167219200, 316516204800);  // 0000..12000
  std::uniform_int_distribution<int64_t> nanos(0, 999'999'999);
  for (int i = 0; i < 200'000; ++i) {
    ExpectAsAbsl(absl::FromUnixSeconds(seconds(random)) + absl::Nanoseconds(nanos(random)));
  }
}

}  // namespace
}  // namespace gridpilot::base
