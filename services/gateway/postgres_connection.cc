#include "services/gateway/postgres_connection.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "core/base/logging.h"
#include "services/gateway/postgres_url.h"

namespace gridpilot {
namespace {

std::string Trimmed(const char* message) {
  return std::string(absl::StripTrailingAsciiWhitespace(message == nullptr ? "" : message));
}

// SQLSTATEs after which the same statement may succeed later: connection exceptions (08),
// serialization failure, deadlock, lock not available, and the server shutting down.
// The server's warnings (e.g. that it is shutting down) go to the process log, one line
// each, instead of libpq's default of raw stderr.
void LogServerMessage(void*, const char* message) {
  base::LogWarning(absl::StrCat("postgresql server: ", Trimmed(message)));
}

bool Retryable(const std::string& sqlstate) {
  return absl::StartsWith(sqlstate, "08") || sqlstate == "40001" || sqlstate == "40P01" ||
         sqlstate == "55P03" || sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03";
}

}  // namespace

PostgresParams& PostgresParams::Int(int64_t v) {
  values_.emplace_back(absl::StrCat(v));
  bytes_ += values_.back()->size();
  return *this;
}

PostgresParams& PostgresParams::Real(double v) {
  if (std::isnan(v)) return Null();
  if (std::isinf(v)) {
    values_.emplace_back(v > 0 ? "Infinity" : "-Infinity");
  } else if (v == 0.0) {
    values_.emplace_back("0");  // -0 too: SQLite keeps no negative zero either
  } else {
    values_.emplace_back(absl::StrFormat("%.17g", v));
  }
  bytes_ += values_.back()->size();
  return *this;
}

PostgresParams& PostgresParams::Real(std::optional<double> v) {
  return v.has_value() ? Real(*v) : Null();
}

PostgresParams& PostgresParams::Text(const std::string& v) {
  values_.emplace_back(v);
  bytes_ += v.size();
  if (nul_parameter_ == 0 && v.find('\0') != std::string::npos) {
    nul_parameter_ = static_cast<int>(values_.size());
  }
  return *this;
}

PostgresParams& PostgresParams::Null() {
  values_.emplace_back(std::nullopt);
  return *this;
}

bool PostgresRows::Numeric(int column) const {
  // int8, int2, int4, float4, float8, numeric (pg_type.h's OIDs, stable across versions).
  switch (PQftype(result_.get(), column)) {
    case 20:
    case 21:
    case 23:
    case 700:
    case 701:
    case 1700: return true;
    default: return false;
  }
}

int64_t PostgresRows::affected() const {
  const char* tuples = PQcmdTuples(result_.get());
  return tuples == nullptr || *tuples == '\0' ? 0 : std::strtoll(tuples, nullptr, 10);
}

absl::StatusOr<std::unique_ptr<PostgresConnection>> PostgresConnection::Connect(
    const std::string& url, int max_attempts) {
  const std::string display = RedactPostgresUrl(url);
  // Later keywords override earlier ones, so a connect_timeout in the URL wins over 10 s.
  const char* const keywords[] = {"connect_timeout", "dbname", nullptr};
  const char* const values[] = {"10", url.c_str(), nullptr};
  std::string last_error;
  absl::Duration backoff = absl::Milliseconds(200);
  for (int attempt = 1; attempt <= std::max(1, max_attempts); ++attempt) {
    PGconn* conn = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
    if (conn != nullptr && PQstatus(conn) == CONNECTION_OK) {
      PQsetNoticeProcessor(conn, &LogServerMessage, nullptr);
      std::unique_ptr<PostgresConnection> connection(new PostgresConnection(conn, display));
      // UTF-8 text both ways; doubles printed shortest-exact (PostgreSQL 12 and later do
      // that for any extra_float_digits > 0); warnings only (not the notices of CREATE ...
      // IF NOT EXISTS).
      absl::Status set = connection->Exec(
          "SET client_encoding = 'UTF8'; SET extra_float_digits = 3; SET TIME ZONE 'UTC'; "
          "SET client_min_messages = warning");
      if (!set.ok()) return set;
      return connection;
    }
    last_error = conn == nullptr ? std::string("out of memory") : Trimmed(PQerrorMessage(conn));
    PQfinish(conn);
    // A refused password or a missing database will not change on a retry.
    if (absl::StrContains(last_error, "authentication failed") ||
        absl::StrContains(last_error, "does not exist")) {
      break;
    }
    if (attempt < max_attempts) {
      absl::SleepFor(backoff);
      backoff *= 2;
    }
  }
  return absl::UnavailableError(absl::StrCat(display, ": cannot connect: ", last_error));
}

PostgresConnection::~PostgresConnection() { PQfinish(conn_); }

bool PostgresConnection::InTransaction() const {
  return PQtransactionStatus(conn_) != PQTRANS_IDLE;
}

absl::Status PostgresConnection::CheckConnected() const {
  if (PQstatus(conn_) != CONNECTION_BAD) return absl::OkStatus();
  return absl::UnavailableError(
      absl::StrCat(display_url_, ": connection lost: ", Trimmed(PQerrorMessage(conn_))));
}

absl::Status PostgresConnection::CheckParams(const PostgresParams& params) const {
  if (params.bytes() > kMaxStatementBytes) {
    return absl::InvalidArgumentError(absl::StrCat(display_url_, ": a statement's values total ",
                                                   params.bytes(), " bytes, above the bound of ",
                                                   kMaxStatementBytes));
  }
  if (params.nul_parameter() != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(display_url_, ": text value $", params.nul_parameter(),
                     " holds a NUL byte, which PostgreSQL cannot store"));
  }
  return absl::OkStatus();
}

absl::StatusOr<PostgresRows> PostgresConnection::Take(PGresult* result) {
  const ExecStatusType status = result == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(result);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return PostgresRows(result);
  std::string sqlstate;
  std::string message;
  if (result != nullptr) {
    const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
    sqlstate = state == nullptr ? "" : state;
    message = Trimmed(PQresultErrorMessage(result));
    PQclear(result);
  }
  if (message.empty()) message = Trimmed(PQerrorMessage(conn_));
  if (PQstatus(conn_) == CONNECTION_BAD) {
    return absl::UnavailableError(absl::StrCat(display_url_, ": connection lost: ", message));
  }
  const std::string text =
      absl::StrCat(display_url_, ": ", message, sqlstate.empty() ? "" : " (SQLSTATE ", sqlstate,
                   sqlstate.empty() ? "" : ")");
  return Retryable(sqlstate) ? absl::UnavailableError(text) : absl::InternalError(text);
}

absl::Status PostgresConnection::Exec(const std::string& sql) {
  ++round_trips_;
  PGresult* result = PQexec(conn_, sql.c_str());
  // PQexec returns the last statement's result; an earlier failure stops the rest and is
  // the one returned.
  return Take(result).status();
}

namespace {

struct RawParams {
  std::vector<const char*> values;
  std::vector<int> lengths;
};

RawParams Raw(const PostgresParams& params) {
  RawParams raw;
  for (const std::optional<std::string>& v : params.values()) {
    raw.values.push_back(v.has_value() ? v->c_str() : nullptr);
    raw.lengths.push_back(v.has_value() ? static_cast<int>(v->size()) : 0);
  }
  return raw;
}

}  // namespace

absl::StatusOr<PostgresRows> PostgresConnection::Query(const std::string& sql,
                                                       const PostgresParams& params) {
  if (absl::Status checked = CheckParams(params); !checked.ok()) return checked;
  const RawParams raw = Raw(params);
  ++round_trips_;
  return Take(PQexecParams(conn_, sql.c_str(), static_cast<int>(raw.values.size()), nullptr,
                           raw.values.data(), raw.lengths.data(), nullptr, /*resultFormat=*/0));
}

absl::Status PostgresConnection::Prepare(const std::string& name, const std::string& sql) {
  ++round_trips_;
  return Take(PQprepare(conn_, name.c_str(), sql.c_str(), 0, nullptr)).status();
}

absl::StatusOr<PostgresRows> PostgresConnection::ExecPrepared(const std::string& name,
                                                              const PostgresParams& params) {
  if (absl::Status checked = CheckParams(params); !checked.ok()) return checked;
  const RawParams raw = Raw(params);
  ++round_trips_;
  return Take(PQexecPrepared(conn_, name.c_str(), static_cast<int>(raw.values.size()),
                             raw.values.data(), raw.lengths.data(), nullptr,
                             /*resultFormat=*/0));
}

absl::Status PostgresConnection::Pipeline(const std::vector<PostgresStatement>& statements,
                                          size_t* failed) {
  if (failed != nullptr) *failed = statements.size();
  if (statements.empty()) return absl::OkStatus();
  for (const PostgresStatement& statement : statements) {
    if (absl::Status checked = CheckParams(statement.params); !checked.ok()) return checked;
  }
  if (PQenterPipelineMode(conn_) != 1) return Take(nullptr).status();
  ++round_trips_;
  bool sent = true;
  for (const PostgresStatement& statement : statements) {
    const RawParams raw = Raw(statement.params);
    const int queued =
        statement.prepared.empty()
            ? PQsendQueryParams(conn_, statement.sql.c_str(), 0, nullptr, nullptr, nullptr, nullptr,
                                /*resultFormat=*/0)
            : PQsendQueryPrepared(conn_, statement.prepared.c_str(),
                                  static_cast<int>(raw.values.size()), raw.values.data(),
                                  raw.lengths.data(), nullptr, /*resultFormat=*/0);
    if (queued != 1) {
      sent = false;
      break;
    }
  }
  // The sync point flushes everything queued and asks for every result up to it.
  if (PQpipelineSync(conn_) != 1) sent = false;
  absl::Status first_error = absl::OkStatus();
  if (!sent) first_error = Take(nullptr).status();
  // Each statement's results end with a null; the sync point ends the pipeline. Two nulls
  // in a row mean no more results are coming (the connection failed).
  size_t index = 0;
  bool synced = false;
  int nulls_in_a_row = 0;
  while (sent) {
    PGresult* result = PQgetResult(conn_);
    if (result == nullptr) {
      if (++nulls_in_a_row > 1) break;
      ++index;
      continue;
    }
    nulls_in_a_row = 0;
    const ExecStatusType status = PQresultStatus(result);
    if (status == PGRES_PIPELINE_SYNC) {
      PQclear(result);
      synced = true;
      break;
    }
    if (status == PGRES_PIPELINE_ABORTED) {
      PQclear(result);
      continue;
    }
    const absl::Status taken = Take(result).status();
    if (!taken.ok() && first_error.ok()) {
      first_error = taken;
      if (failed != nullptr) *failed = std::min(index, statements.size() - 1);
    }
  }
  if (sent && !synced && first_error.ok()) first_error = Take(nullptr).status();
  if (PQexitPipelineMode(conn_) != 1 && first_error.ok()) {
    first_error = absl::InternalError(absl::StrCat(
        display_url_, ": cannot leave pipeline mode: ", Trimmed(PQerrorMessage(conn_))));
  }
  if (!first_error.ok() && failed != nullptr && *failed == statements.size() && !synced) {
    *failed = 0;  // not known which: the pipeline as a whole failed
  }
  return first_error;
}

}  // namespace gridpilot
