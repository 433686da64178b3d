// The bounds on what enters the gateway through its RPCs: the longest agent name,
// idempotency key, reason and note it stores, the characters an identifier may hold, the
// valid range of a timestamp, how far from the run's clock a lease may lie, and the
// largest plan it records. The limits are named here, in one place, and the reasons for
// them are in docs/decisions.md ("Input bounds"). Every check returns InvalidArgument with
// a message naming the field and the bound.
#ifndef GRIDPILOT_SERVICES_GATEWAY_INPUT_BOUNDS_H_
#define GRIDPILOT_SERVICES_GATEWAY_INPUT_BOUNDS_H_

#include <google/protobuf/timestamp.pb.h>

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace gridpilot {

// Longest stored strings, bytes (UTF-8 is counted in bytes, not characters).
inline constexpr size_t kMaxAgentNameBytes = 64;
inline constexpr size_t kMaxAssetIdBytes = 64;
inline constexpr size_t kMaxIdempotencyKeyBytes = 128;
inline constexpr size_t kMaxReasonBytes = 1024;  // a proposal's or a plan's reason
inline constexpr size_t kMaxNoteBytes = 2048;    // an answer's note
// A reported audit event (AuditService.RecordAuditEvent): who, their role, the detail.
inline constexpr size_t kMaxAuditIdentityBytes = 128;
inline constexpr size_t kMaxAuditRoleBytes = 64;
inline constexpr size_t kMaxAuditDetailBytes = 4096;
// The most rows one ListAuditEvents call returns.
inline constexpr int kMaxAuditListRows = 1000;
// Most intervals in one plan (a year of half hours: far more than any agent plans).
inline constexpr int kMaxPlanIntervals = 17520;
// How far a lease may lie from the run's clock: start >= now - horizon and
// end <= now + horizon. Seven days is the operator CLI's longest lease (--minutes 10080).
inline constexpr absl::Duration kDefaultLeaseHorizon = absl::Hours(7 * 24);

// An identifier (agent name, asset id, idempotency key): at most `max_bytes` bytes and no
// control characters (bytes below 0x20, and 0x7f). `required`: empty is an error too.
absl::Status ValidateIdentifier(absl::string_view field, absl::string_view value, size_t max_bytes,
                                bool required);

// Free text (reason, note): at most `max_bytes` bytes. Control characters are allowed (the
// logger escapes them); the store keeps the text as sent.
absl::Status ValidateText(absl::string_view field, absl::string_view value, size_t max_bytes);

// A google.protobuf.Timestamp within the range the type defines (0001-01-01T00:00:00Z to
// 9999-12-31T23:59:59.999999999Z, nanos in [0, 1e9)).
absl::Status ValidateProtoTimestamp(absl::string_view field, const google::protobuf::Timestamp& t);

// A lease [start, end) relative to the run's clock `now`: start < end, start >= now -
// horizon, end <= now + horizon. `field` prefixes the messages ("proposals[3]").
absl::Status ValidateLease(absl::string_view field, absl::Time start, absl::Time end,
                           absl::Time now, absl::Duration horizon);

// A power, MW: finite and |power_mw| <= limit_mw.
absl::Status ValidatePowerBound(absl::string_view field, double power_mw, double limit_mw);

// `value` cut to at most `max_bytes` bytes, with "...(N bytes)" appended when cut: what a
// refusal's audit row keeps of an oversized field.
std::string Truncated(absl::string_view value, size_t max_bytes);

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_GATEWAY_INPUT_BOUNDS_H_
