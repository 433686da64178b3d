// The forecast features' holiday flags follow the region's calendar (the config's
// data.holidays): a date listed in a file flags, `none` flags nothing, uk keeps England &
// Wales. Both feature sets: the change forecaster's FeatureStore and the day-ahead features.
#include <cmath>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "core/base/holiday_calendar.h"
#include "core/base/time_util.h"
#include "core/data/grid_series.h"
#include "core/data/holiday_dates_file.h"
#include "core/forecast/day_ahead_demand_features.h"
#include "core/forecast/feature_store.h"
#include "gtest/gtest.h"

namespace gridpilot::forecast {
namespace {

absl::Time At(const char* text) { return base::ParseUtcTimestamp(text).value(); }

// The bank_holiday feature of a store whose decision time is `decision`.
float StoreHolidayFlag(const base::HolidayCalendar& calendar, absl::Time decision) {
  FeatureStore store(calendar);
  const absl::Time first = decision - 4 * base::kHalfHour;
  for (int i = 0; i < 4; ++i) {
    EXPECT_TRUE(
        store.Push(data::GridMeasurement{first + i * base::kHalfHour, 300.0, 1.0, 2.0, 50.0}).ok());
  }
  EXPECT_EQ(store.decision_time(), decision);
  const std::vector<std::string>& names = FeatureStore::FeatureNames();
  const std::vector<float> features = store.Features();
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == "bank_holiday") return features[i];
  }
  ADD_FAILURE() << "no bank_holiday feature";
  return -1.0f;
}

// bank_holiday, bank_holiday_d1 and bank_holiday_d7 of the day-ahead features for a target.
std::vector<float> DayAheadHolidayFlags(const base::HolidayCalendar& calendar, absl::Time target) {
  const data::GridSeries series;
  const std::vector<data::DayAheadForecastRow> neso;
  const DayAheadDemandFeatures features(&series, &neso, calendar);
  const std::vector<std::string>& names = DayAheadDemandFeatures::FeatureNames();
  const std::vector<float> values = features.Features(target, DayAheadCutoff(target));
  std::vector<float> flags;
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i].rfind("bank_holiday", 0) == 0) flags.push_back(values[i]);
  }
  return flags;
}

TEST(HolidayFeaturesTest, ADateInTheFileFlags) {
  const absl::StatusOr<base::HolidayCalendar> irish =
      data::ParseHolidayDates("# Ireland\n2023-03-17\n", "ie.txt");
  ASSERT_TRUE(irish.ok()) << irish.status();
  // St Patrick's Day: a holiday in the file, not in England & Wales.
  EXPECT_EQ(StoreHolidayFlag(*irish, At("2023-03-17T12:00:00Z")), 1.0f);
  EXPECT_EQ(StoreHolidayFlag(base::HolidayCalendar::Uk(), At("2023-03-17T12:00:00Z")), 0.0f);
  // The coronation: England & Wales only.
  EXPECT_EQ(StoreHolidayFlag(*irish, At("2023-05-08T12:00:00Z")), 0.0f);
  EXPECT_EQ(StoreHolidayFlag(base::HolidayCalendar::Uk(), At("2023-05-08T12:00:00Z")), 1.0f);
  // The day-ahead features: the target's day, the day before it and a week before it.
  EXPECT_EQ(DayAheadHolidayFlags(*irish, At("2023-03-17T12:00:00Z")),
            (std::vector<float>{1.0f, 0.0f, 0.0f}));
  EXPECT_EQ(DayAheadHolidayFlags(*irish, At("2023-03-18T12:00:00Z")),
            (std::vector<float>{0.0f, 1.0f, 0.0f}));
  EXPECT_EQ(DayAheadHolidayFlags(*irish, At("2023-03-24T12:00:00Z")),
            (std::vector<float>{0.0f, 0.0f, 1.0f}));
}

TEST(HolidayFeaturesTest, NoneFlagsNothing) {
  const base::HolidayCalendar none = base::HolidayCalendar::None();
  for (const char* uk_holiday :
       {"2022-12-26T12:00:00Z", "2022-12-27T12:00:00Z", "2023-04-07T12:00:00Z",
        "2023-05-08T12:00:00Z", "2023-08-28T12:00:00Z", "2023-12-25T12:00:00Z"}) {
    ASSERT_EQ(StoreHolidayFlag(base::HolidayCalendar::Uk(), At(uk_holiday)), 1.0f) << uk_holiday;
    EXPECT_EQ(StoreHolidayFlag(none, At(uk_holiday)), 0.0f) << uk_holiday;
    EXPECT_EQ(DayAheadHolidayFlags(none, At(uk_holiday)), (std::vector<float>{0.0f, 0.0f, 0.0f}))
        << uk_holiday;
  }
}

// The default store is the UK calendar's, so GB features are as before the key existed.
TEST(HolidayFeaturesTest, TheDefaultIsUk) {
  for (const char* t : {"2023-05-08T12:00:00Z", "2023-05-09T12:00:00Z"}) {
    FeatureStore by_default;
    FeatureStore uk(base::HolidayCalendar::Uk());
    for (int i = 0; i < 4; ++i) {
      const data::GridMeasurement m{At(t) - (4 - i) * base::kHalfHour, 300.0 + i, 1.0, 2.0, 50.0};
      ASSERT_TRUE(by_default.Push(m).ok());
      ASSERT_TRUE(uk.Push(m).ok());
    }
    const std::vector<float> a = by_default.Features(), b = uk.Features();
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) {
      if (std::isnan(a[i])) {
        EXPECT_TRUE(std::isnan(b[i])) << i;
      } else {
        EXPECT_EQ(a[i], b[i]) << i;
      }
    }
  }
}

}  // namespace
}  // namespace gridpilot::forecast
