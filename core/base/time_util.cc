#include "core/base/time_util.h"

#include "absl/strings/str_cat.h"

namespace gridpilot::base {

absl::StatusOr<absl::Time> ParseUtcTimestamp(std::string_view text) {
  absl::Time t;
  std::string err;
  const std::string s(text);
  // absl::ParseTime also accepts "infinite-past" and "infinite-future", whatever the
  // format: they are not timestamps.
  if ((absl::ParseTime("%Y-%m-%dT%H:%M:%SZ", s, absl::UTCTimeZone(), &t, &err) ||
       absl::ParseTime("%Y-%m-%dT%H:%MZ", s, absl::UTCTimeZone(), &t, &err)) &&
      t != absl::InfinitePast() && t != absl::InfiniteFuture()) {
    return t;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("\"", std::string(text), "\" is not a UTC timestamp like 2023-01-01T00:00:00Z"));
}

absl::StatusOr<absl::Time> ParseUtcDate(std::string_view text) {
  absl::Time t;
  std::string err;
  if (absl::ParseTime("%Y-%m-%d", std::string(text), absl::UTCTimeZone(), &t, &err) &&
      t != absl::InfinitePast() && t != absl::InfiniteFuture()) {
    return t;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("\"", std::string(text), "\" is not a date like 2023-01-01"));
}

std::string FormatUtcTimestamp(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

}  // namespace gridpilot::base
