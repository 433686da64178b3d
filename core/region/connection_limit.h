// The batteries' shared grid connection: the gateway's interlock on the fleet's sum. After
// each battery's own interlocks (core/assets/interlocks.h) the batteries' net flow through
// the connection, sum of setpoints (> 0 export, i.e. net discharge), is kept within
// [-import_limit_mw, export_limit_mw]. Rule (docs/decisions.md, "The batteries' shared
// connection"): only setpoints in the excess's direction are reduced (discharges when the
// net export is too high, charges when the net import is); trading-priority (and idle)
// setpoints give way first, pro rata to their size; resilience setpoints give way only
// when the trading ones are all at 0, again pro rata. Setpoints in the other direction are
// kept: they relieve the connection. Pure functions.
#ifndef GRIDPILOT_CORE_REGION_CONNECTION_LIMIT_H_
#define GRIDPILOT_CORE_REGION_CONNECTION_LIMIT_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "core/region/dispatch_arbiter.h"

namespace gridpilot::region {

// The largest limit a config may set, MW: a bound on input, far above any battery fleet.
inline constexpr double kMaxConnectionLimitMw = 100000.0;

struct ConnectionLimit {
  std::optional<double> export_limit_mw;  // net discharge of all batteries, MW; unset = none
  std::optional<double> import_limit_mw;  // net charge of all batteries, MW; unset = none

  bool any() const { return export_limit_mw.has_value() || import_limit_mw.has_value(); }
  // InvalidArgument naming the field (`where`.export_limit_mw ...) unless each set limit is
  // finite and within [0, kMaxConnectionLimitMw].
  absl::Status Validate(const std::string& where) const;
};

struct ConnectionSetpoint {
  double power_mw = 0.0;  // after the battery's own interlocks, > 0 discharge
  DispatchPriority priority = DispatchPriority::kUnspecified;  // of the governing proposal
};

struct ConnectionClamped {
  std::vector<double> power_mw;     // one per setpoint, in order; sum within the limits
  std::vector<std::string> reason;  // one per setpoint; empty where unchanged
};

// Applies the rule in the file comment. With no limit, or a sum already within it, every
// power_mw is returned unchanged (to the bit) and every reason is empty.
ConnectionClamped ClampToConnection(const std::vector<ConnectionSetpoint>& setpoints,
                                    const ConnectionLimit& limit);

}  // namespace gridpilot::region

#endif  // GRIDPILOT_CORE_REGION_CONNECTION_LIMIT_H_
