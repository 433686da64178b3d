#include "services/gateway/gateway_run.h"

#include <algorithm>
#include <cmath>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "core/base/logging.h"
#include "core/base/status_macros.h"
#include "core/base/time_util.h"
#include "core/data/grid_data_loader.h"
#include "core/region/dispatch_simulation.h"
#include "services/common/proto_enum.h"
#include "services/common/proto_time.h"
#include "services/gateway/grid_feed.h"
#include "services/gateway/input_bounds.h"

namespace gridpilot {
namespace {

// A plan is informational, but the audit log must be able to trust it: a valid start,
// finite powers within the fleet's limit and prices within the data's range, one forecast
// per interval or none, a start when there are intervals, a bounded reason.
absl::Status ValidatePlan(const v1::AgentPlan& plan, double power_limit_mw) {
  if (plan.power_mw_size() > 0 && !plan.has_first_interval_start()) {
    return absl::InvalidArgumentError("plan.first_interval_start: required with power_mw");
  }
  if (plan.has_first_interval_start()) {
    RETURN_IF_ERROR(
        ValidateProtoTimestamp("plan.first_interval_start", plan.first_interval_start()));
  }
  if (plan.power_mw_size() > kMaxPlanIntervals) {
    return absl::InvalidArgumentError(absl::StrCat("plan.power_mw: ", plan.power_mw_size(),
                                                   " intervals is more than the limit of ",
                                                   kMaxPlanIntervals));
  }
  if (plan.price_forecast_gbp_per_mwh_size() != 0 &&
      plan.price_forecast_gbp_per_mwh_size() != plan.power_mw_size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("plan.price_forecast_gbp_per_mwh: ", plan.price_forecast_gbp_per_mwh_size(),
                     " values for ", plan.power_mw_size(), " intervals (one each, or none)"));
  }
  for (int i = 0; i < plan.power_mw_size(); ++i) {
    if (!std::isfinite(plan.power_mw(i))) {
      return absl::InvalidArgumentError(absl::StrCat("plan.power_mw[", i, "]: not finite"));
    }
    // The field's name is built only for the error: a plan of 48 intervals comes every tick.
    if (std::abs(plan.power_mw(i)) > power_limit_mw) {
      return ValidatePowerBound(absl::StrCat("plan.power_mw[", i, "]"), plan.power_mw(i),
                                power_limit_mw);
    }
  }
  for (int i = 0; i < plan.price_forecast_gbp_per_mwh_size(); ++i) {
    const double price = plan.price_forecast_gbp_per_mwh(i);
    if (!std::isfinite(price)) {
      return absl::InvalidArgumentError(
          absl::StrCat("plan.price_forecast_gbp_per_mwh[", i, "]: not finite"));
    }
    if (price < data::kMinPriceGbpPerMwh || price > data::kMaxPriceGbpPerMwh) {
      return absl::InvalidArgumentError(
          absl::StrFormat("plan.price_forecast_gbp_per_mwh[%d]: %g is outside [%g, %g] GBP/MWh", i,
                          price, data::kMinPriceGbpPerMwh, data::kMaxPriceGbpPerMwh));
    }
  }
  if (!std::isfinite(plan.expected_value_gbp())) {
    return absl::InvalidArgumentError("plan.expected_value_gbp: not finite");
  }
  return ValidateText("plan.reason", plan.reason(), kMaxReasonBytes);
}

// The largest |power| a plan may hold: the whole fleet at full power, MW, plus a
// tolerance for rounding.
double PlanPowerLimitMw(const GatewayConfig& config) {
  double limit_mw = 1e-6;
  for (const assets::BatteryParams& b : config.batteries) {
    limit_mw += std::max(b.max_charge_mw, b.max_discharge_mw);
  }
  for (const assets::PeakerParams& p : config.peakers) limit_mw += p.capacity_mw;
  return limit_mw;
}

// The error for a call whose audit row could not be written: the store's code, and a
// message saying what was not recorded and that the run has stopped.
absl::Status AuditFailure(absl::string_view what, const absl::Status& stored) {
  return absl::Status(stored.code(),
                      absl::StrCat("audit log: cannot record ", what, ": ", stored.message(),
                                   "; the run is stopped and applies nothing more"));
}

AgentPlanRecord PlanRecordOf(const v1::AgentPlan& plan) {
  AgentPlanRecord record;
  record.first_interval_start = FromProtoTime(plan.first_interval_start());
  record.power_mw.assign(plan.power_mw().begin(), plan.power_mw().end());
  record.price_forecast_gbp_per_mwh.assign(plan.price_forecast_gbp_per_mwh().begin(),
                                           plan.price_forecast_gbp_per_mwh().end());
  record.expected_value_gbp = plan.expected_value_gbp();
  record.reason = plan.reason();
  return record;
}

v1::PeakerStatus ToProto(assets::PeakerStatus status) {
  switch (status) {
    case assets::PeakerStatus::kOff: return v1::PEAKER_STATUS_OFF;
    case assets::PeakerStatus::kStarting: return v1::PEAKER_STATUS_STARTING;
    case assets::PeakerStatus::kOn: return v1::PEAKER_STATUS_ON;
  }
  return v1::PEAKER_STATUS_UNSPECIFIED;
}

// The proposal as the arbiter sees it, after the gateway's own bounds: identifiers and
// reason within their sizes, valid timestamps, a lease within `lease_horizon` of `now`.
// The arbiter then checks the asset, the power against its range, and the key's reuse.
absl::StatusOr<region::DispatchProposal> FromProto(const std::string& agent,
                                                   const v1::DispatchProposal& p, size_t index,
                                                   absl::Time now, absl::Duration lease_horizon) {
  const std::string where = absl::StrCat("proposals[", index, "]");
  if (!p.has_start() || !p.has_end()) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": start and end are required"));
  }
  RETURN_IF_ERROR(ValidateIdentifier(absl::StrCat(where, ".asset_id"), p.asset_id(),
                                     kMaxAssetIdBytes, /*required=*/true));
  RETURN_IF_ERROR(ValidateIdentifier(absl::StrCat(where, ".idempotency_key"), p.idempotency_key(),
                                     kMaxIdempotencyKeyBytes, /*required=*/false));
  RETURN_IF_ERROR(ValidateText(absl::StrCat(where, ".reason"), p.reason(), kMaxReasonBytes));
  RETURN_IF_ERROR(ValidateProtoTimestamp(absl::StrCat(where, ".start"), p.start()));
  RETURN_IF_ERROR(ValidateProtoTimestamp(absl::StrCat(where, ".end"), p.end()));
  if (!std::isfinite(p.power_mw())) {
    return absl::InvalidArgumentError(
        absl::StrFormat("%s.power_mw: %g is not finite", where, p.power_mw()));
  }
  RETURN_IF_ERROR(
      ValidateLease(where, FromProtoTime(p.start()), FromProtoTime(p.end()), now, lease_horizon));
  region::DispatchProposal out;
  out.agent = agent;
  out.asset_id = p.asset_id();
  switch (p.priority()) {
    case v1::DISPATCH_PRIORITY_TRADING: out.priority = region::DispatchPriority::kTrading; break;
    case v1::DISPATCH_PRIORITY_RESILIENCE:
      out.priority = region::DispatchPriority::kResilience;
      break;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat(where, ".priority: must be TRADING or RESILIENCE"));
  }
  out.power_mw = p.power_mw();
  out.start = FromProtoTime(p.start());
  out.end = FromProtoTime(p.end());
  out.idempotency_key = p.idempotency_key();
  out.reason = p.reason();
  return out;
}

// The engine's carried state for `config`'s fleet, from what the store holds by asset id.
// FailedPrecondition naming an asset the store has nothing for.
absl::StatusOr<region::CarriedState> CarriedStateFor(const GatewayConfig& config,
                                                     const StoredRunState& stored) {
  region::CarriedState carried;
  for (const assets::BatteryParams& b : config.batteries) {
    const auto it = stored.battery_soc_mwh.find(b.id);
    if (it == stored.battery_soc_mwh.end()) {
      return absl::FailedPreconditionError(
          absl::StrCat("resume: the stored run has no state of charge for battery ", b.id));
    }
    carried.battery_soc_mwh.push_back(it->second);
  }
  for (const assets::PeakerParams& p : config.peakers) {
    const auto it = stored.peakers.find(p.id);
    if (it == stored.peakers.end()) {
      return absl::FailedPreconditionError(
          absl::StrCat("resume: the stored run has no state for peaker ", p.id));
    }
    carried.peaker_states.push_back(it->second);
  }
  carried.ledger_totals_gbp = stored.ledger_totals_gbp;
  return carried;
}

}  // namespace

absl::StatusOr<std::unique_ptr<GatewayRun>> GatewayRun::Create(
    GatewayConfig config, data::GridSeries gb_series, GatewayRunOptions options,
    std::unique_ptr<data::TelemetrySource> feed, base::Clock* wall_clock, Store* store,
    std::vector<data::DayAheadForecastRow> gb_day_ahead) {
  RETURN_IF_ERROR(region::RegionEngine::Validate(config.region, config.batteries, config.peakers));
  // The region settles at its data's resolution (docs/decisions.md, "Native resolution").
  if (config.region.interval != gb_series.interval()) {
    config.region.interval = gb_series.interval();
    config.region.step = gb_series.interval();
    config.region.ramp_window = gb_series.interval();
    RETURN_IF_ERROR(
        region::RegionEngine::Validate(config.region, config.batteries, config.peakers));
  }
  RETURN_IF_ERROR(ValidateReplayWindow(gb_series, options));
  if (options.lease_horizon <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("lease_horizon must be > 0");
  }
  if (options.forecast_lead_ticks < 0 || options.forecast_lead_ticks > kMaxForecastLeadTicks) {
    return absl::InvalidArgumentError(
        absl::StrCat("forecast_lead_ticks: ", options.forecast_lead_ticks, " is not in [0, ",
                     kMaxForecastLeadTicks, "]"));
  }
  if (options.tick_window < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("tick_window must be >= 0");
  }
  if (options.idempotency_key_window < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("idempotency_key_window must be >= 0");
  }
  if (options.verified_through != absl::InfinitePast()) {
    if (options.mode != v1::CLOCK_MODE_LOCK_STEP) {
      return absl::InvalidArgumentError("verified_through: only a lock-step run re-executes");
    }
    if (options.verified_through < options.replay_from ||
        options.verified_through >= options.replay_to ||
        (options.verified_through - options.replay_from) % options.step != absl::ZeroDuration()) {
      return absl::InvalidArgumentError(
          absl::StrCat("verified_through: ", base::FormatUtcTimestamp(options.verified_through),
                       " is not a tick of the replay window"));
    }
  }
  if (feed == nullptr || wall_clock == nullptr) {
    return absl::InvalidArgumentError("a feed and a wall clock are required");
  }
  if (feed->step() != options.step) {
    return absl::InvalidArgumentError(
        absl::StrCat("the feed's step ", absl::FormatDuration(feed->step()),
                     " is not the run's step ", absl::FormatDuration(options.step)));
  }
  if (options.step < config.region.interval) {
    config.region.step = options.step;
    config.region.ramp_window = std::max(options.step, config.live_ramp_window);
    RETURN_IF_ERROR(
        region::RegionEngine::Validate(config.region, config.batteries, config.peakers));
  }
  // The reading of the step before the first tick: the first tick carries it, and its net
  // load is where the region's first ramp is measured from.
  const absl::Time previous_start = options.replay_from - options.step;
  data::FeedReading previous;
  do {
    absl::StatusOr<data::FeedReading> read = feed->Next();
    if (!read.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "the feed has no step starting at ", base::FormatUtcTimestamp(previous_start),
          " (the one before the replay): ", read.status().message()));
    }
    previous = *std::move(read);
  } while (previous.start < previous_start);
  if (previous.start != previous_start) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the feed skipped the step starting at ", base::FormatUtcTimestamp(previous_start),
        " (the one before the replay): its reading starts at ",
        base::FormatUtcTimestamp(previous.start)));
  }
  std::erase_if(gb_day_ahead,
                [](const data::DayAheadForecastRow& row) { return !row.net_load_mw; });
  std::vector<data::DayAheadForecastRow> day_ahead =
      data::ScaleDayAheadForecast(std::move(gb_day_ahead), config.region.scale);
  std::stable_sort(day_ahead.begin(), day_ahead.end(),
                   [](const data::DayAheadForecastRow& a, const data::DayAheadForecastRow& b) {
                     return a.published < b.published;
                   });
  std::optional<region::CarriedState> carried;
  if (options.carried_state.has_value()) {
    if (options.mode != v1::CLOCK_MODE_LIVE) {
      return absl::InvalidArgumentError("carried_state: only a live run carries state over");
    }
    ASSIGN_OR_RETURN(carried, CarriedStateFor(config, *options.carried_state));
  }
  if (options.mode != v1::CLOCK_MODE_LIVE && options.restored_approvals.first_approved) {
    // docs/decisions.md, "Review findings": an approved proposal cannot be re-applied.
    const ApprovedApproval& approved = *options.restored_approvals.first_approved;
    return absl::FailedPreconditionError(absl::StrCat(
        "resume: approval ", approved.id, " of this run was approved by ", approved.decided_by,
        " at ", base::FormatUtcTimestamp(approved.decided_at), " and applied to the run (",
        options.restored_approvals.approved_count,
        " approved in all); a lock-step resume re-executes the run from ",
        base::FormatUtcTimestamp(options.replay_from),
        " without the operator's call, so its intervals would differ from the stored ones: "
        "start a new run (without --resume) instead"));
  }
  std::unique_ptr<GatewayRun> run(new GatewayRun(std::move(config), std::move(gb_series), options,
                                                 std::move(feed), wall_clock, store,
                                                 std::move(previous), std::move(day_ahead)));
  if (carried.has_value()) {
    absl::MutexLock lock(&run->mu_);
    RETURN_IF_ERROR(run->engine_.Restore(*carried));
  }
  {
    absl::MutexLock lock(&run->mu_);
    run->approvals_ = region::PendingApprovals(options.restored_approvals.max_approval_id + 1);
    if (options.mode == v1::CLOCK_MODE_LIVE) {
      for (const region::PendingApproval& entry : options.restored_approvals.pending) {
        RETURN_IF_ERROR(run->approvals_.Restore(entry, options.restored_approvals.max_approval_id));
      }
    }
  }
  if (options.mode != v1::CLOCK_MODE_LIVE) {
    RETURN_IF_ERROR(run->LapseForReExecution(options.restored_approvals.pending));
  }
  return run;
}

GatewayRun::GatewayRun(GatewayConfig config, data::GridSeries gb_series, GatewayRunOptions options,
                       std::unique_ptr<data::TelemetrySource> feed, base::Clock* wall_clock,
                       Store* store, data::FeedReading previous_reading,
                       std::vector<data::DayAheadForecastRow> day_ahead)
    : config_(std::move(config)),
      gb_series_(std::move(gb_series)),
      day_ahead_(std::move(day_ahead)),
      options_(options),
      feed_(std::move(feed)),
      wall_clock_(wall_clock),
      store_(store),
      step_(options.step),
      ticks_total_((options.replay_to - options.replay_from) / options.step),
      previous_reading_(std::move(previous_reading)),
      sim_clock_(options.replay_from),
      engine_(config_.region, config_.batteries, config_.peakers, previous_reading_.net_load_mw,
              options.idempotency_key_window) {
  thread_ = std::thread([this] { Loop(); });
}

GatewayRun::~GatewayRun() {
  Stop();
  if (thread_.joinable()) thread_.join();
}

void GatewayRun::Stop() {
  absl::MutexLock lock(&mu_);
  stop_ = true;
}

data::GridInterval GatewayRun::RegionInterval(size_t series_index) const {
  return ScaleToRegion(gb_series_.at(series_index), config_.region.scale);
}

absl::StatusOr<data::FeedReading> GatewayRun::ReadStep(absl::Time t) {
  absl::StatusOr<data::FeedReading> reading = feed_->Next();
  if (!reading.ok()) {
    return absl::Status(
        reading.status().code(),
        absl::StrCat("feed: no reading of the step starting at ", base::FormatUtcTimestamp(t), ": ",
                     reading.status().message()));
  }
  if (reading->start != t) {
    return absl::InternalError(absl::StrCat("feed: the reading after the step starting at ",
                                            base::FormatUtcTimestamp(t - step_), " starts at ",
                                            base::FormatUtcTimestamp(reading->start), ", not ",
                                            base::FormatUtcTimestamp(t)));
  }
  return reading;
}

void GatewayRun::FailLocked(const absl::Status& error) {
  if (failure_.ok()) {
    failure_ = error;
    base::LogError(absl::StrCat("run stopped: ", error.message()));
  }
  stop_ = true;
}

absl::Status GatewayRun::Failure() const {
  absl::MutexLock lock(&mu_);
  return failure_;
}

namespace {

// The interval's values as reported: `false_data_mw` is added to the net load (and so
// to the gross load), which is what an injection of false data does to telemetry.
void FillMeasurement(const data::GridInterval& region, absl::Duration interval,
                     double false_data_mw, v1::Tick* tick) {
  *tick->mutable_measured_interval_start() = ToProtoTime(region.start);
  *tick->mutable_time() = ToProtoTime(region.start + interval);
  if (region.net_load_mw) tick->set_net_load_mw(*region.net_load_mw + false_data_mw);
  if (region.embedded_solar_mw) tick->set_embedded_solar_mw(*region.embedded_solar_mw);
  if (region.embedded_wind_mw) tick->set_embedded_wind_mw(*region.embedded_wind_mw);
  if (region.net_load_mw && region.embedded_solar_mw && region.embedded_wind_mw) {
    tick->set_gross_load_mw(*region.net_load_mw + false_data_mw + *region.embedded_solar_mw +
                            *region.embedded_wind_mw);
  }
  if (region.price_gbp_per_mwh) tick->set_price_gbp_per_mwh(*region.price_gbp_per_mwh);
}

}  // namespace

void GatewayRun::AddAssetsLocked(absl::Time scheduled_for,
                                 google::protobuf::RepeatedPtrField<v1::Asset>* assets) const {
  const region::DispatchArbiter& arbiter = engine_.arbiter();
  auto schedule = [&](v1::Asset* asset) {
    const region::ProposalRecord* winner = arbiter.Winner(asset->id(), scheduled_for);
    if (winner != nullptr) {
      asset->set_scheduled_power_mw(winner->proposal.power_mw);
      asset->set_scheduled_proposal_id(winner->id);
    }
  };
  for (size_t i = 0; i < engine_.battery_params().size(); ++i) {
    const assets::BatteryParams& p = engine_.battery_params()[i];
    v1::Asset& asset = *assets->Add();
    asset.set_id(p.id);
    asset.set_kind(v1::ASSET_KIND_BATTERY);
    v1::BatteryState* b = asset.mutable_battery();
    b->set_soc_mwh(engine_.battery_soc_mwh()[i]);
    b->set_power_mw(engine_.battery_power_mw()[i]);
    b->set_energy_capacity_mwh(p.energy_capacity_mwh);
    b->set_max_charge_mw(p.max_charge_mw);
    b->set_max_discharge_mw(p.max_discharge_mw);
    b->set_charge_efficiency(p.charge_efficiency);
    b->set_discharge_efficiency(p.discharge_efficiency);
    b->set_soc_min_mwh(p.soc_min_mwh);
    b->set_soc_max_mwh(p.soc_max_mwh);
    b->set_reserve_mwh(p.reserve_mwh);
    b->set_degradation_gbp_per_mwh(p.degradation_gbp_per_mwh);
    schedule(&asset);
  }
  for (size_t i = 0; i < engine_.peaker_params().size(); ++i) {
    const assets::PeakerParams& p = engine_.peaker_params()[i];
    const assets::PeakerState& s = engine_.peaker_states()[i];
    v1::Asset& asset = *assets->Add();
    asset.set_id(p.id);
    asset.set_kind(v1::ASSET_KIND_PEAKER);
    v1::PeakerState* ps = asset.mutable_peaker();
    ps->set_status(ToProto(s.status));
    ps->set_output_mw(s.output_mw);
    if (s.status_since != absl::InfinitePast()) {
      *ps->mutable_status_since() = ToProtoTime(s.status_since);
    }
    ps->set_capacity_mw(p.capacity_mw);
    ps->set_min_stable_load_mw(p.min_stable_load_mw);
    *ps->mutable_start_up_time() = ToProtoDuration(p.start_up_time);
    *ps->mutable_min_up_time() = ToProtoDuration(p.min_up_time);
    *ps->mutable_min_down_time() = ToProtoDuration(p.min_down_time);
    ps->set_ramp_rate_mw_per_min(p.ramp_rate_mw_per_min);
    ps->set_fuel_gbp_per_mwh(p.fuel_gbp_per_mwh);
    ps->set_start_cost_gbp(p.start_cost_gbp);
    schedule(&asset);
  }
}

v1::Tick GatewayRun::DataTick(absl::Time t, int64_t sequence) const {
  v1::Tick tick;
  tick.set_sequence(sequence);
  const absl::Duration interval = gb_series_.interval();
  const absl::Time interval_start = t - (t - gb_series_.start()) % interval;
  FillMeasurement(RegionInterval(*gb_series_.IndexOf(interval_start) - 1), interval,
                  data::FalseDataOffsetMw(config_.false_data, interval_start - interval), &tick);
  *tick.mutable_time() = ToProtoTime(t);
  tick.set_interval_boundary(t == interval_start);
  AddDayAheadPublishedIn(t - step_, t, tick.mutable_day_ahead_forecasts());
  return tick;
}

bool GatewayRun::BuildAheadLocked(int64_t k) {
  if (options_.mode != v1::CLOCK_MODE_LOCK_STEP) return false;
  const int64_t last = std::min(ticks_total_ - 1, k + options_.forecast_lead_ticks);
  bool built = false;
  for (int64_t j = k + 1 + static_cast<int64_t>(ahead_ticks_.size()); j <= last; ++j) {
    ahead_ticks_.push_back(DataTick(options_.replay_from + j * step_, j));
    built = true;
  }
  return built;
}

v1::Tick GatewayRun::BuildTick(absl::Time t, int64_t sequence,
                               const data::FeedReading& previous_step) const {
  v1::Tick tick = DataTick(t, sequence);
  tick.set_dispatch_mw(last_interval_dispatch_mw_);
  v1::StepReading* reading = tick.mutable_step();
  *reading->mutable_start() = ToProtoTime(previous_step.start);
  *reading->mutable_duration() = ToProtoDuration(step_);
  if (previous_step.net_load_mw) reading->set_net_load_mw(*previous_step.net_load_mw);
  if (previous_step.embedded_solar_mw)
    reading->set_embedded_solar_mw(*previous_step.embedded_solar_mw);
  if (previous_step.embedded_wind_mw)
    reading->set_embedded_wind_mw(*previous_step.embedded_wind_mw);
  reading->set_dispatch_mw(engine_.last_dispatch_mw());
  reading->set_event(previous_step.event);
  reading->set_source_silent(previous_step.source_silent);
  AddAssetsLocked(t, tick.mutable_assets());
  return tick;
}

void GatewayRun::AddDayAheadPublishedIn(
    absl::Time from, absl::Time to,
    google::protobuf::RepeatedPtrField<v1::DayAheadDemandForecast>* out) const {
  auto published_before = [](const data::DayAheadForecastRow& row, absl::Time t) {
    return row.published < t;
  };
  auto first = std::lower_bound(day_ahead_.begin(), day_ahead_.end(), from, published_before);
  auto last = std::lower_bound(first, day_ahead_.end(), to, published_before);
  out->Reserve(out->size() + static_cast<int>(last - first));
  for (auto it = first; it != last; ++it) {
    v1::DayAheadDemandForecast& f = *out->Add();
    *f.mutable_target_start() = ToProtoTime(it->target_start);
    *f.mutable_published() = ToProtoTime(it->published);
    f.set_demand_mw(*it->net_load_mw);
  }
}

std::vector<v1::DayAheadDemandForecast> GatewayRun::DayAheadForecasts(
    absl::Time published_before) const {
  google::protobuf::RepeatedPtrField<v1::DayAheadDemandForecast> published;
  AddDayAheadPublishedIn(absl::InfinitePast(), std::min(published_before, sim_clock_.Now()),
                         &published);
  return std::vector<v1::DayAheadDemandForecast>(std::make_move_iterator(published.begin()),
                                                 std::make_move_iterator(published.end()));
}

v1::RegionInfo GatewayRun::RegisterAgent(const std::string& agent) {
  {
    absl::MutexLock lock(&mu_);
    if (agents_.emplace(agent, 0).second) base::LogInfo(absl::StrCat("agent registered: ", agent));
  }
  return Region();
}

v1::RegionInfo GatewayRun::Region() const {
  v1::RegionInfo info;
  info.set_name(config_.region.name);
  info.set_scale(config_.region.scale);
  *info.mutable_interval() = ToProtoDuration(config_.region.interval);
  info.set_ramp_limit_mw(config_.region.ramp_limit_mw);
  info.set_instability_penalty_gbp_per_mw(config_.region.instability_penalty_gbp_per_mw);
  *info.mutable_replay_start() = ToProtoTime(options_.replay_from);
  *info.mutable_replay_end() = ToProtoTime(options_.replay_to);
  *info.mutable_step() = ToProtoDuration(config_.region.step);
  *info.mutable_ramp_window() = ToProtoDuration(config_.region.ramp_window);
  const region::ConnectionLimit& connection = config_.region.battery_connection;
  if (connection.export_limit_mw) info.set_battery_export_limit_mw(*connection.export_limit_mw);
  if (connection.import_limit_mw) info.set_battery_import_limit_mw(*connection.import_limit_mw);
  return info;
}

absl::Status GatewayRun::Start() {
  absl::MutexLock lock(&mu_);
  if (started_) return absl::FailedPreconditionError("the run has already started");
  started_ = true;
  base::LogInfo(absl::StrCat("run started: ", base::FormatUtcTimestamp(options_.replay_from),
                             " to ", base::FormatUtcTimestamp(options_.replay_to), ", ",
                             ticks_total_, " ticks of ", absl::FormatDuration(step_), ", ",
                             agents_.size(), " agents"));
  return absl::OkStatus();
}

bool GatewayRun::WaitsFor(const std::string& agent) const {
  return options_.expected_agents.empty() || options_.expected_agents.contains(agent);
}

Store* GatewayRun::AuditStoreAt(absl::Time now) const {
  return now <= options_.verified_through ? nullptr : store_;
}

bool GatewayRun::AllAnsweredLocked() const {
  for (const auto& [agent, misses] : agents_) {
    if (!WaitsFor(agent)) continue;
    if (misses >= options_.max_consecutive_misses) continue;  // not waited for any more
    if (!answered_.contains(agent)) return false;
  }
  return true;
}

void GatewayRun::Loop() {
  {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](GatewayRun* run) ABSL_NO_THREAD_SAFETY_ANALYSIS { return run->started_ || run->stop_; },
        this));
    if (stop_) return;
  }
  // Live: tick k is due at paced_from + k * live_tick_period on the wall clock. A loop
  // that fell behind does not sleep until it has caught up.
  const absl::Time paced_from = wall_clock_->Now();
  // Lock-step, the interval applied last is stored after the next tick is released, while
  // the agents decide that tick, so the store's write is not part of the tick-to-tick
  // chain. What a crash keeps is unchanged: a store closes its batches only at an
  // interval's end, and resuming cuts the rows after the last stored interval by time, so
  // the answers to a tick recorded before the interval before it are cut with that tick.
  std::optional<SettledInterval> unstored;
  for (int64_t k = 0; k < ticks_total_; ++k) {
    const absl::Time t = options_.replay_from + k * step_;
    sim_clock_.Set(t);
    {
      absl::MutexLock lock(&mu_);
      if (stop_) break;
      answering_tick_ = t;
      answered_.clear();
      forecast_attached_ = false;
      ticks_.push_back(BuildTick(t, k, previous_reading_));
      if (!ahead_ticks_.empty()) ahead_ticks_.pop_front();  // tick k, now published in full
      // A forecast sent ahead for tick k rides on it now; older ones are of past ticks.
      while (!ahead_forecasts_.empty() && ahead_forecasts_.begin()->first <= t) {
        auto first = ahead_forecasts_.begin();
        if (first->first == t) {
          if (first->second.forecasts_size() > 0) {
            *ticks_.back().mutable_forecast() = std::move(first->second);
          }
          forecast_attached_ = true;
        }
        ahead_forecasts_.erase(first);
      }
      BuildAheadLocked(k);
      forecaster_visible_.store(first_kept_tick_ + ticks_.size() + ahead_ticks_.size());
      published_at_.push_back(wall_clock_->Now());  // for the latency metric only
      // Live, only the tick window is kept (docs/decisions.md, "Memory bounds"); a lock-step
      // run is bounded by its data window and its report reads every tick once it ends.
      while (options_.mode == v1::CLOCK_MODE_LIVE && ticks_.size() > 1 &&
             FromProtoTime(ticks_.front().time()) < t - options_.tick_window) {
        ticks_.pop_front();
        published_at_.pop_front();
        ++first_kept_tick_;
      }
    }
    ReleaseTick(k);
    if (unstored.has_value() && !StoreInterval(*std::exchange(unstored, std::nullopt))) {
      break;
    }
    if (options_.mode == v1::CLOCK_MODE_LOCK_STEP) {
      absl::MutexLock lock(&mu_);
      // The deadline is wall time on purpose, and read from the mutex rather than the
      // injected clock: it only bounds how long a dead agent can stall the run.
      mu_.AwaitWithTimeout(absl::Condition(
                               +[](GatewayRun* run) ABSL_NO_THREAD_SAFETY_ANALYSIS {
                                 return run->stop_ || run->AllAnsweredLocked();
                               },
                               this),
                           options_.answer_deadline);
      for (auto& [agent, misses] : agents_) {
        if (!WaitsFor(agent)) continue;
        if (answered_.contains(agent)) {
          misses = 0;
        } else if (misses < options_.max_consecutive_misses) {
          ++missed_answers_;
          if (++misses == options_.max_consecutive_misses) {
            base::LogWarning(absl::StrCat("agent ", agent, " missed ", misses,
                                          " ticks in a row; no longer waiting for it"));
          }
        }
      }
    } else {
      wall_clock_->SleepUntil(paced_from + (k + 1) * options_.live_tick_period);
    }

    absl::StatusOr<data::FeedReading> step = ReadStep(t);
    if (!step.ok()) {
      absl::MutexLock lock(&mu_);
      FailLocked(step.status());
      break;
    }
    const data::GridInterval region{.start = t,
                                    .net_load_mw = step->net_load_mw,
                                    .embedded_solar_mw = step->embedded_solar_mw,
                                    .embedded_wind_mw = step->embedded_wind_mw,
                                    .price_gbp_per_mwh = step->price_gbp_per_mwh};
    previous_reading_ = *std::move(step);
    region::IntervalOutcome outcome;
    {
      absl::MutexLock lock(&mu_);
      // A stopped run applies nothing more: after a failed audit write in Submit, the
      // proposals it refused must never reach an asset.
      if (stop_) break;
      if (!approvals_.empty() && !LapseExpiredLocked().ok()) break;
      outcome = engine_.ApplyStep(t, region.net_load_mw, region.price_gbp_per_mwh);
      interval_dispatch_sum_mw_ += outcome.dispatch_mw;
      if ((t + step_ - gb_series_.start()) % gb_series_.interval() == absl::ZeroDuration()) {
        last_interval_dispatch_mw_ = interval_dispatch_sum_mw_ / (gb_series_.interval() / step_);
        interval_dispatch_sum_mw_ = 0.0;
      }
      recent_decisions_.Add(t, outcome.decisions);
    }
    unstored = SettledInterval{k, region, std::move(outcome)};
    // Live, the next tick is not due yet and an operator may be reading the store: the
    // interval is stored now, not while the agents decide the next tick.
    if (options_.mode == v1::CLOCK_MODE_LIVE &&
        !StoreInterval(*std::exchange(unstored, std::nullopt))) {
      break;
    }
  }
  if (unstored.has_value()) StoreInterval(*unstored);
  if (store_ != nullptr) {
    absl::Status flushed = store_->Flush();
    if (!flushed.ok()) {
      absl::MutexLock lock(&mu_);
      FailLocked(AuditFailure("the run's last records (final commit)", flushed));
    }
  }
  {
    absl::MutexLock lock(&mu_);
    sim_clock_.Set(options_.replay_to);
    finished_ = true;
    ended_.store(true);
    base::LogInfo(absl::StrCat(
        engine_.intervals_applied() < ticks_total_ ? "run stopped early: " : "run finished: ",
        engine_.intervals_applied(), " intervals settled, net ",
        absl::StrFormat("%.2f", engine_.ledger().Net()), " GBP"));
  }
  NotifyTickListener();
}

bool GatewayRun::StoreInterval(const SettledInterval& interval) {
  if (store_ == nullptr) return true;
  const absl::Time t = interval.region.start;
  if (t <= options_.verified_through) {
    // Resumed: this interval is already stored; it must come out the same again.
    const absl::Status verified = store_->VerifyInterval(interval.region, interval.outcome);
    if (!verified.ok()) {
      absl::MutexLock lock(&mu_);
      FailLocked(verified);
      return false;
    }
    if (t == options_.verified_through) {
      base::LogInfo(absl::StrCat("resume: ", interval.tick + 1,
                                 " stored intervals re-executed and equal; recording from ",
                                 base::FormatUtcTimestamp(t + step_)));
    }
    return true;
  }
  absl::Status stored = store_->RecordInterval(interval.region, interval.outcome);
  // Live: an operator may be reading the store now, so every tick is committed.
  if (stored.ok() && options_.mode == v1::CLOCK_MODE_LIVE) stored = store_->Flush();
  if (!stored.ok()) {
    absl::MutexLock lock(&mu_);
    FailLocked(AuditFailure(absl::StrCat("the step at ", base::FormatUtcTimestamp(t)), stored));
    return false;
  }
  return true;
}

void GatewayRun::ReleaseTick(int64_t k) {
  bool wait_for_forecast = false;
  {
    absl::MutexLock lock(&mu_);
    // Forecasts are of settlement intervals: only an interval tick waits for one.
    wait_for_forecast = forecasters_ > 0 && ticks_.back().interval_boundary() &&
                        forecast_misses_ < options_.max_consecutive_misses;
    // Its forecast came while the agents decided the tick before (forecast_lead_ticks).
    if (forecast_attached_) {
      wait_for_forecast = false;
      forecast_misses_ = 0;
    }
  }
  if (wait_for_forecast) {
    NotifyTickListener();  // the forecaster sees the tick first
    // Wall time bounds how long a stalled forecaster can hold the tick, as for agents.
    const absl::Duration bound =
        options_.mode == v1::CLOCK_MODE_LOCK_STEP
            ? options_.forecast_deadline
            : std::min(options_.forecast_deadline, options_.live_tick_period / 2);
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(absl::Condition(
                             +[](GatewayRun* run) ABSL_NO_THREAD_SAFETY_ANALYSIS {
                               return run->stop_ || run->forecast_attached_ ||
                                      run->forecasters_ == 0;
                             },
                             this),
                         bound);
    if (forecast_attached_) {
      forecast_misses_ = 0;
    } else if (forecasters_ > 0 && !stop_ &&
               ++forecast_misses_ == options_.max_consecutive_misses) {
      base::LogWarning(absl::StrCat("the forecaster missed ", forecast_misses_,
                                    " ticks in a row; no longer waiting for it"));
    }
  }
  {
    absl::MutexLock lock(&mu_);
    released_ticks_ = static_cast<size_t>(k) + 1;
    agents_visible_.store(released_ticks_);
    // Answer latency counts from the release: when the agents could first see the tick.
    published_at_.back() = wall_clock_->Now();
  }
  NotifyTickListener();
  // Only now the followers, so that waking a waiting Subscribe thread never delays the
  // agents' pushes (docs/decisions.md, "The lock-step tick's hops").
  absl::MutexLock lock(&mu_);
  followers_released_ = released_ticks_;
}

void GatewayRun::ForecasterConnected(bool connected, size_t resumes_at) {
  absl::MutexLock lock(&mu_);
  forecasters_ += connected ? 1 : -1;
  if (!connected) return;
  const size_t published = first_kept_tick_ + ticks_.size();
  if (forecaster_seen_ && resumes_at + 1 < published) {
    // Catching up from an older tick: waited for again once it answers the newest
    // (AttachForecast), so the ticks meanwhile do not wait out forecast_deadline.
    forecast_misses_ = options_.max_consecutive_misses;
    base::LogInfo(absl::StrCat("forecaster resumes at tick ", resumes_at, " of ", published,
                               " published: not waited for until it has caught up"));
  } else {
    forecast_misses_ = 0;  // a new forecaster is waited for
  }
  forecaster_seen_ = true;
}

void GatewayRun::AttachForecast(const v1::GetNetLoadChangeResponse& forecast) {
  absl::MutexLock lock(&mu_);
  const absl::Time issue_time = FromProtoTime(forecast.issue_time());
  if (ticks_.empty() || issue_time < answering_tick_) return;
  if (issue_time > answering_tick_) {
    // Only a tick sent ahead (lock-step), each answered once; kept until it is published.
    for (const v1::Tick& ahead : ahead_ticks_) {
      if (FromProtoTime(ahead.time()) != issue_time) continue;
      if (forecast_misses_ >= options_.max_consecutive_misses) forecast_misses_ = 0;
      if (ahead.interval_boundary()) ahead_forecasts_.try_emplace(issue_time, forecast);
      return;
    }
    return;
  }
  // No longer waited for but caught up with the newest tick: waited for again from the next.
  if (forecast_misses_ >= options_.max_consecutive_misses) forecast_misses_ = 0;
  if (forecast_attached_ || released_ticks_ > static_cast<size_t>(ticks_.back().sequence())) {
    return;
  }
  if (forecast.forecasts_size() > 0) *ticks_.back().mutable_forecast() = forecast;
  forecast_attached_ = true;
}

void GatewayRun::SetTickListener(std::function<void()> listener) {
  absl::MutexLock lock(&listener_mu_);
  tick_listener_ = std::move(listener);
}

void GatewayRun::NotifyTickListener() {
  absl::MutexLock lock(&listener_mu_);
  if (tick_listener_) tick_listener_();
}

v1::GetClockStatusResponse GatewayRun::Status() const {
  absl::MutexLock lock(&mu_);
  v1::GetClockStatusResponse status;
  status.set_mode(options_.mode);
  status.set_state(finished_  ? v1::RUN_STATE_FINISHED
                   : started_ ? v1::RUN_STATE_RUNNING
                              : v1::RUN_STATE_WAITING);
  *status.mutable_now() = ToProtoTime(sim_clock_.Now());
  status.set_ticks_done(engine_.intervals_applied());
  status.set_ticks_total(ticks_total_);
  for (const auto& [agent, misses] : agents_) status.add_registered_agents(agent);
  status.set_missed_answers(missed_answers_);
  if (!failure_.ok()) status.set_failure(failure_.ToString());
  *status.mutable_region() = Region();
  for (const auto& [agent, histogram] : answer_latency_) {
    v1::AnswerLatency* latency = status.add_answer_latency();
    latency->set_agent(agent);
    latency->set_count(histogram.count);
    latency->set_p50_us(histogram.Percentile(0.50));
    latency->set_p99_us(histogram.Percentile(0.99));
    latency->set_max_us(histogram.max_us);
  }
  return status;
}

void GatewayRun::LatencyHistogram::Add(double us) {
  const size_t bucket =
      std::min(buckets.size() - 1, static_cast<size_t>(std::max(0.0, us) / kBucketUs));
  ++buckets[bucket];
  ++count;
  max_us = std::max(max_us, us);
}

double GatewayRun::LatencyHistogram::Percentile(double fraction) const {
  const int64_t rank = static_cast<int64_t>(std::ceil(fraction * count));
  int64_t seen = 0;
  for (size_t b = 0; b < buckets.size(); ++b) {
    seen += buckets[b];
    if (seen >= rank) return std::min(max_us, (b + 1) * kBucketUs);
  }
  return max_us;
}

bool GatewayRun::WaitFinished(absl::Duration timeout) const {
  absl::MutexLock lock(&mu_);
  return mu_.AwaitWithTimeout(absl::Condition(&finished_), timeout);
}

GatewayRun::TickWait GatewayRun::WaitForTick(size_t index, absl::Duration timeout, v1::Tick* tick,
                                             TickAudience audience) const {
  absl::MutexLock lock(&mu_);
  auto visible = [this, audience]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
    switch (audience) {
      case TickAudience::kAgents: return released_ticks_;
      case TickAudience::kFollowers: return followers_released_;
      case TickAudience::kForecaster: return first_kept_tick_ + ticks_.size() + ahead_ticks_.size();
    }
    return followers_released_;
  };
  auto ready = [this, index, &visible]() ABSL_NO_THREAD_SAFETY_ANALYSIS {
    return visible() > index || finished_ || stop_;
  };
  mu_.AwaitWithTimeout(absl::Condition(&ready), timeout);
  if (visible() > index) {
    const size_t published = first_kept_tick_ + ticks_.size();
    *tick = index >= published ? ahead_ticks_[index - published]
                               : ticks_[index < first_kept_tick_ ? 0 : index - first_kept_tick_];
    return TickWait::kTick;
  }
  return (finished_ || stop_) ? TickWait::kFinished : TickWait::kTimeout;
}

bool GatewayRun::MayHaveTick(size_t index, TickAudience audience) const {
  // The followers see no more than the agents.
  const size_t visible =
      audience == TickAudience::kForecaster ? forecaster_visible_.load() : agents_visible_.load();
  return index < visible || ended_.load();
}

GatewayRun::Retained GatewayRun::RetainedCounts() const {
  absl::MutexLock lock(&mu_);
  return Retained{ticks_.size(), engine_.arbiter().keys_held(), engine_.arbiter().proposals_held()};
}

size_t GatewayRun::NewestTickIndex() const {
  absl::MutexLock lock(&mu_);
  return followers_released_ == 0 ? 0 : followers_released_ - 1;
}

size_t GatewayRun::FirstTickIndexAtOrAfter(absl::Time time) const {
  // Tick k decides the step starting at replay_from + k * step; that is its time.
  if (time <= options_.replay_from) return 0;
  return static_cast<size_t>(absl::Ceil(time - options_.replay_from, step_) / step_);
}

std::vector<v1::Tick> GatewayRun::History(absl::Time start, absl::Time end) const {
  const absl::Time known_until = std::min(end, sim_clock_.Now());
  std::vector<v1::Tick> out;
  for (const data::GridInterval& gb : gb_series_.intervals()) {
    if (gb.start < start) continue;
    if (gb.start + gb_series_.interval() > known_until) break;
    std::optional<size_t> index = gb_series_.IndexOf(gb.start);
    FillMeasurement(RegionInterval(*index), gb_series_.interval(),
                    data::FalseDataOffsetMw(config_.false_data, gb.start), &out.emplace_back());
  }
  return out;
}

absl::StatusOr<v1::SimulateDispatchResponse> GatewayRun::Simulate(
    const v1::SimulateDispatchRequest& request) const {
  const absl::Time now = sim_clock_.Now();
  RETURN_IF_ERROR(
      ValidateIdentifier("agent", request.agent(), kMaxAgentNameBytes, /*required=*/true));
  absl::StatusOr<region::DispatchProposal> proposal =
      FromProto(request.agent(), request.proposal(), 0, now, options_.lease_horizon);
  if (!proposal.ok()) return proposal.status();
  proposal->idempotency_key.clear();  // a dry run never reuses or spends a key
  std::vector<std::optional<double>> net_load_mw;
  for (int i = 0; i < request.expected_net_load_mw_size(); ++i) {
    if (!std::isfinite(request.expected_net_load_mw(i))) {
      return absl::InvalidArgumentError(
          absl::StrCat("expected_net_load_mw[", i, "]: not a finite number"));
    }
    net_load_mw.push_back(request.expected_net_load_mw(i));
  }
  const std::vector<double> price(request.expected_price_gbp_per_mwh().begin(),
                                  request.expected_price_gbp_per_mwh().end());
  for (size_t i = 0; i < price.size(); ++i) {
    if (!std::isfinite(price[i])) {
      return absl::InvalidArgumentError(
          absl::StrCat("expected_price_gbp_per_mwh[", i, "]: not a finite number"));
    }
  }
  absl::StatusOr<region::DispatchSimulationResult> result;
  {
    absl::MutexLock lock(&mu_);
    if (!failure_.ok()) {
      return absl::FailedPreconditionError(
          absl::StrCat("the run has stopped: ", failure_.message()));
    }
    // The dry run holds the lock: at most 2 x 48 steps on copies, microseconds each.
    result = region::SimulateDispatch(engine_, *proposal, now, net_load_mw, price);
  }
  if (!result.ok()) return result.status();
  v1::SimulateDispatchResponse response;
  for (const region::SimulatedStep& step : result->steps) {
    v1::SimulatedStep* out = response.add_steps();
    *out->mutable_start() = ToProtoTime(step.start);
    out->set_agent(step.with.agent);
    out->set_proposal_id(
        step.with.proposal_id == result->simulated_proposal_id ? -1 : step.with.proposal_id);
    out->set_requested_mw(step.with.requested_mw);
    out->set_applied_mw(step.with.applied_mw);
    out->set_reason(step.with.reason);
    out->set_agent_without(step.without.agent);
    out->set_proposal_id_without(step.without.proposal_id);
    out->set_applied_without_mw(step.without.applied_mw);
    out->set_excess_mw(step.excess_with_mw);
    out->set_excess_without_mw(step.excess_without_mw);
  }
  response.set_net_gbp(result->net_with_gbp);
  response.set_net_without_gbp(result->net_without_gbp);
  response.set_instability_penalty_gbp(result->penalty_with_gbp);
  response.set_instability_penalty_without_gbp(result->penalty_without_gbp);
  return response;
}

absl::StatusOr<std::vector<v1::ProposalResult>> GatewayRun::Submit(
    const v1::SubmitDispatchRequest& request, const std::optional<Requester>& requester) {
  const std::string role = requester.has_value() ? requester->role : "";
  const absl::Time now = sim_clock_.Now();
  Store* const store = AuditStoreAt(now);
  {
    absl::MutexLock lock(&mu_);
    if (!failure_.ok()) {
      return absl::FailedPreconditionError(
          absl::StrCat("the run has stopped: ", failure_.message()));
    }
  }
  // Malformed requests are refused whole, and each refusal is in the audit log with
  // whatever of the proposal could be read. A refusal that cannot be recorded stops the
  // run; the caller still gets the refusal, with that said.
  auto refuse = [&](const v1::DispatchProposal* p, absl::Status error) {
    if (store == nullptr) return error;
    region::ProposalRecord record;
    record.proposal.agent = request.agent();
    // What is kept of a refused request is cut to the bounds: an oversized field must
    // not reach the store by being refused.
    record.proposal.agent = Truncated(request.agent(), kMaxAgentNameBytes);
    record.proposal.role = role;
    if (p != nullptr) {
      record.proposal.asset_id = Truncated(p->asset_id(), kMaxAssetIdBytes);
      record.proposal.power_mw = p->power_mw();
      record.proposal.reason = Truncated(p->reason(), kMaxReasonBytes);
    }
    record.submitted_at = now;
    const absl::Status stored =
        store->RecordProposal(record, ProposalStatus::kRejected, std::string(error.message()));
    if (stored.ok()) return error;
    absl::MutexLock lock(&mu_);
    FailLocked(AuditFailure("a refused request", stored));
    return absl::Status(error.code(), absl::StrCat(error.message(), "; and ",
                                                   AuditFailure("the refusal", stored).message()));
  };
  if (absl::Status valid =
          ValidateIdentifier("agent", request.agent(), kMaxAgentNameBytes, /*required=*/true);
      !valid.ok()) {
    return refuse(nullptr, valid);
  }
  if (absl::Status valid = ValidateText("note", request.note(), kMaxNoteBytes); !valid.ok()) {
    return refuse(nullptr, valid);
  }
  if (request.has_answers_tick()) {
    if (absl::Status valid = ValidateProtoTimestamp("answers_tick", request.answers_tick());
        !valid.ok()) {
      return refuse(nullptr, valid);
    }
  }
  std::vector<region::DispatchProposal> proposals;
  for (int i = 0; i < request.proposals_size(); ++i) {
    absl::StatusOr<region::DispatchProposal> p =
        FromProto(request.agent(), request.proposals(i), i, now, options_.lease_horizon);
    if (!p.ok()) return refuse(&request.proposals(i), p.status());
    p->role = role;
    proposals.push_back(*std::move(p));
  }
  if (request.has_plan()) {
    if (absl::Status valid = ValidatePlan(request.plan(), PlanPowerLimitMw(config_)); !valid.ok()) {
      return refuse(nullptr, valid);
    }
  }
  absl::MutexLock lock(&mu_);
  region::DispatchArbiter& arbiter = engine_.arbiter();
  // All-or-nothing: validate every proposal before storing any. The arbiter only knows
  // the keys already stored, so a key repeated within this request is checked here.
  std::map<std::string, size_t> keys_in_request;
  for (size_t i = 0; i < proposals.size(); ++i) {
    absl::Status valid = arbiter.Validate(proposals[i]);
    if (valid.ok() && !proposals[i].idempotency_key.empty()) {
      const auto [first, inserted] = keys_in_request.emplace(proposals[i].idempotency_key, i);
      if (!inserted) {
        valid = absl::InvalidArgumentError(
            absl::StrCat("idempotency_key: \"", proposals[i].idempotency_key,
                         "\" is also used by proposals[", first->second, "] of this request"));
      }
    }
    if (!valid.ok()) {
      const absl::Status refused =
          absl::InvalidArgumentError(absl::StrCat("proposals[", i, "]: ", valid.message()));
      if (store != nullptr) {
        region::ProposalRecord rejected{0, proposals[i], now, false};
        const absl::Status stored = store->RecordProposal(rejected, ProposalStatus::kRejected,
                                                          std::string(valid.message()));
        if (!stored.ok()) {
          FailLocked(AuditFailure("a refused proposal", stored));
          return absl::Status(refused.code(),
                              absl::StrCat(refused.message(), "; and ",
                                           AuditFailure("the refusal", stored).message()));
        }
      }
      return refused;
    }
  }
  // Limits (docs/decisions.md, "Limits and approvals") apply to authenticated callers only:
  // each proposal beyond them is held for an operator instead of reaching the arbiter.
  std::vector<region::LimitVerdict> verdicts(proposals.size());
  if (requester.has_value() && !proposals.empty()) {
    RETURN_IF_ERROR(LapseExpiredLocked());
    ASSIGN_OR_RETURN(verdicts, EvaluateLimitsLocked(*requester, proposals, store, now));
  }
  // From here each record is written under mu_, before the loop can apply anything: if
  // one fails, the run stops before its next step, so nothing this request asked for is
  // ever applied and the caller is told so.
  std::vector<v1::ProposalResult> results;
  for (size_t i = 0; i < proposals.size(); ++i) {
    const region::DispatchProposal& proposal = proposals[i];
    if (verdicts[i].outcome == region::LimitOutcome::kPending) {
      ASSIGN_OR_RETURN(v1::ProposalResult held,
                       HoldForApprovalLocked(*requester, proposal, verdicts[i].reason));
      results.push_back(std::move(held));
      continue;
    }
    ASSIGN_OR_RETURN(region::DispatchArbiter::SubmitResult submitted,
                     arbiter.Submit(proposal, now));
    if (requester.has_value() && !submitted.duplicate) CountActionLocked(*requester);
    v1::ProposalResult& result = results.emplace_back();
    result.set_proposal_id(submitted.proposal_id);
    result.set_duplicate(submitted.duplicate);
    if (store != nullptr) {
      region::ProposalRecord record{submitted.proposal_id, proposal, now, false};
      const absl::Status stored = store->RecordProposal(
          record, submitted.duplicate ? ProposalStatus::kDuplicate : ProposalStatus::kAccepted, "");
      if (!stored.ok()) {
        const absl::Status error =
            AuditFailure(absl::StrCat("proposal ", submitted.proposal_id), stored);
        FailLocked(error);
        return error;
      }
    }
  }
  const absl::Time answered_tick =
      request.has_answers_tick() ? FromProtoTime(request.answers_tick()) : now;
  if (store != nullptr && request.has_plan()) {
    const absl::Status stored =
        store->RecordPlan(answered_tick, request.agent(), PlanRecordOf(request.plan()));
    if (!stored.ok()) {
      const absl::Status error = AuditFailure("the answer's plan", stored);
      FailLocked(error);
      return error;
    }
  }
  if (store != nullptr && !request.note().empty()) {
    const absl::Status stored =
        store->RecordAgentNote(answered_tick, request.agent(), request.note());
    if (!stored.ok()) {
      const absl::Status error = AuditFailure("the answer's note", stored);
      FailLocked(error);
      return error;
    }
  }
  if (request.has_answers_tick()) {
    const absl::Time answers = FromProtoTime(request.answers_tick());
    // Latency counts every answer to a published tick, late ones included (live mode
    // does not wait, so a slow answer shows here rather than as a miss).
    // An answer to a tick no longer kept is not timed.
    const size_t index = FirstTickIndexAtOrAfter(answers);
    if (index >= first_kept_tick_ && index - first_kept_tick_ < ticks_.size() &&
        FromProtoTime(ticks_[index - first_kept_tick_].time()) == answers &&
        (answers != answering_tick_ || !answered_.contains(request.agent()))) {
      answer_latency_[request.agent()].Add(
          absl::ToDoubleMicroseconds(wall_clock_->Now() - published_at_[index - first_kept_tick_]));
    }
    if (answers == answering_tick_) answered_.insert(request.agent());
  }
  return results;
}

absl::Status GatewayRun::Cancel(int64_t proposal_id) {
  absl::MutexLock lock(&mu_);
  if (!failure_.ok()) {
    return absl::FailedPreconditionError(absl::StrCat("the run has stopped: ", failure_.message()));
  }
  // The audit row names what was cancelled (if it is still held; expired ones are gone).
  region::ProposalRecord record;
  record.id = proposal_id;
  for (const region::ProposalRecord& active : engine_.arbiter().Active()) {
    if (active.id == proposal_id) record = active;
  }
  RETURN_IF_ERROR(engine_.arbiter().Cancel(proposal_id));
  Store* const store = AuditStoreAt(sim_clock_.Now());
  if (store != nullptr) {
    record.submitted_at = sim_clock_.Now();
    const absl::Status stored =
        store->RecordProposal(record, ProposalStatus::kCancelled, "cancelled");
    if (!stored.ok()) {
      const absl::Status error =
          AuditFailure(absl::StrCat("the cancellation of proposal ", proposal_id), stored);
      FailLocked(error);
      return error;
    }
  }
  return absl::OkStatus();
}

std::vector<v1::Asset> GatewayRun::Assets() const {
  google::protobuf::RepeatedPtrField<v1::Asset> assets;
  {
    absl::MutexLock lock(&mu_);
    AddAssetsLocked(sim_clock_.Now(), &assets);
  }
  return std::vector<v1::Asset>(std::make_move_iterator(assets.begin()),
                                std::make_move_iterator(assets.end()));
}

std::vector<v1::Decision> GatewayRun::RecentDecisions(size_t limit) const {
  absl::MutexLock lock(&mu_);
  return recent_decisions_.Newest(limit);
}

v1::GetPnlResponse GatewayRun::Pnl() const {
  absl::MutexLock lock(&mu_);
  v1::GetPnlResponse pnl;
  const market::Ledger& ledger = engine_.ledger();
  for (int c = 0; c < market::kLedgerCauseCount; ++c) {
    v1::CauseTotal* total = pnl.add_by_cause();
    total->set_cause(FromShortName<v1::LedgerCause>(
        market::LedgerCauseName(static_cast<market::LedgerCause>(c))));
    total->set_amount_gbp(ledger.Total(static_cast<market::LedgerCause>(c)));
  }
  pnl.set_net_gbp(ledger.Net());
  pnl.set_baseline_instability_penalty_gbp(engine_.baseline_instability_penalty_gbp());
  pnl.set_intervals_settled(engine_.intervals_applied());
  for (const region::AssetTotals& totals : engine_.asset_totals()) {
    v1::AssetDispatchSummary* d = pnl.add_dispatches();
    d->set_asset_id(totals.asset_id);
    d->set_intervals_dispatched(totals.intervals_dispatched);
    d->set_energy_mwh(totals.energy_mwh);
    if (!totals.peaker) continue;
    d->set_peaker(true);
    d->set_starts(totals.starts);
    for (const region::PeakerRun& run : totals.runs) {
      v1::PeakerRun* r = d->add_runs();
      *r->mutable_start_command() = ToProtoTime(run.start_command);
      if (run.online != absl::InfiniteFuture()) *r->mutable_online() = ToProtoTime(run.online);
      if (run.stopped != absl::InfiniteFuture()) *r->mutable_stopped() = ToProtoTime(run.stopped);
    }
  }
  pnl.set_battery_cycles(engine_.battery_cycles());
  pnl.set_resilience_dispatch_cost_gbp(engine_.resilience_dispatch_cost_gbp());
  const double penalty_avoided_gbp = engine_.baseline_instability_penalty_gbp() +
                                     ledger.Total(market::LedgerCause::kInstabilityPenalty);
  pnl.set_response_net_benefit_gbp(penalty_avoided_gbp - engine_.resilience_dispatch_cost_gbp());
  return pnl;
}

}  // namespace gridpilot
