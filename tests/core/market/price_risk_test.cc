#include "core/market/price_risk.h"

#include <cmath>
#include <limits>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gridpilot::market {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(PriceRiskTest, ValuesChargingUpAndDischargingDownByTheShareOfTheHalfWidth) {
  const RiskAdjustedPrices prices = AdjustPricesForRisk({50.0, -10.0, 80.0}, {20.0, 4.0, 0.0}, 0.5);
  EXPECT_THAT(prices.discharge_gbp_per_mwh, ElementsAre(40.0, -12.0, 80.0));
  EXPECT_THAT(prices.charge_gbp_per_mwh, ElementsAre(60.0, -8.0, 80.0));
  EXPECT_EQ(prices.intervals_without_half_width, 0);
}

TEST(PriceRiskTest, NoHalfWidthYetLeavesTheForecastAndIsCounted) {
  const RiskAdjustedPrices prices = AdjustPricesForRisk({50.0, 60.0}, {std::nullopt, 10.0}, 1.0);
  EXPECT_THAT(prices.discharge_gbp_per_mwh, ElementsAre(50.0, 50.0));
  EXPECT_THAT(prices.charge_gbp_per_mwh, ElementsAre(50.0, 70.0));
  EXPECT_EQ(prices.intervals_without_half_width, 1);
}

TEST(PriceRiskTest, ZeroAversionAndNegativeHalfWidthsChangeNothing) {
  const RiskAdjustedPrices neutral = AdjustPricesForRisk({50.0, 60.0}, {30.0, 30.0}, 0.0);
  EXPECT_THAT(neutral.discharge_gbp_per_mwh, ElementsAre(50.0, 60.0));
  EXPECT_THAT(neutral.charge_gbp_per_mwh, ElementsAre(50.0, 60.0));
  const RiskAdjustedPrices negative = AdjustPricesForRisk({50.0}, {-5.0}, 1.0);
  EXPECT_THAT(negative.charge_gbp_per_mwh, ElementsAre(50.0));
}

TEST(PriceRiskTest, RiskAversionMustLieInZeroToOne) {
  EXPECT_TRUE(ValidateRiskAversion(0.0).ok());
  EXPECT_TRUE(ValidateRiskAversion(1.0).ok());
  EXPECT_TRUE(ValidateRiskAversion(0.25).ok());
  for (double bad : {-0.1, 1.5, std::numeric_limits<double>::quiet_NaN(),
                     std::numeric_limits<double>::infinity()}) {
    const absl::Status status = ValidateRiskAversion(bad);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(status.message(), HasSubstr("risk_aversion")) << bad;
  }
}

}  // namespace
}  // namespace gridpilot::market
