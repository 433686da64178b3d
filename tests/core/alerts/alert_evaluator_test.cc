// Table-driven cycle tests of the alert rules: a sequence of observations in, the alerts
// each one emits out ("firing:KEY" / "resolved:KEY"), for every rule kind, with the
// deduplication and rate-limit counts at the end.
#include "core/alerts/alert_evaluator.h"

#include <functional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gridpilot::alerts {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const absl::Time kStart = absl::FromUnixSeconds(1678248000);  // 2023-03-08T04:00:00Z

// Observation at `half_hours` after kStart, modified by `fill`.
struct Step {
  int half_hours;
  std::function<void(AlertObservation*)> fill;
  std::vector<std::string> expected;  // "firing:KEY" or "resolved:KEY", in order
};

struct Case {
  std::string name;
  AlertRule rule;
  std::vector<Step> steps;
  AlertCounts expected_counts;
};

AlertRule Rule(AlertRuleKind kind, std::function<void(AlertRule*)> set = nullptr) {
  AlertRule rule;
  rule.name = "r";
  rule.kind = kind;
  if (set) set(&rule);
  return rule;
}

auto Held(int64_t response, int64_t trader) {
  return [=](AlertObservation* o) {
    o->suspect_ticks_held = {{"response", response}, {"trader", trader}};
  };
}
auto Penalty(double gbp) {
  return [=](AlertObservation* o) { o->instability_penalty_gbp = gbp; };
}
auto Anomaly(const std::string& kind) {
  return [=](AlertObservation* o) {
    o->new_anomalies.push_back({kind, o->now - absl::Minutes(30), "far from the forecast"});
  };
}
auto NoAnomaly() {
  return [](AlertObservation*) {};
}
auto Degraded(bool degraded) {
  return [=](AlertObservation* o) {
    o->degraded = degraded;
    o->degraded_reason = "forecast unavailable";
  };
}
auto Restarts(int64_t trader, bool given_up = false) {
  return [=](AlertObservation* o) {
    o->processes.emplace();
    (*o->processes)["trader"] = {trader, given_up, "signal 9"};
  };
}
auto SinceTick(absl::Duration d) {
  return [=](AlertObservation* o) { o->since_last_tick = d; };
}
auto NotCountered(int64_t n) {
  return [=](AlertObservation* o) { o->episodes_not_countered = n; };
}

std::vector<Case> Cases() {
  const auto zero_hold = [](AlertRule* r) { r->hold = absl::ZeroDuration(); };
  return {
      {"false data held: baseline, one alert per agent while held, resolved after the hold",
       Rule(AlertRuleKind::kFalseDataHeld),
       {{0, Held(3, 0), {}},  // counts seen first are the baseline
        {1, Held(4, 0), {"firing:response"}},
        {2, Held(5, 1), {"firing:trader"}},
        {3, Held(6, 2), {}},
        {4, Held(6, 2), {}},  // within the hour after the last hold
        {5, Held(6, 2), {"resolved:response", "resolved:trader"}}},
       {2, 2, 2, 5, 0}},
      {"anomaly of a kind: other kinds ignored",
       Rule(AlertRuleKind::kAnomaly,
            [](AlertRule* r) {
              r->anomaly_kind = "false_data";
              r->hold = absl::Minutes(30);
            }),
       {{0, Anomaly("spike"), {}},
        {1, Anomaly("false_data"), {"firing:false_data"}},
        {2, Anomaly("false_data"), {}},
        {3, NoAnomaly(), {"resolved:false_data"}},
        {4, NoAnomaly(), {}}},
       {1, 1, 1, 1, 0}},
      {"rate limit: two per window, the third condition is counted and not sent",
       Rule(AlertRuleKind::kAnomaly,
            [&](AlertRule* r) {
              zero_hold(r);
              r->max_alerts = 2;
              r->rate_window = absl::Hours(3);
            }),
       {{0, Anomaly("drop"), {"firing:drop"}},
        {1, NoAnomaly(), {"resolved:drop"}},
        {2, Anomaly("drop"), {"firing:drop"}},
        {3, NoAnomaly(), {"resolved:drop"}},
        {4, Anomaly("drop"), {}},                // third start within 3 h: limited
        {5, NoAnomaly(), {}},                    // its end is not sent either
        {6, Anomaly("drop"), {"firing:drop"}}},  // 3 h after the first: allowed again
       {4, 3, 2, 0, 1}},
      {"instability penalty above GBP 100 per hour of run time",
       Rule(AlertRuleKind::kInstabilityPenalty,
            [](AlertRule* r) { r->penalty_gbp_per_hour = 100; }),
       {{0, Penalty(0), {}},
        {1, Penalty(60), {}},
        {2, Penalty(120), {"firing:region"}},    // 120 in the hour to now
        {3, Penalty(150), {"resolved:region"}},  // 150 - 60: 90 in the hour to now
        {4, Penalty(150), {}}},
       {1, 1, 1, 0, 0}},
      {"degraded while it lasts",
       Rule(AlertRuleKind::kDegraded),
       {{0, Degraded(false), {}},
        {1, Degraded(true), {"firing:response"}},
        {2, Degraded(true), {}},
        {3, [](AlertObservation*) {}, {}},  // unread: unknown, no change
        {4, Degraded(true), {}},
        {5, Degraded(false), {"resolved:response"}}},
       {1, 1, 1, 2, 0}},
      {"process restarted, then given up",
       Rule(AlertRuleKind::kProcessRestarted, zero_hold),
       {{0, Restarts(0), {}},
        {1, Restarts(1), {"firing:trader"}},
        {2, Restarts(1), {"resolved:trader"}},
        {3, Restarts(5, true), {"firing:trader"}},
        {4, [](AlertObservation*) {}, {}},  // the report unread: no change
        {5, Restarts(5, true), {}}},
       {2, 2, 1, 1, 0}},
      {"ramp not countered",
       Rule(AlertRuleKind::kRampNotCountered, zero_hold),
       {{0, NotCountered(2), {}},
        {1, NotCountered(3), {"firing:response"}},
        {2, NotCountered(3), {"resolved:response"}}},
       {1, 1, 1, 0, 0}},
      {"data stale after 30 s without a tick",
       Rule(AlertRuleKind::kDataStale, [](AlertRule* r) { r->stale_after = absl::Seconds(30); }),
       {{0, SinceTick(absl::Seconds(5)), {}},
        {0, SinceTick(absl::Seconds(31)), {"firing:gateway"}},
        {0, SinceTick(absl::Seconds(60)), {}},
        {1, SinceTick(absl::Seconds(0)), {"resolved:gateway"}},
        {2, [](AlertObservation*) {}, {}}},  // a backtest: never stale
       {1, 1, 1, 1, 0}},
  };
}

TEST(AlertEvaluatorTest, RulesOverObservationSequences) {
  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.name);
    absl::StatusOr<AlertEvaluator> evaluator = AlertEvaluator::Create({c.rule});
    ASSERT_TRUE(evaluator.ok()) << evaluator.status();
    for (size_t i = 0; i < c.steps.size(); ++i) {
      AlertObservation observation;
      observation.now = kStart + c.steps[i].half_hours * absl::Minutes(30);
      c.steps[i].fill(&observation);
      std::vector<std::string> got;
      for (const AlertNotice& n : evaluator->Evaluate(observation)) {
        EXPECT_EQ(n.rule, "r");
        EXPECT_EQ(n.at, observation.now);
        got.push_back(std::string(AlertStatusName(n.status)) + ":" + n.key);
      }
      EXPECT_EQ(got, c.steps[i].expected) << "step " << i;
    }
    const AlertCounts& counts = evaluator->counts();
    EXPECT_EQ(counts.fired, c.expected_counts.fired);
    EXPECT_EQ(counts.sent_firing, c.expected_counts.sent_firing);
    EXPECT_EQ(counts.sent_resolved, c.expected_counts.sent_resolved);
    EXPECT_EQ(counts.deduplicated, c.expected_counts.deduplicated);
    EXPECT_EQ(counts.rate_limited, c.expected_counts.rate_limited);
  }
}

TEST(AlertEvaluatorTest, SummariesNameWhatHappened) {
  AlertRule penalty = Rule(AlertRuleKind::kInstabilityPenalty);
  penalty.name = "penalty";
  penalty.penalty_gbp_per_hour = 10;
  AlertRule held = Rule(AlertRuleKind::kFalseDataHeld);
  held.name = "held";
  absl::StatusOr<AlertEvaluator> evaluator = AlertEvaluator::Create({penalty, held});
  ASSERT_TRUE(evaluator.ok());
  AlertObservation first;
  first.now = kStart;
  first.instability_penalty_gbp = 0;
  first.suspect_ticks_held = {{"response", 0}};
  evaluator->Evaluate(first);
  AlertObservation second = first;
  second.now = kStart + absl::Minutes(30);
  second.instability_penalty_gbp = 42.4;
  second.suspect_ticks_held = {{"response", 1}};
  const std::vector<AlertNotice> notices = evaluator->Evaluate(second);
  ASSERT_EQ(notices.size(), 2u);
  EXPECT_EQ(notices[0].rule, "penalty");  // configuration order
  EXPECT_THAT(notices[0].summary, HasSubstr("instability penalty GBP 42.40 in the hour to "
                                            "2023-03-08T04:30:00Z, above the limit of GBP 10.00"));
  EXPECT_EQ(notices[1].rule, "held");
  EXPECT_THAT(notices[1].summary, HasSubstr("response held on suspect telemetry"));
}

TEST(AlertEvaluatorTest, RejectsBadRules) {
  AlertRule bad_kind = Rule(AlertRuleKind::kAnomaly);
  bad_kind.anomaly_kind = "wobble";
  EXPECT_THAT(AlertEvaluator::Create({bad_kind}).status().message(),
              HasSubstr("alert rule \"r\": anomaly_kind \"wobble\" is not one of"));
  EXPECT_THAT(
      AlertEvaluator::Create({Rule(AlertRuleKind::kDegraded), Rule(AlertRuleKind::kDegraded)})
          .status()
          .message(),
      HasSubstr("used twice"));
  AlertRule nan_threshold = Rule(AlertRuleKind::kInstabilityPenalty);
  nan_threshold.penalty_gbp_per_hour = std::nan("");
  EXPECT_FALSE(AlertEvaluator::Create({nan_threshold}).ok());
  AlertRule no_alerts = Rule(AlertRuleKind::kDegraded);
  no_alerts.max_alerts = 0;
  EXPECT_FALSE(AlertEvaluator::Create({no_alerts}).ok());
}

}  // namespace
}  // namespace gridpilot::alerts
