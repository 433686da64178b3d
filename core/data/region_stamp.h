// One time stamp of a region's CSV file as written: "...Z" (ISO 8601) is UTC whatever the
// zone; "YYYY-MM-DD HH:MM[:SS]" (or with a T) is a local civil time in the region's zone,
// which a daylight-saving change may make repeated (autumn) or skipped (spring). The loaders
// choose which pass of a repeated time a row means (region_csv_loader.h,
// day_ahead_csv_loader.h).
#ifndef GRIDPILOT_CORE_DATA_REGION_STAMP_H_
#define GRIDPILOT_CORE_DATA_REGION_STAMP_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace gridpilot::data {

struct RegionStamp {
  enum class Kind { kUnique, kRepeated, kSkipped };
  Kind kind = Kind::kUnique;
  bool local = false;  // false: the stamp ended in Z
  // The instant; for kRepeated the first pass (earlier) and the second (later).
  // kSkipped: no clock showed it; both are the instants either side of the jump.
  absl::Time first;
  absl::Time second;
};

// InvalidArgument with a message naming the text (no location: callers add file, line
// and column) when `field` is empty or neither form.
absl::StatusOr<RegionStamp> ParseRegionStamp(const std::string& field, const absl::TimeZone& zone);

}  // namespace gridpilot::data

#endif  // GRIDPILOT_CORE_DATA_REGION_STAMP_H_
