#include "services/console/snapshot_query.h"

#include <cmath>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "core/base/time_util.h"

namespace gridpilot {
namespace {

// Unix seconds of 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z, the range of a
// google.protobuf.Timestamp: a number outside it is refused rather than wrapped into some
// other time by the conversion to microseconds.
constexpr double kMinUnixSeconds = -62135596800.0;
constexpr double kMaxUnixSeconds = 253402300799.0;

absl::StatusOr<absl::Time> ParseTimeParam(const std::string& key, const std::string& value) {
  double seconds = 0.0;
  if (absl::SimpleAtod(value, &seconds)) {
    if (!std::isfinite(seconds)) {
      return absl::InvalidArgumentError(absl::StrCat(key, ": \"", value, "\" is not finite"));
    }
    if (seconds < kMinUnixSeconds || seconds > kMaxUnixSeconds) {
      return absl::InvalidArgumentError(
          absl::StrCat(key, ": \"", value,
                       "\" is outside 0001-01-01 to 9999-12-31 (Unix seconds -62135596800 to "
                       "253402300799)"));
    }
    return absl::FromUnixMicros(static_cast<int64_t>(std::llround(seconds * 1e6)));
  }
  absl::StatusOr<absl::Time> t = base::ParseUtcTimestamp(value);
  if (!t.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(key, ": \"", value,
                     "\" is neither Unix seconds nor a UTC timestamp like 2023-03-08T04:00:00Z"));
  }
  return *t;
}

}  // namespace

absl::StatusOr<SnapshotQuery> ParseSnapshotQuery(
    const std::multimap<std::string, std::string>& params) {
  SnapshotQuery query;
  for (const auto& [key, value] : params) {
    if (params.count(key) > 1) {
      return absl::InvalidArgumentError(absl::StrCat(key, ": given more than once"));
    }
    if (key == "from" || key == "to") {
      absl::StatusOr<absl::Time> t = ParseTimeParam(key, value);
      if (!t.ok()) return t.status();
      (key == "from" ? query.from : query.to) = *t;
    } else if (key == "after") {
      int64_t after = 0;
      if (!absl::SimpleAtoi(value, &after) || after < -1) {
        return absl::InvalidArgumentError(
            absl::StrCat("after: \"", value, "\" is not an integer >= -1"));
      }
      query.after = after;
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown parameter \"", key, "\" (known: from, to, after)"));
    }
  }
  if (query.from >= query.to) {
    return absl::InvalidArgumentError("from must be before to");
  }
  return query;
}

}  // namespace gridpilot
