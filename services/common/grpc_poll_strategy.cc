#include "services/common/grpc_poll_strategy.h"

#include <cstdlib>

namespace gridpilot {

void SelectGrpcPollStrategy() {
  const char* chosen = std::getenv(kGrpcPollStrategyVariable);
  if (chosen != nullptr && chosen[0] != '\0') return;
  setenv(kGrpcPollStrategyVariable, kStackGrpcPollStrategy, /*overwrite=*/1);
}

}  // namespace gridpilot
