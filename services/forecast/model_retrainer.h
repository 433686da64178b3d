// ModelRetrainer: scheduled walk-forward retraining of the net-load change models inside a
// running forecast process (docs/decisions.md, "Scheduled walk-forward retraining"). It
// keeps the measurements and the operator's day-ahead vintages the process has seen (the
// history fetched at start, then every tick), and when the stack's clock reaches a cut-off
// of its RetrainSchedule it trains a new set on the `training_days` before the cut-off
// (intervals that ended by it; vintages published before it) on a background thread,
// publishes it to the registry (if any) and swaps it into the ForecastBook:
//   kAtCutoff  the forecast issued at the first decision time at or after the cut-off
//              waits for the training and is the first the new models issue, so a
//              backtest is deterministic (the tick that brings the last interval before
//              the cut-off starts the training and waits for it);
//   kWhenReady the old models keep serving while the new ones train; they are swapped in
//              for the next tick once ready (live mode: ticks are never delayed).
// The ForecastPipeline calls it on its one feeder thread; GetModels reads its
// ModelHistory. Nothing here reads the stack's clock: time is the ticks'.
#ifndef GRIDPILOT_SERVICES_FORECAST_MODEL_RETRAINER_H_
#define GRIDPILOT_SERVICES_FORECAST_MODEL_RETRAINER_H_

#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/data/day_ahead_forecast_row.h"
#include "core/data/grid_measurement.h"
#include "core/forecast/models/net_load_change_forecaster.h"
#include "core/forecast/retrain_schedule.h"
#include "core/ml/xgboost_model.h"
#include "services/forecast/forecast_book.h"
#include "services/forecast/model_history.h"

namespace gridpilot {

enum class RetrainSwap { kAtCutoff, kWhenReady };

struct RetrainOptions {
  forecast::RetrainSchedule schedule;
  RetrainSwap swap = RetrainSwap::kAtCutoff;
  std::string registry_dir;  // each retrained set is published here; empty = not published
  std::vector<int> horizons = forecast::models::ServedChangeHorizons();
  ml::XgboostParams params;
  base::HolidayCalendar holidays;  // the features' holiday flag, as the startup models'
  absl::Duration interval = absl::Minutes(30);  // the region's resolution
};

class ModelRetrainer {
 public:
  // `history` holds measurements of intervals that ended by `start` (the replay's start);
  // `day_ahead` the vintages published before it. The first cut-off is the schedule's
  // first strictly after `start` (the startup models serve until then). `book` and
  // `models` (not owned) must outlive the retrainer; `on_swapped`, if set, is called with
  // each retrained model right after its swap (from the feeder thread for kAtCutoff, the
  // training thread for kWhenReady).
  ModelRetrainer(RetrainOptions options, std::vector<data::GridMeasurement> history,
                 std::vector<data::DayAheadForecastRow> day_ahead, absl::Time start,
                 ForecastBook* book, ModelHistory* models,
                 std::function<void(const ServedModel&)> on_swapped = nullptr);
  // Waits for a training in progress.
  ~ModelRetrainer();
  ModelRetrainer(const ModelRetrainer&) = delete;
  ModelRetrainer& operator=(const ModelRetrainer&) = delete;

  // Newly published day-ahead vintages (region MW), in the order the ticks brought them.
  void AddDayAheadForecasts(const std::vector<data::DayAheadForecastRow>& rows);

  // Called with each interval's measurement before the book ingests it (the decision time
  // it completes is interval_start + 30 min). Starts the training of a cut-off the
  // decision time reached, and with kAtCutoff waits for it and swaps it in. A training that
  // fails is logged and the old models keep serving.
  void BeforeIssue(const data::GridMeasurement& measured);

  // The next cut-off not yet trained for; nullopt with cadence "none".
  std::optional<absl::Time> next_cutoff() const { return next_cutoff_; }
  // Cut-offs skipped because the previous training was still running (kWhenReady).
  int skipped_cutoffs() const { return skipped_; }

 private:
  struct Trained {
    absl::StatusOr<forecast::models::NetLoadChangeForecaster> forecaster;
    ServedModel record;
  };
  // Trains (and publishes) the set for `cutoff` from the given slices.
  Trained Train(absl::Time cutoff, std::vector<data::GridMeasurement> history,
                std::vector<data::DayAheadForecastRow> day_ahead) const;
  // Swaps `trained` in (if it trained) for forecasts from `first_issue` on.
  void SwapIn(Trained trained, absl::Time first_issue, double waited_wall_seconds);
  // Drops what no future training can use.
  void Trim(absl::Time now);
  bool TrainingRunning() const;
  void JoinTraining();

  const RetrainOptions options_;
  ForecastBook* const book_;
  ModelHistory* const models_;
  const std::function<void(const ServedModel&)> on_swapped_;
  std::deque<data::GridMeasurement> history_;        // feeder thread only
  std::deque<data::DayAheadForecastRow> day_ahead_;  // feeder thread only
  std::optional<absl::Time> next_cutoff_;
  int skipped_ = 0;
  std::thread training_;
  mutable absl::Mutex mu_;
  bool training_done_ ABSL_GUARDED_BY(mu_) = true;
  std::optional<Trained> pending_ ABSL_GUARDED_BY(mu_);  // kAtCutoff: the result to swap in
};

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_FORECAST_MODEL_RETRAINER_H_
