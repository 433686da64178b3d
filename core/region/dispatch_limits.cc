#include "core/region/dispatch_limits.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace gridpilot::region {
namespace {

constexpr char kAiAgentRole[] = "ai-agent";

const char* BandName(DispatchPriority priority) {
  switch (priority) {
    case DispatchPriority::kTrading: return "trading";
    case DispatchPriority::kResilience: return "resilience";
    case DispatchPriority::kUnspecified: break;
  }
  return "unspecified";
}

}  // namespace

LimitTable DefaultLimitTable() {
  LimitTable table;
  DispatchLimits ai_agent;
  ai_agent.max_abs_power_mw = 10.0;
  ai_agent.max_lease = absl::Hours(2);
  ai_agent.max_actions_per_hour = 6;
  ai_agent.max_priority = DispatchPriority::kTrading;
  table.by_role[kAiAgentRole] = ai_agent;
  return table;
}

const DispatchLimits* LimitsFor(const LimitTable& table, const std::string& identity,
                                const std::string& role) {
  if (auto it = table.by_identity.find(identity); it != table.by_identity.end()) {
    return &it->second;
  }
  if (auto it = table.by_role.find(role); it != table.by_role.end()) return &it->second;
  return nullptr;
}

LimitVerdict EvaluateLimits(const LimitTable& table, const std::string& identity,
                            const std::string& role, const DispatchProposal& proposal,
                            const std::vector<absl::Time>& recent_actions, int pending_held,
                            absl::Time now) {
  const DispatchLimits* limits = LimitsFor(table, identity, role);
  std::optional<DispatchPriority> max_priority;
  if (limits != nullptr) max_priority = limits->max_priority;
  if (!max_priority.has_value() && role == kAiAgentRole) {
    max_priority = DispatchPriority::kTrading;
  }
  std::vector<std::string> exceeded;
  if (max_priority.has_value() &&
      static_cast<int>(proposal.priority) > static_cast<int>(*max_priority)) {
    exceeded.push_back(absl::StrCat("priority ", BandName(proposal.priority),
                                    " is above its band (", BandName(*max_priority), ")"));
  }
  if (limits != nullptr) {
    if (limits->max_abs_power_mw.has_value() &&
        std::abs(proposal.power_mw) > *limits->max_abs_power_mw) {
      exceeded.push_back(absl::StrFormat("|power_mw| %g is above its limit %g MW",
                                         std::abs(proposal.power_mw), *limits->max_abs_power_mw));
    }
    if (limits->max_lease.has_value() && proposal.end - proposal.start > *limits->max_lease) {
      exceeded.push_back(
          absl::StrCat("lease of ", absl::FormatDuration(proposal.end - proposal.start),
                       " is longer than its limit ", absl::FormatDuration(*limits->max_lease)));
    }
    if (limits->assets.has_value() && !limits->assets->contains(proposal.asset_id)) {
      exceeded.push_back(absl::StrCat("asset \"", proposal.asset_id, "\" is not among its assets (",
                                      absl::StrJoin(*limits->assets, ", "), ")"));
    }
    if (limits->max_actions_per_hour.has_value()) {
      const int64_t in_last_hour =
          std::count_if(recent_actions.begin(), recent_actions.end(),
                        [now](absl::Time t) { return t > now - absl::Hours(1) && t <= now; });
      if (in_last_hour >= *limits->max_actions_per_hour) {
        exceeded.push_back(absl::StrCat(in_last_hour,
                                        " actions in the last hour reach its limit of ",
                                        *limits->max_actions_per_hour, " an hour"));
      }
    }
  }
  LimitVerdict verdict;
  if (exceeded.empty()) return verdict;
  const std::string who = absl::StrCat(identity, " (", role, ")");
  if (pending_held >= table.max_pending_per_identity) {
    verdict.outcome = LimitOutcome::kRefuse;
    verdict.reason = absl::StrCat(
        who, " already holds ", pending_held, " pending approvals, the most allowed (",
        table.max_pending_per_identity, "); beyond its limits: ", absl::StrJoin(exceeded, "; "));
    return verdict;
  }
  verdict.outcome = LimitOutcome::kPending;
  verdict.reason = absl::StrCat("beyond the limits of ", who, ": ", absl::StrJoin(exceeded, "; "));
  return verdict;
}

}  // namespace gridpilot::region
