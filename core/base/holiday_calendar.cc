#include "core/base/holiday_calendar.h"

#include <algorithm>
#include <cstdint>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/base/uk_calendar.h"

namespace gridpilot::base {

HolidayCalendar HolidayCalendar::None() {
  HolidayCalendar calendar;
  calendar.kind_ = Kind::kNone;
  return calendar;
}

HolidayCalendar HolidayCalendar::Dates(std::vector<absl::CivilDay> days, std::string source) {
  std::sort(days.begin(), days.end());
  days.erase(std::unique(days.begin(), days.end()), days.end());
  HolidayCalendar calendar;
  calendar.kind_ = Kind::kDates;
  calendar.days_ = std::make_shared<const std::vector<absl::CivilDay>>(std::move(days));
  calendar.source_ = std::move(source);
  return calendar;
}

HolidayCalendar HolidayCalendar::InZone(absl::TimeZone zone, std::string zone_name) const {
  HolidayCalendar calendar = *this;
  calendar.zone_ = zone;
  calendar.zone_name_ = std::move(zone_name);
  return calendar;
}

absl::CivilSecond HolidayCalendar::LocalTime(absl::Time t) const {
  if (!zone_.has_value()) return UkLocalTime(t);
  return absl::ToCivilSecond(t, *zone_);
}

bool HolidayCalendar::IsDaylightSaving(absl::Time t) const {
  if (!zone_.has_value()) return UkUtcOffset(t) > absl::ZeroDuration();
  return zone_->At(t).is_dst;
}

bool HolidayCalendar::IsHoliday(absl::CivilDay local_day) const {
  switch (kind_) {
    case Kind::kUk: return IsEnglandWalesBankHoliday(local_day);
    case Kind::kNone: return false;
    case Kind::kDates: return std::binary_search(days_->begin(), days_->end(), local_day);
  }
  return false;
}

std::string HolidayCalendar::Describe() const {
  std::string days;
  switch (kind_) {
    case Kind::kUk: days = "uk"; break;
    case Kind::kNone: days = "none"; break;
    case Kind::kDates: days = absl::StrCat(days_->size(), " dates from ", source_); break;
  }
  if (zone_.has_value()) absl::StrAppend(&days, " on ", zone_name_, " days");
  return days;
}

void HolidayCalendar::AddToFingerprint(Fnv1a* fnv) const {
  if (zone_.has_value()) {
    fnv->Bytes("holiday_zone", sizeof("holiday_zone"));
    fnv->Value(static_cast<uint64_t>(zone_name_.size()));
    fnv->Bytes(zone_name_.data(), zone_name_.size());
  }
  if (kind_ == Kind::kUk) return;
  // A tag no other fingerprint field starts with, then the kind and the days.
  fnv->Bytes("holidays", sizeof("holidays"));
  fnv->Value(static_cast<int32_t>(kind_));
  if (kind_ != Kind::kDates) return;
  fnv->Value(static_cast<uint64_t>(days_->size()));
  for (const absl::CivilDay& day : *days_) {
    fnv->Value(static_cast<int64_t>(day.year()));
    fnv->Value(static_cast<int32_t>(day.month()));
    fnv->Value(static_cast<int32_t>(day.day()));
  }
}

}  // namespace gridpilot::base
