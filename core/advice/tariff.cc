#include "core/advice/tariff.h"

#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/base/status_macros.h"

namespace gridpilot::advice {
namespace {

std::string SlotText(int slot) {
  return absl::StrFormat("%02d:%02d-%02d:%02d", slot / 2, slot % 2 * 30, (slot + 1) / 2,
                         (slot + 1) % 2 * 30);
}

// HH:MM on the half-hour grid as a half-hour index 0..48 (48 only for "24:00").
absl::StatusOr<int> ParseSlot(const data::CsvFile& file, const data::CsvRow& row, size_t column) {
  const std::string& text = row.fields[column];
  int hours = -1;
  int minutes = -1;
  const bool shaped = text.size() == 5 && text[2] == ':' &&
                      absl::SimpleAtoi(text.substr(0, 2), &hours) &&
                      absl::SimpleAtoi(text.substr(3, 2), &minutes);
  if (!shaped || hours < 0 || hours > 24 || (minutes != 0 && minutes != 30) ||
      (hours == 24 && minutes != 0)) {
    return absl::InvalidArgumentError(
        absl::StrCat(file.path(), ":", row.line, ": column ", file.header()[column], ": \"", text,
                     "\" is not HH:MM on the half-hour grid (00:00 .. 24:00)"));
  }
  return hours * 2 + minutes / 30;
}

}  // namespace

std::vector<double> TimeOfUseTariff::DayGbpPerMwh() const {
  std::vector<double> day(kHalfHoursPerDay);
  for (int i = 0; i < kHalfHoursPerDay; ++i) day[i] = pence_per_kwh[i] * 10.0;
  return day;
}

absl::StatusOr<TimeOfUseTariff> ParseTariff(const data::CsvFile& file) {
  ASSIGN_OR_RETURN(const size_t start_column, file.ColumnIndex("start"));
  ASSIGN_OR_RETURN(const size_t end_column, file.ColumnIndex("end"));
  ASSIGN_OR_RETURN(const size_t price_column, file.ColumnIndex("pence_per_kwh"));
  if (file.rows().size() > kMaxTariffRows) {
    return absl::InvalidArgumentError(
        absl::StrCat(file.path(), ": ", file.rows().size(), " bands; at most ", kMaxTariffRows));
  }
  TimeOfUseTariff tariff;
  std::array<int, kHalfHoursPerDay> covered_by{};  // line that covers each slot, 0 = none
  for (const data::CsvRow& row : file.rows()) {
    ASSIGN_OR_RETURN(const int start, ParseSlot(file, row, start_column));
    ASSIGN_OR_RETURN(const int end, ParseSlot(file, row, end_column));
    if (start == kHalfHoursPerDay) {
      return absl::InvalidArgumentError(
          absl::StrCat(file.path(), ":", row.line, ": column start: 24:00 cannot start a band"));
    }
    ASSIGN_OR_RETURN(const std::optional<double> price,
                     file.OptionalNumberIn(row, price_column, -100.0, 1000.0, "p/kWh"));
    if (!price.has_value()) {
      return absl::InvalidArgumentError(
          absl::StrCat(file.path(), ":", row.line, ": column pence_per_kwh: is empty"));
    }
    const int length = end > start ? end - start : end + kHalfHoursPerDay - start;
    for (int k = 0; k < length; ++k) {
      const int slot = (start + k) % kHalfHoursPerDay;
      if (covered_by[slot] != 0) {
        return absl::InvalidArgumentError(
            absl::StrCat(file.path(), ":", row.line, ": ", SlotText(slot),
                         " is already covered by line ", covered_by[slot]));
      }
      covered_by[slot] = row.line;
      tariff.pence_per_kwh[slot] = *price;
    }
  }
  for (int slot = 0; slot < kHalfHoursPerDay; ++slot) {
    if (covered_by[slot] == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(file.path(), ": no band covers ", SlotText(slot)));
    }
  }
  return tariff;
}

}  // namespace gridpilot::advice
