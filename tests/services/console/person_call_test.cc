// PreparePersonCall: the call carries the person's bearer token and the console's deadline.
#include "services/console/person_call.h"

#include <grpcpp/test/client_context_test_peer.h>

#include <chrono>
#include <map>
#include <string>
#include <utility>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gridpilot {
namespace {

TEST(PreparePersonCallTest, CarriesTheBearerTokenAndTheDeadline) {
  grpc::ClientContext context;
  const absl::Time before = absl::Now();
  PreparePersonCall(context, "tok-123", absl::Seconds(5));
  const absl::Time after = absl::Now();
  grpc::testing::ClientContextTestPeer peer(&context);
  EXPECT_THAT(peer.GetSendInitialMetadata(),
              ::testing::ElementsAre(
                  std::pair<const std::string, std::string>("authorization", "Bearer tok-123")));
  const absl::Time deadline = absl::FromChrono(context.deadline());
  EXPECT_GE(deadline, before + absl::Seconds(5));
  EXPECT_LE(deadline, after + absl::Seconds(5));
}

}  // namespace
}  // namespace gridpilot
