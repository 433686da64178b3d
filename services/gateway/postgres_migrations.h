// The PostgreSQL store's schema, as numbered migrations, and the code that brings a
// database up to date. Table schema_version holds one row per migration applied (version,
// when, what). Opening a store applies, in one transaction under an advisory lock (so two
// gateways opening one database do not race), every migration the database lacks, in
// order: all of them or none. A database whose schema is newer than the binary knows is
// refused, never written. A new column or table is a new migration appended to
// StoreMigrations(); an applied migration is never edited.
//
// The tables and columns are SQLite's (sqlite_store.cc), with the same column names and
// the same values (timestamps as ISO-8601 UTC text, reals as double precision), so one
// query reads either store; each table also has a row_seq column, the insertion order that
// SQLite keeps as its rowid.
#ifndef GRIDPILOT_SERVICES_GATEWAY_POSTGRES_MIGRATIONS_H_
#define GRIDPILOT_SERVICES_GATEWAY_POSTGRES_MIGRATIONS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/gateway/postgres_connection.h"

namespace gridpilot {

struct PostgresMigration {
  int version = 0;  // 1, 2, 3, ... in order, no gaps
  std::string description;
  std::string sql;  // one or more statements
};

// The store's migrations, oldest first.
const std::vector<PostgresMigration>& StoreMigrations();

// Applies the migrations of `migrations` (numbered 1..N in order) that `db` lacks; returns
// the schema version after (N). FailedPrecondition when the database's version is above N
// (naming both) or `migrations` is misnumbered; the error of the failing statement, naming
// its migration, when one fails (nothing of the call is kept then).
absl::StatusOr<int> ApplyMigrations(PostgresConnection& db,
                                    const std::vector<PostgresMigration>& migrations);

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_GATEWAY_POSTGRES_MIGRATIONS_H_
