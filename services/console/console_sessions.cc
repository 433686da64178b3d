#include "services/console/console_sessions.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "services/security/token_table.h"

namespace gridpilot {

absl::StatusOr<SessionLimits> ConsoleSessions::CheckLimits(const SessionLimits& limits) {
  if (!(limits.idle > absl::ZeroDuration()) || !(limits.absolute > absl::ZeroDuration())) {
    return absl::InvalidArgumentError("session lifetimes must be positive");
  }
  if (limits.idle > limits.absolute) {
    return absl::InvalidArgumentError(
        absl::StrCat("session idle lifetime ", absl::FormatDuration(limits.idle),
                     " exceeds the absolute lifetime ", absl::FormatDuration(limits.absolute)));
  }
  if (limits.max_sessions < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("max sessions must be at least 1, not ", limits.max_sessions));
  }
  return limits;
}

ConsoleSessions::ConsoleSessions(SessionLimits limits) : limits_(limits) {}

bool ConsoleSessions::Expired(const ConsoleSession& s, absl::Time now) const {
  return now - s.last_used >= limits_.idle || now - s.created >= limits_.absolute;
}

void ConsoleSessions::DropExpired(absl::Time now) {
  for (auto it = by_id_hash_.begin(); it != by_id_hash_.end();) {
    it = Expired(it->second, now) ? by_id_hash_.erase(it) : std::next(it);
  }
}

absl::StatusOr<ConsoleSession> ConsoleSessions::Create(const std::string& role,
                                                       const std::string& bearer_token,
                                                       absl::Time now) {
  absl::StatusOr<std::string> id = security::NewBearerToken();
  if (!id.ok()) return id.status();
  absl::StatusOr<std::string> csrf = security::NewBearerToken();
  if (!csrf.ok()) return csrf.status();
  ConsoleSession session;
  session.id = *std::move(id);
  session.csrf_token = *std::move(csrf);
  session.role = role;
  session.bearer_token = bearer_token;
  session.created = now;
  session.last_used = now;
  absl::MutexLock lock(&mu_);
  DropExpired(now);
  while (static_cast<int>(by_id_hash_.size()) >= limits_.max_sessions) {
    auto oldest = by_id_hash_.begin();
    for (auto it = by_id_hash_.begin(); it != by_id_hash_.end(); ++it) {
      if (it->second.last_used < oldest->second.last_used) oldest = it;
    }
    by_id_hash_.erase(oldest);
  }
  by_id_hash_[security::Sha256Hex(session.id)] = session;
  return session;
}

std::optional<ConsoleSession> ConsoleSessions::Find(absl::string_view id, absl::Time now) {
  if (id.empty()) return std::nullopt;
  const std::string key = security::Sha256Hex(id);
  absl::MutexLock lock(&mu_);
  auto it = by_id_hash_.find(key);
  if (it == by_id_hash_.end()) return std::nullopt;
  if (Expired(it->second, now)) {
    by_id_hash_.erase(it);
    return std::nullopt;
  }
  it->second.last_used = now;
  return it->second;
}

bool ConsoleSessions::End(absl::string_view id) {
  const std::string key = security::Sha256Hex(id);
  absl::MutexLock lock(&mu_);
  return by_id_hash_.erase(key) > 0;
}

int ConsoleSessions::size() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(by_id_hash_.size());
}

}  // namespace gridpilot
