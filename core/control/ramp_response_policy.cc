#include "core/control/ramp_response_policy.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/assets/battery.h"
#include "core/assets/interlocks.h"

namespace gridpilot::control {
namespace {

// A peaker need smaller than this is left to the battery (and to the penalty): a start
// costs thousands of pounds, one MW of excess over half an hour does not.
constexpr double kPeakerNeedMw = 1.0;
// Setpoint changes smaller than this are noise; proposing them would only churn leases.
constexpr double kDeadbandMw = 0.1;

// The battery's side of interval t for one assumed peaker output.
struct IntervalPlan {
  double peaker_mw = 0.0;        // peaker output assumed in t
  double target_total_mw = 0.0;  // total dispatch aimed at in t
  double battery_mw = 0.0;       // battery power in t: the proposal, or the schedule
  bool battery_changed = false;  // battery_mw is a proposal
  double shortfall_mw = 0.0;     // target - peaker - battery: > 0 the battery could not
                                 // supply enough, < 0 it could not absorb enough
};

// The largest |power| (same sign as battery_mw, at most |battery_mw|) after which the
// battery can still walk back to 0 MW in steps of step_mw per interval with the energy it
// has (discharging: stored energy above soc_min; charging: room below soc_max), counting
// t itself. Without this the battery runs dry mid-ramp and drops its whole output in one
// interval, a cliff the grid sees as a ramp of its own.
double HandBackCapMw(const assets::BatteryParams& battery, double soc_mwh, double battery_mw,
                     double step_mw, absl::Duration interval) {
  if (battery_mw == 0.0 || step_mw <= 0.0) return battery_mw;
  const double interval_h = absl::ToDoubleHours(interval);
  const double magnitude_mw = std::abs(battery_mw);
  const double room_mwh =
      battery_mw > 0 ? soc_mwh - battery.soc_min_mwh : battery.soc_max_mwh - soc_mwh;
  // Holding p in t and walking back moves S(p) = sum_k max(0, p - k * step) MW-intervals
  // through the grid connection: S(p) = n p - step n (n - 1) / 2 for (n-1) step < p <= n step.
  const double budget_mw_intervals =
      std::max(0.0, room_mwh) / interval_h *
      (battery_mw > 0 ? battery.discharge_efficiency : 1.0 / battery.charge_efficiency);
  for (int n = 1;; ++n) {
    const double p_mw = (budget_mw_intervals + step_mw * n * (n - 1) / 2.0) / n;
    if (p_mw <= n * step_mw) {
      const double capped_mw = std::min(p_mw, magnitude_mw);
      return battery_mw > 0 ? capped_mw : -capped_mw;
    }
  }
}

// The battery moves from the schedule towards the band edge nearest it, as far as its power
// and energy allow and no further than leaves it able to hand back gradually
// (HandBackCapMw with steps of the band's half-width); it never moves past the schedule
// the other way.
IntervalPlan PlanInterval(const RampObservation& obs, absl::Duration interval, double scheduled_mw,
                          double peaker_mw, double low_mw, double high_mw) {
  IntervalPlan plan{.peaker_mw = peaker_mw, .battery_mw = scheduled_mw};
  const double scheduled_total_mw = scheduled_mw + peaker_mw;
  plan.target_total_mw = std::clamp(scheduled_total_mw, low_mw, high_mw);
  if (plan.target_total_mw != scheduled_total_mw) {
    const double reachable_mw = assets::ClampBatteryPower(obs.battery, obs.battery_soc_mwh,
                                                          plan.target_total_mw - peaker_mw,
                                                          obs.battery.soc_min_mwh, interval)
                                    .power_mw;
    const double capped_mw = HandBackCapMw(obs.battery, obs.battery_soc_mwh, reachable_mw,
                                           0.5 * (high_mw - low_mw), interval);
    const double battery_mw = reachable_mw > scheduled_mw ? std::max(capped_mw, scheduled_mw)
                                                          : std::min(capped_mw, scheduled_mw);
    if (std::abs(battery_mw - scheduled_mw) > kDeadbandMw) {
      plan.battery_mw = battery_mw;
      plan.battery_changed = true;
    }
  }
  plan.shortfall_mw = plan.target_total_mw - peaker_mw - plan.battery_mw;
  return plan;
}

// Dispatch the battery cannot deliver, with the peaker off from t+1, in each interval after t for
// which a change is predicted (changes_ahead_mw[0] is t+1's change, [1] t+2's, ...): the
// lower edge of that interval's band minus the battery's discharge capability from the
// energy left by then, >= 0. Each band is centred on what the interval before delivers,
// not on its target: if the battery falls short, the grid sees that shortfall, and the
// next interval is judged from there. The battery is assumed to deliver what it can.
std::vector<double> ShortfallAheadMw(const RampObservation& obs, absl::Duration interval,
                                     const IntervalPlan& plan,
                                     const std::vector<double>& changes_ahead_mw,
                                     double half_width_mw) {
  std::vector<double> shortfall_mw;
  double soc_mwh = assets::StepBattery(obs.battery, obs.battery_soc_mwh, plan.battery_mw, interval)
                       .soc_after_mwh;
  double delivered_mw = plan.peaker_mw + plan.battery_mw;
  for (double change_mw : changes_ahead_mw) {
    const double needed_mw = delivered_mw + change_mw - half_width_mw;
    const double capability_mw =
        assets::ClampBatteryPower(obs.battery, soc_mwh, obs.battery.max_discharge_mw,
                                  obs.battery.soc_min_mwh, interval)
            .power_mw;
    const double battery_mw = std::min(needed_mw, capability_mw);
    shortfall_mw.push_back(std::max(0.0, needed_mw - capability_mw));
    soc_mwh = assets::StepBattery(obs.battery, soc_mwh, battery_mw, interval).soc_after_mwh;
    delivered_mw = battery_mw;
  }
  return shortfall_mw;
}

// The first interval's shortfall (0 if none is predicted).
double NeedNextMw(const RampObservation& obs, absl::Duration interval, const IntervalPlan& plan,
                  const std::vector<double>& changes_ahead_mw, double half_width_mw) {
  if (changes_ahead_mw.empty()) return 0.0;
  return ShortfallAheadMw(obs, interval, plan, {changes_ahead_mw[0]}, half_width_mw)[0];
}

// What a peaker start now would avoid and cost over the intervals after t with a
// predicted shortfall (shortfall_mw[0] is t+1): avoided, the penalty on the shortfall it
// can cover (up to capacity); cost, the start plus fuel at max(min stable load, shortfall)
// in each of those intervals, and at min stable load for the rest of its minimum up time.
struct PeakerEconomics {
  double avoided_gbp = 0.0;
  double commitment_gbp = 0.0;
};

PeakerEconomics StartEconomics(const assets::PeakerParams& peaker,
                               const std::vector<double>& shortfall_mw, absl::Duration interval,
                               double penalty_gbp_per_mw) {
  PeakerEconomics e{.commitment_gbp = peaker.start_cost_gbp};
  const double interval_h = absl::ToDoubleHours(interval);
  for (double mw : shortfall_mw) {
    e.avoided_gbp += std::min(mw, peaker.capacity_mw) * penalty_gbp_per_mw;
    e.commitment_gbp += std::clamp(mw, peaker.min_stable_load_mw, peaker.capacity_mw) * interval_h *
                        peaker.fuel_gbp_per_mwh;
  }
  const double covered_h = interval_h * static_cast<double>(shortfall_mw.size());
  const double min_up_h = absl::ToDoubleHours(peaker.min_up_time);
  if (covered_h < min_up_h) {
    e.commitment_gbp +=
        (min_up_h - covered_h) * peaker.min_stable_load_mw * peaker.fuel_gbp_per_mwh;
  }
  return e;
}

// What stopping a running peaker now would let through and what running on would burn,
// over t and the intervals after it with a predicted change: avoided (by running on), the
// penalty on the battery's shortfall in t with the peaker stopped (`stop`) and in each
// interval after (each up to capacity); commitment, fuel at its output in t and at
// max(min_stable_load, shortfall) after. The start cost is sunk, so it does not count.
PeakerEconomics StopEconomics(const RampObservation& obs, absl::Duration interval,
                              const assets::PeakerParams& peaker, const IntervalPlan& stop,
                              double running_mw, const std::vector<double>& changes_ahead_mw,
                              double half_width_mw, double penalty_gbp_per_mw) {
  const double interval_h = absl::ToDoubleHours(interval);
  PeakerEconomics e{
      .avoided_gbp = std::clamp(stop.shortfall_mw, 0.0, peaker.capacity_mw) * penalty_gbp_per_mw,
      .commitment_gbp = running_mw * interval_h * peaker.fuel_gbp_per_mwh};
  for (double mw : ShortfallAheadMw(obs, interval, stop, changes_ahead_mw, half_width_mw)) {
    e.avoided_gbp += std::min(mw, peaker.capacity_mw) * penalty_gbp_per_mw;
    e.commitment_gbp += std::clamp(mw, peaker.min_stable_load_mw, peaker.capacity_mw) * interval_h *
                        peaker.fuel_gbp_per_mwh;
  }
  return e;
}

// Intervals from a start command at t to the first interval the unit produces in: a unit
// online at t + start_up_time produces from the first interval starting then or later
// (assets/peaker.h), and never in t itself.
int StartLeadIntervals(const assets::PeakerParams& peaker, absl::Duration interval) {
  const double ratio = absl::FDivDuration(peaker.start_up_time, interval);
  return std::max(1, static_cast<int>(std::ceil(ratio - 1e-9)));
}

// Empty if the inputs can be acted on, else why not.
std::string InvalidInput(const RampObservation& obs, const ResponsePolicyConfig& config) {
  if (!std::isfinite(config.ramp_limit_mw) || config.ramp_limit_mw <= 0) {
    return "config ramp_limit_mw must be finite and > 0";
  }
  if (!std::isfinite(config.margin_mw) || config.margin_mw < 0) {
    return "config margin_mw must be finite and >= 0";
  }
  if (config.interval <= absl::ZeroDuration() || config.interval == absl::InfiniteDuration()) {
    return "config interval must be positive and finite";
  }
  if (!obs.last_net_load_mw || !std::isfinite(*obs.last_net_load_mw)) {
    return "no measured net load for the last interval, so no prediction is possible";
  }
  const std::pair<const char*, double> fields[] = {
      {"last_dispatch_mw", obs.last_dispatch_mw},
      {"scheduled_battery_mw", obs.scheduled_battery_mw},
      {"battery_soc_mwh", obs.battery_soc_mwh},
      {"peaker output_mw", obs.peaker.output_mw}};
  for (const auto& [name, value] : fields) {
    if (!std::isfinite(value)) return absl::StrCat(name, " is not finite");
  }
  if (absl::Status s = obs.battery.Validate(); !s.ok()) {
    return absl::StrCat("battery params invalid: ", s.message());
  }
  if (absl::Status s = obs.peaker_params.Validate(); !s.ok()) {
    return absl::StrCat("peaker params invalid: ", s.message());
  }
  return "";
}

}  // namespace

ResponseDecision DecideResponse(const RampObservation& obs, const ResponsePolicyConfig& config) {
  ResponseDecision decision;
  const bool forecast_ok = !obs.forecast_change_mw.empty() &&
                           std::all_of(obs.forecast_change_mw.begin(), obs.forecast_change_mw.end(),
                                       [](double c) { return std::isfinite(c); });
  decision.degraded = !forecast_ok;
  if (std::string why = InvalidInput(obs, config); !why.empty()) {
    decision.reason = absl::StrCat("no proposal: ", why);
    return decision;
  }
  decision.events = DetectRamps(obs, config.ramp_limit_mw, config.interval);
  const absl::Duration interval = config.interval;
  const assets::PeakerParams& peaker = obs.peaker_params;

  // (a) Prediction of interval t and, where known, of the change in t+1.
  const double last_mw = *obs.last_net_load_mw;
  const bool have_previous = obs.previous_net_load_mw && std::isfinite(*obs.previous_net_load_mw);
  double change_mw = 0.0;
  std::string source = "no forecast and no earlier measurement, flat load assumed";
  if (forecast_ok) {
    change_mw = obs.forecast_change_mw[0];
    source = "forecast";
  } else if (have_previous) {
    change_mw = last_mw - *obs.previous_net_load_mw;
    source = "no forecast, last measured change persists";
  }
  // Predicted change of each interval after t: from the forecast's horizons, or in
  // degraded mode the last change once more.
  std::vector<double> changes_ahead_mw;
  if (forecast_ok) {
    for (size_t k = 1; k < obs.forecast_change_mw.size(); ++k) {
      changes_ahead_mw.push_back(obs.forecast_change_mw[k] - obs.forecast_change_mw[k - 1]);
    }
  } else {
    changes_ahead_mw.push_back(change_mw);
  }

  // (c) The band for the total dispatch in t.
  const double half_width_mw = std::max(0.0, config.ramp_limit_mw - config.margin_mw);
  const double net_before_mw = last_mw - obs.last_dispatch_mw;
  const double center_mw = last_mw + change_mw - net_before_mw;
  const double low_mw = center_mw - half_width_mw;
  const double high_mw = center_mw + half_width_mw;
  const double scheduled_mw =
      assets::ClampBatteryPower(obs.battery, obs.battery_soc_mwh, obs.scheduled_battery_mw,
                                obs.battery.soc_min_mwh + obs.battery.reserve_mwh, interval)
          .power_mw;

  // (b) Expected peaker output in t.
  const assets::PeakerStatus status = obs.peaker.status;
  double peaker_mw = 0.0;
  if (status == assets::PeakerStatus::kOn) {
    peaker_mw = obs.peaker.output_mw;
  } else if (status == assets::PeakerStatus::kStarting &&
             obs.decision_time >= obs.peaker.status_since + peaker.start_up_time) {
    peaker_mw = peaker.min_stable_load_mw;
  }
  IntervalPlan plan = PlanInterval(obs, interval, scheduled_mw, peaker_mw, low_mw, high_mw);

  // (d) Peaker commitment.
  std::string peaker_note;
  const int lead_intervals = StartLeadIntervals(peaker, interval);
  if (status != assets::PeakerStatus::kOff) {
    const bool min_up_passed = status == assets::PeakerStatus::kOn &&
                               obs.decision_time - obs.peaker.status_since >= peaker.min_up_time;
    const double stopped_mw =
        status == assets::PeakerStatus::kOn && !min_up_passed ? peaker.min_stable_load_mw : 0.0;
    const IntervalPlan stop =
        PlanInterval(obs, interval, scheduled_mw, stopped_mw, low_mw, high_mw);
    const bool stop_covered =
        stop.shortfall_mw < kPeakerNeedMw &&
        NeedNextMw(obs, interval, stop, changes_ahead_mw, half_width_mw) < kPeakerNeedMw;
    if (stop_covered) {
      decision.peaker_mw = 0.0;
      plan = stop;
      peaker_note =
          status == assets::PeakerStatus::kStarting
              ? std::string("peaker start aborted: the battery covers this interval and the next")
              : absl::StrFormat(
                    "peaker stop requested (the battery covers the step down from %.1f MW)%s",
                    peaker_mw,
                    stopped_mw > 0 ? ", held at min stable load until its min up time passes" : "");
    } else if (const PeakerEconomics e =
                   min_up_passed
                       ? StopEconomics(obs, interval, peaker, stop, peaker_mw, changes_ahead_mw,
                                       half_width_mw, config.instability_penalty_gbp_per_mw)
                       : PeakerEconomics{};
               min_up_passed && e.avoided_gbp < e.commitment_gbp) {
      decision.peaker_mw = 0.0;
      plan = stop;
      peaker_note = absl::StrFormat(
          "peaker stop requested: the penalty on what the battery cannot cover without it over "
          "the next %d intervals (%.0f GBP) is below its fuel (%.0f GBP)",
          static_cast<int>(changes_ahead_mw.size()) + 1, e.avoided_gbp, e.commitment_gbp);
    } else if (status == assets::PeakerStatus::kOn && std::abs(plan.shortfall_mw) > kPeakerNeedMw) {
      const double level_mw =
          std::clamp(peaker_mw + plan.shortfall_mw, peaker.min_stable_load_mw, peaker.capacity_mw);
      if (std::abs(level_mw - peaker_mw) > kDeadbandMw) {
        decision.peaker_mw = level_mw;
        peaker_note = absl::StrFormat(
            "peaker moved from %.1f to %.1f MW to cover the battery's "
            "%+.1f MW shortfall",
            peaker_mw, level_mw, plan.shortfall_mw);
      }
    } else if (status == assets::PeakerStatus::kOn) {
      // Down towards the band's low edge with the battery as planned: fuel saved, and a
      // smaller step when it stops.
      const double level_mw =
          std::clamp(low_mw - plan.battery_mw, peaker.min_stable_load_mw, peaker_mw);
      if (peaker_mw - level_mw > kDeadbandMw) {
        decision.peaker_mw = level_mw;
        plan = PlanInterval(obs, interval, scheduled_mw, level_mw, low_mw, high_mw);
        peaker_note = absl::StrFormat(
            "peaker lowered from %.1f to %.1f MW towards the band's low edge", peaker_mw, level_mw);
      }
    }
  } else if (changes_ahead_mw.size() >= static_cast<size_t>(lead_intervals)) {
    // The shortfalls from t + lead on: the intervals a start now can serve.
    const std::vector<double> all_mw =
        ShortfallAheadMw(obs, interval, plan, changes_ahead_mw, half_width_mw);
    const std::vector<double> shortfall_mw(all_mw.begin() + (lead_intervals - 1), all_mw.end());
    const double need_mw = shortfall_mw[0];
    const std::string when = lead_intervals == 1
                                 ? std::string("next interval")
                                 : absl::StrFormat("in %d intervals", lead_intervals);
    if (need_mw > kPeakerNeedMw) {
      if (!forecast_ok) {
        peaker_note = absl::StrFormat(
            "peaker not started for the %.1f MW the battery may miss %s: "
            "no forecast, so no lead time",
            need_mw, when);
      } else if (obs.decision_time - obs.peaker.status_since < peaker.min_down_time) {
        peaker_note = absl::StrFormat(
            "peaker needed for %.1f MW %s but its min down time has not passed; "
            "battery only",
            need_mw, when);
      } else if (const PeakerEconomics e = StartEconomics(peaker, shortfall_mw, interval,
                                                          config.instability_penalty_gbp_per_mw);
                 e.avoided_gbp < e.commitment_gbp) {
        peaker_note = absl::StrFormat(
            "peaker not started for the %.1f MW the battery may miss %s: the "
            "penalty avoided over the next %d intervals (%.0f GBP) is below the start and "
            "running cost (%.0f GBP)",
            need_mw, when, static_cast<int>(shortfall_mw.size()), e.avoided_gbp, e.commitment_gbp);
      } else {
        decision.peaker_mw = std::clamp(need_mw, peaker.min_stable_load_mw, peaker.capacity_mw);
        peaker_note = absl::StrFormat(
            "peaker start requested at %.1f MW now for the %.1f MW the battery cannot "
            "deliver %s",
            *decision.peaker_mw, need_mw, when);
      }
    }
  }

  // (e) and (f).
  if (plan.battery_changed) decision.battery_mw = plan.battery_mw;
  std::string battery_note;
  const double scheduled_total_mw = scheduled_mw + plan.peaker_mw;
  if (scheduled_total_mw >= low_mw && scheduled_total_mw <= high_mw) {
    battery_note = absl::StrFormat(
        "scheduled %.1f MW (battery %.1f + peaker %.1f) is within it, "
        "so the battery is left to the trader",
        scheduled_total_mw, scheduled_mw, plan.peaker_mw);
  } else if (!plan.battery_changed) {
    battery_note = absl::StrFormat(
        "the scheduled battery %.2f MW is already within %.1f MW of "
        "the %.2f MW target",
        scheduled_mw, kDeadbandMw, plan.target_total_mw - plan.peaker_mw);
  } else {
    battery_note = absl::StrFormat(
        "battery set to %.1f MW instead of %.1f MW scheduled, aiming "
        "at %.1f MW total with peaker %.1f MW",
        plan.battery_mw, scheduled_mw, plan.target_total_mw, plan.peaker_mw);
    if (plan.shortfall_mw > kDeadbandMw || plan.shortfall_mw < -kDeadbandMw) {
      absl::StrAppendFormat(
          &battery_note,
          ", %.1f MW short at the battery's power or energy limit or to keep a gradual hand-back",
          std::abs(plan.shortfall_mw));
    }
  }
  if (std::abs(scheduled_mw - obs.scheduled_battery_mw) > kDeadbandMw) {
    absl::StrAppendFormat(&battery_note,
                          " (trader's %.1f MW limited to %.1f MW by the trading "
                          "reserve)",
                          obs.scheduled_battery_mw, scheduled_mw);
  }
  decision.reason = absl::StrFormat(
      "%s: predicted net load %.1f MW (%+.1f MW), so total dispatch must lie in [%.1f, %.1f] MW; "
      "%s",
      source, last_mw + change_mw, change_mw, low_mw, high_mw, battery_note);
  if (!peaker_note.empty()) absl::StrAppend(&decision.reason, "; ", peaker_note);
  return decision;
}

}  // namespace gridpilot::control
