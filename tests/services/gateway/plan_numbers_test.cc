// CompactNumbers: byte for byte what joining absl::StrFormat("%.1f", v) gives, on the values
// a plan holds and on the awkward ones (ties, tenths that binary cannot hold, signed zeros,
// the extremes, nan and inf).
#include "services/gateway/plan_numbers.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"

namespace gridpilot {
namespace {

std::string Printf(const std::vector<double>& values) {
  std::vector<std::string> parts;
  for (double v : values) parts.push_back(absl::StrFormat("%.1f", v));
  return absl::StrJoin(parts, " ");
}

TEST(PlanNumbersTest, WritesTenthsSpaceSeparated) {
  EXPECT_EQ(CompactNumbers({}), "");
  EXPECT_EQ(CompactNumbers({12.5, -3, 0}), "12.5 -3.0 0.0");
  EXPECT_EQ(CompactNumbers({0.25, 0.35, -0.04, 1e21}), "0.2 0.3 -0.0 1000000000000000000000.0");
}

TEST(PlanNumbersTest, EqualsPrintfOnAwkwardValues) {
  const double kInf = std::numeric_limits<double>::infinity();
  const double kNan = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> values = {0.0,
                                -0.0,
                                0.05,
                                0.15,
                                0.25,
                                0.35,
                                -0.05,
                                -0.25,
                                2.45,
                                1e-300,
                                -1e-300,
                                5e-324,
                                0.049999999999999996,
                                9.95,
                                99.95,
                                1e15 + 0.05,
                                4503599627370495.5,
                                9007199254740993.0,
                                std::numeric_limits<double>::max(),
                                std::numeric_limits<double>::lowest(),
                                std::numeric_limits<double>::min(),
                                kInf,
                                -kInf,
                                kNan,
                                -kNan};
  for (int tenths = -100000; tenths <= 100000; ++tenths) {
    values.push_back(tenths / 10.0);
    values.push_back(tenths / 20.0);  // the halves of tenths: ties in decimal
    values.push_back(tenths / 100.0);
  }
  std::mt19937_64 random(20);
  std::uniform_real_distribution<double> mw(-2000.0, 2000.0);
  std::uniform_int_distribution<uint64_t> bits;
  for (int i = 0; i < 200000; ++i) {
    values.push_back(mw(random));
    const uint64_t b = bits(random);
    double any;
    std::memcpy(&any, &b, sizeof(any));
    values.push_back(any);
  }
  for (size_t i = 0; i < values.size(); ++i) {
    ASSERT_EQ(CompactNumbers({values[i]}), Printf({values[i]})) << absl::StrFormat("%a", values[i]);
  }
  EXPECT_EQ(CompactNumbers(values), Printf(values));
}

}  // namespace
}  // namespace gridpilot
