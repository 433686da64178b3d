// Battery physics: StepBattery's energy balance and BatteryParams validation.
#include "core/assets/battery.h"

#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gridpilot::assets {
namespace {

using ::testing::HasSubstr;

struct StepCase {
  std::string name;
  double soc_mwh;
  double power_mw;
  absl::Duration duration;
  double want_charge_mwh;
  double want_discharge_mwh;
  double want_soc_after_mwh;
};

TEST(StepBatteryTest, EnergyBalance) {
  BatteryParams params;  // 0.95 / 0.95
  BatteryParams lossy = params;
  lossy.charge_efficiency = 0.8;
  lossy.discharge_efficiency = 0.9;
  const std::vector<std::pair<BatteryParams, StepCase>> cases = {
      {params, {"discharge half hour", 50, 20, absl::Minutes(30), 0, 10, 50 - 10 / 0.95}},
      {params, {"charge half hour", 50, -20, absl::Minutes(30), 10, 0, 50 + 10 * 0.95}},
      {params, {"idle", 42, 0, absl::Minutes(30), 0, 0, 42}},
      {params, {"full power one hour", 80, 50, absl::Hours(1), 0, 50, 80 - 50 / 0.95}},
      {params, {"five seconds", 50, -36, absl::Seconds(5), 0.05, 0, 50 + 0.05 * 0.95}},
      {lossy, {"asymmetric discharge", 60, 45, absl::Minutes(30), 0, 22.5, 60 - 25}},
      {lossy, {"asymmetric charge", 60, -45, absl::Minutes(30), 22.5, 0, 60 + 18}},
  };
  for (const auto& [p, c] : cases) {
    SCOPED_TRACE(c.name);
    const BatteryInterval got = StepBattery(p, c.soc_mwh, c.power_mw, c.duration);
    EXPECT_EQ(got.power_mw, c.power_mw);
    EXPECT_EQ(got.soc_before_mwh, c.soc_mwh);
    EXPECT_NEAR(got.charge_mwh, c.want_charge_mwh, 1e-9);
    EXPECT_NEAR(got.discharge_mwh, c.want_discharge_mwh, 1e-9);
    EXPECT_NEAR(got.soc_after_mwh, c.want_soc_after_mwh, 1e-9);
    EXPECT_NEAR(got.soc_after_mwh - got.soc_before_mwh,
                got.charge_mwh * p.charge_efficiency - got.discharge_mwh / p.discharge_efficiency,
                1e-9);
    EXPECT_GE(got.charge_mwh, 0);
    EXPECT_GE(got.discharge_mwh, 0);
  }
}

TEST(BatteryParamsTest, DefaultsAreValid) { EXPECT_TRUE(BatteryParams().Validate().ok()); }

TEST(BatteryParamsTest, RejectsEachBadField) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  struct Case {
    std::string field;
    std::function<void(BatteryParams&)> mutate;
  };
  const std::vector<Case> cases = {
      {"energy_capacity_mwh", [](BatteryParams& p) { p.energy_capacity_mwh = 0; }},
      {"max_charge_mw", [](BatteryParams& p) { p.max_charge_mw = -1; }},
      {"max_charge_mw", [nan](BatteryParams& p) { p.max_charge_mw = nan; }},
      {"max_discharge_mw", [](BatteryParams& p) { p.max_discharge_mw = 0; }},
      {"charge_efficiency", [](BatteryParams& p) { p.charge_efficiency = 1.01; }},
      {"charge_efficiency", [](BatteryParams& p) { p.charge_efficiency = 0; }},
      {"discharge_efficiency", [nan](BatteryParams& p) { p.discharge_efficiency = nan; }},
      {"discharge_efficiency", [](BatteryParams& p) { p.discharge_efficiency = -0.5; }},
      {"soc_min_mwh", [](BatteryParams& p) { p.soc_min_mwh = -1; }},
      {"soc_initial_mwh", [](BatteryParams& p) { p.soc_initial_mwh = 4; }},
      {"soc_initial_mwh", [nan](BatteryParams& p) { p.soc_initial_mwh = nan; }},
      {"soc_max_mwh", [](BatteryParams& p) { p.soc_max_mwh = 40; }},     // below initial
      {"soc_max_mwh", [](BatteryParams& p) { p.soc_max_mwh = 100.5; }},  // above capacity
      {"reserve_mwh", [](BatteryParams& p) { p.reserve_mwh = -1; }},
      {"reserve_mwh", [](BatteryParams& p) { p.reserve_mwh = 90.5; }},  // min + reserve > max
      {"degradation_gbp_per_mwh", [](BatteryParams& p) { p.degradation_gbp_per_mwh = -0.1; }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.field);
    BatteryParams p;
    c.mutate(p);
    const absl::Status status = p.Validate();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(status.message()), HasSubstr("BatteryParams." + c.field + " "));
  }
}

TEST(BatteryParamsTest, AcceptsBoundaryValues) {
  BatteryParams p;
  p.charge_efficiency = 1.0;
  p.discharge_efficiency = 1.0;
  p.soc_min_mwh = 0;
  p.soc_initial_mwh = 0;
  p.soc_max_mwh = p.energy_capacity_mwh;
  p.reserve_mwh = p.energy_capacity_mwh;  // min + reserve == max
  p.degradation_gbp_per_mwh = 0;
  EXPECT_TRUE(p.Validate().ok()) << p.Validate();
}

}  // namespace
}  // namespace gridpilot::assets
