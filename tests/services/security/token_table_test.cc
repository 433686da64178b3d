// Bearer tokens: stored as SHA-256 only, looked up by hashing the presented token, and a
// malformed table is refused with the line that is wrong.
#include "services/security/token_table.h"

#include <gtest/gtest.h>

namespace gridpilot::security {
namespace {

TEST(TokenTableTest, Sha256OfKnownInput) {
  // FIPS 180-2's "abc" test vector.
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(TokenTableTest, TokensAreFreshAndHex) {
  absl::StatusOr<std::string> a = NewBearerToken();
  absl::StatusOr<std::string> b = NewBearerToken();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->size(), 64u);
  EXPECT_NE(*a, *b);
}

TEST(TokenTableTest, LooksUpRoleByHash) {
  const std::string content =
      "# comment\nviewer " + Sha256Hex("v-token") + "\noperator " + Sha256Hex("o-token") + "\n";
  absl::StatusOr<TokenTable> table = TokenTable::Parse(content, "tokens.sha256");
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_EQ(table->RoleOf("v-token"), "viewer");
  EXPECT_EQ(table->RoleOf("o-token"), "operator");
  EXPECT_EQ(table->RoleOf("o-token "), std::nullopt);
  EXPECT_EQ(table->RoleOf(Sha256Hex("o-token")), std::nullopt);  // the hash is not a token
}

TEST(TokenTableTest, MalformedLinesNameTheLine) {
  absl::StatusOr<TokenTable> unknown_role =
      TokenTable::Parse("\nroot " + Sha256Hex("x") + "\n", "t");
  EXPECT_EQ(unknown_role.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(unknown_role.status().message().find("t:2: unknown role \"root\""), std::string::npos)
      << unknown_role.status();
  absl::StatusOr<TokenTable> short_hash = TokenTable::Parse("viewer abc\n", "t");
  EXPECT_NE(short_hash.status().message().find("t:1:"), std::string::npos);
  absl::StatusOr<TokenTable> one_field = TokenTable::Parse("viewer\n", "t");
  EXPECT_EQ(one_field.status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace gridpilot::security
