// RecentDecisionLog: the newest decisions in order, every field as the proto carries it,
// the oldest dropped past the capacity, and a limit beyond what is kept.
#include "services/gateway/recent_decision_log.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "services/common/proto_time.h"

namespace gridpilot {
namespace {

region::AssetDecision Decision(int n) {
  region::AssetDecision d;
  d.asset_id = n % 2 == 0 ? "battery-1" : "peaker-1";
  d.proposal_id = n;
  d.agent = n % 3 == 0 ? "" : "trader";
  d.requested_mw = n * 1.5;
  d.applied_mw = n * 1.25;
  d.reason = std::string(static_cast<size_t>(n % 40), 'r');  // long and short strings
  return d;
}

TEST(RecentDecisionLogTest, KeepsTheNewestInOrderWithEveryField) {
  RecentDecisionLog recent(5);
  EXPECT_TRUE(recent.Newest(3).empty());
  const absl::Time t0 = absl::FromUnixSeconds(1672531200);
  int n = 0;
  for (int step = 0; step < 7; ++step) {  // 14 decisions into 5 places
    recent.Add(t0 + step * absl::Minutes(30), {Decision(n), Decision(n + 1)});
    n += 2;
  }
  EXPECT_EQ(recent.size(), 5u);
  const std::vector<v1::Decision> newest = recent.Newest(100);
  ASSERT_EQ(newest.size(), 5u);
  for (int k = 0; k < 5; ++k) {
    const int expected = 9 + k;  // decisions 9..13
    const region::AssetDecision d = Decision(expected);
    EXPECT_EQ(FromProtoTime(newest[k].interval_start()), t0 + (expected / 2) * absl::Minutes(30));
    EXPECT_EQ(newest[k].asset_id(), d.asset_id);
    EXPECT_EQ(newest[k].proposal_id(), d.proposal_id);
    EXPECT_EQ(newest[k].agent(), d.agent);
    EXPECT_EQ(newest[k].requested_mw(), d.requested_mw);
    EXPECT_EQ(newest[k].applied_mw(), d.applied_mw);
    EXPECT_EQ(newest[k].reason(), d.reason);
  }
  const std::vector<v1::Decision> two = recent.Newest(2);
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(two[0].proposal_id(), 12);
  EXPECT_EQ(two[1].proposal_id(), 13);
}

TEST(RecentDecisionLogTest, ReadsWhatWasKeptBeforeTheRingFilled) {
  RecentDecisionLog recent(1000);
  recent.Add(absl::UnixEpoch(), {Decision(1), Decision(2), Decision(3)});
  const std::vector<v1::Decision> newest = recent.Newest(1000);
  ASSERT_EQ(newest.size(), 3u);
  EXPECT_EQ(newest[0].proposal_id(), 1);
  EXPECT_EQ(newest[2].proposal_id(), 3);
  EXPECT_TRUE(recent.Newest(0).empty());
}

}  // namespace
}  // namespace gridpilot
