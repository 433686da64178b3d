// A handler called with no real call (the fuzz target passes a null ServerContext) has no
// authenticated caller and must not dereference anything.
#include "services/security/authenticated_caller.h"

#include <gtest/gtest.h>

namespace gridpilot::security {
namespace {

TEST(AuthenticatedCallerTest, NoCallHasNoCaller) {
  EXPECT_EQ(AuthenticatedCaller(nullptr), std::nullopt);
  grpc::ServerContext detached;
  EXPECT_EQ(AuthenticatedCaller(&detached), std::nullopt);
}

}  // namespace
}  // namespace gridpilot::security
