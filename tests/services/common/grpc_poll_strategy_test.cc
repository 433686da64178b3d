#include "services/common/grpc_poll_strategy.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace gridpilot {
namespace {

std::string Chosen() {
  const char* value = std::getenv(kGrpcPollStrategyVariable);
  return value == nullptr ? "(unset)" : value;
}

TEST(GrpcPollStrategyTest, ChoosesPollWhereTheEnvironmentNamesNone) {
  unsetenv(kGrpcPollStrategyVariable);
  SelectGrpcPollStrategy();
  EXPECT_EQ(Chosen(), "poll");

  setenv(kGrpcPollStrategyVariable, "", 1);  // set but empty names none either
  SelectGrpcPollStrategy();
  EXPECT_EQ(Chosen(), "poll");
}

TEST(GrpcPollStrategyTest, LeavesAnOperatorsChoiceAlone) {
  setenv(kGrpcPollStrategyVariable, "epoll1", 1);
  SelectGrpcPollStrategy();
  EXPECT_EQ(Chosen(), "epoll1");
  unsetenv(kGrpcPollStrategyVariable);
}

}  // namespace
}  // namespace gridpilot
