// TelemetryValidator: each rejection reason, table-driven, and the per-source order state.
#include "core/data/telemetry_validator.h"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "core/base/time_util.h"
#include "gtest/gtest.h"

namespace gridpilot::data {
namespace {

const absl::Time kNow = *base::ParseUtcTimestamp("2023-06-01T12:00:00Z");

TelemetryValidatorConfig Config() {
  return TelemetryValidatorConfig{.sources = {"meter-a", "meter-b"},
                                  .max_ahead = absl::Minutes(30)};
}

TelemetrySample Sample(std::string source, int64_t sequence, absl::Time at) {
  return TelemetrySample{.timestamp = at,
                         .source = std::move(source),
                         .sequence = sequence,
                         .net_load_mw = 100.0,
                         .solar_mw = 5.0};
}

TEST(ClassifyValueNameTest, UnitsAreInTheName) {
  EXPECT_EQ(ClassifyValueName("net_load_mw").quantity, TelemetryQuantity::kNetLoadMw);
  EXPECT_EQ(ClassifyValueName("price_gbp_per_mwh").quantity, TelemetryQuantity::kPriceGbpPerMwh);
  EXPECT_FALSE(ClassifyValueName("net_load_kw").quantity);
  EXPECT_EQ(ClassifyValueName("net_load_kw").rejection, TelemetryRejection::kWrongUnits);
  EXPECT_EQ(ClassifyValueName("price_eur_per_mwh").rejection, TelemetryRejection::kWrongUnits);
  EXPECT_EQ(ClassifyValueName("voltage_kv").rejection, TelemetryRejection::kMalformed);
}

struct RejectCase {
  std::string name;
  TelemetrySample sample;
  TelemetryRejection reason;
};

TEST(TelemetryValidatorTest, EachBadSampleIsRejectedWithItsReason) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  TelemetrySample with_nan = Sample("meter-a", 2, kNow);
  with_nan.wind_mw = nan;
  TelemetrySample with_inf = Sample("meter-a", 2, kNow);
  with_inf.price_gbp_per_mwh = std::numeric_limits<double>::infinity();
  TelemetrySample negative_solar = Sample("meter-a", 2, kNow);
  negative_solar.solar_mw = -1.0;
  TelemetrySample huge_load = Sample("meter-a", 2, kNow);
  huge_load.net_load_mw = 2.0e6;
  const std::vector<RejectCase> cases = {
      {"unknown source", Sample("meter-z", 2, kNow), TelemetryRejection::kUnknownSource},
      {"nan", with_nan, TelemetryRejection::kNotFinite},
      {"infinity", with_inf, TelemetryRejection::kNotFinite},
      {"negative solar", negative_solar, TelemetryRejection::kOutOfBounds},
      {"huge load", huge_load, TelemetryRejection::kOutOfBounds},
      {"future", Sample("meter-a", 2, kNow + absl::Minutes(31)),
       TelemetryRejection::kTooFarInFuture},
      {"duplicate", Sample("meter-a", 1, kNow), TelemetryRejection::kDuplicateSequence},
      {"lower sequence", Sample("meter-a", 0, kNow), TelemetryRejection::kOutOfOrder},
      {"earlier stamp", Sample("meter-a", 2, kNow - absl::Seconds(2)),
       TelemetryRejection::kOutOfOrder},
  };
  for (const RejectCase& c : cases) {
    TelemetryValidator validator(Config());
    ASSERT_TRUE(validator.Check(Sample("meter-a", 1, kNow - absl::Seconds(1)), kNow).accepted());
    const TelemetryVerdict verdict = validator.Check(c.sample, kNow);
    ASSERT_TRUE(verdict.rejection.has_value()) << c.name;
    EXPECT_EQ(*verdict.rejection, c.reason) << c.name << ": " << verdict.detail;
    EXPECT_FALSE(verdict.detail.empty()) << c.name;
  }
}

TEST(TelemetryValidatorTest, SourcesAreOrderedIndependently) {
  TelemetryValidator validator(Config());
  EXPECT_TRUE(validator.Check(Sample("meter-a", 10, kNow), kNow).accepted());
  EXPECT_TRUE(validator.Check(Sample("meter-b", 1, kNow - absl::Minutes(1)), kNow).accepted());
  EXPECT_TRUE(validator.Check(Sample("meter-a", 12, kNow + absl::Seconds(1)), kNow).accepted());
  EXPECT_EQ(validator.Check(Sample("meter-a", 12, kNow + absl::Seconds(2)), kNow).rejection,
            TelemetryRejection::kDuplicateSequence);
}

TEST(TelemetryValidatorTest, ARejectedSampleLeavesTheStateAlone) {
  TelemetryValidator validator(Config());
  ASSERT_TRUE(validator.Check(Sample("meter-a", 1, kNow), kNow).accepted());
  EXPECT_FALSE(validator.Check(Sample("meter-a", 5, kNow + absl::Hours(2)), kNow).accepted());
  EXPECT_TRUE(validator.Check(Sample("meter-a", 2, kNow + absl::Seconds(1)), kNow).accepted());
}

TEST(TelemetryValidatorConfigTest, RejectsBadConfig) {
  TelemetryValidatorConfig none = Config();
  none.sources.clear();
  EXPECT_FALSE(none.Validate().ok());
  TelemetryValidatorConfig empty_name = Config();
  empty_name.sources.push_back("");
  EXPECT_FALSE(empty_name.Validate().ok());
  TelemetryValidatorConfig ahead = Config();
  ahead.max_ahead = absl::Hours(48);
  EXPECT_FALSE(ahead.Validate().ok());
  EXPECT_TRUE(Config().Validate().ok());
}

}  // namespace
}  // namespace gridpilot::data
