#include "core/forecast/retrain_schedule.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace gridpilot::forecast {

absl::StatusOr<RetrainSchedule> ParseRetrainSchedule(const std::string& every,
                                                     const std::string& at, int training_days,
                                                     const std::string& where) {
  RetrainSchedule schedule;
  if (every == "none") {
    schedule.cadence = RetrainCadence::kNone;
  } else if (every == "day") {
    schedule.cadence = RetrainCadence::kDay;
  } else if (every == "month") {
    schedule.cadence = RetrainCadence::kMonth;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ".every: \"", every, "\" is not one of none, day, month"));
  }
  const std::vector<std::string> parts = absl::StrSplit(at, ':');
  int hours = -1, minutes = -1;
  if (parts.size() != 2 || parts[0].size() != 2 || parts[1].size() != 2 ||
      !absl::SimpleAtoi(parts[0], &hours) || !absl::SimpleAtoi(parts[1], &minutes) || hours < 0 ||
      hours > 23 || minutes < 0 || minutes > 59) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, ".at: \"", at, "\" is not a UTC time HH:MM in 00:00..23:59"));
  }
  schedule.at = absl::Hours(hours) + absl::Minutes(minutes);
  if (training_days < kMinRetrainTrainingDays || training_days > kMaxRetrainTrainingDays) {
    return absl::InvalidArgumentError(absl::StrCat(where, ".training_days: ", training_days,
                                                   " is not in ", kMinRetrainTrainingDays, "..",
                                                   kMaxRetrainTrainingDays));
  }
  schedule.training_days = training_days;
  return schedule;
}

std::string CadenceName(RetrainCadence cadence) {
  switch (cadence) {
    case RetrainCadence::kNone: return "none";
    case RetrainCadence::kDay: return "day";
    case RetrainCadence::kMonth: return "month";
  }
  return "none";
}

std::optional<absl::Time> NextRetrainCutoff(const RetrainSchedule& schedule, absl::Time after) {
  if (schedule.cadence == RetrainCadence::kNone || after == absl::InfiniteFuture() ||
      after == absl::InfinitePast()) {
    return std::nullopt;
  }
  const absl::TimeZone utc = absl::UTCTimeZone();
  const absl::CivilDay day = absl::ToCivilDay(after, utc);
  if (schedule.cadence == RetrainCadence::kDay) {
    // Today's cut-off, or tomorrow's if today's is not after `after`.
    absl::Time cutoff = absl::FromCivil(day, utc) + schedule.at;
    if (cutoff <= after) cutoff = absl::FromCivil(day + 1, utc) + schedule.at;
    return cutoff;
  }
  const absl::CivilMonth month = absl::CivilMonth(day);
  absl::Time cutoff = absl::FromCivil(absl::CivilDay(month), utc) + schedule.at;
  if (cutoff <= after) cutoff = absl::FromCivil(absl::CivilDay(month + 1), utc) + schedule.at;
  return cutoff;
}

}  // namespace gridpilot::forecast
