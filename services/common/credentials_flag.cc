#include "services/common/credentials_flag.h"

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "core/base/logging.h"
#include "services/security/transport_credentials.h"

ABSL_FLAG(std::string, credentials, "",
          "credentials directory of the stack (`gridpilot credentials init`): serve TLS only, "
          "with mutual TLS and roles; empty = RUN_DIR/credentials if present, else plaintext");

namespace gridpilot {

bool InstallCredentialsFromFlag(const std::string& identity, const std::string& run_dir) {
  const std::string dir =
      security::ResolveCredentialsDir(absl::GetFlag(FLAGS_credentials), run_dir);
  if (dir.empty()) return true;
  const absl::Status installed = security::InstallProcessIdentity(dir, identity);
  if (installed.ok()) return true;
  base::LogError(absl::StrCat("--credentials: ", installed.message()));
  return false;
}

}  // namespace gridpilot
