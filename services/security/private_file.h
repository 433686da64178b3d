// Private credential files (keys and bearer tokens): written 0600, and refused on read
// when group or others may read them, as ssh refuses a private key that others can read.
// docs/decisions.md, "Identities, TLS and roles".
#ifndef GRIDPILOT_SERVICES_SECURITY_PRIVATE_FILE_H_
#define GRIDPILOT_SERVICES_SECURITY_PRIVATE_FILE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace gridpilot::security {

// The whole content of the private file at `path`. NotFound if it is missing;
// PermissionDenied (naming the file and its mode) if group or others have any access to
// it; Unavailable if it cannot be read.
absl::StatusOr<std::string> ReadPrivateFile(const std::string& path);

// Writes `content` to `path`, created (or truncated) with mode 0600, and forces the mode
// to 0600 even if the file existed with a wider one. Unavailable naming the file on failure.
absl::Status WritePrivateFile(const std::string& path, const std::string& content);

// The whole content of a non-secret file (a certificate). NotFound / Unavailable as above.
absl::StatusOr<std::string> ReadPublicFile(const std::string& path);

}  // namespace gridpilot::security

#endif  // GRIDPILOT_SERVICES_SECURITY_PRIVATE_FILE_H_
