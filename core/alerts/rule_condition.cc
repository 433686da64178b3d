#include "core/alerts/rule_condition.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/base/time_util.h"

namespace gridpilot::alerts {

void RuleCondition::CountEvent(const std::string& key, int64_t count, absl::Time now,
                               std::string summary) {
  auto [it, first] = last_counts_.try_emplace(key, count);
  if (first) return;
  if (count > it->second) last_events_[key] = Event{now, std::move(summary)};
  it->second = count;
}

std::map<std::string, std::string> RuleCondition::HeldEvents(absl::Time now) {
  std::map<std::string, std::string> held;
  for (auto it = last_events_.begin(); it != last_events_.end();) {
    if (now == it->second.at || now - it->second.at < rule_.hold) {
      held[it->first] = it->second.summary;
      ++it;
    } else {
      it = last_events_.erase(it);
    }
  }
  return held;
}

std::optional<std::map<std::string, std::string>> RuleCondition::PenaltyHolds(
    const AlertObservation& o) {
  if (!o.instability_penalty_gbp) return std::nullopt;
  penalty_gbp_.emplace_back(o.now, *o.instability_penalty_gbp);
  // Keep one sample at or before the hour's start as the baseline.
  while (penalty_gbp_.size() >= 2 && penalty_gbp_[1].first <= o.now - absl::Hours(1)) {
    penalty_gbp_.pop_front();
  }
  const double last_hour_gbp = penalty_gbp_.back().second - penalty_gbp_.front().second;
  if (last_hour_gbp <= rule_.penalty_gbp_per_hour) return std::map<std::string, std::string>();
  return std::map<std::string, std::string>{
      {"region", absl::StrFormat(
                     "instability penalty GBP %.2f in the hour to %s, above the limit of "
                     "GBP %.2f per hour",
                     last_hour_gbp, base::FormatUtcTimestamp(o.now), rule_.penalty_gbp_per_hour)}};
}

std::optional<std::map<std::string, std::string>> RuleCondition::Holds(const AlertObservation& o) {
  using Holding = std::map<std::string, std::string>;
  const std::string at = base::FormatUtcTimestamp(o.now);
  switch (rule_.kind) {
    case AlertRuleKind::kAnomaly:
      for (const AnomalySeen& a : o.new_anomalies) {
        if (!rule_.anomaly_kind.empty() && a.kind != rule_.anomaly_kind) continue;
        last_events_[a.kind] =
            Event{o.now, absl::StrCat(a.kind, " anomaly in the interval from ",
                                      base::FormatUtcTimestamp(a.interval_start), ": ", a.cause)};
      }
      return HeldEvents(o.now);
    case AlertRuleKind::kFalseDataHeld:
      for (const auto& [agent, held] : o.suspect_ticks_held) {
        CountEvent(agent, held, o.now,
                   absl::StrCat(agent, " held on suspect telemetry at ", at,
                                " (ticks held since the run started: ", held, ")"));
      }
      return HeldEvents(o.now);
    case AlertRuleKind::kRampNotCountered:
      if (o.episodes_not_countered) {
        CountEvent("response", *o.episodes_not_countered, o.now,
                   absl::StrCat("a ramp episode ended not countered by ", at,
                                " (episodes not countered since the run started: ",
                                *o.episodes_not_countered, ")"));
      }
      return HeldEvents(o.now);
    case AlertRuleKind::kInstabilityPenalty: return PenaltyHolds(o);
    case AlertRuleKind::kDegraded:
      if (!o.degraded) return std::nullopt;
      if (*o.degraded) {
        return Holding{
            {"response", absl::StrCat("the response agent is degraded (acting on measured "
                                      "data only): ",
                                      o.degraded_reason)}};
      }
      return Holding();
    case AlertRuleKind::kProcessRestarted: {
      if (!o.processes) return std::nullopt;
      for (const auto& [process, state] : *o.processes) {
        CountEvent(
            process, state.restarts, o.now,
            absl::StrCat(process, " was restarted (restarts: ", state.restarts, "; last exit: ",
                         state.last_exit.empty() ? "unknown" : state.last_exit, ")"));
      }
      Holding holds = HeldEvents(o.now);
      for (const auto& [process, state] : *o.processes) {
        if (state.given_up) {
          holds[process] =
              absl::StrCat("the supervisor gave up restarting ", process, " after ", state.restarts,
                           " restarts (last exit: ", state.last_exit, ")");
        }
      }
      return holds;
    }
    case AlertRuleKind::kDataStale:
      if (!o.since_last_tick) return std::nullopt;
      if (*o.since_last_tick > rule_.stale_after) {
        return Holding{
            {"gateway", absl::StrFormat("no new tick for %.1f s (limit %.1f s); last tick at %s",
                                        absl::ToDoubleSeconds(*o.since_last_tick),
                                        absl::ToDoubleSeconds(rule_.stale_after), at)}};
      }
      return Holding();
  }
  return std::nullopt;
}

}  // namespace gridpilot::alerts
