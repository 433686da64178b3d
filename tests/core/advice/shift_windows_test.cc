#include "core/advice/shift_windows.h"

#include <vector>

#include "gtest/gtest.h"

namespace gridpilot::advice {
namespace {

TEST(ShiftWindowsTest, GroupsConsecutiveHalfHours) {
  std::vector<double> power(48, 0.0);
  power[2] = power[3] = 1.0;  // 01:00-02:00, 1 unit-hour
  power[47] = 4.0;            // 23:30-24:00, 2 unit-hours
  const std::vector<TimeWindow> w = Windows(power);
  ASSERT_EQ(w.size(), 2u);
  EXPECT_EQ(w[0].Text(), "01:00-02:00");
  EXPECT_DOUBLE_EQ(w[0].energy, 1.0);
  EXPECT_EQ(w[1].Text(), "23:30-24:00");
  EXPECT_DOUBLE_EQ(w[1].energy, 2.0);
}

TEST(ShiftWindowsTest, WritesTheSentence) {
  const std::vector<TimeWindow> from = {{34, 39, 1.8}};
  const std::vector<TimeWindow> to = {{2, 7, 1.8}};
  EXPECT_EQ(ShiftSentence(from, to, "kWh"),
            "move 1.80 kWh of flexible load from 17:00-19:30 to 01:00-03:30");
  EXPECT_EQ(ShiftSentence({{34, 36, 1234.4}}, {{0, 2, 1234.4}, {4, 5, 0}}, "MWh"),
            "move 1234 MWh of flexible load from 17:00-18:00 to 00:00-01:00, 02:00-02:30");
  EXPECT_EQ(ShiftSentence({}, {}, "kWh"), "no peak above the limit: nothing to move");
}

}  // namespace
}  // namespace gridpilot::advice
