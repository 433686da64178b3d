// ConsoleSessions: the console's login sessions. A person logs in once with their bearer
// token (checked against the stack's tokens.sha256); the console then keeps a session,
// named by a random id the browser holds in an HttpOnly cookie. Each session carries a
// CSRF token (a second random value the page sends in a header with every write), the
// role the token grants, and the token itself, which the console presents as the call
// credential of that person's writes so the stack's role check and audit see the person.
// Sessions end after an idle and an absolute lifetime, on logout, or when the table is full
// and they are the least recently used. Pure but for the random ids (OpenSSL's
// RAND_bytes): time comes in as an argument. docs/decisions.md, "Console sessions".
#ifndef GRIDPILOT_SERVICES_CONSOLE_CONSOLE_SESSIONS_H_
#define GRIDPILOT_SERVICES_CONSOLE_CONSOLE_SESSIONS_H_

#include <map>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace gridpilot {

struct ConsoleSession {
  std::string id;            // the cookie value: 64 hex digits from RAND_bytes
  std::string csrf_token;    // 64 hex digits from RAND_bytes, sent back in X-CSRF-Token
  std::string role;          // the role tokens.sha256 gives the person's token
  std::string bearer_token;  // the person's token: the call credential of their writes
  absl::Time created;
  absl::Time last_used;
};

struct SessionLimits {
  absl::Duration idle = absl::Minutes(30);    // ends after this long without a request
  absl::Duration absolute = absl::Hours(12);  // ends this long after login, used or not
  int max_sessions = 256;                     // the least recently used goes beyond this
};

class ConsoleSessions {
 public:
  // InvalidArgument if a limit is not positive or idle exceeds absolute.
  static absl::StatusOr<SessionLimits> CheckLimits(const SessionLimits& limits);

  // `limits` must have passed CheckLimits.
  explicit ConsoleSessions(SessionLimits limits);

  // A new session for `role` and `bearer_token`, logged in at `now`. Expired sessions are
  // dropped first; if the table is still full, the least recently used one ends. Internal
  // if the random generator fails. Thread-safe.
  absl::StatusOr<ConsoleSession> Create(const std::string& role, const std::string& bearer_token,
                                        absl::Time now);

  // The live session named `id`, marked used at `now`; nullopt (and the session dropped)
  // if it is unknown, idle longer than the idle lifetime or older than the absolute one.
  // The table is keyed by the SHA-256 of the id, so the look-up's timing says nothing
  // about stored ids. Thread-safe.
  std::optional<ConsoleSession> Find(absl::string_view id, absl::Time now);

  // Ends the session named `id` (logout); false if there was none. Thread-safe.
  bool End(absl::string_view id);

  int size() const;
  const SessionLimits& limits() const { return limits_; }

 private:
  bool Expired(const ConsoleSession& s, absl::Time now) const;
  void DropExpired(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const SessionLimits limits_;
  mutable absl::Mutex mu_;
  std::map<std::string, ConsoleSession> by_id_hash_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_CONSOLE_CONSOLE_SESSIONS_H_
