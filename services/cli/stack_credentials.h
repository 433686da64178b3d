// The credentials a launched stack uses: the directory given with --credentials, or
// RUN_DIR/credentials, made by InitCredentials on first use and reused afterwards (so a
// resumed run keeps its identities). The launcher itself then becomes the "launcher"
// process identity (role admin) for its own calls to the stack.
#ifndef GRIDPILOT_SERVICES_CLI_STACK_CREDENTIALS_H_
#define GRIDPILOT_SERVICES_CLI_STACK_CREDENTIALS_H_

#include <string>

#include "absl/status/status.h"
#include "services/cli/stack.h"

namespace gridpilot {

// Sets options->credentials_dir to `given` (made absolute) or to RUN_DIR/credentials
// (created if it holds no CA yet), adds any missing process token (EnsureProcessTokens)
// and installs the launcher's identity from it. InitCredentials', EnsureProcessTokens' and
// InstallProcessIdentity's errors.
absl::Status PrepareStackCredentials(const std::string& given, StackOptions* options);

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_CLI_STACK_CREDENTIALS_H_
