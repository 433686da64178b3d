// The CSRF guard: the constant-time compare, the synchronizer token (missing, wrong,
// another session's, right) and the same-origin check on Origin and Sec-Fetch-Site.
#include "services/console/csrf_guard.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gridpilot {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(ConstantTimeEqualsTest, EqualOnlyForTheSameBytes) {
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_TRUE(ConstantTimeEquals("abc123", "abc123"));
  EXPECT_FALSE(ConstantTimeEquals("abc123", "abc124"));
  EXPECT_FALSE(ConstantTimeEquals("abc123", "bbc123"));
  EXPECT_FALSE(ConstantTimeEquals("abc123", "abc12"));
  EXPECT_FALSE(ConstantTimeEquals("abc", ""));
  const std::string with_nul("ab\0c", 4);
  EXPECT_FALSE(ConstantTimeEquals(with_nul, std::string("ab\0d", 4)));
  EXPECT_TRUE(ConstantTimeEquals(with_nul, std::string("ab\0c", 4)));
}

ConsoleSession Session(const std::string& csrf) {
  ConsoleSession s;
  s.id = std::string(64, 'a');
  s.csrf_token = csrf;
  s.role = "operator";
  return s;
}

RequestOrigin SameOrigin() { return {"127.0.0.1:8080", "http://127.0.0.1:8080", "same-origin"}; }

TEST(CheckWriteRequestTest, NeedsTheSessionsOwnToken) {
  const std::string token(64, '7');
  const ConsoleSession session = Session(token);
  EXPECT_TRUE(CheckWriteRequest(session, token, SameOrigin(), false).ok());

  absl::Status missing = CheckWriteRequest(session, "", SameOrigin(), false);
  EXPECT_EQ(missing.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(missing.message(), HasSubstr("missing X-CSRF-Token"));

  std::string wrong = token;
  wrong.back() = '8';
  absl::Status mismatch = CheckWriteRequest(session, wrong, SameOrigin(), false);
  EXPECT_EQ(mismatch.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(mismatch.message(), HasSubstr("does not match"));
  EXPECT_THAT(mismatch.message(), Not(HasSubstr(token)));
  EXPECT_THAT(mismatch.message(), Not(HasSubstr(wrong)));
  // Another session's token is as wrong as any other.
  EXPECT_FALSE(CheckWriteRequest(session, std::string(64, '9'), SameOrigin(), false).ok());
  EXPECT_FALSE(CheckWriteRequest(session, token.substr(0, 63), SameOrigin(), false).ok());
}

TEST(CheckWriteRequestTest, RefusesCrossOriginEvenWithTheRightToken) {
  const std::string token(64, '7');
  const ConsoleSession session = Session(token);
  RequestOrigin sibling = SameOrigin();
  sibling.sec_fetch_site = "same-site";  // another port on the same host is same-site
  EXPECT_THAT(CheckWriteRequest(session, token, sibling, false).message(),
              HasSubstr("Sec-Fetch-Site: same-site"));
  RequestOrigin other = SameOrigin();
  other.origin = "http://127.0.0.1:9999";
  EXPECT_THAT(CheckWriteRequest(session, token, other, false).message(),
              HasSubstr("Origin http://127.0.0.1:9999 is not http://127.0.0.1:8080"));
  // Under HTTPS the own origin is https://.
  EXPECT_FALSE(CheckWriteRequest(session, token, SameOrigin(), true).ok());
  RequestOrigin secure = SameOrigin();
  secure.origin = "https://127.0.0.1:8080";
  EXPECT_TRUE(CheckWriteRequest(session, token, secure, true).ok());
}

TEST(CheckSameOriginTest, AbsentHeadersPassAndATypedRequestPasses) {
  EXPECT_TRUE(CheckSameOrigin({"127.0.0.1:8080", "", ""}, false).ok());
  EXPECT_TRUE(CheckSameOrigin({"127.0.0.1:8080", "", "none"}, false).ok());
  EXPECT_FALSE(CheckSameOrigin({"127.0.0.1:8080", "", "cross-site"}, false).ok());
  EXPECT_FALSE(CheckSameOrigin({"", "http://127.0.0.1:8080", ""}, false).ok());
  EXPECT_FALSE(CheckSameOrigin({"127.0.0.1:8080", "null", ""}, false).ok());
}

}  // namespace
}  // namespace gridpilot
