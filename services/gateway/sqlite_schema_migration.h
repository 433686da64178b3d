// The version of SqliteStore's schema and the migration of a file written by an older
// gateway. Version 1 (user_version 0, the files before it was counted) had no role on
// proposals and decisions and no audit_events table; version 2 has both. Migrating adds
// the columns and fills the old rows' role from their agent by the role table (the agent of
// a version-1 row under TLS was the authenticated identity), '' for an agent that is no
// gridpilot identity. docs/decisions.md, "Audit of every act". Version 3 adds the
// telemetry_samples table (created with the others); migrating to it only counts it.
// Version 4 keys telemetry_samples on (run_id, source, sequence) with a unique index;
// migrating keeps the first stored row (lowest rowid) of each key and deletes the others.
#ifndef GRIDPILOT_SERVICES_GATEWAY_SQLITE_SCHEMA_MIGRATION_H_
#define GRIDPILOT_SERVICES_GATEWAY_SQLITE_SCHEMA_MIGRATION_H_

#include <sqlite3.h>

#include <string>

#include "absl/status/status.h"

namespace gridpilot {

inline constexpr int kSqliteSchemaVersion = 4;

// The role a stored agent name holds by the role table: a process's role for a process
// identity, the role itself for a person role (a token's identity is its role), "" else.
std::string RoleOfStoredAgent(const std::string& agent);

// Brings `db` (not owned; its tables already created with CREATE TABLE IF NOT EXISTS) to
// kSqliteSchemaVersion in one transaction, and sets its user_version. OK and nothing
// changed when it is already there; FailedPrecondition naming both versions for a file
// from a newer gateway; Internal/Unavailable as SQLite fails (nothing changed then).
absl::Status MigrateSqliteSchema(sqlite3* db);

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_GATEWAY_SQLITE_SCHEMA_MIGRATION_H_
