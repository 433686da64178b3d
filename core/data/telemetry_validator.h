// TelemetryValidator: the checks every live telemetry message passes before it can count,
// whichever path it came by (MQTT or gRPC Publish). Pure: it knows the configured
// sources, the feed's "now" as the caller gives it, and each source's recently accepted
// sequence numbers; no clock, no I/O. See core/data/telemetry_rejection.h for the reasons.
#ifndef GRIDPILOT_CORE_DATA_TELEMETRY_VALIDATOR_H_
#define GRIDPILOT_CORE_DATA_TELEMETRY_VALIDATOR_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "core/data/telemetry_rejection.h"
#include "core/data/telemetry_sample.h"
#include "core/data/telemetry_sequence_window.h"

namespace gridpilot::data {

// The quantities a message may carry, each under exactly one name that states its unit.
enum class TelemetryQuantity { kNetLoadMw, kSolarMw, kWindMw, kPriceGbpPerMwh };

// The quantity named `name` ("net_load_mw", "solar_mw", "wind_mw", "price_gbp_per_mwh").
// kWrongUnits for a name of a known quantity in other units ("net_load_kw", "price_eur..."),
// kMalformed for any other name. Used by the decoders of the edges.
struct ValueName {
  std::optional<TelemetryQuantity> quantity;
  TelemetryRejection rejection = TelemetryRejection::kMalformed;  // when no quantity
};
ValueName ClassifyValueName(std::string_view name);

struct TelemetryValidatorConfig {
  std::vector<std::string> sources{};            // accepted source ids; 1..1000 of them
  absl::Duration max_ahead = absl::Minutes(30);  // stamps later than now + this are refused
  double max_abs_power_mw = 1.0e6;               // |net load|, solar, wind at most this
  double max_abs_price_gbp_per_mwh = 1.0e5;      // |price| at most this

  absl::Status Validate() const;  // InvalidArgument naming the field
};

struct TelemetryVerdict {
  std::optional<TelemetryRejection> rejection;  // nullopt = accepted
  std::string detail;                           // for the log: what was wrong, and where
  bool accepted() const { return !rejection.has_value(); }
};

// Not thread-safe: the caller serialises Check.
class TelemetryValidator {
 public:
  explicit TelemetryValidator(TelemetryValidatorConfig config);  // config must Validate()

  // Judges `sample` against the feed's `now` (the end of the step being assembled). The
  // order of arrival does not matter: a sequence number not yet accepted from its source
  // is accepted whatever its stamp (the feed then puts it into its step, or counts it late
  // if that step has settled); one accepted before is refused as duplicate_sequence; one
  // TelemetrySequenceWindow::kSpan or more below the source's newest is refused as
  // out_of_order, since it can no longer be told from a duplicate.
  TelemetryVerdict Check(const TelemetrySample& sample, absl::Time now);

 private:
  TelemetryValidatorConfig config_;
  // One per configured source (8 KiB each once it has sent).
  absl::flat_hash_map<std::string, TelemetrySequenceWindow> sources_;
};

}  // namespace gridpilot::data

#endif  // GRIDPILOT_CORE_DATA_TELEMETRY_VALIDATOR_H_
