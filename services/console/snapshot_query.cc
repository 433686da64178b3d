#include "services/console/snapshot_query.h"

#include <cmath>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "core/base/time_util.h"

namespace gridpilot {
namespace {

absl::StatusOr<absl::Time> ParseTimeParam(const std::string& key, const std::string& value) {
  double seconds = 0.0;
  if (absl::SimpleAtod(value, &seconds)) {
    if (!std::isfinite(seconds)) {
      return absl::InvalidArgumentError(absl::StrCat(key, ": \"", value, "\" is not finite"));
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
