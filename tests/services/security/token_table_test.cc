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

TEST(TokenTableTest, AProcessTokenNamesItsProcessWithItsCertificatesRole) {
  const std::string content = "viewer " + Sha256Hex("v-token") + "\nprocess:trader " +
                              Sha256Hex("t-token") + "\nprocess:forecast " + Sha256Hex("f-token") +
                              "\n";
  absl::StatusOr<TokenTable> table = TokenTable::Parse(content, "tokens.sha256");
  ASSERT_TRUE(table.ok()) << table.status();
  std::optional<Caller> trader = table->CallerOf("t-token");
  ASSERT_TRUE(trader.has_value());
  EXPECT_EQ(trader->identity, "trader");
  EXPECT_EQ(trader->role, "trader");
  std::optional<Caller> forecast = table->CallerOf("f-token");
  ASSERT_TRUE(forecast.has_value());
  EXPECT_EQ(forecast->identity, "forecast");
  EXPECT_EQ(forecast->role, "viewer");
  std::optional<Caller> viewer = table->CallerOf("v-token");
  ASSERT_TRUE(viewer.has_value());
  EXPECT_EQ(viewer->identity, "viewer");
  EXPECT_EQ(table->CallerOf("x-token"), std::nullopt);
}

TEST(TokenTableTest, AnUnknownProcessIsRefusedWithItsLine) {
  absl::StatusOr<TokenTable> table = TokenTable::Parse(
      "viewer " + Sha256Hex("v") + "\nprocess:mallory " + Sha256Hex("m"), "tokens.sha256");
  EXPECT_EQ(table.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(table.status().message().find("tokens.sha256:2"), absl::string_view::npos);
  EXPECT_NE(table.status().message().find("mallory"), absl::string_view::npos);
}

}  // namespace
}  // namespace gridpilot::security
