// The transport flags every gridpilot process takes. --credentials DIR: the credentials
// directory of its stack (`gridpilot credentials init`), from which it installs its TLS
// identity (services/security/transport_credentials.h). Without it a process that knows its
// run directory uses RUN_DIR/credentials when that holds a CA; otherwise it refuses to
// start unless given --insecure (plaintext, loopback only, logged as a warning): no process
// serves plaintext by accident. --unix_socket PATH: its server also listens there
// (server_runner.h, SetUnixSocketPath), as the launcher's stack does.
#ifndef GRIDPILOT_SERVICES_COMMON_CREDENTIALS_FLAG_H_
#define GRIDPILOT_SERVICES_COMMON_CREDENTIALS_FLAG_H_

#include <string>

namespace gridpilot {

// Installs `identity`'s certificate from --credentials, else from `run_dir`/credentials if
// it holds a ca.pem, else nothing if --insecure; then sets the --unix_socket. Call once,
// after absl::ParseCommandLine and before any server or channel. Returns false after
// logging the error (no credentials and no --insecure, both, a missing file, or a key
// others can read) so that main can exit 2.
bool InstallCredentialsFromFlag(const std::string& identity, const std::string& run_dir = "");

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_COMMON_CREDENTIALS_FLAG_H_
