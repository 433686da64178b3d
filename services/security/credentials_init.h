// `gridpilot credentials init DIR`: a fresh credentials directory for one stack, as
// transport_credentials.h lays it out. Certificates and keys are made by the `openssl`
// command (Debian's OpenSSL; no crypto here): an EC P-256 CA valid 10 years, and for each
// process an EC P-256 key and a certificate the CA signs, valid 825 days, with
// CN = the process name, SAN = DNS:localhost, DNS:<name> (its compose service name),
// IP:127.0.0.1 and URI:gridpilot:<name>, for
// both server and client authentication. Bearer tokens come from OpenSSL's RAND_bytes:
// one per person or tool role, and one per process (`<process>.process-token`), which a
// process presents instead of its certificate over the stack's Unix sockets, where there
// is no TLS (docs/decisions.md, "Unix sockets for the local stack").
#ifndef GRIDPILOT_SERVICES_SECURITY_CREDENTIALS_INIT_H_
#define GRIDPILOT_SERVICES_SECURITY_CREDENTIALS_INIT_H_

#include <string>

#include "absl/status/status.h"

namespace gridpilot::security {

// Creates `dir` (mode 0700) and writes the CA, every ProcessIdentities() certificate, key
// and process token, every PersonRoles() token and tokens.sha256. Keys and tokens are 0600.
// AlreadyExists if `dir` already holds a ca.pem (never overwrites a stack's credentials);
// Unavailable naming the step if openssl fails or a file cannot be written.
absl::Status InitCredentials(const std::string& dir);

// Adds a process token for each ProcessIdentities() member that has no
// `<process>.process-token` in `dir` yet (a directory made before process tokens existed),
// appending its hash to tokens.sha256; does nothing when all are there. ReadPrivateFile's
// errors for tokens.sha256; Unavailable if a file cannot be written.
absl::Status EnsureProcessTokens(const std::string& dir);

}  // namespace gridpilot::security

#endif  // GRIDPILOT_SERVICES_SECURITY_CREDENTIALS_INIT_H_
