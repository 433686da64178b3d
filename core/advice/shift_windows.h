// The readable form of a plan: runs of consecutive half-hours that give up (or take in)
// load, each with its energy, and the one-line advice built from them, such as
// "move 1.8 kWh of flexible load from 17:00-19:30 to 01:00-03:30".
#ifndef GRIDPILOT_CORE_ADVICE_SHIFT_WINDOWS_H_
#define GRIDPILOT_CORE_ADVICE_SHIFT_WINDOWS_H_

#include <string>
#include <string_view>
#include <vector>

namespace gridpilot::advice {

struct TimeWindow {
  int first_half_hour = 0;  // index in the day, 0 = 00:00-00:30
  int end_half_hour = 0;    // one past the last, so 48 ends at 24:00
  double energy = 0.0;      // unit-hours in the window (sum of power * 0.5 h)

  std::string Text() const;  // "17:00-19:30"
};

// Runs of consecutive half-hours whose power exceeds a negligible 1e-9 of the largest.
std::vector<TimeWindow> Windows(const std::vector<double>& power_per_half_hour);

// "move 1.8 kWh of flexible load from 17:00-19:30 to 01:00-03:30" (windows joined by
// ", "), or "no peak above the limit: nothing to move". `energy_unit` is "kWh" or "MWh".
std::string ShiftSentence(const std::vector<TimeWindow>& from, const std::vector<TimeWindow>& to,
                          std::string_view energy_unit);

}  // namespace gridpilot::advice

#endif  // GRIDPILOT_CORE_ADVICE_SHIFT_WINDOWS_H_
