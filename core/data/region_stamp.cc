#include "core/data/region_stamp.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/civil_time.h"
#include "core/base/time_util.h"

namespace gridpilot::data {

absl::StatusOr<RegionStamp> ParseRegionStamp(const std::string& field, const absl::TimeZone& zone) {
  if (field.empty()) return absl::InvalidArgumentError("value is empty");
  RegionStamp stamp;
  if (field.back() == 'Z') {
    absl::StatusOr<absl::Time> t = base::ParseUtcTimestamp(field);
    if (!t.ok()) return t.status();
    stamp.first = stamp.second = *t;
    return stamp;
  }
  std::string text = absl::StrReplaceAll(field, {{" ", "T"}});
  if (text.size() == 16) text += ":00";  // seconds optional
  absl::CivilSecond civil;
  if (text.size() != 19 || !absl::ParseCivilTime(text, &civil)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "\"", field, "\" is not a stamp (YYYY-MM-DD HH:MM[:SS], local, or ISO 8601 with Z)"));
  }
  stamp.local = true;
  const absl::TimeZone::TimeInfo info = zone.At(civil);
  stamp.first = info.pre;
  stamp.second = info.post;
  switch (info.kind) {
    case absl::TimeZone::TimeInfo::UNIQUE: stamp.kind = RegionStamp::Kind::kUnique; break;
    case absl::TimeZone::TimeInfo::SKIPPED: stamp.kind = RegionStamp::Kind::kSkipped; break;
    case absl::TimeZone::TimeInfo::REPEATED: stamp.kind = RegionStamp::Kind::kRepeated; break;
  }
  return stamp;
}

}  // namespace gridpilot::data
