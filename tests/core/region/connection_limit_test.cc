// The batteries' shared connection (core/region/connection_limit.h), table-driven: only the
// excess's direction gives way, trading before resilience, pro rata to size, unchanged
// within the limits; and the engine applying it with the clamp in the decision's reason.
#include "core/region/connection_limit.h"

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "core/base/time_util.h"
#include "core/region/region_engine.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/core/region/proposal_builder.h"

namespace gridpilot::region {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr DispatchPriority kT = DispatchPriority::kTrading;
constexpr DispatchPriority kR = DispatchPriority::kResilience;
constexpr DispatchPriority kIdle = DispatchPriority::kUnspecified;

struct ClampCase {
  std::string name;
  std::vector<ConnectionSetpoint> setpoints;
  ConnectionLimit limit;
  std::vector<double> expected_mw;
  std::vector<bool> clamped;  // a reason is given
};

TEST(ConnectionLimitTest, KeepsTheSumWithinTheLimitByTheRule) {
  const ConnectionLimit limit_60{.export_limit_mw = 60.0, .import_limit_mw = 60.0};
  const std::vector<ClampCase> cases = {
      {"no limit: unchanged", {{50.0, kT}, {20.0, kT}}, ConnectionLimit{}, {50.0, 20.0}, {0, 0}},
      {"within the limit: unchanged", {{40.0, kT}, {20.0, kT}}, limit_60, {40.0, 20.0}, {0, 0}},
      {"export excess: pro rata to size",
       {{50.0, kT}, {20.0, kT}},
       limit_60,
       {50.0 * 60.0 / 70.0, 20.0 * 60.0 / 70.0},
       {1, 1}},
      {"import excess: pro rata to size",
       {{-50.0, kT}, {-20.0, kT}},
       ConnectionLimit{.export_limit_mw = std::nullopt, .import_limit_mw = 35.0},
       {-25.0, -10.0},
       {1, 1}},
      {"an export limit leaves charging alone",
       {{-50.0, kT}, {-20.0, kT}},
       ConnectionLimit{.export_limit_mw = 10.0, .import_limit_mw = std::nullopt},
       {-50.0, -20.0},
       {0, 0}},
      {"a charging battery relieves the connection and is kept",
       {{50.0, kT}, {20.0, kT}, {-15.0, kT}},
       ConnectionLimit{.export_limit_mw = 50.0, .import_limit_mw = std::nullopt},
       {50.0 * 65.0 / 70.0, 20.0 * 65.0 / 70.0, -15.0},
       {1, 1, 0}},
      {"trading gives way before resilience",
       {{40.0, kR}, {20.0, kT}},
       limit_60,
       {40.0, 20.0},
       {0, 0}},
      {"trading gives way first, resilience kept",
       {{40.0, kR}, {20.0, kT}},
       ConnectionLimit{.export_limit_mw = 45.0, .import_limit_mw = std::nullopt},
       {40.0, 5.0},
       {0, 1}},
      {"trading cut to 0, then resilience pro rata",
       {{40.0, kR}, {20.0, kR}, {10.0, kT}},
       ConnectionLimit{.export_limit_mw = 30.0, .import_limit_mw = std::nullopt},
       {20.0, 10.0, 0.0},
       {1, 1, 1}},
      {"idle counts with trading", {{30.0, kIdle}, {40.0, kR}}, limit_60, {20.0, 40.0}, {1, 0}},
      {"a zero limit stops every export",
       {{5.0, kT}, {3.0, kR}},
       ConnectionLimit{.export_limit_mw = 0.0, .import_limit_mw = std::nullopt},
       {0.0, 0.0},
       {1, 1}},
  };
  for (const ClampCase& c : cases) {
    SCOPED_TRACE(c.name);
    const ConnectionClamped got = ClampToConnection(c.setpoints, c.limit);
    ASSERT_EQ(got.power_mw.size(), c.expected_mw.size());
    ASSERT_EQ(got.reason.size(), c.expected_mw.size());
    double sum_mw = 0.0;
    for (size_t i = 0; i < got.power_mw.size(); ++i) {
      EXPECT_NEAR(got.power_mw[i], c.expected_mw[i], 1e-9) << "battery " << i;
      EXPECT_EQ(!got.reason[i].empty(), c.clamped[i]) << "battery " << i << ": " << got.reason[i];
      if (!c.clamped[i]) {
        EXPECT_EQ(got.power_mw[i], c.setpoints[i].power_mw);
      }
      sum_mw += got.power_mw[i];
    }
    if (c.limit.export_limit_mw) {
      EXPECT_LE(sum_mw, *c.limit.export_limit_mw + 1e-9);
    }
    if (c.limit.import_limit_mw) {
      EXPECT_GE(sum_mw, -*c.limit.import_limit_mw - 1e-9);
    }
  }
}

TEST(ConnectionLimitTest, TheReasonNamesTheConnectionAndTheLimit) {
  const ConnectionClamped got =
      ClampToConnection({{50.0, kT}, {20.0, kT}},
                        ConnectionLimit{.export_limit_mw = 60.0, .import_limit_mw = std::nullopt});
  EXPECT_THAT(got.reason[0], HasSubstr("shared connection"));
  EXPECT_THAT(got.reason[0], HasSubstr("export limit 60.00 MW"));
  EXPECT_THAT(got.reason[0], HasSubstr("50.00 ->"));
}

TEST(ConnectionLimitTest, ValidateNamesTheField) {
  EXPECT_TRUE(ConnectionLimit{}.Validate("c").ok());
  EXPECT_TRUE(
      (ConnectionLimit{.export_limit_mw = 0.0, .import_limit_mw = 60.0}.Validate("c").ok()));
  for (const double bad : {-1.0, kMaxConnectionLimitMw * 2, std::nan("")}) {
    const absl::Status s =
        ConnectionLimit{.export_limit_mw = std::nullopt, .import_limit_mw = bad}.Validate(
            "region.battery_connection");
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(std::string(s.message()), HasSubstr("region.battery_connection.import_limit_mw"));
  }
}

TEST(ConnectionLimitTest, TheEngineHoldsTheConnectionAndRecordsTheClamp) {
  const absl::Time t0 = *base::ParseUtcTimestamp("2023-01-01T00:00:00Z");
  RegionConfig region;
  region.battery_connection.export_limit_mw = 60.0;
  region.battery_connection.import_limit_mw = 30.0;
  assets::BatteryParams big;  // battery-1, 50 MW / 100 MWh
  assets::BatteryParams small = big;
  small.id = "battery-2";
  small.max_charge_mw = small.max_discharge_mw = 20.0;
  ASSERT_TRUE(RegionEngine::Validate(region, {big, small}, {}).ok());
  RegionEngine engine(region, {big, small}, {}, 300.0);
  auto propose = [&](const std::string& id, DispatchPriority priority, double mw, int k) {
    const DispatchProposal p = MakeProposal("test", id, priority, mw, t0 + k * absl::Minutes(30),
                                            t0 + (k + 1) * absl::Minutes(30), "test");
    ASSERT_TRUE(engine.arbiter().Submit(p, t0).ok());
  };
  propose("battery-1", kT, 50.0, 0);
  propose("battery-2", kR, 20.0, 0);
  propose("battery-1", kT, -50.0, 1);
  propose("battery-2", kT, -20.0, 1);
  const IntervalOutcome first = engine.ApplyStep(t0, 300.0, 50.0);
  EXPECT_NEAR(first.decisions[0].applied_mw, 40.0, 1e-9);  // trading gives way
  EXPECT_NEAR(first.decisions[1].applied_mw, 20.0, 1e-9);  // resilience kept
  EXPECT_THAT(first.decisions[0].reason, HasSubstr("shared connection"));
  EXPECT_THAT(first.decisions[1].reason, Not(HasSubstr("shared connection")));
  EXPECT_NEAR(first.dispatch_mw, 60.0, 1e-9);
  const IntervalOutcome second = engine.ApplyStep(t0 + absl::Minutes(30), 300.0, 50.0);
  EXPECT_NEAR(second.decisions[0].applied_mw + second.decisions[1].applied_mw, -30.0, 1e-9);
  EXPECT_NEAR(second.decisions[0].applied_mw, -30.0 * 50.0 / 70.0, 1e-9);
  EXPECT_THAT(second.decisions[1].reason, HasSubstr("import limit 30.00 MW"));
}

}  // namespace
}  // namespace gridpilot::region
