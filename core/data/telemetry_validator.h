// TelemetryValidator: the checks every live telemetry message passes before it can count,
// whichever path it came by (MQTT or gRPC Publish). Pure: it knows the configured
// sources, the feed's "now" as the caller gives it, and each source's last accepted
// sample; no clock, no I/O. See core/data/telemetry_rejection.h for the reasons.
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

  // Judges `sample` against the feed's `now` (the end of the step being assembled); an
  // accepted sample becomes its source's latest, so a redelivered one is then refused
  // as a duplicate.
  TelemetryVerdict Check(const TelemetrySample& sample, absl::Time now);

 private:
  struct SourceState {
    bool seen = false;
    int64_t last_sequence = 0;
    absl::Time last_timestamp;
  };
  TelemetryValidatorConfig config_;
  absl::flat_hash_map<std::string, SourceState> sources_;  // one per configured source
};

}  // namespace gridpilot::data

#endif  // GRIDPILOT_CORE_DATA_TELEMETRY_VALIDATOR_H_
