// The region's public holidays, as the forecast features see them (the `holidays` key of the
// config's data section): the built-in England & Wales calendar (uk_calendar.h, the
// default), no holidays at all, or a list of dates read from a file
// (core/data/holiday_dates_file.h). Days are local civil days: the features look them up
// with the UK local day of the instant (uk_calendar.h), as they always have.
#ifndef GRIDPILOT_CORE_BASE_HOLIDAY_CALENDAR_H_
#define GRIDPILOT_CORE_BASE_HOLIDAY_CALENDAR_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "core/base/fnv1a.h"

namespace gridpilot::base {

// An immutable value; copies share the date list, so copying is cheap. Thread-compatible.
class HolidayCalendar {
 public:
  enum class Kind { kUk, kNone, kDates };

  // The England & Wales bank holidays (IsEnglandWalesBankHoliday), the default.
  HolidayCalendar() = default;
  static HolidayCalendar Uk() { return HolidayCalendar(); }
  static HolidayCalendar None();
  // Exactly the given days (any order, repeats ignored). `source` names where they came
  // from (a file path) for descriptions; it is not part of the calendar's identity.
  static HolidayCalendar Dates(std::vector<absl::CivilDay> days, std::string source);

  bool IsHoliday(absl::CivilDay local_day) const;
  Kind kind() const { return kind_; }
  // "uk", "none", or "<N> dates from <source>".
  std::string Describe() const;
  // Feeds the calendar into a model cache key. Adds nothing for the UK calendar, so the
  // keys of models trained before the key existed are unchanged; any other calendar adds
  // its kind and every date, so a model trained with one calendar is not reused with another.
  void AddToFingerprint(Fnv1a* fnv) const;

 private:
  Kind kind_ = Kind::kUk;
  std::shared_ptr<const std::vector<absl::CivilDay>> days_;  // sorted, unique; kDates only
  std::string source_;
};

}  // namespace gridpilot::base

#endif  // GRIDPILOT_CORE_BASE_HOLIDAY_CALENDAR_H_
