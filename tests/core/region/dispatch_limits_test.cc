#include "core/region/dispatch_limits.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/core/region/proposal_builder.h"

namespace gridpilot::region {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

const absl::Time kNow = absl::FromUnixSeconds(1685613600);  // 2023-06-01T10:00:00Z

DispatchProposal Proposal(DispatchPriority priority, double power_mw, absl::Duration lease,
                          const std::string& asset = "battery-1") {
  return MakeProposal("someone", asset, priority, power_mw, kNow, kNow + lease, "test");
}

// A table with the defaults plus a configured identity and a limited operator role.
LimitTable Table() {
  LimitTable table = DefaultLimitTable();
  DispatchLimits mcp;
  mcp.max_abs_power_mw = 30.0;
  mcp.assets = std::set<std::string>{"battery-1"};
  mcp.max_priority = DispatchPriority::kResilience;
  table.by_identity["mcp-lab"] = mcp;
  DispatchLimits op;
  op.max_lease = absl::Hours(4);
  table.by_role["operator"] = op;
  table.max_pending_per_identity = 2;
  return table;
}

struct Case {
  const char* name;
  std::string identity;
  std::string role;
  DispatchProposal proposal;
  std::vector<absl::Time> recent_actions;
  int pending_held;
  LimitOutcome want;
  std::vector<std::string> reason_has;  // substrings of the verdict's reason
};

TEST(EvaluateLimitsTest, Table) {
  const std::vector<absl::Time> six_in_hour(6, kNow - absl::Minutes(10));
  std::vector<absl::Time> six_old(6, kNow - absl::Minutes(61));
  six_old.push_back(kNow - absl::Hours(1));  // exactly an hour ago: outside (now - 1 h, now]
  const std::vector<Case> cases = {
      {"ai agent within defaults",
       "mcp",
       "ai-agent",
       Proposal(DispatchPriority::kTrading, -10.0, absl::Hours(2)),
       {},
       0,
       LimitOutcome::kApply,
       {}},
      {"ai agent above 10 MW",
       "mcp",
       "ai-agent",
       Proposal(DispatchPriority::kTrading, 10.5, absl::Hours(1)),
       {},
       0,
       LimitOutcome::kPending,
       {"|power_mw| 10.5 is above its limit 10 MW"}},
      {"ai agent charging above 10 MW",
       "mcp",
       "ai-agent",
       Proposal(DispatchPriority::kTrading, -25.0, absl::Hours(1)),
       {},
       0,
       LimitOutcome::kPending,
       {"|power_mw| 25"}},
      {"ai agent lease too long",
       "mcp",
       "ai-agent",
       Proposal(DispatchPriority::kTrading, 5.0, absl::Hours(2) + absl::Minutes(30)),
       {},
       0,
       LimitOutcome::kPending,
       {"lease of 2h30m is longer than its limit 2h"}},
      {"ai agent never outranks resilience by default",
       "mcp",
       "ai-agent",
       Proposal(DispatchPriority::kResilience, 5.0, absl::Hours(1)),
       {},
       0,
       LimitOutcome::kPending,
       {"priority resilience is above its band (trading)"}},
      {"ai agent sixth action in the hour applies",
       "mcp",
       "ai-agent",
       Proposal(DispatchPriority::kTrading, 5.0, absl::Hours(1)),
       std::vector<absl::Time>(5, kNow - absl::Minutes(59)),
       0,
       LimitOutcome::kApply,
       {}},
      {"ai agent seventh action in the hour is held",
       "mcp",
       "ai-agent",
       Proposal(DispatchPriority::kTrading, 5.0, absl::Hours(1)),
       six_in_hour,
       0,
       LimitOutcome::kPending,
       {"6 actions in the last hour reach its limit of 6 an hour"}},
      {"actions older than an hour do not count",
       "mcp",
       "ai-agent",
       Proposal(DispatchPriority::kTrading, 5.0, absl::Hours(1)),
       six_old,
       0,
       LimitOutcome::kApply,
       {}},
      {"every exceeded limit is named",
       "mcp",
       "ai-agent",
       Proposal(DispatchPriority::kResilience, 40.0, absl::Hours(3)),
       {},
       0,
       LimitOutcome::kPending,
       {"beyond the limits of mcp (ai-agent)", "priority resilience", "|power_mw| 40",
        "lease of 3h"}},
      {"identity entry wins over the role's",
       "mcp-lab",
       "ai-agent",
       Proposal(DispatchPriority::kResilience, 25.0, absl::Hours(8)),
       six_in_hour,
       0,
       LimitOutcome::kApply,
       {}},
      {"identity's assets",
       "mcp-lab",
       "ai-agent",
       Proposal(DispatchPriority::kTrading, 5.0, absl::Hours(1), "peaker-1"),
       {},
       0,
       LimitOutcome::kPending,
       {"asset \"peaker-1\" is not among its assets (battery-1)"}},
      {"trader unlimited",
       "trader",
       "trader",
       Proposal(DispatchPriority::kTrading, 50.0, absl::Hours(24)),
       six_in_hour,
       0,
       LimitOutcome::kApply,
       {}},
      {"response unlimited",
       "response",
       "response",
       Proposal(DispatchPriority::kResilience, -50.0, absl::Hours(2)),
       {},
       0,
       LimitOutcome::kApply,
       {}},
      {"admin unlimited",
       "admin",
       "admin",
       Proposal(DispatchPriority::kResilience, 60.0, absl::Hours(48)),
       {},
       0,
       LimitOutcome::kApply,
       {}},
      {"operator limited when configured",
       "operator",
       "operator",
       Proposal(DispatchPriority::kResilience, 60.0, absl::Hours(5)),
       {},
       0,
       LimitOutcome::kPending,
       {"lease of 5h is longer than its limit 4h"}},
      {"operator within its configured limit",
       "operator",
       "operator",
       Proposal(DispatchPriority::kResilience, 60.0, absl::Hours(4)),
       {},
       0,
       LimitOutcome::kApply,
       {}},
      {"pending queue full: refused",
       "mcp",
       "ai-agent",
       Proposal(DispatchPriority::kTrading, 20.0, absl::Hours(1)),
       {},
       2,
       LimitOutcome::kRefuse,
       {"already holds 2 pending approvals, the most allowed (2)", "|power_mw| 20"}},
      {"full queue does not refuse what is within limits",
       "mcp",
       "ai-agent",
       Proposal(DispatchPriority::kTrading, 2.0, absl::Hours(1)),
       {},
       2,
       LimitOutcome::kApply,
       {}},
  };
  const LimitTable table = Table();
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const LimitVerdict verdict = EvaluateLimits(table, c.identity, c.role, c.proposal,
                                                c.recent_actions, c.pending_held, kNow);
    EXPECT_EQ(verdict.outcome, c.want) << verdict.reason;
    if (c.want == LimitOutcome::kApply) {
      EXPECT_EQ(verdict.reason, "");
    }
    for (const std::string& part : c.reason_has) EXPECT_THAT(verdict.reason, HasSubstr(part));
  }
}

TEST(EvaluateLimitsTest, AiAgentRoleEntryWithoutBandStaysInTrading) {
  LimitTable table;
  table.by_role["ai-agent"] = DispatchLimits{};  // configured unlimited, band not named
  const LimitVerdict held =
      EvaluateLimits(table, "mcp", "ai-agent",
                     Proposal(DispatchPriority::kResilience, 50.0, absl::Hours(24)), {}, 0, kNow);
  EXPECT_EQ(held.outcome, LimitOutcome::kPending);
  EXPECT_THAT(held.reason,
              AllOf(HasSubstr("priority resilience"), ::testing::Not(HasSubstr("MW"))));
  table.by_role["ai-agent"].max_priority = DispatchPriority::kResilience;
  EXPECT_EQ(
      EvaluateLimits(table, "mcp", "ai-agent",
                     Proposal(DispatchPriority::kResilience, 50.0, absl::Hours(24)), {}, 0, kNow)
          .outcome,
      LimitOutcome::kApply);
}

TEST(LimitsForTest, IdentityThenRoleThenNone) {
  const LimitTable table = Table();
  EXPECT_EQ(LimitsFor(table, "mcp-lab", "ai-agent"), &table.by_identity.at("mcp-lab"));
  EXPECT_EQ(LimitsFor(table, "mcp", "ai-agent"), &table.by_role.at("ai-agent"));
  EXPECT_EQ(LimitsFor(table, "trader", "trader"), nullptr);
}

}  // namespace
}  // namespace gridpilot::region
