#include "services/cli/stack_credentials.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "services/security/credentials_init.h"
#include "services/security/transport_credentials.h"

namespace gridpilot {

absl::Status PrepareStackCredentials(const std::string& given, StackOptions* options) {
  if (!given.empty()) {
    options->credentials_dir = std::filesystem::absolute(given).string();
  } else {
    options->credentials_dir = absl::StrCat(options->run_dir, "/credentials");
    std::error_code error;
    if (!std::filesystem::exists(absl::StrCat(options->credentials_dir, "/ca.pem"), error)) {
      absl::Status made = security::InitCredentials(options->credentials_dir);
      if (!made.ok()) return made;
    }
  }
  // A directory made before process tokens existed gets them now (the stack's Unix sockets
  // need them).
  absl::Status tokens = security::EnsureProcessTokens(options->credentials_dir);
  if (!tokens.ok()) return tokens;
  return security::InstallProcessIdentity(options->credentials_dir, "launcher");
}

}  // namespace gridpilot
