#include "services/gateway/plan_numbers.h"

#include <charconv>
#include <cmath>

#include "absl/strings/str_format.h"

namespace gridpilot {

std::string CompactNumbers(const std::vector<double>& values) {
  std::string out;
  out.reserve(values.size() * 8);
  char buffer[400];  // %.1f of the largest finite double is 311 characters
  for (double v : values) {
    if (!out.empty()) out += ' ';
    if (!std::isfinite(v)) {
      out += absl::StrFormat("%.1f", v);  // printf's own spelling of nan and inf
      continue;
    }
    // std::to_chars with a precision rounds the exact value as printf does.
    const std::to_chars_result written =
        std::to_chars(buffer, buffer + sizeof(buffer), v, std::chars_format::fixed, 1);
    out.append(buffer, written.ptr);
  }
  return out;
}

}  // namespace gridpilot
