// The audit's rate limit on refused calls: a flood keeps `per_minute` rows a minute, and
// the first row kept after a dropped burst carries how many were dropped.
#include "services/security/refusal_budget.h"

#include <gtest/gtest.h>

namespace gridpilot::security {
namespace {

TEST(RefusalBudgetTest, KeepsPerMinuteThenCountsTheDropped) {
  RefusalBudget budget(3);
  const absl::Time t0 = absl::FromUnixSeconds(1'700'000'000);
  int kept = 0;
  for (int i = 0; i < 1000; ++i) {
    if (budget.Admit(t0 + absl::Milliseconds(i)).keep) ++kept;
  }
  EXPECT_EQ(kept, 3);
  const RefusalBudget::Verdict next_minute = budget.Admit(t0 + absl::Seconds(61));
  EXPECT_TRUE(next_minute.keep);
  EXPECT_EQ(next_minute.dropped_before, 997);
  const RefusalBudget::Verdict after = budget.Admit(t0 + absl::Seconds(62));
  EXPECT_TRUE(after.keep);
  EXPECT_EQ(after.dropped_before, 0);
}

TEST(RefusalBudgetTest, QuietTrafficIsAllKept) {
  RefusalBudget budget(2);
  const absl::Time t0 = absl::FromUnixSeconds(1'700'000'000);
  for (int i = 0; i < 10; ++i) {
    const RefusalBudget::Verdict v = budget.Admit(t0 + absl::Seconds(40 * i));
    EXPECT_TRUE(v.keep) << i;
    EXPECT_EQ(v.dropped_before, 0) << i;
  }
}

}  // namespace
}  // namespace gridpilot::security
