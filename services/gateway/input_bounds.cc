#include "services/gateway/input_bounds.h"

#include <cmath>
#include <cstdint>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/base/time_util.h"

namespace gridpilot {
namespace {

// google/protobuf/timestamp.proto: 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z.
constexpr int64_t kMinTimestampSeconds = -62135596800;
constexpr int64_t kMaxTimestampSeconds = 253402300799;

bool IsControl(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte < 0x20 || byte == 0x7f;
}

}  // namespace

absl::Status ValidateIdentifier(absl::string_view field, absl::string_view value, size_t max_bytes,
                                bool required) {
  if (required && value.empty())
    return absl::InvalidArgumentError(absl::StrCat(field, ": required"));
  if (value.size() > max_bytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ": ", value.size(), " bytes is longer than the limit of ", max_bytes, " bytes"));
  }
  for (size_t i = 0; i < value.size(); ++i) {
    if (IsControl(value[i])) {
      return absl::InvalidArgumentError(
          absl::StrFormat("%s: control character 0x%02x at byte %d is not allowed in an identifier",
                          field, static_cast<unsigned char>(value[i]), i));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateText(absl::string_view field, absl::string_view value, size_t max_bytes) {
  if (value.size() > max_bytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ": ", value.size(), " bytes is longer than the limit of ", max_bytes, " bytes"));
  }
  return absl::OkStatus();
}

absl::Status ValidateProtoTimestamp(absl::string_view field, const google::protobuf::Timestamp& t) {
  if (t.seconds() < kMinTimestampSeconds || t.seconds() > kMaxTimestampSeconds) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": seconds ", t.seconds(),
                     " is outside the Timestamp range [0001-01-01T00:00:00Z, "
                     "9999-12-31T23:59:59Z]"));
  }
  if (t.nanos() < 0 || t.nanos() > 999999999) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": nanos ", t.nanos(), " is outside [0, 999999999]"));
  }
  return absl::OkStatus();
}

absl::Status ValidateLease(absl::string_view field, absl::Time start, absl::Time end,
                           absl::Time now, absl::Duration horizon) {
  if (end <= start) {
    return absl::InvalidArgumentError(absl::StrCat(field, ".end: ", base::FormatUtcTimestamp(end),
                                                   " must be after start ",
                                                   base::FormatUtcTimestamp(start)));
  }
  if (start < now - horizon) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ".start: ", base::FormatUtcTimestamp(start), " is more than ",
        absl::FormatDuration(horizon), " before the run's clock ", base::FormatUtcTimestamp(now)));
  }
  if (end > now + horizon) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, ".end: ", base::FormatUtcTimestamp(end), " is more than ",
        absl::FormatDuration(horizon), " after the run's clock ", base::FormatUtcTimestamp(now)));
  }
  return absl::OkStatus();
}

absl::Status ValidatePowerBound(absl::string_view field, double power_mw, double limit_mw) {
  if (!std::isfinite(power_mw)) {
    return absl::InvalidArgumentError(absl::StrFormat("%s: %g is not finite", field, power_mw));
  }
  if (std::abs(power_mw) > limit_mw) {
    return absl::InvalidArgumentError(
        absl::StrFormat("%s: %g is outside [%g, %g] MW", field, power_mw, -limit_mw, limit_mw));
  }
  return absl::OkStatus();
}

std::string Truncated(absl::string_view value, size_t max_bytes) {
  if (value.size() <= max_bytes) return std::string(value);
  return absl::StrCat(value.substr(0, max_bytes), "...(", value.size(), " bytes)");
}

}  // namespace gridpilot
