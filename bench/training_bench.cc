// How long `gridpilot train` takes to train one change model set on two years of the
// shipped half-hourly data (2022-01-01 .. 2023-12-31, region-scaled as the service sees
// it, with NESO's day-ahead vintages): building the feature rows, then one XGBoost model
// per served horizon (300 rounds, depth 6, one thread, as the service trains). Target:
// under 30 s for the whole set. The baseline
// in the same run is the same training on one year, so the ratio shows how the cost
// grows with the window on whatever machine this runs on. Prints a table; takes no flags.
#include <cstdio>
#include <vector>

#include "absl/time/clock.h"
#include "bench/bench_inputs.h"
#include "core/base/time_util.h"
#include "core/data/grid_data_loader.h"
#include "core/forecast/models/net_load_change_forecaster.h"
#include "services/cli/shipped_data.h"

namespace gridpilot {
namespace {

struct Timing {
  size_t intervals = 0;
  double build_seconds = 0.0;  // BuildChangeTrainingSet alone
  double total_seconds = 0.0;  // Train: rows plus every horizon's model
};

Timing TimeTraining(const std::vector<data::GridMeasurement>& history,
                    const std::vector<data::DayAheadForecastRow>& day_ahead) {
  const std::vector<int>& horizons = forecast::models::ServedChangeHorizons();
  Timing t;
  t.intervals = history.size();
  absl::Time began = absl::Now();
  absl::StatusOr<forecast::models::TrainingSet> set =
      forecast::models::BuildChangeTrainingSet(history, horizons, day_ahead);
  t.build_seconds = absl::ToDoubleSeconds(absl::Now() - began);
  if (!set.ok()) std::fprintf(stderr, "rows: %s\n", std::string(set.status().message()).c_str());
  began = absl::Now();
  absl::StatusOr<forecast::models::NetLoadChangeForecaster> f =
      forecast::models::NetLoadChangeForecaster::Train(history, horizons, ml::XgboostParams{},
                                                       day_ahead);
  t.total_seconds = absl::ToDoubleSeconds(absl::Now() - began);
  if (!f.ok()) std::fprintf(stderr, "train: %s\n", std::string(f.status().message()).c_str());
  return t;
}

int Main() {
  const std::string data = GRIDPILOT_DEFAULT_DATA_DIR;
  absl::StatusOr<data::GridSeries> gb = LoadShippedGbSeries(data);
  if (!gb.ok()) {
    std::fprintf(stderr, "%s\n", std::string(gb.status().message()).c_str());
    return 1;
  }
  const std::vector<data::GridMeasurement> all = RegionMeasurements(*gb);
  absl::StatusOr<std::vector<data::DayAheadForecastRow>> day_ahead =
      LoadRegionDayAheadForecast({{"demand_csv", data + "/gb_demand_2022_2023.csv"}});
  if (!day_ahead.ok()) {
    std::fprintf(stderr, "%s\n", std::string(day_ahead.status().message()).c_str());
    return 1;
  }
  const absl::Time year_two = *base::ParseUtcTimestamp("2023-01-01T00:00:00Z");
  std::vector<data::GridMeasurement> one_year;
  for (const data::GridMeasurement& m : all) {
    if (m.interval_start >= year_two) one_year.push_back(m);
  }
  const size_t models = forecast::models::ServedChangeHorizons().size();
  std::printf(
      "training the change model set (%zu horizons, 300 rounds, depth 6, 1 thread, "
      "with NESO's day-ahead vintages)\n",
      models);
  const Timing year = TimeTraining(one_year, *day_ahead);
  const Timing two_years = TimeTraining(all, *day_ahead);
  std::printf("  window      intervals  feature rows s  total s (rows + %zu models + ramp alarm)\n",
              models);
  std::printf("  one year    %9zu  %14.2f  %7.2f\n", year.intervals, year.build_seconds,
              year.total_seconds);
  std::printf("  two years   %9zu  %14.2f  %7.2f   (target < 30 s)\n", two_years.intervals,
              two_years.build_seconds, two_years.total_seconds);
  std::printf("  two years / one year: %.2fx the time for %.2fx the rows\n",
              two_years.total_seconds / year.total_seconds,
              static_cast<double>(two_years.intervals) / year.intervals);
  return 0;
}

}  // namespace
}  // namespace gridpilot

int main() { return gridpilot::Main(); }
