#include "core/region/pending_approvals.h"

#include <gtest/gtest.h>

#include "tests/core/region/proposal_builder.h"

namespace gridpilot::region {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1685613600);

DispatchProposal Keyed(const std::string& agent, const std::string& key) {
  DispatchProposal p = MakeProposal(agent, "battery-1", DispatchPriority::kTrading, 20.0, kT0,
                                    kT0 + absl::Hours(1), "why");
  p.idempotency_key = key;
  return p;
}

TEST(PendingApprovalsTest, AddTakeAndLapse) {
  PendingApprovals pending;
  const int64_t a =
      pending.Add("mcp", "ai-agent", Keyed("mcp", "k1"), "big", kT0, kT0 + absl::Minutes(15)).id;
  const int64_t b = pending
                        .Add("mcp", "ai-agent", Keyed("mcp", ""), "big", kT0 + absl::Minutes(5),
                             kT0 + absl::Minutes(20))
                        .id;
  const int64_t c =
      pending.Add("other", "ai-agent", Keyed("other", "k1"), "big", kT0, kT0 + absl::Minutes(30))
          .id;
  EXPECT_EQ(a, 1);
  EXPECT_EQ(b, 2);
  EXPECT_EQ(c, 3);
  EXPECT_EQ(pending.HeldBy("mcp"), 2);
  EXPECT_EQ(pending.HeldBy("other"), 1);
  ASSERT_NE(pending.FindByKey("mcp", "k1"), nullptr);
  EXPECT_EQ(pending.FindByKey("mcp", "k1")->id, a);
  EXPECT_EQ(pending.FindByKey("other", "k1")->id, c);
  EXPECT_EQ(pending.FindByKey("mcp", ""), nullptr);
  ASSERT_NE(pending.Find(b), nullptr);
  EXPECT_EQ(pending.Find(b)->created_at, kT0 + absl::Minutes(5));
  EXPECT_EQ(pending.Find(99), nullptr);
  EXPECT_EQ(pending.FindByKey("mcp", "k2"), nullptr);

  // Nothing lapses before its expiry; at it, it does.
  EXPECT_TRUE(pending.TakeLapsed(kT0 + absl::Minutes(15) - absl::Seconds(1)).empty());
  const std::vector<PendingApproval> lapsed = pending.TakeLapsed(kT0 + absl::Minutes(20));
  ASSERT_EQ(lapsed.size(), 2u);
  EXPECT_EQ(lapsed[0].id, a);
  EXPECT_EQ(lapsed[1].id, b);
  EXPECT_EQ(pending.HeldBy("mcp"), 0);

  absl::StatusOr<PendingApproval> taken = pending.Take(c);
  ASSERT_TRUE(taken.ok());
  EXPECT_EQ(taken->identity, "other");
  EXPECT_EQ(taken->proposal.power_mw, 20.0);
  EXPECT_EQ(pending.Take(c).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(pending.Take(a).status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(pending.empty());
  // Ids are never reused.
  EXPECT_EQ(pending.Add("mcp", "ai-agent", Keyed("mcp", ""), "big", kT0, kT0 + absl::Hours(1)).id,
            4);
}

TEST(PendingApprovalsTest, RestoredEntriesKeepTheirIdsAndNewIdsGoPastTheUsedOnes) {
  PendingApprovals pending;
  PendingApproval old;
  old.id = 4;
  old.identity = "mcp";
  old.role = "ai-agent";
  old.proposal = Keyed("mcp", "k4");
  old.created_at = kT0;
  old.expires_at = kT0 + absl::Minutes(15);
  ASSERT_TRUE(pending.Restore(old, /*max_used_id=*/7).ok());
  EXPECT_EQ(pending.Restore(old, 7).code(), absl::StatusCode::kInvalidArgument);
  old.id = 0;
  EXPECT_EQ(pending.Restore(old, 7).code(), absl::StatusCode::kInvalidArgument);
  ASSERT_NE(pending.Find(4), nullptr);
  EXPECT_EQ(pending.FindByKey("mcp", "k4"), pending.Find(4));
  EXPECT_EQ(
      pending.Add("mcp", "ai-agent", Keyed("mcp", ""), "big", kT0, kT0 + absl::Minutes(15)).id, 8);
  EXPECT_EQ(pending.TakeLapsed(kT0 + absl::Minutes(15)).size(), 2u);
}

}  // namespace
}  // namespace gridpilot::region
