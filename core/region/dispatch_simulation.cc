#include "core/region/dispatch_simulation.h"

#include "absl/strings/str_cat.h"

namespace gridpilot::region {
namespace {

double Penalty(const market::Ledger& ledger) {
  return -ledger.Total(market::LedgerCause::kInstabilityPenalty);
}

AssetDecision DecisionFor(const IntervalOutcome& outcome, const std::string& asset_id) {
  for (const AssetDecision& decision : outcome.decisions) {
    if (decision.asset_id == asset_id) return decision;
  }
  AssetDecision none;
  none.asset_id = asset_id;
  return none;
}

}  // namespace

absl::StatusOr<DispatchSimulationResult> SimulateDispatch(
    const RegionEngine& engine, const DispatchProposal& proposal, absl::Time first_step,
    const std::vector<std::optional<double>>& expected_net_load_mw,
    const std::vector<double>& expected_price_gbp_per_mwh) {
  const size_t steps = expected_net_load_mw.size();
  if (steps == 0 || steps > static_cast<size_t>(kMaxSimulatedSteps)) {
    return absl::InvalidArgumentError(
        absl::StrCat("expected_net_load_mw: ", steps, " steps; give 1..", kMaxSimulatedSteps));
  }
  if (!expected_price_gbp_per_mwh.empty() && expected_price_gbp_per_mwh.size() != steps) {
    return absl::InvalidArgumentError(
        absl::StrCat("expected_price_gbp_per_mwh: ", expected_price_gbp_per_mwh.size(),
                     " values for ", steps, " steps; give one per step or none"));
  }
  RegionEngine with = engine;
  RegionEngine without = engine;
  absl::StatusOr<DispatchArbiter::SubmitResult> submitted =
      with.arbiter().Submit(proposal, first_step);
  if (!submitted.ok()) return submitted.status();

  DispatchSimulationResult result;
  result.simulated_proposal_id = submitted->proposal_id;
  const double net_before = engine.ledger().Net();
  const double penalty_before = Penalty(engine.ledger());
  for (size_t i = 0; i < steps; ++i) {
    const absl::Time start = first_step + static_cast<int64_t>(i) * engine.region().step;
    std::optional<double> price;
    if (!expected_price_gbp_per_mwh.empty()) price = expected_price_gbp_per_mwh[i];
    const IntervalOutcome a = with.ApplyStep(start, expected_net_load_mw[i], price);
    const IntervalOutcome b = without.ApplyStep(start, expected_net_load_mw[i], price);
    SimulatedStep step;
    step.start = start;
    step.with = DecisionFor(a, proposal.asset_id);
    step.without = DecisionFor(b, proposal.asset_id);
    step.excess_with_mw = a.excess_mw;
    step.excess_without_mw = b.excess_mw;
    result.steps.push_back(std::move(step));
  }
  result.net_with_gbp = with.ledger().Net() - net_before;
  result.net_without_gbp = without.ledger().Net() - net_before;
  result.penalty_with_gbp = Penalty(with.ledger()) - penalty_before;
  result.penalty_without_gbp = Penalty(without.ledger()) - penalty_before;
  return result;
}

}  // namespace gridpilot::region
