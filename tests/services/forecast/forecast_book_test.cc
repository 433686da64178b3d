// ForecastBook: a forecast per ingested tick, Get's wait / deadline / eviction, scoring
// against the outturn, and rejection of a repeated tick. The forecaster is a real
// NetLoadChangeForecaster trained (small) on a synthetic daily cycle. Explain's SHAP
// contributions add up to the issued forecast.
#include "services/forecast/forecast_book.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "core/base/time_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gridpilot {
namespace {

using ::testing::HasSubstr;

const absl::Time kStart = *base::ParseUtcTimestamp("2023-01-02T00:00:00Z");
constexpr size_t kHistoryLength = 2000;
const std::vector<int> kHorizons = {1, 2};

// Region net load: a daily sine around 300 MW plus noise; index i starts at kStart + i/2 h.
std::vector<data::GridMeasurement> Series(size_t n) {
  std::mt19937 rng(11);
  std::normal_distribution<double> noise(0.0, 2.0);
  std::vector<data::GridMeasurement> out;
  for (size_t i = 0; i < n; ++i) {
    const double angle = 2.0 * std::numbers::pi * static_cast<double>(i % 48) / 48.0;
    out.push_back(data::GridMeasurement{kStart + i * base::kHalfHour,
                                        300.0 + 80.0 * std::sin(angle) + noise(rng), 10.0, 20.0,
                                        70.0});
  }
  return out;
}

class ForecastBookTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    all_ = new std::vector<data::GridMeasurement>(Series(kHistoryLength + 600));
    history_ =
        new std::vector<data::GridMeasurement>(all_->begin(), all_->begin() + kHistoryLength);
    ml::XgboostParams params;
    params.num_rounds = 20;
    params.nthread = 1;
    absl::StatusOr<forecast::models::NetLoadChangeForecaster> trained =
        forecast::models::NetLoadChangeForecaster::Train(*history_, kHorizons, params);
    ASSERT_TRUE(trained.ok()) << trained.status();
    forecaster_ = new forecast::models::NetLoadChangeForecaster(*std::move(trained));
  }
  static void TearDownTestSuite() {
    delete forecaster_;
    delete history_;
    delete all_;
  }

  ForecastBook MakeBook() const { return ForecastBook(*forecaster_, *history_); }
  // The k-th tick after the history.
  static const data::GridMeasurement& Tick(size_t k) { return (*all_)[kHistoryLength + k]; }
  static absl::Time IssueTime(size_t k) { return Tick(k).interval_start + base::kHalfHour; }

  static std::vector<data::GridMeasurement>* all_;
  static std::vector<data::GridMeasurement>* history_;
  static forecast::models::NetLoadChangeForecaster* forecaster_;
};

std::vector<data::GridMeasurement>* ForecastBookTest::all_ = nullptr;
std::vector<data::GridMeasurement>* ForecastBookTest::history_ = nullptr;
forecast::models::NetLoadChangeForecaster* ForecastBookTest::forecaster_ = nullptr;

TEST_F(ForecastBookTest, IngestIssuesAForecastPerTick) {
  ForecastBook book = MakeBook();
  for (size_t k = 0; k < 5; ++k) {
    SCOPED_TRACE(k);
    ASSERT_TRUE(book.Ingest(Tick(k)).ok());
    absl::StatusOr<IssuedForecast> issued = book.Get(IssueTime(k), absl::Milliseconds(50));
    ASSERT_TRUE(issued.ok()) << issued.status();
    EXPECT_EQ(issued->issue_time, IssueTime(k));
    EXPECT_DOUBLE_EQ(issued->last_net_load_mw, *Tick(k).net_load_mw);
    ASSERT_EQ(issued->forecasts.size(), kHorizons.size());
    for (size_t j = 0; j < kHorizons.size(); ++j) {
      EXPECT_EQ(issued->forecasts[j].horizon_intervals, kHorizons[j]);
      EXPECT_EQ(issued->forecasts[j].target_interval_start,
                IssueTime(k) + (kHorizons[j] - 1) * base::kHalfHour);
      EXPECT_TRUE(std::isfinite(issued->forecasts[j].change_mw));
    }
  }
}

// Explain gives, per horizon, contributions that add up to the issued forecast, the
// largest first, named after the feature store's features.
TEST_F(ForecastBookTest, OperatorForecastsReachTheFeaturesOnceTheyArePublished) {
  const std::vector<std::string>& names = forecast::FeatureStore::FeatureNames();
  auto feature = [&names](const IssuedForecast& issued, const char* name) {
    return issued.features[std::find(names.begin(), names.end(), name) - names.begin()];
  };
  const absl::Time t0 = IssueTime(0);  // the decision Tick(0) completes
  // Known at start: the operator's forecasts of the intervals at t0 - 30 min and t0.
  ForecastBook book(
      *forecaster_, *history_,
      {{t0 - base::kHalfHour, t0 - absl::Hours(2), 301.0}, {t0, t0 - absl::Hours(2), 311.0}});
  ASSERT_TRUE(book.Ingest(Tick(0)).ok());
  absl::StatusOr<IssuedForecast> issued = book.Get(t0, absl::ZeroDuration());
  ASSERT_TRUE(issued.ok()) << issued.status();
  EXPECT_FLOAT_EQ(feature(*issued, "day_ahead_change_h1_mw"), 311.0f - 301.0f);
  EXPECT_TRUE(std::isnan(feature(*issued, "day_ahead_change_h2_mw")));

  // Published at t0 + 10 min and t0 + 40 min: each used from the first decision after it.
  book.AddDayAheadForecasts({{t0 + base::kHalfHour, t0 + absl::Minutes(10), 330.0},
                             {t0 + 2 * base::kHalfHour, t0 + absl::Minutes(10), 345.0},
                             {t0 + 2 * base::kHalfHour, t0 + absl::Minutes(40), 360.0}});
  ASSERT_TRUE(book.Ingest(Tick(1)).ok());
  issued = book.Get(t0 + base::kHalfHour, absl::ZeroDuration());
  ASSERT_TRUE(issued.ok()) << issued.status();
  EXPECT_FLOAT_EQ(feature(*issued, "day_ahead_change_h1_mw"), 330.0f - 311.0f);
  EXPECT_FLOAT_EQ(feature(*issued, "day_ahead_change_h2_mw"), 345.0f - 311.0f);
  ASSERT_TRUE(book.Ingest(Tick(2)).ok());
  issued = book.Get(t0 + 2 * base::kHalfHour, absl::ZeroDuration());
  ASSERT_TRUE(issued.ok()) << issued.status();
  EXPECT_FLOAT_EQ(feature(*issued, "day_ahead_change_h1_mw"), 360.0f - 330.0f);
}

TEST_F(ForecastBookTest, ExplainAddsUpToTheIssuedForecast) {
  ForecastBook book = MakeBook();
  for (size_t k = 0; k < 3; ++k) ASSERT_TRUE(book.Ingest(Tick(k)).ok());
  absl::StatusOr<IssuedForecast> issued = book.Get(IssueTime(2), absl::ZeroDuration());
  ASSERT_TRUE(issued.ok());
  absl::StatusOr<std::vector<HorizonExplanation>> explained = book.Explain(IssueTime(2), 3);
  ASSERT_TRUE(explained.ok()) << explained.status();
  ASSERT_EQ(explained->size(), kHorizons.size());
  const std::vector<std::string>& names = forecast::FeatureStore::FeatureNames();
  for (size_t j = 0; j < kHorizons.size(); ++j) {
    const ml::Explanation& e = (*explained)[j].explanation;
    EXPECT_EQ((*explained)[j].horizon_intervals, kHorizons[j]);
    EXPECT_NEAR(e.forecast, issued->forecasts[j].change_mw, 1e-3);
    double sum = e.bias + e.others;
    ASSERT_EQ(e.top.size(), 3u);
    for (size_t i = 0; i < e.top.size(); ++i) {
      sum += e.top[i].contribution;
      EXPECT_NE(std::find(names.begin(), names.end(), e.top[i].feature), names.end());
      if (i > 0) {
        EXPECT_GE(std::abs(e.top[i - 1].contribution), std::abs(e.top[i].contribution));
      }
    }
    EXPECT_NEAR(sum, issued->forecasts[j].change_mw, 1e-3);
  }
  EXPECT_EQ(book.Explain(IssueTime(7), 3).status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(book.Explain(IssueTime(2), 0).status().code(), absl::StatusCode::kInvalidArgument);
}

// Swapping the models while another thread ingests and fetches drops no call; later
// forecasts come from the new models, earlier ones keep (and are explained by) the old.
TEST_F(ForecastBookTest, SwapWhileServingDropsNothing) {
  ml::XgboostParams params;
  params.num_rounds = 5;  // a visibly different model
  absl::StatusOr<forecast::models::NetLoadChangeForecaster> other =
      forecast::models::NetLoadChangeForecaster::Train(*history_, kHorizons, params);
  ASSERT_TRUE(other.ok());
  ForecastBook book = MakeBook();
  ForecastBook reference = MakeBook();  // never swapped
  ForecastBook swapped_from_start(*other, *history_);
  absl::Notification half_served;
  std::thread server([&] {
    for (size_t k = 0; k < 40; ++k) {
      ASSERT_TRUE(book.Ingest(Tick(k)).ok());
      ASSERT_TRUE(book.Get(IssueTime(k), absl::Seconds(1)).ok()) << k;
      if (k == 19) half_served.Notify();
    }
  });
  half_served.WaitForNotification();
  ASSERT_TRUE(book.SwapForecaster(*other).ok());  // while ticks 20.. are being served
  server.join();
  for (size_t k = 40; k < 45; ++k) ASSERT_TRUE(book.Ingest(Tick(k)).ok());
  for (size_t k = 0; k < 45; ++k) {
    ASSERT_TRUE(reference.Ingest(Tick(k)).ok());
    ASSERT_TRUE(swapped_from_start.Ingest(Tick(k)).ok());
  }
  auto first_change = [](const ForecastBook& b, size_t k) {
    return b.Get(IssueTime(k), absl::ZeroDuration())->forecasts[0].change_mw;
  };
  // Before the swap the old models, after it the new ones, and in between one or the
  // other: the same feature store serves both, so each value is exactly one model's.
  for (size_t k = 0; k < 45; ++k) {
    const double f = first_change(book, k);
    if (k <= 19) {
      EXPECT_EQ(f, first_change(reference, k)) << k;
    }
    if (k >= 40) {
      EXPECT_EQ(f, first_change(swapped_from_start, k)) << k;
    }
    EXPECT_TRUE(f == first_change(reference, k) || f == first_change(swapped_from_start, k)) << k;
    const absl::StatusOr<std::vector<HorizonExplanation>> why = book.Explain(IssueTime(k), 1);
    ASSERT_TRUE(why.ok());
    EXPECT_NEAR((*why)[0].explanation.forecast, f, 1e-3) << k;  // explained by its own model
  }
  EXPECT_NE(first_change(reference, 44), first_change(swapped_from_start, 44));
  // Other horizons cannot be swapped in.
  absl::StatusOr<forecast::models::NetLoadChangeForecaster> one =
      forecast::models::NetLoadChangeForecaster::Train(*history_, {1}, params);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(book.SwapForecaster(*one).code(), absl::StatusCode::kInvalidArgument);
}

// Each forecast's interval comes from the errors scored before it was issued: none until
// kIntervalMinErrors forecasts of the horizon were measured, then the conformal half-width,
// which covers most later outcomes.
TEST_F(ForecastBookTest, IntervalsComeFromErrorsKnownAtIssueTime) {
  ForecastBook book = MakeBook();
  int covered = 0, scored = 0;
  for (size_t k = 0; k < 200; ++k) {
    ASSERT_TRUE(book.Ingest(Tick(k)).ok());
    const IssuedForecast issued = *book.Get(IssueTime(k), absl::ZeroDuration());
    ASSERT_EQ(issued.half_width_mw.size(), kHorizons.size());
    // Horizon h's forecast issued at tick k is scored when tick k + h - 1 ... arrives; by
    // tick k, forecasts issued at ticks 0 .. k - h have been measured.
    for (size_t j = 0; j < kHorizons.size(); ++j) {
      const int known = static_cast<int>(k) - kHorizons[j] + 1;
      EXPECT_EQ(issued.half_width_mw[j].has_value(), known >= ForecastBook::kIntervalMinErrors)
          << "tick " << k << " horizon " << kHorizons[j];
    }
    if (k >= 20 && k + 1 < 200 && issued.half_width_mw[0].has_value()) {
      const double actual = *Tick(k + 1).net_load_mw - issued.last_net_load_mw;
      ++scored;
      if (std::abs(actual - issued.forecasts[0].change_mw) <= *issued.half_width_mw[0]) ++covered;
    }
  }
  ASSERT_GT(scored, 100);
  EXPECT_GT(static_cast<double>(covered) / scored, 0.8);
}

TEST_F(ForecastBookTest, ForecastFollowsTheDailyCycle) {
  // Over a day the sine rises then falls by up to ~10 MW per half-hour; a trained model
  // should get the sign of the one-step change right for most of the steep part.
  ForecastBook book = MakeBook();
  int steep = 0;
  int right_sign = 0;
  for (size_t k = 0; k < 48; ++k) {
    ASSERT_TRUE(book.Ingest(Tick(k)).ok());
    absl::StatusOr<IssuedForecast> issued = book.Get(IssueTime(k), absl::Milliseconds(50));
    ASSERT_TRUE(issued.ok()) << issued.status();
    const double true_change =
        80.0 * (std::sin(2.0 * std::numbers::pi * ((kHistoryLength + k + 1) % 48) / 48.0) -
                std::sin(2.0 * std::numbers::pi * ((kHistoryLength + k) % 48) / 48.0));
    if (std::abs(true_change) < 7.0) continue;
    ++steep;
    if (issued->forecasts[0].change_mw * true_change > 0) ++right_sign;
  }
  ASSERT_GT(steep, 10);
  EXPECT_GE(right_sign, steep * 8 / 10);
}

TEST_F(ForecastBookTest, GetWaitsForATickStillToCome) {
  ForecastBook book = MakeBook();
  absl::StatusOr<IssuedForecast> issued = absl::UnknownError("not run");
  std::thread getter([&] { issued = book.Get(IssueTime(0), absl::Seconds(60)); });
  ASSERT_TRUE(book.Ingest(Tick(0)).ok());
  getter.join();
  ASSERT_TRUE(issued.ok()) << issued.status();
  EXPECT_EQ(issued->issue_time, IssueTime(0));
}

TEST_F(ForecastBookTest, GetForAnIssueTimeNeverReachedIsDeadlineExceeded) {
  ForecastBook book = MakeBook();
  ASSERT_TRUE(book.Ingest(Tick(0)).ok());
  absl::StatusOr<IssuedForecast> issued = book.Get(IssueTime(3), absl::Milliseconds(50));
  ASSERT_FALSE(issued.ok());
  EXPECT_EQ(issued.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(std::string(issued.status().message()),
              HasSubstr(base::FormatUtcTimestamp(IssueTime(3))));
}

TEST_F(ForecastBookTest, EvictedOrNeverIssuedIsNotFound) {
  ForecastBook book = MakeBook();
  constexpr size_t kTicks = 520;  // more than the book keeps
  for (size_t k = 0; k < kTicks; ++k) ASSERT_TRUE(book.Ingest(Tick(k)).ok()) << k;
  absl::StatusOr<IssuedForecast> old = book.Get(IssueTime(0), absl::Milliseconds(50));
  ASSERT_FALSE(old.ok());
  EXPECT_EQ(old.status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(book.Get(IssueTime(kTicks - 1), absl::Milliseconds(50)).ok());
  EXPECT_TRUE(book.Get(IssueTime(kTicks - 400), absl::Milliseconds(50)).ok());

  // A tick whose net load is missing has no base: no forecast is issued for it.
  data::GridMeasurement missing = Tick(kTicks);
  missing.net_load_mw = std::nullopt;
  ASSERT_TRUE(book.Ingest(missing).ok());
  absl::StatusOr<IssuedForecast> none = book.Get(IssueTime(kTicks), absl::Milliseconds(50));
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), absl::StatusCode::kNotFound);
}

TEST_F(ForecastBookTest, ScoresMatchAHandComputation) {
  ForecastBook book = MakeBook();
  constexpr size_t kTicks = 6;
  std::vector<IssuedForecast> issued;
  for (size_t k = 0; k < kTicks; ++k) {
    ASSERT_TRUE(book.Ingest(Tick(k)).ok());
    absl::StatusOr<IssuedForecast> f = book.Get(IssueTime(k), absl::Milliseconds(50));
    ASSERT_TRUE(f.ok()) << f.status();
    issued.push_back(*f);
  }
  // Horizon h issued at tick k targets tick k + h; its change is against tick k.
  std::vector<int64_t> count(kHorizons.size(), 0);
  std::vector<double> abs_error(kHorizons.size(), 0.0);
  std::vector<double> persistence(kHorizons.size(), 0.0);
  for (size_t j = 0; j < kHorizons.size(); ++j) {
    const size_t h = static_cast<size_t>(kHorizons[j]);
    for (size_t k = 0; k + h < kTicks; ++k) {
      const double actual = *Tick(k + h).net_load_mw - *Tick(k).net_load_mw;
      ++count[j];
      abs_error[j] += std::abs(actual - issued[k].forecasts[j].change_mw);
      persistence[j] += std::abs(actual);
    }
  }
  const std::vector<HorizonScore> scores = book.Scores();
  ASSERT_EQ(scores.size(), kHorizons.size());
  for (size_t j = 0; j < kHorizons.size(); ++j) {
    SCOPED_TRACE(kHorizons[j]);
    EXPECT_EQ(scores[j].horizon_intervals, kHorizons[j]);
    EXPECT_EQ(scores[j].count, count[j]);
    EXPECT_NEAR(scores[j].abs_error_sum_mw, abs_error[j], 1e-9);
    EXPECT_NEAR(scores[j].persistence_abs_error_sum_mw, persistence[j], 1e-9);
    // MAE as an operator would read it.
    EXPECT_NEAR(scores[j].abs_error_sum_mw / scores[j].count, abs_error[j] / count[j], 1e-9);
  }
  EXPECT_EQ(count[0], 5);
  EXPECT_EQ(count[1], 4);
}

TEST_F(ForecastBookTest, RepeatedOrEarlierTickIsRejectedAndChangesNothing) {
  ForecastBook book = MakeBook();
  ASSERT_TRUE(book.Ingest(Tick(0)).ok());
  ASSERT_TRUE(book.Ingest(Tick(1)).ok());
  const std::vector<HorizonScore> before = book.Scores();
  absl::StatusOr<IssuedForecast> forecast_before = book.Get(IssueTime(1), absl::Milliseconds(50));
  ASSERT_TRUE(forecast_before.ok());

  data::GridMeasurement again = Tick(1);
  again.net_load_mw = *again.net_load_mw + 100;  // a different value must not overwrite
  const absl::Status repeated = book.Ingest(again);
  EXPECT_EQ(repeated.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(book.Ingest(Tick(0)).code(), absl::StatusCode::kInvalidArgument);

  const std::vector<HorizonScore> after = book.Scores();
  ASSERT_EQ(after.size(), before.size());
  for (size_t j = 0; j < after.size(); ++j) {
    EXPECT_EQ(after[j].count, before[j].count);
    EXPECT_DOUBLE_EQ(after[j].abs_error_sum_mw, before[j].abs_error_sum_mw);
  }
  absl::StatusOr<IssuedForecast> forecast_after = book.Get(IssueTime(1), absl::Milliseconds(50));
  ASSERT_TRUE(forecast_after.ok());
  EXPECT_DOUBLE_EQ(forecast_after->last_net_load_mw, forecast_before->last_net_load_mw);
  EXPECT_DOUBLE_EQ(forecast_after->forecasts[0].change_mw, forecast_before->forecasts[0].change_mw);
  // The book goes on normally with the next tick.
  EXPECT_TRUE(book.Ingest(Tick(2)).ok());
}

}  // namespace
}  // namespace gridpilot
