#include "core/advice/shift_windows.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace gridpilot::advice {
namespace {

std::string Clock(int half_hour) {
  return absl::StrFormat("%02d:%02d", half_hour / 2, half_hour % 2 * 30);
}

double Sum(const std::vector<TimeWindow>& windows) {
  double total = 0.0;
  for (const TimeWindow& w : windows) total += w.energy;
  return total;
}

std::string Amount(double energy) {
  if (energy >= 100) return absl::StrFormat("%.0f", energy);
  if (energy >= 10) return absl::StrFormat("%.1f", energy);
  return absl::StrFormat("%.2f", energy);
}

}  // namespace

std::string TimeWindow::Text() const {
  return absl::StrCat(Clock(first_half_hour), "-", Clock(end_half_hour));
}

std::vector<TimeWindow> Windows(const std::vector<double>& power_per_half_hour) {
  double largest = 0.0;
  for (double p : power_per_half_hour) largest = std::max(largest, p);
  const double threshold = largest * 1e-9;
  std::vector<TimeWindow> windows;
  for (int i = 0; i < static_cast<int>(power_per_half_hour.size()); ++i) {
    const double p = power_per_half_hour[i];
    if (!(p > threshold)) continue;
    if (!windows.empty() && windows.back().end_half_hour == i) {
      windows.back().end_half_hour = i + 1;
      windows.back().energy += p * 0.5;
    } else {
      windows.push_back({i, i + 1, p * 0.5});
    }
  }
  return windows;
}

std::string ShiftSentence(const std::vector<TimeWindow>& from, const std::vector<TimeWindow>& to,
                          std::string_view energy_unit) {
  if (from.empty() || to.empty()) return "no peak above the limit: nothing to move";
  auto text = [](std::string* out, const TimeWindow& w) { out->append(w.Text()); };
  return absl::StrCat("move ", Amount(Sum(from)), " ", std::string(energy_unit),
                      " of flexible load from ", absl::StrJoin(from, ", ", text), " to ",
                      absl::StrJoin(to, ", ", text));
}

}  // namespace gridpilot::advice
