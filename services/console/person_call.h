// The console calls the stack as the signed-in person, not as itself (docs/decisions.md,
// "Approvals on the console and across gateway restarts"): each such call carries the
// session's bearer token, so the callee's role check and audit see the person, and the
// console's deadline. One place for what every *_access client sets on its context.
#ifndef GRIDPILOT_SERVICES_CONSOLE_PERSON_CALL_H_
#define GRIDPILOT_SERVICES_CONSOLE_PERSON_CALL_H_

#include <grpcpp/client_context.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace gridpilot {

// Sets `context` (fresh, one per call) to end `deadline` from now and to carry
// "authorization: Bearer <bearer_token>".
inline void PreparePersonCall(grpc::ClientContext& context, const std::string& bearer_token,
                              absl::Duration deadline) {
  context.set_deadline(absl::ToChronoTime(absl::Now() + deadline));
  context.AddMetadata("authorization", absl::StrCat("Bearer ", bearer_token));
}

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_CONSOLE_PERSON_CALL_H_
