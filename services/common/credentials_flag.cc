#include "services/common/credentials_flag.h"

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "core/base/logging.h"
#include "services/common/server_runner.h"
#include "services/security/transport_credentials.h"

ABSL_FLAG(std::string, credentials, "",
          "credentials directory of the stack (`gridpilot credentials init`): serve TLS only, "
          "with mutual TLS and roles; empty = RUN_DIR/credentials if present");
ABSL_FLAG(bool, insecure, false,
          "without credentials, serve plaintext gRPC on loopback with no authentication "
          "(tests and development only); without this flag a process with no credentials "
          "refuses to start");
ABSL_FLAG(std::string, unix_socket, "",
          "also serve gRPC on this Unix domain socket (the launcher's stack: local "
          "credentials plus each process's token; the directory must be private)");

namespace gridpilot {

bool InstallCredentialsFromFlag(const std::string& identity, const std::string& run_dir) {
  const std::string dir =
      security::ResolveCredentialsDir(absl::GetFlag(FLAGS_credentials), run_dir);
  const bool insecure = absl::GetFlag(FLAGS_insecure);
  if (dir.empty() && !insecure) {
    base::LogError(absl::StrCat(
        identity, ": no credentials: give --credentials DIR (made by `gridpilot credentials ",
        "init DIR`)", run_dir.empty() ? "" : " or the --run_dir of a stack that has them",
        ", or --insecure to serve plaintext on loopback for a test"));
    return false;
  }
  if (!dir.empty() && insecure) {
    base::LogError("--insecure and credentials (" + dir + ") contradict each other: give one");
    return false;
  }
  if (insecure) {
    base::LogWarning(
        absl::StrCat(identity, ": --insecure: plaintext gRPC, no authentication, loopback only"));
  } else {
    const absl::Status installed = security::InstallProcessIdentity(dir, identity);
    if (!installed.ok()) {
      base::LogError(absl::StrCat("--credentials: ", installed.message()));
      return false;
    }
  }
  SetUnixSocketPath(absl::GetFlag(FLAGS_unix_socket));
  return true;
}

}  // namespace gridpilot
