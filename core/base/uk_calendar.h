// The GB calendar that demand follows: UK local clock time (GMT in winter, BST in
// summer) and the England & Wales bank holidays. Settlement periods count from UK local
// midnight and demand tracks local clocks, so day-ahead features are computed in local
// time; everything else in the project stays in UTC. Computed from the rule, not from the
// system's time-zone files, so the core reads no files.
#ifndef GRIDPILOT_CORE_BASE_UK_CALENDAR_H_
#define GRIDPILOT_CORE_BASE_UK_CALENDAR_H_

#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace gridpilot::base {

// UK local time minus UTC at instant t: one hour from 01:00 UTC on the last Sunday of
// March until 01:00 UTC on the last Sunday of October (the rule in force since 1996),
// zero otherwise.
absl::Duration UkUtcOffset(absl::Time t);

// The UK local civil time of instant t.
absl::CivilSecond UkLocalTime(absl::Time t);

// True for the England & Wales bank holidays of 2022 and 2023 (the span of the shipped
// data), including the substitute days and the one-off holidays of those years (Platinum
// Jubilee 2022-06-03, state funeral 2022-09-19, coronation 2023-05-08). Always false for
// other years: callers must not rely on it outside 2022-2023.
bool IsEnglandWalesBankHoliday(absl::CivilDay local_day);

}  // namespace gridpilot::base

#endif  // GRIDPILOT_CORE_BASE_UK_CALENDAR_H_
