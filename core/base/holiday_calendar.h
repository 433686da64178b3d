// The region's public holidays, as the forecast features see them (the `holidays` key of the
// config's data section): the built-in England & Wales calendar (uk_calendar.h, the
// default), no holidays at all, or a list of dates read from a file
// (core/data/holiday_dates_file.h). Days are local civil days, on the calendar's clock:
// the UK's (uk_calendar.h, computed from its rule) unless the calendar is put in a region's
// time zone (InZone). The features ask the calendar for an instant's local time, day kind
// and holiday flag, so one value carries both the days and the clock they are counted on.
// The rule a region's config gives (core/data/holiday_dates_file.h): the zone of its
// data.time_zone, except UTC (the default, GB's UTC stamps) and Europe/London, which keep
// the UK clock; docs/decisions.md, "Holidays on the region's local day".
#ifndef GRIDPILOT_CORE_BASE_HOLIDAY_CALENDAR_H_
#define GRIDPILOT_CORE_BASE_HOLIDAY_CALENDAR_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
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

  // The same days, counted on the local civil days of `zone` (its IANA name `zone_name`,
  // kept for descriptions and the fingerprint) instead of the UK's.
  HolidayCalendar InZone(absl::TimeZone zone, std::string zone_name) const;

  bool IsHoliday(absl::CivilDay local_day) const;
  // The local civil time of instant t on the calendar's clock (UkLocalTime by default).
  absl::CivilSecond LocalTime(absl::Time t) const;
  // IsHoliday of t's local day.
  bool IsHolidayAt(absl::Time t) const { return IsHoliday(absl::CivilDay(LocalTime(t))); }
  // True while the calendar's clock is on daylight-saving time at t (for the UK clock:
  // UkUtcOffset(t) > 0).
  bool IsDaylightSaving(absl::Time t) const;
  Kind kind() const { return kind_; }
  // The zone's name after InZone; "" on the UK clock.
  const std::string& zone_name() const { return zone_name_; }
  // "uk", "none", or "<N> dates from <source>"; then " on <zone> days" after InZone.
  std::string Describe() const;
  // Feeds the calendar into a model cache key. Adds nothing for the UK calendar on the UK
  // clock, so the keys of models trained before the key existed are unchanged; any other
  // calendar adds its kind and every date, and a zone adds its name, so a model trained
  // with one calendar is not reused with another.
  void AddToFingerprint(Fnv1a* fnv) const;

 private:
  Kind kind_ = Kind::kUk;
  std::shared_ptr<const std::vector<absl::CivilDay>> days_;  // sorted, unique; kDates only
  std::string source_;
  std::optional<absl::TimeZone> zone_;  // unset: the UK clock
  std::string zone_name_;
};

}  // namespace gridpilot::base

#endif  // GRIDPILOT_CORE_BASE_HOLIDAY_CALENDAR_H_
