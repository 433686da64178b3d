// A time-of-use tariff: the price a site pays for each half-hour of the day, the same
// every day. The file format (CSV, header required, one band a row):
//   start,end,pence_per_kwh
//   00:00,07:00,9.5
//   07:00,16:00,24.0
//   16:00,19:00,38.0
//   19:00,24:00,24.0
// start and end are HH:MM on the half-hour grid (minutes 00 or 30) of the series clock
// (half_hour_series.h); end "24:00" is midnight at the end of the day, and an end at or
// before the start wraps past midnight ("23:30,06:30"). The bands must cover every
// half-hour of the day exactly once. pence_per_kwh lies in [-100, 1000].
#ifndef GRIDPILOT_CORE_ADVICE_TARIFF_H_
#define GRIDPILOT_CORE_ADVICE_TARIFF_H_

#include <array>
#include <vector>

#include "absl/status/statusor.h"
#include "core/advice/half_hour_series.h"
#include "core/data/csv_reader.h"

namespace gridpilot::advice {

inline constexpr size_t kMaxTariffRows = 48;

struct TimeOfUseTariff {
  // Price of each half-hour of the day from midnight, pence per kWh.
  std::array<double, kHalfHoursPerDay> pence_per_kwh{};

  // The day's 48 prices in £/MWh (1 p/kWh = £10/MWh).
  std::vector<double> DayGbpPerMwh() const;
};

// Parses the format above. InvalidArgument naming file, line and column for a missing
// column, a time that is not HH:MM on the half-hour grid, a price out of range, more than
// kMaxTariffRows bands, a half-hour covered twice ("... 17:00-17:30 is already covered by
// line 3"), or (naming the file) a half-hour left uncovered.
absl::StatusOr<TimeOfUseTariff> ParseTariff(const data::CsvFile& file);

}  // namespace gridpilot::advice

#endif  // GRIDPILOT_CORE_ADVICE_TARIFF_H_
