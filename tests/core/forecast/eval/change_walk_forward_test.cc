#include "core/forecast/eval/change_walk_forward.h"

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <numbers>

#include "absl/time/time.h"
#include "core/base/time_util.h"
#include "gtest/gtest.h"
#include "tests/core/forecast/eval/synthetic_grid.h"

namespace gridpilot::forecast::eval {
namespace {

absl::Time Utc(const char* text) { return *base::ParseUtcTimestamp(text); }

// A daily cycle plus a weekday effect plus deterministic noise in [-4, 4] MW.
std::vector<data::GridMeasurement> Synthetic(absl::Time start, int days) {
  return synthetic::SyntheticMeasurements(start, days, 4242);
}

ChangeEvalConfig SmallConfig(const std::string& dir_name) {
  ChangeEvalConfig config;
  config.model_dir = ::testing::TempDir() + "/" + dir_name;
  std::filesystem::remove_all(config.model_dir);
  config.horizons = {1, 2};
  config.params.num_rounds = 20;
  config.params.nthread = 1;
  config.params.eta = 0.3;
  config.training_days = 40;
  return config;
}

const absl::Time kFrom = Utc("2023-01-29T00:00:00Z");
const absl::Time kFeb = Utc("2023-02-01T00:00:00Z");
const absl::Time kTo = Utc("2023-02-03T00:00:00Z");

TEST(ChangeWalkForwardTest, EachMonthIsItsOwnEvaluationAndTheTotalAddsThemUp) {
  const std::vector<data::GridMeasurement> data = Synthetic(kFrom - absl::Hours(24 * 40), 40 + 6);
  const ChangeEvalConfig config = SmallConfig("change_wf_months");
  absl::StatusOr<ChangeWalkForwardResult> result = WalkForwardChange(data, kFrom, kTo, config);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->months.size(), 2u);
  EXPECT_EQ(result->months[0].period.end, kFeb);
  // February's part is the evaluation of February's part on its own.
  absl::StatusOr<ChangeEvalResult> feb = EvaluateChangeForecasts(data, kFeb, kTo, config);
  ASSERT_TRUE(feb.ok()) << feb.status();
  EXPECT_EQ(result->months[1].ramp_threshold_mw, feb->ramp_threshold_mw);
  EXPECT_EQ(result->months[1].metrics[0].rows, feb->metrics[0].rows);
  EXPECT_EQ(result->months[1].metrics[0].model_mae_mw, feb->metrics[0].model_mae_mw);
  // Rows: 3 days then 2, two horizons; the total scores every one of them.
  EXPECT_EQ(result->rows.size(), (3u + 2u) * 48 * 2);
  for (size_t j = 0; j < config.horizons.size(); ++j) {
    EXPECT_EQ(result->total[j].rows + result->total[j].rows_skipped,
              result->months[0].metrics[j].rows + result->months[0].metrics[j].rows_skipped +
                  result->months[1].metrics[j].rows + result->months[1].metrics[j].rows_skipped);
  }
  EXPECT_EQ(result->ramps.hits + result->ramps.misses,
            result->months[0].ramps.hits + result->months[0].ramps.misses +
                result->months[1].ramps.hits + result->months[1].ramps.misses);
  EXPECT_FALSE(WalkForwardChange(data, kTo, kFrom, config).ok());
}

TEST(ChangeWalkForwardTest, RefitAtTheMonthStartIgnoresDataAfterIt) {
  const std::vector<data::GridMeasurement> data = Synthetic(kFrom - absl::Hours(24 * 40), 40 + 6);
  std::vector<data::GridMeasurement> changed = data;
  for (data::GridMeasurement& m : changed) {
    if (m.interval_start >= kFeb) m.net_load_mw = *m.net_load_mw * 1.7 + 40.0;  // ends after
  }
  absl::StatusOr<ChangeWalkForwardResult> a =
      WalkForwardChange(data, kFrom, kTo, SmallConfig("change_wf_a"));
  absl::StatusOr<ChangeWalkForwardResult> b =
      WalkForwardChange(changed, kFrom, kTo, SmallConfig("change_wf_b"));
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  ASSERT_EQ(a->rows.size(), b->rows.size());
  EXPECT_EQ(a->months[1].ramp_threshold_mw, b->months[1].ramp_threshold_mw);
  int unchanged = 0, differ_after = 0;
  for (size_t i = 0; i < a->rows.size(); ++i) {
    const ChangeEvalRow& x = a->rows[i];
    const ChangeEvalRow& y = b->rows[i];
    ASSERT_EQ(x.issue_time, y.issue_time);
    if (x.issue_time <= kFeb) {  // January's, and the first of February's refitted models
      EXPECT_EQ(x.forecast_mw, y.forecast_mw) << base::FormatUtcTimestamp(x.issue_time);
      EXPECT_EQ(x.lower_mw, y.lower_mw);
      EXPECT_EQ(x.upper_mw, y.upper_mw);
      ++unchanged;
    } else if (x.forecast_mw != y.forecast_mw) {
      ++differ_after;
    }
  }
  EXPECT_EQ(unchanged, (3 * 48 + 1) * 2);
  EXPECT_GT(differ_after, 0);
}

}  // namespace
}  // namespace gridpilot::forecast::eval
