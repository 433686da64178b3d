// Fuzzes the gateway's config loader (services/gateway/gateway_config.h) on the text of a
// config file. Invariants: a refusal is InvalidArgument naming the file, and never comes
// from the loader's last-resort catch of a JSON exception ("unreadable value": a type the
// readers failed to check); an accepted config has only finite numbers and durations and
// passes the region engine's validation again.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "core/region/region_engine.h"
#include "fuzz/invariant.h"
#include "services/gateway/gateway_config.h"

namespace {

constexpr char kConfigPath[] = "/fuzz/gateway.json";

[[noreturn]] void Fail(const std::string& what) {
  gridpilot::fuzz::FailInvariant("gateway_config_fuzzer", what);
}

void CheckFinite(double value, const char* what) {
  if (!std::isfinite(value)) Fail(what);
}

void CheckFinite(absl::Duration value, const char* what) {
  if (value == absl::InfiniteDuration() || value == -absl::InfiniteDuration()) Fail(what);
}

void CheckFinite(absl::Time value, const char* what) {
  if (value == absl::InfinitePast() || value == absl::InfiniteFuture()) Fail(what);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const absl::StatusOr<gridpilot::GatewayConfig> config =
      gridpilot::ParseGatewayConfig(text, kConfigPath);
  if (!config.ok()) {
    const absl::Status& error = config.status();
    if (error.code() != absl::StatusCode::kInvalidArgument) Fail("error code");
    if (!absl::StartsWith(error.message(), kConfigPath)) Fail("error does not name the file");
    if (absl::StartsWith(error.message(), absl::StrCat(kConfigPath, ": unreadable value:"))) {
      std::fprintf(stderr, "%s\n", std::string(error.message()).c_str());
      Fail("a JSON exception reached the last-resort catch");
    }
    return 0;
  }
  const gridpilot::region::RegionConfig& region = config->region;
  CheckFinite(region.scale, "region.scale");
  CheckFinite(region.ramp_limit_mw, "region.ramp_limit_mw");
  CheckFinite(region.instability_penalty_gbp_per_mw, "region.instability_penalty_gbp_per_mw");
  for (const gridpilot::assets::BatteryParams& b : config->batteries) {
    for (double v : {b.energy_capacity_mwh, b.max_charge_mw, b.max_discharge_mw,
                     b.charge_efficiency, b.discharge_efficiency, b.soc_min_mwh, b.soc_max_mwh,
                     b.soc_initial_mwh, b.reserve_mwh, b.degradation_gbp_per_mwh}) {
      CheckFinite(v, "a battery number");
    }
  }
  for (const gridpilot::assets::PeakerParams& p : config->peakers) {
    for (double v : {p.capacity_mw, p.min_stable_load_mw, p.ramp_rate_mw_per_min,
                     p.fuel_gbp_per_mwh, p.start_cost_gbp}) {
      CheckFinite(v, "a peaker number");
    }
    for (absl::Duration d : {p.start_up_time, p.min_up_time, p.min_down_time}) {
      CheckFinite(d, "a peaker duration");
    }
  }
  CheckFinite(config->live.noise_sd_mw, "live.noise_sd_mw");
  CheckFinite(config->live.random_events_per_hour, "live.random_events_per_hour");
  CheckFinite(config->live.noise_correlation, "live.noise_correlation_seconds");
  CheckFinite(config->live_ramp_window, "live.ramp_window_min");
  for (const gridpilot::data::FeedEvent& e : config->live.events) {
    CheckFinite(e.magnitude_mw, "live.events[].magnitude_mw");
    CheckFinite(e.duration, "live.events[].duration_min");
    CheckFinite(e.at, "live.events[].at");
  }
  for (const gridpilot::data::FalseDataInjection& f : config->false_data) {
    CheckFinite(f.ramp_mw_per_hour, "false_data[].ramp_mw_per_hour");
    CheckFinite(f.duration, "false_data[].duration_min");
    CheckFinite(f.from, "false_data[].from");
    if (!f.Validate().ok()) Fail("accepted a false_data entry that does not validate");
  }
  if (!gridpilot::region::RegionEngine::Validate(config->region, config->batteries, config->peakers)
           .ok()) {
    Fail("accepted a config the region engine refuses");
  }
  return 0;
}
