// MeteredStore: forwards every call to the store it wraps, unchanged, and counts what
// passes: proposals by how they were received, per-asset decisions (idle, applied,
// limited), steps beyond the ramp tolerance with and without dispatch, and failures.
#include "services/gateway/metered_store.h"

#include <map>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace gridpilot {
namespace {

// A store that remembers what it was asked and fails when told to.
class FakeStore final : public Store {
 public:
  absl::Status BeginRun(absl::Time, absl::Time, const std::string&) override { return Next(); }
  absl::Status RecordProposal(const region::ProposalRecord& record, ProposalStatus,
                              const std::string&) override {
    proposals.push_back(record.proposal.agent);
    return Next();
  }
  absl::Status RecordAgentNote(absl::Time, const std::string&, const std::string& note) override {
    notes.push_back(note);
    return Next();
  }
  absl::Status RecordRefusedCall(absl::Time, const security::RefusedCall& call, int64_t) override {
    refused.push_back(call.method);
    return Next();
  }
  absl::Status RecordPlan(absl::Time, const std::string&, const AgentPlanRecord& plan) override {
    plans.push_back(plan.reason);
    return Next();
  }
  absl::Status RecordInterval(const data::GridInterval&, const region::IntervalOutcome&) override {
    ++intervals;
    return Next();
  }
  absl::Status RecordTelemetrySamples(const std::vector<StoredTelemetrySample>& rows) override {
    samples += static_cast<int>(rows.size());
    return Next();
  }
  absl::Status Flush() override { return Next(); }

  absl::Status fail_next = absl::OkStatus();
  std::vector<std::string> proposals;
  std::vector<std::string> notes;
  std::vector<std::string> refused;
  std::vector<std::string> plans;  // reasons
  int intervals = 0;
  int samples = 0;

 private:
  absl::Status Next() {
    absl::Status s = fail_next;
    fail_next = absl::OkStatus();
    return s;
  }
};

// Value of `name` with exactly `labels`, from a scrape of `registry`; -1 if absent.
double Value(const prometheus::Registry& registry, const std::string& name,
             const std::map<std::string, std::string>& labels) {
  for (const prometheus::MetricFamily& family : registry.Collect()) {
    if (family.name != name) continue;
    for (const prometheus::ClientMetric& metric : family.metric) {
      std::map<std::string, std::string> have;
      for (const auto& label : metric.label) have[label.name] = label.value;
      if (have == labels) return metric.counter.value;
    }
  }
  return -1.0;
}

region::ProposalRecord Proposal(const std::string& agent, const std::string& asset) {
  region::ProposalRecord record;
  record.proposal.agent = agent;
  record.proposal.asset_id = asset;
  return record;
}

region::AssetDecision Decision(const std::string& asset, int64_t proposal_id, double requested_mw,
                               double applied_mw) {
  region::AssetDecision d;
  d.asset_id = asset;
  d.proposal_id = proposal_id;
  d.agent = proposal_id == 0 ? "" : "trader";
  d.requested_mw = requested_mw;
  d.applied_mw = applied_mw;
  return d;
}

TEST(MeteredStoreTest, CountsProposalsByHowTheyWereReceived) {
  FakeStore inner;
  prometheus::Registry registry;
  MeteredStore store(&inner, &registry);
  ASSERT_TRUE(
      store.RecordProposal(Proposal("trader", "battery-1"), ProposalStatus::kAccepted, "").ok());
  ASSERT_TRUE(
      store.RecordProposal(Proposal("trader", "battery-1"), ProposalStatus::kAccepted, "").ok());
  ASSERT_TRUE(
      store.RecordProposal(Proposal("trader", "battery-1"), ProposalStatus::kRejected, "bad").ok());
  ASSERT_TRUE(
      store.RecordProposal(Proposal("response", "peaker-1"), ProposalStatus::kDuplicate, "").ok());
  EXPECT_EQ(inner.proposals.size(), 4u);
  EXPECT_EQ(Value(registry, "gridpilot_proposals_total",
                  {{"agent", "trader"}, {"asset", "battery-1"}, {"status", "accepted"}}),
            2);
  EXPECT_EQ(Value(registry, "gridpilot_proposals_total",
                  {{"agent", "trader"}, {"asset", "battery-1"}, {"status", "rejected"}}),
            1);
  EXPECT_EQ(Value(registry, "gridpilot_proposals_total",
                  {{"agent", "response"}, {"asset", "peaker-1"}, {"status", "duplicate"}}),
            1);
}

// Label sets are remembered up to a bound; past it each call finds its counter in the
// family, and every label set still counts only its own calls.
TEST(MeteredStoreTest, CountsEveryLabelSetSeparatelyBeyondTheOnesRemembered) {
  FakeStore inner;
  prometheus::Registry registry;
  MeteredStore store(&inner, &registry);
  for (int round = 0; round < 3; ++round) {
    for (int a = 0; a < 100; ++a) {
      const std::string agent = "agent-" + std::to_string(a);
      ASSERT_TRUE(
          store.RecordProposal(Proposal(agent, "battery-1"), ProposalStatus::kAccepted, "").ok());
      if (a % 2 == 0) {
        ASSERT_TRUE(
            store.RecordProposal(Proposal(agent, "battery-1"), ProposalStatus::kRejected, "").ok());
      }
    }
  }
  for (int a = 0; a < 100; ++a) {
    const std::string agent = "agent-" + std::to_string(a);
    EXPECT_EQ(Value(registry, "gridpilot_proposals_total",
                    {{"agent", agent}, {"asset", "battery-1"}, {"status", "accepted"}}),
              3)
        << agent;
    EXPECT_EQ(Value(registry, "gridpilot_proposals_total",
                    {{"agent", agent}, {"asset", "battery-1"}, {"status", "rejected"}}),
              a % 2 == 0 ? 3 : -1)
        << agent;
  }
}

TEST(MeteredStoreTest, CountsDecisionsAndRampStepsPerInterval) {
  FakeStore inner;
  prometheus::Registry registry;
  MeteredStore store(&inner, &registry);
  region::IntervalOutcome outcome;
  outcome.decisions = {Decision("battery-1", 7, 30.0, 30.0), Decision("peaker-1", 0, 0.0, 0.0)};
  outcome.baseline_excess_mw = 4.0;  // the grid's ramp broke the tolerance...
  outcome.excess_mw = 0.0;           // ...and the dispatch countered it
  ASSERT_TRUE(store.RecordInterval({}, outcome).ok());
  outcome.decisions = {Decision("battery-1", 8, 50.0, 42.5), Decision("peaker-1", 0, 0.0, 0.0)};
  outcome.baseline_excess_mw = 6.0;
  outcome.excess_mw = 1.5;
  ASSERT_TRUE(store.RecordInterval({}, outcome).ok());
  EXPECT_EQ(inner.intervals, 2);
  const std::string decisions = "gridpilot_dispatch_decisions_total";
  EXPECT_EQ(Value(registry, decisions,
                  {{"asset", "battery-1"}, {"agent", "trader"}, {"result", "applied"}}),
            1);
  EXPECT_EQ(Value(registry, decisions,
                  {{"asset", "battery-1"}, {"agent", "trader"}, {"result", "limited"}}),
            1);
  EXPECT_EQ(
      Value(registry, decisions, {{"asset", "peaker-1"}, {"agent", "none"}, {"result", "idle"}}),
      2);
  EXPECT_EQ(Value(registry, "gridpilot_ramp_steps_total", {{"view", "no_dispatch"}}), 2);
  EXPECT_EQ(Value(registry, "gridpilot_ramp_steps_total", {{"view", "after_dispatch"}}), 1);
  EXPECT_DOUBLE_EQ(Value(registry, "gridpilot_ramp_excess_mw_total", {{"view", "no_dispatch"}}),
                   10.0);
  EXPECT_DOUBLE_EQ(Value(registry, "gridpilot_ramp_excess_mw_total", {{"view", "after_dispatch"}}),
                   1.5);
}

TEST(MeteredStoreTest, PassesFailuresThroughAndCountsThem) {
  FakeStore inner;
  prometheus::Registry registry;
  MeteredStore store(&inner, &registry);
  EXPECT_EQ(Value(registry, "gridpilot_store_errors_total", {{"operation", "interval"}}), 0);
  inner.fail_next = absl::UnavailableError("disk full");
  absl::Status s = store.RecordInterval({}, region::IntervalOutcome{});
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(s.message(), "disk full");
  inner.fail_next = absl::UnavailableError("locked");
  EXPECT_FALSE(store.Flush().ok());
  EXPECT_TRUE(store.RecordAgentNote(absl::UnixEpoch(), "response", "held").ok());
  EXPECT_EQ(inner.notes, std::vector<std::string>{"held"});
  security::RefusedCall refused;
  refused.method = "/gridpilot.v1.AssetService/SubmitDispatch";
  EXPECT_TRUE(store.RecordRefusedCall(absl::UnixEpoch(), refused, 0).ok());
  EXPECT_EQ(inner.refused, std::vector<std::string>{refused.method});
  AgentPlanRecord plan;
  plan.reason = "plan at noon";
  EXPECT_TRUE(store.RecordPlan(absl::UnixEpoch(), "trader", plan).ok());
  EXPECT_EQ(inner.plans, std::vector<std::string>{"plan at noon"});
  EXPECT_TRUE(store.RecordTelemetrySamples(std::vector<StoredTelemetrySample>(3)).ok());
  EXPECT_EQ(inner.samples, 3);
  inner.fail_next = absl::UnavailableError("locked");
  EXPECT_EQ(store.RecordTelemetrySamples({}).code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(Value(registry, "gridpilot_store_errors_total", {{"operation", "telemetry_samples"}}),
            1);
  EXPECT_EQ(Value(registry, "gridpilot_store_errors_total", {{"operation", "interval"}}), 1);
  EXPECT_EQ(Value(registry, "gridpilot_store_errors_total", {{"operation", "flush"}}), 1);
  EXPECT_EQ(Value(registry, "gridpilot_store_errors_total", {{"operation", "note"}}), 0);
  EXPECT_EQ(Value(registry, "gridpilot_agent_notes_total", {{"agent", "response"}}), 1);
}

}  // namespace
}  // namespace gridpilot
