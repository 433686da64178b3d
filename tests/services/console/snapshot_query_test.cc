// ParseSnapshotQuery: the console's query parameters and the messages a bad one gets (the
// server returns them with 400).
#include "services/console/snapshot_query.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gridpilot {
namespace {

using ::testing::HasSubstr;

TEST(SnapshotQueryTest, DefaultsAndValidValues) {
  absl::StatusOr<SnapshotQuery> q = ParseSnapshotQuery({});
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->after, -1);
  EXPECT_EQ(q->from, absl::InfinitePast());
  q = ParseSnapshotQuery({{"from", "2023-03-08T04:00:00Z"}, {"to", "1678262400"}, {"after", "41"}});
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_EQ(q->from, absl::FromUnixSeconds(1678248000));
  EXPECT_EQ(q->to, absl::FromUnixSeconds(1678262400));
  EXPECT_EQ(q->after, 41);
  q = ParseSnapshotQuery({{"from", "-62135596800"}, {"to", "253402300799"}});
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_EQ(q->from, absl::FromUnixSeconds(-62135596800));
  EXPECT_EQ(q->to, absl::FromUnixSeconds(253402300799));
}

TEST(SnapshotQueryTest, BadValuesAreNamed) {
  struct Case {
    std::multimap<std::string, std::string> params;
    std::string message;
  } cases[] = {
      {{{"from", "yesterday"}}, "from: \"yesterday\""},
      {{{"to", "inf"}}, "to: \"inf\" is not finite"},
      // Found by fuzz/snapshot_query_fuzzer.cc: seconds beyond the int64 microsecond range
      // used to wrap to some other time instead of being refused.
      {{{"from", "167824800034400.5"}}, "from: \"167824800034400.5\" is outside"},
      {{{"to", "1e300"}}, "to: \"1e300\" is outside"},
      {{{"from", "-62135596801"}}, "from: \"-62135596801\" is outside"},
      {{{"after", "-2"}}, "after: \"-2\""},
      {{{"after", "x"}}, "after: \"x\""},
      {{{"limit", "5"}}, "unknown parameter \"limit\""},
      {{{"from", "100"}, {"to", "100"}}, "from must be before to"},
      {{{"after", "1"}, {"after", "2"}}, "after: given more than once"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<SnapshotQuery> q = ParseSnapshotQuery(c.params);
    ASSERT_FALSE(q.ok()) << c.message;
    EXPECT_EQ(q.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(q.status().message()), HasSubstr(c.message));
  }
}

}  // namespace
}  // namespace gridpilot
