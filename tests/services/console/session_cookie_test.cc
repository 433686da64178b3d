// The session cookie's attributes, the clearing cookie, and reading the id back.
#include "services/console/session_cookie.h"

#include "gtest/gtest.h"

namespace gridpilot {
namespace {

TEST(SessionCookieTest, SetCookieCarriesTheAttributes) {
  EXPECT_EQ(SessionSetCookie("s", "abc", absl::Hours(12), false),
            "s=abc; Max-Age=43200; Path=/; HttpOnly; SameSite=Strict");
  EXPECT_EQ(SessionSetCookie("s", "abc", absl::Seconds(90.7), true),
            "s=abc; Max-Age=90; Path=/; HttpOnly; SameSite=Strict; Secure");
  EXPECT_EQ(ClearSessionCookie("s", true),
            "s=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict; Secure");
}

TEST(SessionCookieTest, ReadsTheNamedCookieOnly) {
  EXPECT_EQ(CookieValue("a=1; s=xyz; b=2", "s"), "xyz");
  EXPECT_EQ(CookieValue("s=xyz", "s"), "xyz");
  EXPECT_EQ(CookieValue("ss=1; s_x=2", "s"), "");
  EXPECT_EQ(CookieValue("", "s"), "");
  EXPECT_EQ(CookieValue("s=" + std::string(129, 'a'), "s"), "");
  EXPECT_EQ(CookieValue("s=" + std::string(128, 'a'), "s"), std::string(128, 'a'));
}

}  // namespace
}  // namespace gridpilot
