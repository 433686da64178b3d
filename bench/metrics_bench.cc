// What the Prometheus metrics cost on the tick path (Google Benchmark):
//   - an agent answering one tick: AgentMetrics::TickAnswered (two histogram observations,
//     two counter increments); the runtime also reads the wall clock twice more;
//   - the gateway settling one step: MeteredStore::RecordInterval over a store that does
//     nothing, for the default fleet (a battery that follows a proposal and an idle peaker)
//     on a step whose ramp broke the tolerance (the most counters a step touches);
//   - one scrape of an agent's registry, serialised to Prometheus's text format.
// Prints figures; asserts nothing.
#include <benchmark/benchmark.h>

#include <memory>

#include "absl/time/clock.h"
#include "agents/common/agent_metrics.h"
#include "prometheus/registry.h"
#include "prometheus/text_serializer.h"
#include "services/gateway/metered_store.h"

namespace gridpilot {
namespace {

class NullStore final : public Store {
 public:
  absl::Status BeginRun(absl::Time, absl::Time, const std::string&) override {
    return absl::OkStatus();
  }
  absl::Status RecordProposal(const region::ProposalRecord&, ProposalStatus,
                              const std::string&) override {
    return absl::OkStatus();
  }
  absl::Status RecordAgentNote(absl::Time, const std::string&, const std::string&) override {
    return absl::OkStatus();
  }
  absl::Status RecordRefusedCall(absl::Time, const security::RefusedCall&, int64_t) override {
    return absl::OkStatus();
  }
  absl::Status RecordPlan(absl::Time, const std::string&, const AgentPlanRecord&) override {
    return absl::OkStatus();
  }
  absl::Status RecordInterval(const data::GridInterval&, const region::IntervalOutcome&) override {
    return absl::OkStatus();
  }
  absl::Status RecordTelemetrySamples(const std::vector<StoredTelemetrySample>&) override {
    return absl::OkStatus();
  }
  absl::Status Flush() override { return absl::OkStatus(); }
};

void BM_AgentTickAnswered(benchmark::State& state) {
  prometheus::Registry registry;
  AgentMetrics metrics("response", &registry);
  for (auto _ : state) {
    const absl::Time received = absl::Now();
    const absl::Time decided = absl::Now();
    metrics.TickAnswered(decided - received, absl::Now() - received, 1);
  }
}
BENCHMARK(BM_AgentTickAnswered);

void BM_GatewayRecordInterval(benchmark::State& state) {
  NullStore inner;
  prometheus::Registry registry;
  MeteredStore store(&inner, &registry);
  region::IntervalOutcome outcome;
  region::AssetDecision battery;
  battery.asset_id = "battery-1";
  battery.proposal_id = 12;
  battery.agent = "trader";
  battery.requested_mw = 20.0;
  battery.applied_mw = 20.0;
  region::AssetDecision peaker;
  peaker.asset_id = "peaker-1";
  outcome.decisions = {battery, peaker};
  outcome.baseline_excess_mw = 3.0;
  outcome.excess_mw = 1.0;
  const data::GridInterval region;
  for (auto _ : state) benchmark::DoNotOptimize(store.RecordInterval(region, outcome));
}
BENCHMARK(BM_GatewayRecordInterval);

void BM_ScrapeAgentRegistry(benchmark::State& state) {
  auto registry = std::make_shared<prometheus::Registry>();
  AgentMetrics metrics("response", registry.get());
  for (int i = 0; i < 1000; ++i)
    metrics.TickAnswered(absl::Microseconds(i), absl::Microseconds(2 * i), 1);
  const prometheus::TextSerializer serializer;
  size_t bytes = 0;
  for (auto _ : state) {
    const std::string text = serializer.Serialize(registry->Collect());
    bytes = text.size();
    benchmark::DoNotOptimize(text);
  }
  state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_ScrapeAgentRegistry);

}  // namespace
}  // namespace gridpilot

BENCHMARK_MAIN();
