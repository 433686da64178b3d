// The response agent's split of one fleet setpoint across batteries
// (core/control/battery_duty_split.h), table-driven: pro rata to each battery's headroom in
// the needed direction, within its power and SoC limits, the excess beyond the fleet's
// headroom pro rata to the power ratings, a single battery taking the whole setpoint, and
// the batteries' shared connection capping the fleet's headroom.
#include "core/control/battery_duty_split.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace gridpilot::control {
namespace {

constexpr double kHours = 0.5;
constexpr double kEff = 0.95;

// 50 MW / 100 MWh, soc 5..95, reserve 20 (the default battery).
assets::BatteryParams Big() { return assets::BatteryParams{}; }

// 20 MW / 40 MWh, soc 2..38, reserve 8.
assets::BatteryParams Small() {
  assets::BatteryParams p;
  p.id = "battery-2";
  p.energy_capacity_mwh = 40.0;
  p.max_charge_mw = p.max_discharge_mw = 20.0;
  p.soc_min_mwh = 2.0;
  p.soc_max_mwh = 38.0;
  p.soc_initial_mwh = 20.0;
  p.reserve_mwh = 8.0;
  return p;
}

struct SplitCase {
  std::string name;
  std::vector<DutyBattery> batteries;
  double total_mw;
  std::vector<double> expected_mw;
};

TEST(BatteryDutySplitTest, SharesTheChangeByTheRule) {
  // Headrooms used below: the big battery at 94 MWh can take 1 / 0.95 / 0.5 h = 2.105 MW;
  // the small one at 4 MWh can give (4 - 2) * 0.95 / 0.5 h = 3.8 MW.
  const double big_charge_room_mw = 1.0 / kEff / kHours;
  const double small_discharge_room_mw = 2.0 * kEff / kHours;
  const std::vector<SplitCase> cases = {
      {"one battery takes all, even beyond its limits", {{Big(), 50.0, 0.0}}, 80.0, {80.0}},
      {"one battery, charge", {{Big(), 50.0, 10.0}}, -30.0, {-30.0}},
      {"pro rata to the power headroom",
       {{Big(), 50.0, 0.0}, {Small(), 20.0, 0.0}},
       35.0,
       {25.0, 10.0}},
      {"from existing schedules",
       {{Big(), 50.0, 10.0}, {Small(), 20.0, -5.0}},
       35.0,
       {10.0 + 30.0 * 40.0 / 65.0, -5.0 + 30.0 * 25.0 / 65.0}},
      {"discharge limited by stored energy",
       {{Big(), 50.0, 0.0}, {Small(), 4.0, 0.0}},
       20.0,
       {20.0 * 50.0 / (50.0 + small_discharge_room_mw),
        20.0 * small_discharge_room_mw / (50.0 + small_discharge_room_mw)}},
      {"charge limited by room to soc_max",
       {{Big(), 94.0, 0.0}, {Small(), 20.0, 0.0}},
       -20.0,
       {-20.0 * big_charge_room_mw / (big_charge_room_mw + 20.0),
        -20.0 * 20.0 / (big_charge_room_mw + 20.0)}},
      {"a battery already at its limit gets nothing more",
       {{Big(), 50.0, 50.0}, {Small(), 20.0, 0.0}},
       60.0,
       {50.0, 10.0}},
      {"beyond the fleet's headroom: the excess by rating",
       {{Big(), 50.0, 0.0}, {Small(), 20.0, 0.0}},
       100.0,
       {50.0 + 30.0 * 50.0 / 70.0, 20.0 + 30.0 * 20.0 / 70.0}},
      {"no change: the schedules stand",
       {{Big(), 50.0, 12.0}, {Small(), 20.0, -3.0}},
       9.0,
       {12.0, -3.0}},
  };
  for (const SplitCase& c : cases) {
    SCOPED_TRACE(c.name);
    const std::vector<double> got = SplitDuty(c.batteries, c.total_mw, absl::Minutes(30));
    ASSERT_EQ(got.size(), c.expected_mw.size());
    double sum_mw = 0.0;
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_NEAR(got[i], c.expected_mw[i], 1e-9) << "battery " << i;
      sum_mw += got[i];
    }
    EXPECT_NEAR(sum_mw, c.total_mw, 1e-9);
  }
}

struct ConnectionCase {
  std::string name;
  std::vector<DutyBattery> batteries;
  double total_mw;
  DutyConnection connection;
  std::vector<double> expected_mw;
};

TEST(BatteryDutySplitTest, TheSharedConnectionCapsTheFleetsHeadroom) {
  const DutyConnection limit_60{.export_limit_mw = 60.0, .import_limit_mw = 60.0};
  const std::vector<ConnectionCase> cases = {
      {"within the connection: as without it",
       {{Big(), 50.0, 0.0}, {Small(), 20.0, 0.0}},
       35.0,
       limit_60,
       {25.0, 10.0}},
      {"discharge beyond the export limit: only up to it, pro rata to headroom",
       {{Big(), 50.0, 0.0}, {Small(), 20.0, 0.0}},
       70.0,
       limit_60,
       {60.0 * 50.0 / 70.0, 60.0 * 20.0 / 70.0}},
      {"the others' schedules use the connection: headroom is limit - their sum",
       {{Big(), 50.0, 40.0}, {Small(), 20.0, 10.0}},
       65.0,
       limit_60,
       {40.0 + 10.0 * 10.0 / 20.0, 10.0 + 10.0 * 10.0 / 20.0}},
      {"schedule already at the export limit: no more discharge asked",
       {{Big(), 50.0, 45.0}, {Small(), 20.0, 15.0}},
       70.0,
       limit_60,
       {45.0, 15.0}},
      {"charge beyond the import limit: only up to it",
       {{Big(), 50.0, 0.0}, {Small(), 20.0, -10.0}},
       -70.0,
       DutyConnection{.export_limit_mw = std::nullopt, .import_limit_mw = 30.0},
       {-20.0 * 50.0 / 60.0, -10.0 - 20.0 * 10.0 / 60.0}},
      {"an export limit does not hold back charge",
       {{Big(), 50.0, 0.0}, {Small(), 20.0, 0.0}},
       -70.0,
       DutyConnection{.export_limit_mw = 10.0, .import_limit_mw = std::nullopt},
       {-50.0, -20.0}},
      {"one battery behind a smaller connection takes only what it allows",
       {{Big(), 50.0, 5.0}},
       50.0,
       DutyConnection{.export_limit_mw = 30.0, .import_limit_mw = std::nullopt},
       {30.0}},
  };
  for (const ConnectionCase& c : cases) {
    SCOPED_TRACE(c.name);
    const std::vector<double> got =
        SplitDuty(c.batteries, c.total_mw, absl::Minutes(30), c.connection);
    ASSERT_EQ(got.size(), c.expected_mw.size());
    double sum_mw = 0.0;
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_NEAR(got[i], c.expected_mw[i], 1e-9) << "battery " << i;
      sum_mw += got[i];
    }
    if (c.connection.export_limit_mw) {
      EXPECT_LE(sum_mw, *c.connection.export_limit_mw + 1e-9);
    }
    if (c.connection.import_limit_mw) {
      EXPECT_GE(sum_mw, -*c.connection.import_limit_mw - 1e-9);
    }
  }
}

TEST(BatteryDutySplitTest, TheFleetAsOneBatteryIsCappedByTheConnection) {
  const FleetBattery fleet =
      FleetAsOneBattery({{Big(), 50.0, 0.0}, {Small(), 20.0, 0.0}},
                        DutyConnection{.export_limit_mw = 60.0, .import_limit_mw = 0.0});
  EXPECT_DOUBLE_EQ(fleet.params.max_discharge_mw, 60.0);
  EXPECT_DOUBLE_EQ(fleet.params.max_charge_mw, 1e-9);
  EXPECT_TRUE(fleet.params.Validate().ok());
  const FleetBattery roomy =
      FleetAsOneBattery({{Big(), 50.0, 0.0}, {Small(), 20.0, 0.0}},
                        DutyConnection{.export_limit_mw = 100.0, .import_limit_mw = 100.0});
  EXPECT_DOUBLE_EQ(roomy.params.max_discharge_mw, 70.0);
  EXPECT_DOUBLE_EQ(roomy.params.max_charge_mw, 70.0);
}

TEST(BatteryDutySplitTest, OneBatteryIsItsOwnFleet) {
  const assets::BatteryParams big = Big();
  const FleetBattery fleet = FleetAsOneBattery({{big, 42.0, -7.0}});
  EXPECT_EQ(fleet.params.id, big.id);
  EXPECT_EQ(fleet.params.max_discharge_mw, big.max_discharge_mw);
  EXPECT_EQ(fleet.params.discharge_efficiency, big.discharge_efficiency);
  EXPECT_EQ(fleet.soc_mwh, 42.0);
  EXPECT_EQ(fleet.scheduled_mw, -7.0);
}

TEST(BatteryDutySplitTest, TwoBatteriesSumAndWeight) {
  assets::BatteryParams small = Small();
  small.charge_efficiency = 0.85;
  const FleetBattery fleet = FleetAsOneBattery({{Big(), 50.0, 10.0}, {small, 20.0, -4.0}});
  EXPECT_EQ(fleet.params.id, "fleet");
  EXPECT_DOUBLE_EQ(fleet.params.energy_capacity_mwh, 140.0);
  EXPECT_DOUBLE_EQ(fleet.params.max_charge_mw, 70.0);
  EXPECT_DOUBLE_EQ(fleet.params.soc_min_mwh, 7.0);
  EXPECT_DOUBLE_EQ(fleet.params.soc_max_mwh, 133.0);
  EXPECT_DOUBLE_EQ(fleet.params.reserve_mwh, 28.0);
  EXPECT_DOUBLE_EQ(fleet.params.charge_efficiency, (0.95 * 100.0 + 0.85 * 40.0) / 140.0);
  EXPECT_DOUBLE_EQ(fleet.soc_mwh, 70.0);
  EXPECT_DOUBLE_EQ(fleet.scheduled_mw, 6.0);
  EXPECT_TRUE(fleet.params.Validate().ok());
}

}  // namespace
}  // namespace gridpilot::control
