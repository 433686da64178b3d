// DayAheadBook: the forecast process's day-ahead demand forecasts. At each UTC midnight
// tick it issues the forecast of that day's 48 half-hours as of the day's cut-off (D-1
// 23:45 UTC, core/forecast/day_ahead_demand_features.h), with the model and interval widths
// trained before the replay (TrainDayAheadDemand) and the same code the evaluation runs
// (ForecastDayAheadDays), on the intervals and operator vintages the process has received.
// Demand is region MW, like everything the forecast side sees. Thread-safe.
#ifndef GRIDPILOT_SERVICES_FORECAST_DAY_AHEAD_BOOK_H_
#define GRIDPILOT_SERVICES_FORECAST_DAY_AHEAD_BOOK_H_

#include <map>
#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/data/grid_measurement.h"
#include "core/forecast/eval/day_ahead_demand_eval.h"

namespace gridpilot {

class DayAheadBook {
 public:
  static constexpr size_t kDaysKept = 7;
  // How far before the day it forecasts the book keeps outturn: the features read back 14
  // days (nd_d14_mw) at most, so forecasts equal those on the whole series, and the daily
  // rebuild copies 16 days, not the whole year it would otherwise grow to.
  static constexpr absl::Duration kOutturnKept = absl::Hours(24 * 16);

  // Trains the model (TrainDayAheadDemand) on the whole days of `history` (consecutive
  // half-hours, region MW) before the UTC midnight at or before `replay_start`, with `day_ahead`
  // (vintages published before the replay), and returns the book that serves it. Errors of the
  // series or the training pass through.
  static absl::StatusOr<std::unique_ptr<DayAheadBook>> Train(
      const std::vector<data::GridMeasurement>& history,
      std::vector<data::DayAheadForecastRow> day_ahead, absl::Time replay_start,
      const forecast::eval::DayAheadEvalConfig& config);

  // `history` (consecutive half-hours) and `day_ahead` (vintages published before the
  // replay) are what the model was trained on.
  DayAheadBook(forecast::eval::TrainedDayAheadDemand trained,
               const std::vector<data::GridMeasurement>& history,
               std::vector<data::DayAheadForecastRow> day_ahead);

  // Newly published vintages (region MW).
  void AddDayAheadForecasts(const std::vector<data::DayAheadForecastRow>& day_ahead);

  // Ingests the next interval's measurement; when it ends at a UTC midnight D, issues
  // D's forecast. InvalidArgument unless the interval follows the last one; errors of
  // the forecaster pass through.
  absl::Status Ingest(const data::GridMeasurement& measurement);

  // The forecast of the UTC day starting at `day`. NotFound if none was issued or it is
  // no longer kept.
  absl::StatusOr<std::vector<forecast::eval::DayAheadEvalRow>> Get(absl::Time day) const;

  const forecast::eval::TrainedDayAheadDemand& trained() const { return trained_; }

 private:
  const forecast::eval::TrainedDayAheadDemand trained_;
  mutable absl::Mutex mu_;
  std::vector<data::GridInterval> intervals_ ABSL_GUARDED_BY(mu_);
  std::vector<data::DayAheadForecastRow> day_ahead_ ABSL_GUARDED_BY(mu_);
  std::map<absl::Time, std::vector<forecast::eval::DayAheadEvalRow>> issued_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_FORECAST_DAY_AHEAD_BOOK_H_
