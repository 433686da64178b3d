// TelemetryValidator: each rejection reason, table-driven, and the per-source order state.
#include "core/data/telemetry_validator.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "core/base/time_util.h"
#include "gtest/gtest.h"

namespace gridpilot::data {
namespace {

const absl::Time kNow = *base::ParseUtcTimestamp("2023-06-01T12:00:00Z");
constexpr int64_t kSpan = static_cast<int64_t>(TelemetrySequenceWindow::kSpan);

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
      {"far below the newest", Sample("meter-a", 1 - kSpan, kNow - absl::Seconds(2)),
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

struct ArrivalCase {
  std::string name;
  std::vector<int64_t> sequences;  // in the order they arrive
  // The verdict on each: 'a' accepted, 'd' duplicate_sequence, 'o' out_of_order.
  std::string verdicts;
};

// Whatever the order of arrival, a sequence number is accepted once; the stamps here do
// not follow the numbers (sample n is stamped n mod 3600 seconds after kNow - 1 h).
TEST(TelemetryValidatorTest, OrderOfArrivalDoesNotMatterButEachNumberCountsOnce) {
  const std::vector<ArrivalCase> cases = {
      {"in order", {1, 2, 3}, "aaa"},
      {"reversed", {3, 2, 1}, "aaa"},
      {"redelivered older after newer", {10, 11, 12, 5, 6, 11, 5}, "aaaaadd"},
      {"a gap filled later", {1, 4, 2, 3, 4, 2}, "aaaadd"},
      {"the oldest still tracked", {kSpan, 1, 1}, "aad"},
      {"one older than that", {kSpan, 0}, "ao"},
      {"a jump forgets what it passed", {1, 2, 3 * kSpan, 2, 3 * kSpan - 1}, "aaaoa"},
      {"a jump within the span keeps it", {5, 7, kSpan + 4, 5, 6, 7, 4}, "aaadado"},
      {"negative numbers", {-3, -5, -3, -4}, "aada"},
      {"the extremes", {INT64_MIN, INT64_MAX, INT64_MIN, INT64_MAX - 1, INT64_MAX}, "aaoad"},
  };
  for (const ArrivalCase& c : cases) {
    TelemetryValidator validator(Config());
    ASSERT_EQ(c.sequences.size(), c.verdicts.size()) << c.name;
    for (size_t i = 0; i < c.sequences.size(); ++i) {
      const int64_t n = c.sequences[i];
      const absl::Time stamp = kNow - absl::Hours(1) + absl::Seconds(n % 3600);
      const TelemetryVerdict verdict = validator.Check(Sample("meter-a", n, stamp), kNow);
      const char got = !verdict.rejection                                             ? 'a'
                       : *verdict.rejection == TelemetryRejection::kDuplicateSequence ? 'd'
                       : *verdict.rejection == TelemetryRejection::kOutOfOrder        ? 'o'
                                                                                      : '?';
      EXPECT_EQ(got, c.verdicts[i])
          << c.name << ", arrival " << i << " (#" << n << "): " << verdict.detail;
    }
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
