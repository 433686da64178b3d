// DecideStepResponse, table-driven: observation in, expected battery setpoint out.
#include "core/control/step_response_policy.h"

#include <optional>
#include <string>

#include "core/assets/interlocks.h"
#include "core/base/time_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gridpilot::control {
namespace {

struct Case {
  std::string name;
  double last_net_load_mw;
  std::optional<double> reference_mw;  // mean after-dispatch N over the window
  double scheduled_mw;
  double soc_mwh;
  std::optional<double> expected_mw;  // nullopt: no proposal
};

TEST(StepResponsePolicyTest, Table) {
  const StepPolicyConfig config{.tolerance_mw = 1.27, .margin_mw = 0.04, .step = absl::Seconds(5)};
  const double w = 1.27 - 0.04;
  const Case cases[] = {
      {"within the tolerance: nothing", 300.5, 300.0, 0.0, 50.0, std::nullopt},
      {"a 12 MW trip is countered at once", 312.0, 300.0, 0.0, 50.0, 12.0 - w},
      {"a drop is absorbed by charging", 290.0, 300.0, 0.0, 50.0, -(10.0 - w)},
      {"the trader's setpoint is kept when it is in the band", 305.0, 300.0, 4.5, 50.0,
       std::nullopt},
      {"a trader step beyond the band is smoothed", 300.0, 300.0, 9.0, 50.0, w},
      {"an empty battery cannot discharge", 312.0, 300.0, 0.0, 5.0, std::nullopt},
      {"no reference yet: nothing", 312.0, std::nullopt, 0.0, 50.0, std::nullopt},
  };
  for (const Case& c : cases) {
    StepObservation obs;
    obs.decision_time = *base::ParseUtcTimestamp("2023-06-01T10:00:05Z");
    obs.last_net_load_mw = c.last_net_load_mw;
    obs.reference_after_dispatch_mw = c.reference_mw;
    obs.scheduled_battery_mw = c.scheduled_mw;
    obs.battery_soc_mwh = c.soc_mwh;
    StepDecision d = DecideStepResponse(obs, config);
    ASSERT_EQ(d.battery_mw.has_value(), c.expected_mw.has_value()) << c.name << ": " << d.reason;
    if (c.expected_mw) {
      EXPECT_NEAR(*d.battery_mw, *c.expected_mw, 1e-9) << c.name;
    }
    EXPECT_FALSE(d.reason.empty()) << c.name;
    if (d.battery_mw) {
      // Never beyond what the interlocks allow over one step.
      EXPECT_NEAR(assets::ClampBatteryPower(obs.battery, c.soc_mwh, *d.battery_mw,
                                            obs.battery.soc_min_mwh, config.step)
                      .power_mw,
                  *d.battery_mw, 1e-9)
          << c.name;
    }
  }
}

}  // namespace
}  // namespace gridpilot::control
