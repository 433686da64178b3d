// PostgresConnection: one libpq connection to a PostgreSQL server, its calls turned into
// absl::Status. The edge between PostgresStore (and its migrations) and libpq: nothing
// else includes libpq-fe.h. Statements take their values as text parameters (never spliced
// into SQL), so a value cannot change a statement.
//
// Bounds: Connect tries at most `max_attempts` times (the server may still be starting),
// waiting 0.2 s, 0.4 s, ... between attempts, each attempt bounded by libpq's
// connect_timeout (10 s unless the URL sets it); one statement's parameters total at most
// kMaxStatementBytes. Errors: a connection that cannot be made or is lost is Unavailable,
// as are serialization failures, deadlocks and a server shutting down (retryable); any
// other refusal is Internal; an over-long statement or a NUL byte in a text value (which
// PostgreSQL cannot store) is InvalidArgument. Messages name the server by its redacted
// URL (postgres_url.h) and never carry the password.
//
// Not thread-safe: the owner serialises calls (PostgresStore holds its mutex).
#ifndef GRIDPILOT_SERVICES_GATEWAY_POSTGRES_CONNECTION_H_
#define GRIDPILOT_SERVICES_GATEWAY_POSTGRES_CONNECTION_H_

#include <libpq-fe.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace gridpilot {

// A statement's positional parameters ($1, $2, ...), as text; nullopt is SQL NULL.
class PostgresParams {
 public:
  PostgresParams& Int(int64_t v);
  // As SQLite stores a REAL: a NaN as NULL and -0 as 0; infinities as PostgreSQL's
  // Infinity. Other values are written with 17 significant digits, so they come back
  // bit-exact.
  PostgresParams& Real(double v);
  PostgresParams& Real(std::optional<double> v);
  PostgresParams& Text(const std::string& v);
  PostgresParams& Null();

  const std::vector<std::optional<std::string>>& values() const { return values_; }
  size_t bytes() const { return bytes_; }
  // 1-based index of the first text value holding a NUL byte; 0 when none does.
  int nul_parameter() const { return nul_parameter_; }

 private:
  std::vector<std::optional<std::string>> values_;
  size_t bytes_ = 0;
  int nul_parameter_ = 0;
};

// One statement of a pipeline (PostgresConnection::Pipeline): a statement prepared under
// `prepared` with `params`, or, when `prepared` is empty, `sql` (one statement, no
// parameters: BEGIN, SAVEPOINT, ...).
struct PostgresStatement {
  std::string prepared;
  std::string sql;
  PostgresParams params;
};

// The rows a statement returned, as text cells.
class PostgresRows {
 public:
  explicit PostgresRows(PGresult* result) : result_(result, &PQclear) {}
  int rows() const { return PQntuples(result_.get()); }
  int columns() const { return PQnfields(result_.get()); }
  bool IsNull(int row, int column) const { return PQgetisnull(result_.get(), row, column) != 0; }
  // "" for NULL.
  std::string Text(int row, int column) const {
    return std::string(PQgetvalue(result_.get(), row, column),
                       PQgetlength(result_.get(), row, column));
  }
  // True when the column holds numbers (an integer, floating or numeric type).
  bool Numeric(int column) const;
  // The number of rows an INSERT, UPDATE or DELETE touched.
  int64_t affected() const;

 private:
  std::unique_ptr<PGresult, void (*)(PGresult*)> result_;
};

class PostgresConnection {
 public:
  static constexpr int kMaxConnectAttempts = 5;
  static constexpr size_t kMaxStatementBytes = size_t{16} << 20;

  // Connects to `url` (a libpq connection URI). Unavailable naming the redacted URL and
  // libpq's reason when no attempt succeeds.
  static absl::StatusOr<std::unique_ptr<PostgresConnection>> Connect(
      const std::string& url, int max_attempts = kMaxConnectAttempts);
  ~PostgresConnection();
  PostgresConnection(const PostgresConnection&) = delete;
  PostgresConnection& operator=(const PostgresConnection&) = delete;

  // Runs one or more statements without parameters and drops their rows.
  absl::Status Exec(const std::string& sql);
  // Runs one statement with parameters; its rows.
  absl::StatusOr<PostgresRows> Query(const std::string& sql, const PostgresParams& params);
  // Prepares `sql` under `name` for ExecPrepared.
  absl::Status Prepare(const std::string& name, const std::string& sql);
  absl::StatusOr<PostgresRows> ExecPrepared(const std::string& name, const PostgresParams& params);

  // Sends every statement in libpq's pipeline mode and then waits once for all their
  // results: one round trip to the server however many statements. Statements run in order;
  // after the first that fails, the server skips the rest (and a transaction it is in is
  // left failed, for the caller to roll back). OK when all ran; otherwise the first
  // failure's error (as Query's), with *failed (if not null) set to its index; *failed is
  // statements.size() when none failed. Each statement's values are checked as Query's
  // before anything is sent (InvalidArgument, nothing sent). Drops any rows returned.
  absl::Status Pipeline(const std::vector<PostgresStatement>& statements, size_t* failed = nullptr);
  // InvalidArgument when `params` could not be sent (over kMaxStatementBytes, a NUL byte).
  absl::Status CheckParams(const PostgresParams& params) const;

  // Unavailable ("connection lost") once libpq has found the connection broken; OK otherwise.
  absl::Status CheckConnected() const;
  // Statements and pipelines sent so far: each waited for the server once.
  int64_t round_trips() const { return round_trips_; }

  // True while a transaction is open (or failed and not yet rolled back).
  bool InTransaction() const;
  // The server as logs may name it: the URL with its password redacted.
  const std::string& display_url() const { return display_url_; }

 private:
  PostgresConnection(PGconn* conn, std::string display_url)
      : conn_(conn), display_url_(std::move(display_url)) {}
  // OK for a command or rows result; the error for anything else (the result is freed).
  absl::StatusOr<PostgresRows> Take(PGresult* result);

  PGconn* conn_;
  const std::string display_url_;
  int64_t round_trips_ = 0;
};

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_GATEWAY_POSTGRES_CONNECTION_H_
