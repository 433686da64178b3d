// postgres_url: which --store is PostgreSQL, and the URL with its password redacted.
#include "services/gateway/postgres_url.h"

#include "gtest/gtest.h"

namespace gridpilot {
namespace {

TEST(PostgresUrlTest, TellsAUrlFromASqlitePath) {
  EXPECT_TRUE(IsPostgresUrl("postgresql://localhost/gridpilot"));
  EXPECT_TRUE(IsPostgresUrl("postgres://u@h:5432/db"));
  EXPECT_TRUE(IsPostgresUrl("PostgreSQL://h/db"));
  EXPECT_FALSE(IsPostgresUrl("gridpilot.sqlite"));
  EXPECT_FALSE(IsPostgresUrl("/tmp/postgresql/store.sqlite"));
  EXPECT_FALSE(IsPostgresUrl("mysql://h/db"));
}

TEST(PostgresUrlTest, RedactsThePasswordWhereverItIs) {
  const struct {
    const char* url;
    const char* redacted;
  } cases[] = {
      {"postgresql://gridpilot:s3cret@127.0.0.1:5432/grid",
       "postgresql://gridpilot:***@127.0.0.1:5432/grid"},
      {"postgresql://gridpilot@db.example/grid", "postgresql://gridpilot@db.example/grid"},
      {"postgresql://db.example/grid", "postgresql://db.example/grid"},
      {"postgres://u:p@ss@h/db", "postgres://u:***@h/db"},
      {"postgresql://u:pw@h", "postgresql://u:***@h"},
      {"postgresql://h/db?password=s3cret&sslmode=require",
       "postgresql://h/db?password=***&sslmode=require"},
      {"postgresql://u:a@h/db?sslmode=require&password=b",
       "postgresql://u:***@h/db?sslmode=require&password=***"},
      {"postgresql://h?password=x", "postgresql://h?password=***"},
      {"store.sqlite", "store.sqlite"},
  };
  for (const auto& c : cases) EXPECT_EQ(RedactPostgresUrl(c.url), c.redacted) << c.url;
}

TEST(PostgresUrlTest, SplitsThePasswordOffTheUrl) {
  PostgresUrlParts parts = SplitPostgresPassword("postgresql://grid:p%40ss%3Aw@h:5432/db");
  EXPECT_EQ(parts.url, "postgresql://grid@h:5432/db");
  EXPECT_EQ(parts.password, "p@ss:w");
  parts = SplitPostgresPassword("postgresql://h/db?sslmode=require&password=s3cret&x=1");
  EXPECT_EQ(parts.url, "postgresql://h/db?sslmode=require&x=1");
  EXPECT_EQ(parts.password, "s3cret");
  parts = SplitPostgresPassword("postgresql://h/db?password=s3cret");
  EXPECT_EQ(parts.url, "postgresql://h/db");
  parts = SplitPostgresPassword("postgresql://grid@h/db");
  EXPECT_EQ(parts.url, "postgresql://grid@h/db");
  EXPECT_EQ(parts.password, "");
  parts = SplitPostgresPassword("store.sqlite");
  EXPECT_EQ(parts.url, "store.sqlite");
  EXPECT_EQ(parts.password, "");
}

}  // namespace
}  // namespace gridpilot
