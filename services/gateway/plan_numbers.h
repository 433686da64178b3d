// How the stores write a plan's per-interval columns (power, price forecast) as text:
// "12.5 -3.0 0.0", each value as printf's "%.1f" writes it (rounded to the nearest tenth
// from its exact binary value, ties to even; "-0.0" for small negatives; "nan", "inf"),
// space-separated. About 600 bytes for the trader's 48 intervals.
#ifndef GRIDPILOT_SERVICES_GATEWAY_PLAN_NUMBERS_H_
#define GRIDPILOT_SERVICES_GATEWAY_PLAN_NUMBERS_H_

#include <string>
#include <vector>

namespace gridpilot {

// The text of `values`; "" for none. Byte for byte what joining absl::StrFormat("%.1f", v)
// with single spaces gives, without a format call per value (a plan is stored every tick).
std::string CompactNumbers(const std::vector<double>& values);

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_GATEWAY_PLAN_NUMBERS_H_
