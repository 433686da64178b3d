// The change models' training rows and cache key follow the holiday calendar: a model
// trained with one calendar is never loaded for another, while uk keeps the keys (and so the
// cached models) it had before the calendar became a choice.
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "core/base/holiday_calendar.h"
#include "core/base/time_util.h"
#include "core/forecast/feature_store.h"
#include "core/forecast/models/net_load_change_forecaster.h"
#include "gtest/gtest.h"
#include "tests/core/forecast/models/synthetic_history.h"

namespace gridpilot::forecast::models {
namespace {

// Sum of the bank_holiday column over a training set's rows.
double HolidayRows(const TrainingSet& set) {
  const std::vector<std::string>& names = FeatureStore::FeatureNames();
  size_t column = names.size();
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == "bank_holiday") column = i;
  }
  EXPECT_LT(column, names.size());
  double sum = 0.0;
  for (size_t r = 0; r < set.rows; ++r) sum += set.features[r * set.cols + column];
  return sum;
}

TEST(ChangeModelHolidaysTest, CalendarReachesTheRowsAndTheCacheKey) {
  // 2023-04-01 .. 2023-05-11: Easter Monday 2023-04-10, 1 and 8 May in England & Wales.
  const std::vector<data::GridMeasurement> history =
      SyntheticRegionHistory(41 * 48, 7, base::ParseUtcTimestamp("2023-04-01T00:00:00Z").value());
  const std::vector<int> horizons = {1, 2};
  const base::HolidayCalendar none = base::HolidayCalendar::None();
  const base::HolidayCalendar one_day =
      base::HolidayCalendar::Dates({absl::CivilDay(2023, 4, 20)}, "one.txt");

  const absl::StatusOr<TrainingSet> uk_set = BuildChangeTrainingSet(history, horizons);
  const absl::StatusOr<TrainingSet> none_set = BuildChangeTrainingSet(history, horizons, {}, none);
  const absl::StatusOr<TrainingSet> day_set =
      BuildChangeTrainingSet(history, horizons, {}, one_day);
  ASSERT_TRUE(uk_set.ok() && none_set.ok() && day_set.ok());
  // Rows start after the 338-interval warm-up (2023-04-08 01:00 UTC): Easter Monday and
  // the two May holidays are in, 48 decision times each, local (BST) days.
  EXPECT_EQ(HolidayRows(*uk_set), 3 * 48);
  EXPECT_EQ(HolidayRows(*none_set), 0);
  EXPECT_EQ(HolidayRows(*day_set), 48);

  const ml::XgboostParams params;
  const uint64_t uk_key = ChangeModelFingerprint(history, horizons, params);
  EXPECT_EQ(ChangeModelFingerprint(history, horizons, params, {}, base::HolidayCalendar::Uk()),
            uk_key);
  const uint64_t none_key = ChangeModelFingerprint(history, horizons, params, {}, none);
  const uint64_t day_key = ChangeModelFingerprint(history, horizons, params, {}, one_day);
  EXPECT_NE(none_key, uk_key);
  EXPECT_NE(day_key, uk_key);
  EXPECT_NE(day_key, none_key);
}

}  // namespace
}  // namespace gridpilot::forecast::models
