// Interlocks: ClampBatteryPower keeps every applied interval inside the limits, and
// CheckBatteryInterval catches an interval that is not.
#include "core/assets/interlocks.h"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gridpilot::assets {
namespace {

using ::testing::HasSubstr;

constexpr absl::Duration kHalfHourInterval = absl::Minutes(30);

// Defaults: 50/50 MW, eta 0.95/0.95, soc in [5, 95], reserve 20 => trading floor 25.
constexpr double kTradingFloorMwh = 25.0;
constexpr double kResilienceFloorMwh = 5.0;

struct ClampCase {
  std::string name;
  double soc_mwh;
  double requested_mw;
  double floor_mwh;
  double want_mw;
  std::string want_reason;  // substring; empty means the reason must be empty
};

TEST(ClampBatteryPowerTest, Table) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<ClampCase> cases = {
      {"within limits", 50, 10, kTradingFloorMwh, 10, ""},
      {"idle", 50, 0, kTradingFloorMwh, 0, ""},
      {"charge within limits", 50, -30, kTradingFloorMwh, -30, ""},
      {"discharge power limit", 90, 80, kTradingFloorMwh, 50, "max discharge 50.0 MW"},
      {"charge power limit", 20, -80, kTradingFloorMwh, -50, "max charge 50.0 MW"},
      // 5 MWh above the trading floor: 5 * 0.95 / 0.5 h = 9.5 MW.
      {"trading floor", 30, 50, kTradingFloorMwh, 9.5, "floor 25.000 MWh"},
      // The same battery may give 25 * 0.95 / 0.5 = 47.5 MW to resilience.
      {"resilience floor", 30, 50, kResilienceFloorMwh, 47.5, "floor 5.000 MWh"},
      {"below trading floor: no discharge", 20, 30, kTradingFloorMwh, 0, "no discharge"},
      {"at the floor: no discharge", 25, 10, kTradingFloorMwh, 0, "no discharge"},
      {"below trading floor may charge", 20, -30, kTradingFloorMwh, -30, ""},
      {"below soc_min may still charge", 3, -10, kResilienceFloorMwh, -10, ""},
      // 5 MWh of room: 5 / 0.95 / 0.5 h grid-side.
      {"soc max", 90, -50, kTradingFloorMwh, -5 / 0.95 / 0.5, "soc max 95.000 MWh"},
      {"full: no charge", 95, -10, kTradingFloorMwh, 0, "soc max"},
      {"full may discharge", 95, 10, kTradingFloorMwh, 10, ""},
      {"nan", 50, nan, kTradingFloorMwh, 0, "not finite"},
      {"+inf", 50, inf, kTradingFloorMwh, 0, "not finite"},
      {"-inf", 50, -inf, kTradingFloorMwh, 0, "not finite"},
  };
  const BatteryParams params;
  for (const ClampCase& c : cases) {
    SCOPED_TRACE(c.name);
    const ClampedSetpoint got =
        ClampBatteryPower(params, c.soc_mwh, c.requested_mw, c.floor_mwh, kHalfHourInterval);
    EXPECT_NEAR(got.power_mw, c.want_mw, 1e-12);
    EXPECT_FALSE(std::signbit(got.power_mw) && got.power_mw == 0);  // no -0.0
    if (c.want_reason.empty()) {
      EXPECT_EQ(got.reason, "");
    } else {
      EXPECT_THAT(got.reason, HasSubstr(c.want_reason));
    }
  }
}

TEST(ClampBatteryPowerTest, AppliedIntervalStaysWithinBoundsEverywhere) {
  BatteryParams params;
  params.charge_efficiency = 0.87;
  params.discharge_efficiency = 0.91;
  const std::vector<absl::Duration> durations = {absl::Seconds(5), absl::Minutes(30),
                                                 absl::Hours(1)};
  const std::vector<double> floors = {params.soc_min_mwh, params.soc_min_mwh + params.reserve_mwh};
  int checked = 0;
  for (absl::Duration duration : durations) {
    for (double floor_mwh : floors) {
      for (double soc_mwh = 0.0; soc_mwh <= 100.0; soc_mwh += 0.37) {
        for (double requested_mw = -73.1; requested_mw <= 73.1; requested_mw += 1.3) {
          const ClampedSetpoint clamped =
              ClampBatteryPower(params, soc_mwh, requested_mw, floor_mwh, duration);
          const BatteryInterval applied = StepBattery(params, soc_mwh, clamped.power_mw, duration);
          ASSERT_LE(clamped.power_mw, params.max_discharge_mw);
          ASSERT_GE(clamped.power_mw, -params.max_charge_mw);
          // Never reverses or amplifies the request.
          ASSERT_LE(std::abs(clamped.power_mw), std::abs(requested_mw));
          ASSERT_GE(clamped.power_mw * requested_mw, 0.0);
          if (clamped.power_mw > 0) {
            ASSERT_GE(applied.soc_after_mwh, floor_mwh - 1e-9) << soc_mwh << " " << requested_mw;
          }
          if (clamped.power_mw < 0) {
            ASSERT_LE(applied.soc_after_mwh, params.soc_max_mwh + 1e-9);
          }
          ++checked;
        }
      }
    }
  }
  EXPECT_GT(checked, 10000);
}

TEST(ClampBatteryPowerTest, ExactlyEmptiesToTheFloor) {
  const BatteryParams params;
  // Values that do not divide evenly, so rounding is exercised; over 437 minutes the
  // energy bound binds before the power limit.
  const absl::Duration duration = absl::Minutes(437);
  for (double soc_mwh : {25.000000001, 33.3333333333, 94.99999999}) {
    const ClampedSetpoint clamped =
        ClampBatteryPower(params, soc_mwh, 50, kTradingFloorMwh, duration);
    ASSERT_LT(clamped.power_mw, 50);
    const BatteryInterval applied = StepBattery(params, soc_mwh, clamped.power_mw, duration);
    EXPECT_NEAR(applied.soc_after_mwh, kTradingFloorMwh, 1e-9) << soc_mwh;
  }
  // Rounding that leaves soc a hair below the floor blocks discharge, not a negative power.
  const ClampedSetpoint below =
      ClampBatteryPower(params, kTradingFloorMwh - 1e-13, 20, kTradingFloorMwh, kHalfHourInterval);
  EXPECT_EQ(below.power_mw, 0.0);
}

TEST(CheckBatteryIntervalTest, AcceptsARealStep) {
  const BatteryParams params;
  EXPECT_TRUE(CheckBatteryInterval(params, StepBattery(params, 50, 40, kHalfHourInterval)).ok());
  EXPECT_TRUE(CheckBatteryInterval(params, StepBattery(params, 50, -50, kHalfHourInterval)).ok());
}

TEST(CheckBatteryIntervalTest, FlagsEachViolation) {
  const BatteryParams params;
  const BatteryInterval good = StepBattery(params, 50, 20, kHalfHourInterval);
  struct Case {
    std::string name;
    BatteryInterval interval;
    std::string want;
  };
  BatteryInterval over_discharge = StepBattery(params, 90, 60, kHalfHourInterval);
  BatteryInterval over_charge = StepBattery(params, 10, -60, kHalfHourInterval);
  BatteryInterval below_min = StepBattery(params, 10, 50, kHalfHourInterval);
  BatteryInterval above_max = StepBattery(params, 90, -50, kHalfHourInterval);
  BatteryInterval unbalanced = good;
  unbalanced.soc_after_mwh += 1e-3;
  BatteryInterval negative_energy = good;
  negative_energy.charge_mwh = -1;
  BatteryInterval nan_soc = good;
  nan_soc.soc_after_mwh = std::numeric_limits<double>::quiet_NaN();
  const std::vector<Case> cases = {
      {"over discharge", over_discharge, "exceeds max discharge"},
      {"over charge", over_charge, "exceeds max charge"},
      {"below soc_min", below_min, "below soc_min"},
      {"above soc_max", above_max, "above soc_max"},
      {"energy balance", unbalanced, "energy balance"},
      {"negative energy", negative_energy, "negative energy"},
      {"nan soc", nan_soc, "soc after"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const absl::Status status = CheckBatteryInterval(params, c.interval);
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(std::string(status.message()), HasSubstr(c.want));
    EXPECT_THAT(std::string(status.message()), HasSubstr("battery-1"));
  }
}

TEST(CheckBatteryIntervalTest, ToleranceIsHonoured) {
  const BatteryParams params;
  BatteryInterval interval = StepBattery(params, 50, 20, kHalfHourInterval);
  interval.soc_after_mwh += 5e-7;
  EXPECT_TRUE(CheckBatteryInterval(params, interval).ok());  // default 1e-6
  EXPECT_FALSE(CheckBatteryInterval(params, interval, 1e-7).ok());
}

}  // namespace
}  // namespace gridpilot::assets
