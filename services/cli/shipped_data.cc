#include "services/cli/shipped_data.h"

#include <filesystem>
#include <optional>

#include "core/data/grid_data_loader.h"
#include "core/region/region_engine.h"

namespace gridpilot {

std::string DefaultDataDir() {
  return (std::filesystem::canonical("/proc/self/exe").parent_path() / ".." / ".." / "data")
      .lexically_normal()
      .string();
}

std::string DemandCsv(const std::map<std::string, std::string>& options) {
  auto it = options.find("demand_csv");
  return it != options.end() ? it->second : DefaultDataDir() + "/gb_demand_2022_2023.csv";
}

std::string PriceCsv(const std::map<std::string, std::string>& options) {
  auto it = options.find("price_csv");
  return it != options.end() ? it->second : DefaultDataDir() + "/gb_price_mid_2022-10_2023-12.csv";
}

std::vector<data::GridMeasurement> RegionMeasurements(const data::GridSeries& gb) {
  const double scale = region::RegionConfig{}.scale;
  auto scaled = [scale](std::optional<double> v) {
    return v.has_value() ? std::optional<double>(*v * scale) : std::nullopt;
  };
  std::vector<data::GridMeasurement> out;
  out.reserve(gb.size());
  for (const data::GridInterval& i : gb.intervals()) {
    out.push_back({i.start, scaled(i.net_load_mw), scaled(i.embedded_solar_mw),
                   scaled(i.embedded_wind_mw), i.price_gbp_per_mwh});
  }
  return out;
}

std::string DayAheadCsv(const std::map<std::string, std::string>& options) {
  auto it = options.find("day_ahead_csv");
  if (it != options.end()) return it->second;
  return (std::filesystem::path(DemandCsv(options)).parent_path() /
          "gb_demand_forecast_dayahead_2022-10_2023-12.csv")
      .string();
}

absl::StatusOr<std::vector<data::DayAheadForecastRow>> LoadGbDayAheadForecast(
    const std::map<std::string, std::string>& options) {
  return data::LoadDayAheadForecast(DayAheadCsv(options));
}

absl::StatusOr<std::vector<data::DayAheadForecastRow>> LoadRegionDayAheadForecast(
    const std::map<std::string, std::string>& options) {
  absl::StatusOr<std::vector<data::DayAheadForecastRow>> gb = LoadGbDayAheadForecast(options);
  if (!gb.ok()) return gb.status();
  return data::ScaleDayAheadForecast(*std::move(gb), region::RegionConfig{}.scale);
}

}  // namespace gridpilot
