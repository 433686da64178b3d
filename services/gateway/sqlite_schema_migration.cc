#include "services/gateway/sqlite_schema_migration.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "services/security/roles.h"

namespace gridpilot {
namespace {

absl::Status Exec(sqlite3* db, const std::string& sql) {
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  if (rc == SQLITE_OK) return absl::OkStatus();
  const std::string text = absl::StrCat("sqlite: schema migration: ", error ? error : "unknown");
  sqlite3_free(error);
  if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) return absl::UnavailableError(text);
  return absl::InternalError(text);
}

// The first column of the first row of `sql`, as an integer.
absl::Status QueryInt(sqlite3* db, const std::string& sql, int64_t* out) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    return absl::InternalError(absl::StrCat("sqlite: schema migration: ", sqlite3_errmsg(db)));
  }
  const int rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW) *out = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  if (rc != SQLITE_ROW) {
    return absl::InternalError(absl::StrCat("sqlite: schema migration: ", sqlite3_errmsg(db)));
  }
  return absl::OkStatus();
}

// SQL quoting of a name from the role table (letters, digits and '-' only).
std::string Quoted(const std::string& text) { return absl::StrCat("'", text, "'"); }

// "CASE agent WHEN 'trader' THEN 'trader' ... ELSE '' END", from the role table.
std::string RoleOfAgentSql() {
  std::string sql = "CASE agent";
  for (const std::string& process : security::ProcessIdentities()) {
    absl::StrAppend(&sql, " WHEN ", Quoted(process), " THEN ", Quoted(RoleOfStoredAgent(process)));
  }
  for (const std::string& role : security::PersonRoles()) {
    if (security::RoleOfProcess(role).has_value()) continue;  // listed above
    absl::StrAppend(&sql, " WHEN ", Quoted(role), " THEN ", Quoted(role));
  }
  return absl::StrCat(sql, " ELSE '' END");
}

absl::Status AddRoleColumn(sqlite3* db, const char* table) {
  int64_t has_role = 0;
  absl::Status counted = QueryInt(
      db, absl::StrCat("SELECT COUNT(*) FROM pragma_table_info('", table, "') WHERE name = 'role'"),
      &has_role);
  if (!counted.ok()) return counted;
  if (has_role > 0) return absl::OkStatus();
  return Exec(db, absl::StrCat("ALTER TABLE ", table, " ADD COLUMN role TEXT NOT NULL DEFAULT ''; ",
                               "UPDATE ", table, " SET role = ", RoleOfAgentSql(), ";"));
}

// Version 4: one row per (run_id, source, sequence), the first stored of each.
constexpr char kKeyTelemetrySamples[] = R"sql(
DELETE FROM telemetry_samples WHERE rowid NOT IN (
  SELECT MIN(rowid) FROM telemetry_samples GROUP BY run_id, source, sequence);
CREATE UNIQUE INDEX IF NOT EXISTS telemetry_samples_key
  ON telemetry_samples (run_id, source, sequence);
)sql";

}  // namespace

std::string RoleOfStoredAgent(const std::string& agent) {
  if (const std::optional<std::string> role = security::RoleOfProcess(agent)) return *role;
  if (security::IsPersonRole(agent)) return agent;
  return "";
}

absl::Status MigrateSqliteSchema(sqlite3* db) {
  int64_t version = 0;
  if (absl::Status read = QueryInt(db, "PRAGMA user_version", &version); !read.ok()) return read;
  if (version == kSqliteSchemaVersion) return absl::OkStatus();
  if (version > kSqliteSchemaVersion) {
    return absl::FailedPreconditionError(
        absl::StrCat("store: schema version ", version, " is newer than this gateway's ",
                     kSqliteSchemaVersion, "; use the gridpilot that wrote it"));
  }
  if (absl::Status begun = Exec(db, "BEGIN IMMEDIATE"); !begun.ok()) return begun;
  absl::Status migrated = AddRoleColumn(db, "proposals");
  if (migrated.ok()) migrated = AddRoleColumn(db, "decisions");
  if (migrated.ok()) migrated = Exec(db, kKeyTelemetrySamples);
  if (migrated.ok()) {
    migrated = Exec(db, absl::StrCat("PRAGMA user_version = ", kSqliteSchemaVersion, "; COMMIT"));
  }
  if (!migrated.ok() && sqlite3_get_autocommit(db) == 0) Exec(db, "ROLLBACK").IgnoreError();
  return migrated;
}

}  // namespace gridpilot
