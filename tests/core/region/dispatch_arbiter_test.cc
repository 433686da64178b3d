// The dispatch arbiter: priority, leases, cancellation, idempotency and validation.
#include "core/region/dispatch_arbiter.h"

#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "core/base/time_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/core/region/proposal_builder.h"

namespace gridpilot::region {
namespace {

using ::testing::HasSubstr;

absl::Time T(const char* text) { return *base::ParseUtcTimestamp(text); }

DispatchArbiter MakeArbiter() {
  return DispatchArbiter({{"battery-1", {-50, 50}}, {"peaker-1", {0, 60}}});
}

DispatchProposal Proposal(const char* agent, DispatchPriority priority, double power_mw,
                          const char* start = "2023-01-01T00:00:00Z",
                          const char* end = "2023-01-01T01:00:00Z",
                          const char* asset = "battery-1") {
  return MakeProposal(agent, asset, priority, power_mw, T(start), T(end), "test");
}

const absl::Time kNow = T("2023-01-01T00:00:00Z");

TEST(DispatchArbiterTest, IdsIncreaseFromOneAndRecordSubmission) {
  DispatchArbiter arbiter = MakeArbiter();
  auto first = arbiter.Submit(Proposal("trader", DispatchPriority::kTrading, 10), kNow);
  auto second =
      arbiter.Submit(Proposal("trader", DispatchPriority::kTrading, 20), kNow + absl::Seconds(3));
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->proposal_id, 1);
  EXPECT_EQ(second->proposal_id, 2);
  EXPECT_FALSE(first->duplicate);
  const std::vector<ProposalRecord> active = arbiter.Active();
  ASSERT_EQ(active.size(), 2u);
  EXPECT_EQ(active[1].submitted_at, kNow + absl::Seconds(3));
  EXPECT_EQ(active[1].proposal.power_mw, 20);
}

TEST(DispatchArbiterTest, ResilienceBeatsTradingRegardlessOfOrder) {
  for (bool resilience_first : {true, false}) {
    SCOPED_TRACE(resilience_first);
    DispatchArbiter arbiter = MakeArbiter();
    const DispatchProposal trading = Proposal("trader", DispatchPriority::kTrading, -30);
    const DispatchProposal resilience = Proposal("response", DispatchPriority::kResilience, 45);
    if (resilience_first) {
      ASSERT_TRUE(arbiter.Submit(resilience, kNow).ok());
      ASSERT_TRUE(arbiter.Submit(trading, kNow + absl::Seconds(1)).ok());
    } else {
      ASSERT_TRUE(arbiter.Submit(trading, kNow).ok());
      ASSERT_TRUE(arbiter.Submit(resilience, kNow + absl::Seconds(1)).ok());
    }
    const auto winner = arbiter.Resolve("battery-1", T("2023-01-01T00:30:00Z"));
    ASSERT_TRUE(winner.has_value());
    EXPECT_EQ(winner->proposal.agent, "response");
    EXPECT_EQ(winner->proposal.power_mw, 45);
  }
}

TEST(DispatchArbiterTest, SamePriorityLatestWins) {
  DispatchArbiter arbiter = MakeArbiter();
  ASSERT_TRUE(arbiter.Submit(Proposal("trader", DispatchPriority::kTrading, 10), kNow).ok());
  ASSERT_TRUE(arbiter.Submit(Proposal("trader", DispatchPriority::kTrading, -20), kNow).ok());
  ASSERT_TRUE(arbiter.Submit(Proposal("other", DispatchPriority::kTrading, 30), kNow).ok());
  const auto winner = arbiter.Resolve("battery-1", kNow);
  ASSERT_TRUE(winner.has_value());
  EXPECT_EQ(winner->id, 3);
  EXPECT_EQ(winner->proposal.power_mw, 30);
}

TEST(DispatchArbiterTest, LeaseIsHalfOpenAndPerAsset) {
  DispatchArbiter arbiter = MakeArbiter();
  ASSERT_TRUE(arbiter
                  .Submit(Proposal("response", DispatchPriority::kResilience, 40,
                                   "2023-01-01T00:00:00Z", "2023-01-01T01:00:00Z", "peaker-1"),
                          kNow)
                  .ok());
  EXPECT_FALSE(arbiter.Resolve("peaker-1", T("2022-12-31T23:30:00Z")).has_value());
  EXPECT_TRUE(arbiter.Resolve("peaker-1", T("2023-01-01T00:00:00Z")).has_value());
  EXPECT_TRUE(arbiter.Resolve("peaker-1", T("2023-01-01T00:59:59Z")).has_value());
  EXPECT_FALSE(arbiter.Resolve("peaker-1", T("2023-01-01T01:00:00Z")).has_value());
  EXPECT_FALSE(arbiter.Resolve("battery-1", T("2023-01-01T00:30:00Z")).has_value());
}

TEST(DispatchArbiterTest, TradingGovernsOnceResilienceLeaseEnds) {
  DispatchArbiter arbiter = MakeArbiter();
  ASSERT_TRUE(arbiter
                  .Submit(Proposal("trader", DispatchPriority::kTrading, -25,
                                   "2023-01-01T00:00:00Z", "2023-01-01T02:00:00Z"),
                          kNow)
                  .ok());
  ASSERT_TRUE(arbiter
                  .Submit(Proposal("response", DispatchPriority::kResilience, 50,
                                   "2023-01-01T00:30:00Z", "2023-01-01T01:00:00Z"),
                          kNow)
                  .ok());
  EXPECT_EQ(arbiter.Resolve("battery-1", T("2023-01-01T00:00:00Z"))->proposal.agent, "trader");
  EXPECT_EQ(arbiter.Resolve("battery-1", T("2023-01-01T00:30:00Z"))->proposal.agent, "response");
  EXPECT_EQ(arbiter.Resolve("battery-1", T("2023-01-01T01:00:00Z"))->proposal.agent, "trader");
}

TEST(DispatchArbiterTest, ExpireBeforeForgetsEndedLeases) {
  DispatchArbiter arbiter = MakeArbiter();
  ASSERT_TRUE(arbiter
                  .Submit(Proposal("a", DispatchPriority::kTrading, 1, "2023-01-01T00:00:00Z",
                                   "2023-01-01T01:00:00Z"),
                          kNow)
                  .ok());
  ASSERT_TRUE(arbiter
                  .Submit(Proposal("a", DispatchPriority::kTrading, 2, "2023-01-01T00:00:00Z",
                                   "2023-01-01T01:30:00Z"),
                          kNow)
                  .ok());
  arbiter.ExpireBefore(T("2023-01-01T00:59:59Z"));
  EXPECT_EQ(arbiter.Active().size(), 2u);
  arbiter.ExpireBefore(T("2023-01-01T01:00:00Z"));  // end == t expires
  const std::vector<ProposalRecord> active = arbiter.Active();
  ASSERT_EQ(active.size(), 1u);
  EXPECT_EQ(active[0].id, 2);
}

TEST(DispatchArbiterTest, CancelStopsAProposalGoverning) {
  DispatchArbiter arbiter = MakeArbiter();
  ASSERT_TRUE(arbiter.Submit(Proposal("trader", DispatchPriority::kTrading, 10), kNow).ok());
  ASSERT_TRUE(arbiter.Submit(Proposal("response", DispatchPriority::kResilience, 40), kNow).ok());
  ASSERT_TRUE(arbiter.Cancel(2).ok());
  EXPECT_TRUE(arbiter.Cancel(2).ok());  // twice is fine
  EXPECT_EQ(arbiter.Resolve("battery-1", kNow)->id, 1);
  ASSERT_TRUE(arbiter.Cancel(1).ok());
  EXPECT_FALSE(arbiter.Resolve("battery-1", kNow).has_value());
  // Cancelled proposals are still held until they expire.
  const std::vector<ProposalRecord> active = arbiter.Active();
  ASSERT_EQ(active.size(), 2u);
  EXPECT_TRUE(active[0].cancelled);
  EXPECT_TRUE(active[1].cancelled);
}

TEST(DispatchArbiterTest, CancelUnknownIsNotFound) {
  DispatchArbiter arbiter = MakeArbiter();
  EXPECT_EQ(arbiter.Cancel(1).code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(arbiter.Submit(Proposal("trader", DispatchPriority::kTrading, 10), kNow).ok());
  EXPECT_EQ(arbiter.Cancel(2).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(arbiter.Cancel(0).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(arbiter.Cancel(-1).code(), absl::StatusCode::kNotFound);
  // An id that was issued but has expired governs nothing: cancelling it is a no-op.
  arbiter.ExpireBefore(T("2023-01-02T00:00:00Z"));
  EXPECT_TRUE(arbiter.Cancel(1).ok());
}

TEST(DispatchArbiterTest, IdempotentResubmitIsStoredOnce) {
  DispatchArbiter arbiter = MakeArbiter();
  DispatchProposal p = Proposal("trader", DispatchPriority::kTrading, -15);
  p.idempotency_key = "plan-7/00:00";
  auto first = arbiter.Submit(p, kNow);
  auto again = arbiter.Submit(p, kNow + absl::Seconds(2));
  ASSERT_TRUE(first.ok() && again.ok());
  EXPECT_FALSE(first->duplicate);
  EXPECT_TRUE(again->duplicate);
  EXPECT_EQ(again->proposal_id, first->proposal_id);
  ASSERT_EQ(arbiter.Active().size(), 1u);
  EXPECT_EQ(arbiter.Active()[0].submitted_at, kNow);

  // Keys are per agent: another agent with the same key is a new proposal.
  DispatchProposal other = p;
  other.agent = "response";
  auto theirs = arbiter.Submit(other, kNow);
  ASSERT_TRUE(theirs.ok());
  EXPECT_FALSE(theirs->duplicate);
  EXPECT_EQ(theirs->proposal_id, 2);

  // The key outlives the proposal's lease (by the key window, an hour by default): a late
  // retry does not resurrect it.
  arbiter.ExpireBefore(T("2023-01-01T01:59:59Z"));
  auto late = arbiter.Submit(p, T("2023-01-01T01:59:59Z"));
  ASSERT_TRUE(late.ok());
  EXPECT_TRUE(late->duplicate);
  EXPECT_EQ(late->proposal_id, 1);
  EXPECT_TRUE(arbiter.Active().empty());
}

// docs/decisions.md, "Memory bounds".
TEST(DispatchArbiterTest, KeysAreForgottenAWindowAfterTheirLeaseEnded) {
  DispatchArbiter arbiter({{"battery-1", {-50, 50}}}, absl::Minutes(30));
  DispatchProposal hour = Proposal("trader", DispatchPriority::kTrading, 10, "2023-01-01T00:00:00Z",
                                   "2023-01-01T01:00:00Z");
  hour.idempotency_key = "hour";
  DispatchProposal day = Proposal("trader", DispatchPriority::kTrading, 20, "2023-01-01T00:00:00Z",
                                  "2023-01-02T00:00:00Z");
  day.idempotency_key = "day";
  const DispatchProposal keyless = Proposal("trader", DispatchPriority::kTrading, 30,
                                            "2023-01-01T00:00:00Z", "2023-01-01T00:30:00Z");
  ASSERT_TRUE(arbiter.Submit(hour, kNow).ok());
  ASSERT_TRUE(arbiter.Submit(day, kNow).ok());
  ASSERT_TRUE(arbiter.Submit(keyless, kNow).ok());
  EXPECT_EQ(arbiter.keys_held(), 2u);
  EXPECT_EQ(arbiter.proposals_held(), 3u);

  // The hour's lease has ended but its key is within the window: a retry is a duplicate,
  // and reusing the key for something else is still refused.
  arbiter.ExpireBefore(T("2023-01-01T01:29:59Z"));
  EXPECT_EQ(arbiter.proposals_held(), 1u);
  EXPECT_EQ(arbiter.keys_held(), 2u);
  auto retry = arbiter.Submit(hour, T("2023-01-01T01:29:59Z"));
  ASSERT_TRUE(retry.ok());
  EXPECT_TRUE(retry->duplicate);
  EXPECT_EQ(retry->proposal_id, 1);
  DispatchProposal reused = hour;
  reused.power_mw = 11;
  EXPECT_EQ(arbiter.Validate(reused).code(), absl::StatusCode::kInvalidArgument);

  // Half an hour after the lease ended the key is forgotten; the day's is kept.
  arbiter.ExpireBefore(T("2023-01-01T01:30:00Z"));
  EXPECT_EQ(arbiter.keys_held(), 1u);
  // A late duplicate is then a new proposal with a new id. Its lease ended long before
  // any interval still to be decided, so it governs nothing, and it is gone at the next
  // expiry; its key is remembered for the window again.
  auto late = arbiter.Submit(hour, T("2023-01-01T01:30:00Z"));
  ASSERT_TRUE(late.ok());
  EXPECT_FALSE(late->duplicate);
  EXPECT_EQ(late->proposal_id, 4);
  EXPECT_EQ(arbiter.Resolve("battery-1", T("2023-01-01T01:30:00Z"))->id, 2);
  arbiter.ExpireBefore(T("2023-01-01T01:30:00Z"));
  EXPECT_EQ(arbiter.proposals_held(), 1u);
  EXPECT_EQ(arbiter.keys_held(), 1u);

  arbiter.ExpireBefore(T("2023-01-02T00:30:00Z"));
  EXPECT_EQ(arbiter.proposals_held(), 0u);
  EXPECT_EQ(arbiter.keys_held(), 0u);
  EXPECT_TRUE(arbiter.Submit(day, T("2023-01-02T00:30:00Z")).ok());
}

TEST(DispatchArbiterTest, KeyReusedForDifferentContentIsRejected) {
  DispatchArbiter arbiter = MakeArbiter();
  DispatchProposal p = Proposal("trader", DispatchPriority::kTrading, -15);
  p.idempotency_key = "k1";
  ASSERT_TRUE(arbiter.Submit(p, kNow).ok());
  p.power_mw = -16;
  const auto reused = arbiter.Submit(p, kNow);
  EXPECT_EQ(reused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(reused.status().message()), HasSubstr("idempotency_key"));
  EXPECT_EQ(arbiter.Active().size(), 1u);
}

TEST(DispatchArbiterTest, RejectsInvalidProposalsNamingTheField) {
  struct Case {
    std::string name;
    std::function<void(DispatchProposal&)> mutate;
    std::string field;
  };
  const std::vector<Case> cases = {
      {"empty agent", [](DispatchProposal& p) { p.agent.clear(); }, "agent:"},
      {"unknown asset", [](DispatchProposal& p) { p.asset_id = "battery-9"; }, "asset_id:"},
      {"unspecified priority",
       [](DispatchProposal& p) { p.priority = DispatchPriority::kUnspecified; }, "priority:"},
      {"nan power",
       [](DispatchProposal& p) { p.power_mw = std::numeric_limits<double>::quiet_NaN(); },
       "power_mw:"},
      {"battery over discharge", [](DispatchProposal& p) { p.power_mw = 50.5; }, "power_mw:"},
      {"battery over charge", [](DispatchProposal& p) { p.power_mw = -51; }, "power_mw:"},
      {"peaker negative",
       [](DispatchProposal& p) {
         p.asset_id = "peaker-1";
         p.power_mw = -1;
       },
       "power_mw:"},
      {"peaker over capacity",
       [](DispatchProposal& p) {
         p.asset_id = "peaker-1";
         p.power_mw = 61;
       },
       "power_mw:"},
      {"end equals start", [](DispatchProposal& p) { p.end = p.start; }, "end:"},
      {"end before start", [](DispatchProposal& p) { p.end = p.start - absl::Minutes(30); },
       "end:"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    DispatchArbiter arbiter = MakeArbiter();
    DispatchProposal p = Proposal("trader", DispatchPriority::kTrading, 10);
    c.mutate(p);
    const auto result = arbiter.Submit(p, kNow);
    EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(result.status().message()), HasSubstr(c.field));
    EXPECT_TRUE(arbiter.Active().empty());
    // A rejected proposal uses no id.
    auto ok = arbiter.Submit(Proposal("trader", DispatchPriority::kTrading, 10), kNow);
    ASSERT_TRUE(ok.ok());
    EXPECT_EQ(ok->proposal_id, 1);
  }
}

TEST(DispatchArbiterTest, RangeEdgesAreAccepted) {
  DispatchArbiter arbiter = MakeArbiter();
  EXPECT_TRUE(arbiter.Submit(Proposal("a", DispatchPriority::kTrading, 50), kNow).ok());
  EXPECT_TRUE(arbiter.Submit(Proposal("a", DispatchPriority::kTrading, -50), kNow).ok());
  EXPECT_TRUE(arbiter
                  .Submit(Proposal("a", DispatchPriority::kResilience, 0, "2023-01-01T00:00:00Z",
                                   "2023-01-01T00:30:00Z", "peaker-1"),
                          kNow)
                  .ok());
}

}  // namespace
}  // namespace gridpilot::region
