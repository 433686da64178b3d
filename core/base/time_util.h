// UTC time parsing and formatting shared by ingest, CLI and services.
// Times are absl::Time instants; text is ISO 8601 with a Z suffix.
#ifndef GRIDPILOT_CORE_BASE_TIME_UTIL_H_
#define GRIDPILOT_CORE_BASE_TIME_UTIL_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace gridpilot::base {

// One GB settlement period.
inline constexpr absl::Duration kHalfHour = absl::Minutes(30);

// Parses "2023-01-01T00:00:00Z" (seconds optional: "2023-01-01T00:00Z").
// InvalidArgument with the offending text otherwise, "infinite-past" and
// "infinite-future" included.
absl::StatusOr<absl::Time> ParseUtcTimestamp(std::string_view text);

// Parses a calendar date "2023-01-01" as its UTC midnight; InvalidArgument otherwise.
absl::StatusOr<absl::Time> ParseUtcDate(std::string_view text);

// "2023-01-01T00:00:00Z": the UTC civil second containing `t` (a time within a second is
// floored to it, before 1970 as after), exactly as absl::FormatTime("%Y-%m-%dT%H:%M:%SZ",
// t, absl::UTCTimeZone()) writes it, "infinite-past" and "infinite-future" included.
std::string FormatUtcTimestamp(absl::Time t);

// The same text without a heap allocation, for writers that format several times a tick
// (the stores): years 1000..9999 are written directly, any other time as absl writes it.
struct UtcTimestampText {
  char chars[40];
  size_t size = 0;
  std::string_view view() const { return std::string_view(chars, size); }
};
UtcTimestampText FormatUtcTimestampText(absl::Time t);

}  // namespace gridpilot::base

#endif  // GRIDPILOT_CORE_BASE_TIME_UTIL_H_
