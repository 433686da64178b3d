// The plain-form decoder against the general (JSON document) one: it takes what meters and
// `gridpilot publish` send, and whatever it decodes, edge cases and random mutations
// included, equals the general decoder's sample bit for bit; everything else is left to the
// general decoder, so every refusal keeps its reason.
#include "services/gateway/telemetry_json_plain.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <optional>
#include <random>
#include <string>
#include <variant>
#include <vector>

#include "core/base/time_util.h"
#include "gtest/gtest.h"
#include "services/gateway/telemetry_json.h"

namespace gridpilot {
namespace {

bool SameBits(const std::optional<double>& a, const std::optional<double>& b) {
  if (a.has_value() != b.has_value()) return false;
  return !a || std::memcmp(&*a, &*b, sizeof(double)) == 0;
}

// If the plain decoder takes `payload`, the general one gives the same sample; returns
// whether the plain decoder took it.
bool CheckAgainstTheDocumentDecoder(const std::string& payload) {
  const std::optional<data::TelemetrySample> plain = DecodePlainTelemetryJson(payload);
  if (!plain) return false;
  auto general = DecodeTelemetryJsonDocument(payload);
  const auto* sample = std::get_if<data::TelemetrySample>(&general);
  EXPECT_NE(sample, nullptr) << "plain took what the general decoder refuses: " << payload;
  if (sample == nullptr) return true;
  EXPECT_EQ(plain->timestamp, sample->timestamp) << payload;
  EXPECT_EQ(plain->source, sample->source) << payload;
  EXPECT_EQ(plain->sequence, sample->sequence) << payload;
  EXPECT_TRUE(SameBits(plain->net_load_mw, sample->net_load_mw)) << payload;
  EXPECT_TRUE(SameBits(plain->solar_mw, sample->solar_mw)) << payload;
  EXPECT_TRUE(SameBits(plain->wind_mw, sample->wind_mw)) << payload;
  EXPECT_TRUE(SameBits(plain->price_gbp_per_mwh, sample->price_gbp_per_mwh)) << payload;
  return true;
}

TEST(TelemetryJsonPlainTest, TakesWhatThePublisherSends) {
  std::mt19937_64 random(7);
  std::uniform_real_distribution<double> mw(-2000.0, 2000.0);
  for (int i = 0; i < 2000; ++i) {
    data::TelemetrySample s;
    s.timestamp = *base::ParseUtcTimestamp("2023-06-01T00:00:00Z") + absl::Milliseconds(i * 250);
    s.source = "meter-" + std::to_string(i % 7);
    s.sequence = static_cast<int64_t>(random()) >> (i % 64);
    if (i % 2 == 0) s.net_load_mw = mw(random);
    if (i % 3 == 0) s.solar_mw = i % 6 == 0 ? 0.0 : std::abs(mw(random));
    if (i % 5 == 0) s.wind_mw = 1e-310 * i;  // subnormal
    if (i % 7 == 0) s.price_gbp_per_mwh = -0.0;
    const std::string payload = EncodeTelemetryJson(s);
    EXPECT_TRUE(CheckAgainstTheDocumentDecoder(payload)) << "left to the general: " << payload;
    // And the entry point gives the same as the general decoder.
    auto decoded = DecodeTelemetryJson(payload);
    ASSERT_TRUE(std::holds_alternative<data::TelemetrySample>(decoded)) << payload;
  }
}

TEST(TelemetryJsonPlainTest, EdgeCasesEqualTheGeneralDecoderOrAreLeftToIt) {
  const std::string head = R"("timestamp": "2023-06-01T12:00:00Z", "source": "m-1", )";
  struct Case {
    std::string payload;
    bool plain;  // taken by the plain decoder
  };
  const std::vector<Case> cases = {
      {"{" + head + R"("seq": 1, "values": {}})", true},
      {" \t\n{" + head + R"("seq": -0, "values": {"net_load_mw": -0}} )" + "\r\n", true},
      {"{" + head + R"("seq": 1, "values": {"net_load_mw": -0.0, "solar_mw": 1E+2}})", true},
      {"{" + head + R"("seq": 9223372036854775807, "values": {"wind_mw": 9007199254740993}})",
       true},
      {"{" + head + R"("seq": 1, "values": {"price_gbp_per_mwh": 0.1e-320}})", true},
      {R"({"values": {"solar_mw": 2.5}, "seq": 3, "source": "", )"
       R"("timestamp": "2023-06-01T12:00:00Z"})",
       true},
      // Left to the general decoder:
      {"{" + head + R"("seq": 9223372036854775808, "values": {}})", false},
      {"{" + head + R"("seq": 1.0, "values": {}})", false},
      {"{" + head + R"("seq": 01, "values": {}})", false},
      {"{" + head + R"("seq": 1, "values": {"net_load_mw": 1e400}})", false},
      {"{" + head + R"("seq": 1, "values": {"net_load_mw": NaN}})", false},
      {"{" + head + R"("seq": 1, "values": {"net_load_mw": .5}})", false},
      {"{" + head + R"("seq": 1, "values": {"net_load_mw": 1.}})", false},
      {"{" + head + R"("seq": 1, "values": {"net_load_mw": +1}})", false},
      {"{" + head + R"("seq": 1, "values": {"net_load_mw": 1, "net_load_mw": 2}})", false},
      {"{" + head + R"("seq": 1, "values": {"net_load_kw": 1}})", false},
      {"{" + head + R"("seq": 1, "values": {"net_load_mw": "1"}})", false},
      {"{" + head + R"("seq": 1, "values": {}, "extra": 1})", false},
      {"{" + head + R"("seq": 1, "seq": 2, "values": {}})", false},
      {"{" + head + R"("seq": 1})", false},
      {"{" + head + R"("seq": 1, "values": {}} x)", false},
      {"{" + head + R"("seq": 1, "values": {},})", false},
      {R"({"timestamp": "2023-06-01T12:00:00Z", "source": "m\u0031", "seq": 1, "values": {}})",
       false},
      {R"({"timestamp": "2023-06-01T12:00:00Z", "source": "m)"
       "\xc3\xa9"
       R"(", "seq": 1, "values": {}})",
       false},
      {R"({"timestamp": "yesterday", "source": "m", "seq": 1, "values": {}})", false},
      {"[1, 2, 3]", false},
      {"", false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(CheckAgainstTheDocumentDecoder(c.payload), c.plain) << c.payload;
    // Whoever decodes it, the entry point answers as the general decoder does.
    auto entry = DecodeTelemetryJson(c.payload);
    auto general = DecodeTelemetryJsonDocument(c.payload);
    ASSERT_EQ(entry.index(), general.index()) << c.payload;
    if (const auto* verdict = std::get_if<data::TelemetryVerdict>(&general)) {
      EXPECT_EQ(std::get<data::TelemetryVerdict>(entry).rejection, verdict->rejection);
      EXPECT_EQ(std::get<data::TelemetryVerdict>(entry).detail, verdict->detail);
    }
  }
}

TEST(TelemetryJsonPlainTest, RandomMutationsNeverDisagreeWithTheGeneralDecoder) {
  const std::string seed_payload =
      R"({"timestamp": "2023-06-01T12:00:05Z", "source": "meter-1", "seq": 42, )"
      R"("values": {"net_load_mw": 512.25, "solar_mw": 0, "wind_mw": -1e-3, )"
      R"("price_gbp_per_mwh": 71.5}})";
  const std::string alphabet = "{}[]\":,.-+eE0123456789 \\nN\x01\x80";
  std::mt19937_64 random(21);
  int taken = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string payload = seed_payload;
    const int edits = 1 + static_cast<int>(random() % 3);
    for (int e = 0; e < edits; ++e) {
      const size_t at = random() % payload.size();
      const char c = alphabet[random() % alphabet.size()];
      switch (random() % 3) {
        case 0: payload[at] = c; break;
        case 1: payload.insert(payload.begin() + static_cast<ptrdiff_t>(at), c); break;
        default: payload.erase(at, 1); break;
      }
    }
    if (CheckAgainstTheDocumentDecoder(payload)) ++taken;
  }
  EXPECT_GT(taken, 100);  // the mutations reach the plain decoder's accepting paths
}

}  // namespace
}  // namespace gridpilot
