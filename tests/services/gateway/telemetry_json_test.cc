// The JSON form of live telemetry: a round trip, and each malformed shape refused with its
// reason (units in the wrong name are kWrongUnits, everything else kMalformed).
#include "services/gateway/telemetry_json.h"

#include <cmath>
#include <string>
#include <variant>

#include "core/base/time_util.h"
#include "gtest/gtest.h"
#include "services/gateway/mqtt_url.h"

namespace gridpilot {
namespace {

data::TelemetryVerdict Refusal(const std::string& payload) {
  auto decoded = DecodeTelemetryJson(payload);
  EXPECT_TRUE(std::holds_alternative<data::TelemetryVerdict>(decoded)) << payload;
  if (!std::holds_alternative<data::TelemetryVerdict>(decoded)) return {};
  return std::get<data::TelemetryVerdict>(decoded);
}

TEST(TelemetryJsonTest, RoundTrips) {
  data::TelemetrySample sample;
  sample.timestamp = *base::ParseUtcTimestamp("2023-06-01T12:00:05Z");
  sample.source = "meter-1";
  sample.sequence = 42;
  sample.net_load_mw = 512.25;
  sample.price_gbp_per_mwh = -3.5;
  auto decoded = DecodeTelemetryJson(EncodeTelemetryJson(sample));
  ASSERT_TRUE(std::holds_alternative<data::TelemetrySample>(decoded));
  const data::TelemetrySample& back = std::get<data::TelemetrySample>(decoded);
  EXPECT_EQ(back.timestamp, sample.timestamp);
  EXPECT_EQ(back.source, "meter-1");
  EXPECT_EQ(back.sequence, 42);
  EXPECT_EQ(back.net_load_mw, 512.25);
  EXPECT_FALSE(back.solar_mw.has_value());
  EXPECT_EQ(back.price_gbp_per_mwh, -3.5);
}

TEST(TelemetryJsonTest, RefusesEachBadShapeWithItsReason) {
  using data::TelemetryRejection;
  const std::string ok_head =
      R"({"timestamp": "2023-06-01T12:00:00Z", "source": "m", "seq": 1, "values": )";
  const struct {
    std::string payload;
    TelemetryRejection reason;
  } cases[] = {
      {"{not json", TelemetryRejection::kMalformed},
      {"[1,2]", TelemetryRejection::kMalformed},
      {R"({"timestamp": "noon", "source": "m", "seq": 1, "values": {}})",
       TelemetryRejection::kMalformed},
      {R"({"timestamp": "2023-06-01T12:00:00Z", "seq": 1, "values": {}})",
       TelemetryRejection::kMalformed},
      {R"({"timestamp": "2023-06-01T12:00:00Z", "source": "m", "seq": 1.5, "values": {}})",
       TelemetryRejection::kMalformed},
      {ok_head + R"("x"})", TelemetryRejection::kMalformed},
      {ok_head + R"({"net_load_mw": "12"}})", TelemetryRejection::kMalformed},
      {ok_head + R"({"net_load_mw": NaN}})", TelemetryRejection::kMalformed},
      {ok_head + R"({"net_load_kw": 12}})", TelemetryRejection::kWrongUnits},
      {ok_head + R"({"voltage_kv": 12}})", TelemetryRejection::kMalformed},
      {std::string(kMaxTelemetryPayloadBytes + 1, ' '), TelemetryRejection::kMalformed},
  };
  for (const auto& c : cases) {
    const data::TelemetryVerdict verdict = Refusal(c.payload);
    ASSERT_TRUE(verdict.rejection.has_value()) << c.payload;
    EXPECT_EQ(*verdict.rejection, c.reason) << c.payload << ": " << verdict.detail;
    EXPECT_FALSE(verdict.detail.empty());
  }
}

TEST(TelemetryJsonTest, AHugeExponentDecodesToInfinityForTheValidator) {
  auto decoded = DecodeTelemetryJson(
      R"({"timestamp": "2023-06-01T12:00:00Z", "source": "m", "seq": 1,
          "values": {"net_load_mw": 1e400}})");
  // Either refused here or passed on as infinity, which the validator refuses (not_finite).
  if (auto* sample = std::get_if<data::TelemetrySample>(&decoded)) {
    ASSERT_TRUE(sample->net_load_mw.has_value());
    EXPECT_FALSE(std::isfinite(*sample->net_load_mw));
  }
}

TEST(MqttUrlTest, ParsesAndRefuses) {
  absl::StatusOr<MqttUrl> url = ParseMqttUrl("mqtt://127.0.0.1:1884/site/+/telemetry");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(url->host, "127.0.0.1");
  EXPECT_EQ(url->port, 1884);
  EXPECT_EQ(url->topic, "site/+/telemetry");
  EXPECT_EQ(ParseMqttUrl("mqtt://broker/t")->port, 1883);
  EXPECT_FALSE(ParseMqttUrl("http://broker/t").ok());
  EXPECT_FALSE(ParseMqttUrl("mqtt://broker").ok());
  EXPECT_FALSE(ParseMqttUrl("mqtt://broker:0/t").ok());
  EXPECT_FALSE(ParseMqttUrl("mqtt://broker:99999/t").ok());
  EXPECT_FALSE(ParseMqttUrl("mqtt://:1883/t").ok());
}

}  // namespace
}  // namespace gridpilot
