#include "services/cli/offline_region_data.h"

#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/base/status_macros.h"
#include "core/base/time_util.h"
#include "core/data/day_ahead_csv_loader.h"
#include "core/data/grid_data_loader.h"
#include "core/data/holiday_dates_file.h"
#include "core/data/region_csv_loader.h"
#include "core/region/region_engine.h"
#include "services/cli/shipped_data.h"
#include "services/gateway/gateway_config.h"

namespace gridpilot {

absl::StatusOr<OfflineRegionData> LoadOfflineRegionData(
    const std::map<std::string, std::string>& options) {
  OfflineRegionData region;
  if (!options.contains("config")) {
    ASSIGN_OR_RETURN(region.series, data::LoadGridSeries(DemandCsv(options), PriceCsv(options)));
    region.scale = region::RegionConfig{}.scale;
    region.demand_csv = DemandCsv(options);
    region.day_ahead_csv = DayAheadCsv(options);
    region.description = absl::StrCat(region.demand_csv, " (GB layout), holidays uk");
    return region;
  }
  const std::string& config_path = options.at("config");
  ASSIGN_OR_RETURN(const GatewayConfig config, LoadGatewayConfig(config_path));
  auto pick = [&options](const char* key, const std::string& configured,
                         const std::string& shipped) {
    if (auto it = options.find(key); it != options.end()) return it->second;
    return configured.empty() ? DefaultDataDir() + "/" + shipped : configured;
  };
  region.demand_csv = pick("demand_csv", config.demand_csv, "gb_demand_2022_2023.csv");
  const std::string price_csv =
      pick("price_csv", config.price_csv, "gb_price_mid_2022-10_2023-12.csv");
  region.day_ahead_csv = pick("day_ahead_csv", config.day_ahead_csv,
                              "gb_demand_forecast_dayahead_2022-10_2023-12.csv");
  region.format = config.data_format;
  region.scale = config.region.scale;
  ASSIGN_OR_RETURN(region.holidays,
                   data::LoadRegionHolidayCalendar(config.holidays, config.data_format.time_zone));
  ASSIGN_OR_RETURN(
      data::RegionSeries loaded,
      data::LoadRegionSeries(region.format, region.demand_csv, price_csv, base::kHalfHour));
  region.description =
      absl::StrCat(config_path, ": ", data::DescribeCsvIngest(loaded, region.format), "; scale ",
                   region.scale, "; holidays ", region.holidays.Describe());
  region.series = std::move(loaded.series);
  return region;
}

std::vector<data::GridMeasurement> ScaledMeasurements(const OfflineRegionData& region) {
  const double scale = region.scale;
  auto scaled = [scale](std::optional<double> v) {
    return v.has_value() ? std::optional<double>(*v * scale) : std::nullopt;
  };
  std::vector<data::GridMeasurement> out;
  out.reserve(region.series.size());
  for (const data::GridInterval& i : region.series.intervals()) {
    out.push_back({i.start, scaled(i.net_load_mw), scaled(i.embedded_solar_mw),
                   scaled(i.embedded_wind_mw), i.price_gbp_per_mwh});
  }
  return out;
}

absl::StatusOr<std::vector<data::DayAheadForecastRow>> UnscaledDayAhead(
    const OfflineRegionData& region) {
  if (region.day_ahead_csv == "none") return std::vector<data::DayAheadForecastRow>{};
  return data::LoadRegionDayAheadForecast(region.format, region.day_ahead_csv);
}

absl::StatusOr<std::vector<data::DayAheadForecastRow>> ScaledDayAhead(
    const OfflineRegionData& region) {
  ASSIGN_OR_RETURN(std::vector<data::DayAheadForecastRow> rows, UnscaledDayAhead(region));
  return data::ScaleDayAheadForecast(std::move(rows), region.scale);
}

}  // namespace gridpilot
