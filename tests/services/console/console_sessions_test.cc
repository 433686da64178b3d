// ConsoleSessions: random ids and CSRF tokens, the idle and absolute lifetimes, the bound
// on the table (least recently used out first), logout, and limits checked.
#include "services/console/console_sessions.h"

#include <set>

#include "gtest/gtest.h"

namespace gridpilot {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1780000000);

SessionLimits Limits(absl::Duration idle, absl::Duration absolute, int max_sessions) {
  SessionLimits limits;
  limits.idle = idle;
  limits.absolute = absolute;
  limits.max_sessions = max_sessions;
  return limits;
}

TEST(ConsoleSessionsTest, ANewSessionHasRandomIdAndCsrfTokenAndIsFound) {
  ConsoleSessions sessions(SessionLimits{});
  std::set<std::string> seen;
  for (int i = 0; i < 20; ++i) {
    absl::StatusOr<ConsoleSession> s = sessions.Create("operator", "tok", kT0);
    ASSERT_TRUE(s.ok()) << s.status();
    EXPECT_EQ(s->id.size(), 64u);
    EXPECT_EQ(s->csrf_token.size(), 64u);
    EXPECT_NE(s->id, s->csrf_token);
    EXPECT_TRUE(seen.insert(s->id).second);
    EXPECT_TRUE(seen.insert(s->csrf_token).second);
  }
  absl::StatusOr<ConsoleSession> s = sessions.Create("viewer", "viewer-token", kT0);
  ASSERT_TRUE(s.ok());
  std::optional<ConsoleSession> found = sessions.Find(s->id, kT0 + absl::Minutes(1));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->role, "viewer");
  EXPECT_EQ(found->bearer_token, "viewer-token");
  EXPECT_EQ(found->csrf_token, s->csrf_token);
  EXPECT_FALSE(sessions.Find("", kT0).has_value());
  EXPECT_FALSE(sessions.Find(std::string(64, '0'), kT0).has_value());
  EXPECT_FALSE(sessions.Find(s->csrf_token, kT0).has_value());
}

TEST(ConsoleSessionsTest, IdleLifetimeEndsAnUnusedSessionAndUseExtendsIt) {
  ConsoleSessions sessions(Limits(absl::Minutes(30), absl::Hours(12), 8));
  const std::string used = sessions.Create("operator", "t", kT0)->id;
  const std::string unused = sessions.Create("operator", "t", kT0)->id;
  for (int minute = 20; minute <= 200; minute += 20) {
    EXPECT_TRUE(sessions.Find(used, kT0 + absl::Minutes(minute)).has_value()) << minute;
  }
  EXPECT_FALSE(sessions.Find(unused, kT0 + absl::Minutes(30)).has_value());
  // Gone for good, not only for that moment.
  EXPECT_FALSE(sessions.Find(unused, kT0 + absl::Minutes(1)).has_value());
}

TEST(ConsoleSessionsTest, AbsoluteLifetimeEndsEvenABusySession) {
  ConsoleSessions sessions(Limits(absl::Minutes(30), absl::Hours(2), 8));
  const std::string id = sessions.Create("operator", "t", kT0)->id;
  absl::Time t = kT0;
  while (t + absl::Minutes(10) < kT0 + absl::Hours(2)) {
    t += absl::Minutes(10);
    ASSERT_TRUE(sessions.Find(id, t).has_value()) << t;
  }
  EXPECT_FALSE(sessions.Find(id, kT0 + absl::Hours(2)).has_value());
}

TEST(ConsoleSessionsTest, TheTableIsBoundedAndDropsTheLeastRecentlyUsed) {
  ConsoleSessions sessions(Limits(absl::Minutes(30), absl::Hours(12), 3));
  const std::string a = sessions.Create("operator", "a", kT0)->id;
  const std::string b = sessions.Create("operator", "b", kT0 + absl::Seconds(1))->id;
  const std::string c = sessions.Create("operator", "c", kT0 + absl::Seconds(2))->id;
  ASSERT_TRUE(sessions.Find(a, kT0 + absl::Seconds(3)).has_value());  // b is now the stalest
  const std::string d = sessions.Create("operator", "d", kT0 + absl::Seconds(4))->id;
  EXPECT_EQ(sessions.size(), 3);
  EXPECT_FALSE(sessions.Find(b, kT0 + absl::Seconds(5)).has_value());
  for (const std::string& id : {a, c, d}) {
    EXPECT_TRUE(sessions.Find(id, kT0 + absl::Seconds(5)).has_value());
  }
  // Many more logins never grow it.
  for (int i = 0; i < 100; ++i)
    ASSERT_TRUE(sessions.Create("viewer", "v", kT0 + absl::Seconds(6)).ok());
  EXPECT_EQ(sessions.size(), 3);
}

TEST(ConsoleSessionsTest, ExpiredSessionsAreDroppedBeforeTheLeastRecentlyUsedIsEvicted) {
  ConsoleSessions sessions(Limits(absl::Minutes(30), absl::Hours(12), 2));
  const std::string stale = sessions.Create("viewer", "s", kT0)->id;
  const std::string live = sessions.Create("operator", "l", kT0 + absl::Minutes(20))->id;
  ASSERT_TRUE(sessions.Create("operator", "n", kT0 + absl::Minutes(35)).ok());
  EXPECT_TRUE(sessions.Find(live, kT0 + absl::Minutes(36)).has_value());
  EXPECT_FALSE(sessions.Find(stale, kT0 + absl::Minutes(36)).has_value());
}

TEST(ConsoleSessionsTest, LogoutEndsTheSession) {
  ConsoleSessions sessions(SessionLimits{});
  const std::string id = sessions.Create("operator", "t", kT0)->id;
  EXPECT_TRUE(sessions.End(id));
  EXPECT_FALSE(sessions.End(id));
  EXPECT_FALSE(sessions.Find(id, kT0).has_value());
  EXPECT_EQ(sessions.size(), 0);
}

TEST(ConsoleSessionsTest, LimitsAreChecked) {
  EXPECT_TRUE(ConsoleSessions::CheckLimits(SessionLimits{}).ok());
  EXPECT_FALSE(ConsoleSessions::CheckLimits(Limits(absl::ZeroDuration(), absl::Hours(1), 1)).ok());
  EXPECT_FALSE(ConsoleSessions::CheckLimits(Limits(absl::Hours(2), absl::Hours(1), 1)).ok());
  EXPECT_FALSE(ConsoleSessions::CheckLimits(Limits(absl::Minutes(1), absl::Hours(1), 0)).ok());
}

}  // namespace
}  // namespace gridpilot
