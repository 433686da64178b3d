// The server side of bearer tokens: the SHA-256 of each token and the role it carries,
// read from `tokens.sha256` in a credentials directory (one "<role> <sha256 hex>" line per
// token). The tokens themselves are never stored on the server side; a presented token is
// hashed and looked up. A line "process:<identity> <sha256 hex>" is the token of one of
// gridpilot's own processes, which it presents over the stack's Unix sockets instead of
// its certificate. docs/decisions.md, "Identities, TLS and roles" and "Unix sockets for
// the local stack".
#ifndef GRIDPILOT_SERVICES_SECURITY_TOKEN_TABLE_H_
#define GRIDPILOT_SERVICES_SECURITY_TOKEN_TABLE_H_

#include <map>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/security/roles.h"

namespace gridpilot::security {

// Lowercase hex SHA-256 of `data` (OpenSSL's EVP digest).
std::string Sha256Hex(absl::string_view data);

// A fresh bearer token: 32 bytes from OpenSSL's RAND_bytes, as 64 hex digits.
// Internal if the random generator fails.
absl::StatusOr<std::string> NewBearerToken();

class TokenTable {
 public:
  // Parses the "<role> <sha256 hex>" and "process:<identity> <sha256 hex>" lines of
  // `content`; `source` names it in errors ("tokens.sha256:3: ..."). InvalidArgument for a
  // malformed line, an unknown role or an unknown process identity.
  static absl::StatusOr<TokenTable> Parse(absl::string_view content, absl::string_view source);
  // Reads and parses the private file at `path` (ReadPrivateFile's errors, then Parse's).
  static absl::StatusOr<TokenTable> Load(const std::string& path);

  // The role of `token`, or nullopt if no stored hash matches it.
  std::optional<std::string> RoleOf(absl::string_view token) const;

  // The caller `token` names, or nullopt if no stored hash matches it: a person's token
  // gives {role, role}; a process token gives {identity, RoleOfProcess(identity)}, the
  // same caller as that process's certificate.
  std::optional<Caller> CallerOf(absl::string_view token) const;

 private:
  std::map<std::string, Caller> caller_by_hash_;
};

}  // namespace gridpilot::security

#endif  // GRIDPILOT_SERVICES_SECURITY_TOKEN_TABLE_H_
