#include "core/assets/peaker.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "core/base/time_util.h"

namespace gridpilot::assets {
namespace {

absl::Status BadNumber(const char* field, double value, const char* rule) {
  return absl::InvalidArgumentError(
      absl::StrFormat("PeakerParams.%s = %g: %s", field, value, rule));
}

absl::Status CheckDuration(const char* field, absl::Duration d) {
  if (d < absl::ZeroDuration() || d == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "PeakerParams.%s = %s: must be finite and >= 0", field, absl::FormatDuration(d)));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status PeakerParams::Validate() const {
  if (!(capacity_mw > 0) || std::isinf(capacity_mw)) {
    return BadNumber("capacity_mw", capacity_mw, "must be finite and > 0");
  }
  if (!(min_stable_load_mw >= 0 && min_stable_load_mw <= capacity_mw)) {
    return BadNumber("min_stable_load_mw", min_stable_load_mw, "must be in [0, capacity_mw]");
  }
  if (absl::Status s = CheckDuration("start_up_time", start_up_time); !s.ok()) return s;
  if (absl::Status s = CheckDuration("min_up_time", min_up_time); !s.ok()) return s;
  if (absl::Status s = CheckDuration("min_down_time", min_down_time); !s.ok()) return s;
  if (!(ramp_rate_mw_per_min > 0)) {
    return BadNumber("ramp_rate_mw_per_min", ramp_rate_mw_per_min, "must be > 0");
  }
  if (!(fuel_gbp_per_mwh >= 0) || std::isinf(fuel_gbp_per_mwh)) {
    return BadNumber("fuel_gbp_per_mwh", fuel_gbp_per_mwh, "must be finite and >= 0");
  }
  if (!(start_cost_gbp >= 0) || std::isinf(start_cost_gbp)) {
    return BadNumber("start_cost_gbp", start_cost_gbp, "must be finite and >= 0");
  }
  return absl::OkStatus();
}

std::string_view PeakerStatusName(PeakerStatus status) {
  switch (status) {
    case PeakerStatus::kOff: return "off";
    case PeakerStatus::kStarting: return "starting";
    case PeakerStatus::kOn: return "on";
  }
  return "unknown";
}

PeakerInterval StepPeaker(const PeakerParams& params, const PeakerState& state, double requested_mw,
                          absl::Time interval_start, absl::Duration duration) {
  PeakerInterval out;
  out.next = state;
  // Anything that is not a positive request is a stop; the arbiter should never send
  // NaN or negatives, but a stop is the safe reading if it does.
  const bool run = requested_mw > 0;
  std::vector<std::string> notes;

  // A unit commanded to start goes to kStarting; with no start-up time it is online at
  // once and falls through to the kStarting -> kOn promotion below.
  if (state.status == PeakerStatus::kOff && run) {
    const absl::Time may_start = state.status_since + params.min_down_time;
    if (interval_start < may_start) {
      out.note =
          absl::StrFormat("min down time: off until %s", base::FormatUtcTimestamp(may_start));
      return out;
    }
    out.started = true;
    out.next = {PeakerStatus::kStarting, 0.0, interval_start};
  }

  bool just_online = false;
  if (out.next.status == PeakerStatus::kStarting) {
    // Promotion comes first: a unit already online is on, and a stop is then subject
    // to min up time rather than being an abort.
    const absl::Time online = out.next.status_since + params.start_up_time;
    if (interval_start < online && !run) {
      // Aborted start: off from now, so min down time counts from here.
      out.next = {PeakerStatus::kOff, 0.0, interval_start};
      return out;
    }
    if (interval_start < online) {
      out.note = absl::StrFormat(
          "starting: online at %s; produces from the first interval starting then or later",
          base::FormatUtcTimestamp(online));
      return out;
    }
    out.next = {PeakerStatus::kOn, params.min_stable_load_mw, online};
    just_online = true;
  }

  if (out.next.status == PeakerStatus::kOff) return out;  // off and asked to stay off

  // On. Ramp from min stable load when just online, else from the last output (held in
  // range in case a caller built an inconsistent state).
  const double previous_mw =
      just_online ? params.min_stable_load_mw
                  : std::clamp(state.output_mw, params.min_stable_load_mw, params.capacity_mw);
  double output_mw = requested_mw;
  if (!run) {
    const absl::Time may_stop = out.next.status_since + params.min_up_time;
    if (interval_start >= may_stop) {
      out.next = {PeakerStatus::kOff, 0.0, interval_start};
      return out;
    }
    output_mw = params.min_stable_load_mw;
    notes.push_back(absl::StrFormat("min up time: held at min stable load %.1f MW until %s",
                                    output_mw, base::FormatUtcTimestamp(may_stop)));
  } else {
    if (output_mw < params.min_stable_load_mw) {
      output_mw = params.min_stable_load_mw;
      notes.push_back(absl::StrFormat("raised to min stable load %.1f MW", output_mw));
    }
    if (output_mw > params.capacity_mw) {
      output_mw = params.capacity_mw;
      notes.push_back(absl::StrFormat("capped at capacity %.1f MW", output_mw));
    }
    const double ramp_mw = params.ramp_rate_mw_per_min * absl::ToDoubleMinutes(duration);
    if (output_mw > previous_mw + ramp_mw || output_mw < previous_mw - ramp_mw) {
      output_mw = std::clamp(output_mw, previous_mw - ramp_mw, previous_mw + ramp_mw);
      notes.push_back(absl::StrFormat("ramp limit %.1f MW/min: %.1f MW from %.1f MW",
                                      params.ramp_rate_mw_per_min, output_mw, previous_mw));
    }
  }
  out.output_mw = output_mw;
  out.next.output_mw = output_mw;
  out.note = absl::StrJoin(notes, "; ");
  return out;
}

}  // namespace gridpilot::assets
