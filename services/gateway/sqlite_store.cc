#include "services/gateway/sqlite_store.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "core/base/status_macros.h"
#include "core/base/time_util.h"
#include "services/gateway/interval_verification.h"
#include "services/gateway/plan_numbers.h"
#include "services/gateway/sqlite_schema_migration.h"

namespace gridpilot {
namespace {

constexpr char kSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS runs (
  run_id INTEGER PRIMARY KEY AUTOINCREMENT,
  replay_from TEXT NOT NULL, replay_to TEXT NOT NULL, config_json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS telemetry (
  run_id INTEGER NOT NULL, interval_start TEXT NOT NULL,
  net_load_mw REAL, embedded_solar_mw REAL, embedded_wind_mw REAL, price_gbp_per_mwh REAL,
  dispatch_mw REAL NOT NULL, net_load_after_mw REAL,
  excess_mw REAL NOT NULL, baseline_excess_mw REAL NOT NULL,
  PRIMARY KEY (run_id, interval_start));
CREATE TABLE IF NOT EXISTS proposals (
  run_id INTEGER NOT NULL, proposal_id INTEGER NOT NULL, status TEXT NOT NULL,
  submitted_at TEXT NOT NULL, agent TEXT NOT NULL, asset_id TEXT NOT NULL,
  priority INTEGER NOT NULL, power_mw REAL, lease_start TEXT NOT NULL, lease_end TEXT NOT NULL,
  idempotency_key TEXT NOT NULL, reason TEXT NOT NULL, detail TEXT NOT NULL,
  role TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS decisions (
  run_id INTEGER NOT NULL, interval_start TEXT NOT NULL, asset_id TEXT NOT NULL,
  proposal_id INTEGER NOT NULL, agent TEXT NOT NULL, priority INTEGER NOT NULL,
  requested_mw REAL NOT NULL, applied_mw REAL NOT NULL,
  soc_before_mwh REAL, soc_after_mwh REAL, charge_mwh REAL, discharge_mwh REAL,
  peaker_status TEXT, reason TEXT NOT NULL, role TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (run_id, interval_start, asset_id));
CREATE TABLE IF NOT EXISTS ledger (
  run_id INTEGER NOT NULL, interval_start TEXT NOT NULL, cause TEXT NOT NULL,
  asset_id TEXT NOT NULL, amount_gbp REAL NOT NULL, note TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS agent_notes (
  run_id INTEGER NOT NULL, tick TEXT NOT NULL, agent TEXT NOT NULL, note TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS refused_calls (
  run_id INTEGER NOT NULL, at TEXT NOT NULL, method TEXT NOT NULL, identity TEXT NOT NULL,
  role TEXT NOT NULL, code TEXT NOT NULL, reason TEXT NOT NULL,
  dropped_before INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS audit_events (
  run_id INTEGER NOT NULL, at TEXT NOT NULL, process TEXT NOT NULL, kind TEXT NOT NULL,
  identity TEXT NOT NULL, role TEXT NOT NULL, detail_json TEXT NOT NULL,
  dropped_before INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS plans (
  run_id INTEGER NOT NULL, tick TEXT NOT NULL, agent TEXT NOT NULL,
  first_interval_start TEXT NOT NULL, intervals INTEGER NOT NULL,
  power_mw TEXT NOT NULL, price_forecast_gbp_per_mwh TEXT NOT NULL,
  expected_value_gbp REAL NOT NULL, reason TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS approvals (
  run_id INTEGER NOT NULL, approval_id INTEGER NOT NULL, event TEXT NOT NULL, at TEXT NOT NULL,
  requester TEXT NOT NULL, requester_role TEXT NOT NULL,
  decided_by TEXT NOT NULL, decided_by_role TEXT NOT NULL,
  asset_id TEXT NOT NULL, priority INTEGER NOT NULL, power_mw REAL,
  lease_start TEXT NOT NULL, lease_end TEXT NOT NULL, idempotency_key TEXT NOT NULL,
  proposal_reason TEXT NOT NULL, reason TEXT NOT NULL, expires_at TEXT NOT NULL,
  proposal_id INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS telemetry_samples (
  run_id INTEGER NOT NULL, source TEXT NOT NULL, sequence INTEGER NOT NULL, stamp TEXT NOT NULL,
  net_load_mw REAL, solar_mw REAL, wind_mw REAL, price_gbp_per_mwh REAL,
  received_at TEXT NOT NULL, late INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS ledger_by_interval ON ledger (run_id, interval_start);
)sql";

// SQLite's busy and locked results are another connection holding the database: retryable.
absl::Status SqliteError(int rc, absl::string_view message) {
  const std::string text = absl::StrCat("sqlite: ", message);
  if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) return absl::UnavailableError(text);
  return absl::InternalError(text);
}

const char* StatusName(ProposalStatus status) {
  switch (status) {
    case ProposalStatus::kAccepted: return "accepted";
    case ProposalStatus::kDuplicate: return "duplicate";
    case ProposalStatus::kRejected: return "rejected";
    case ProposalStatus::kCancelled: return "cancelled";
  }
  return "?";
}

// Binds values positionally to a statement prepared once (not owned), runs it and
// resets it for the next row. Text is bound without a copy: the bytes must stay valid
// until Run() (a temporary in the same chain of calls does), which unbinds them.
class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Statement& Int(int64_t v) {
    sqlite3_bind_int64(stmt_, ++index_, v);
    return *this;
  }
  Statement& Real(double v) {
    sqlite3_bind_double(stmt_, ++index_, v);
    return *this;
  }
  Statement& Real(std::optional<double> v) {
    if (v.has_value()) return Real(*v);
    sqlite3_bind_null(stmt_, ++index_);
    return *this;
  }
  Statement& Null() {
    sqlite3_bind_null(stmt_, ++index_);
    return *this;
  }
  Statement& Text(std::string_view v) {
    // A null pointer would bind NULL, not the empty text.
    sqlite3_bind_text(stmt_, ++index_, v.data() == nullptr ? "" : v.data(),
                      static_cast<int>(v.size()), SQLITE_STATIC);
    return *this;
  }
  // A UTC timestamp as text, formatted into this statement's own buffers (a row has at
  // most kTimeSlots; beyond them the text is copied into SQLite).
  Statement& Time(absl::Time t) {
    const size_t slot = times_used_++;
    if (slot >= kTimeSlots) {
      const std::string text = base::FormatUtcTimestamp(t);
      sqlite3_bind_text(stmt_, ++index_, text.data(), static_cast<int>(text.size()),
                        SQLITE_TRANSIENT);
      return *this;
    }
    times_[slot] = base::FormatUtcTimestampText(t);
    return Text(times_[slot].view());
  }
  absl::Status Run() {
    const int rc = sqlite3_step(stmt_);
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);  // no binding outlives the bytes it points at
    index_ = 0;
    times_used_ = 0;
    if (rc != SQLITE_DONE) return SqliteError(rc, sqlite3_errmsg(db_));
    return absl::OkStatus();
  }

 private:
  static constexpr size_t kTimeSlots = 4;
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  int index_ = 0;
  size_t times_used_ = 0;
  base::UtcTimestampText times_[kTimeSlots];
};

}  // namespace

absl::StatusOr<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path,
                                                               int commit_every_records) {
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return absl::UnavailableError(absl::StrCat(path, ": cannot open store: ", message));
  }
  std::unique_ptr<SqliteStore> store(new SqliteStore(db, std::max(1, commit_every_records)));
  absl::MutexLock lock(&store->mu_);
  // WAL with synchronous=NORMAL: durable at checkpoints, no fsync per commit.
  RETURN_IF_ERROR(store->Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"));
  RETURN_IF_ERROR(store->Exec(kSchema));
  if (absl::Status migrated = MigrateSqliteSchema(db); !migrated.ok()) {
    return absl::Status(migrated.code(), absl::StrCat(path, ": ", migrated.message()));
  }
  RETURN_IF_ERROR(store->Prepare());
  return store;
}

absl::Status SqliteStore::Prepare() {
  const std::pair<sqlite3_stmt**, const char*> statements[] = {
      {&insert_proposal_,
       "INSERT INTO proposals VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"},
      {&insert_telemetry_, "INSERT INTO telemetry VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"},
      {&insert_decision_,
       "INSERT INTO decisions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"},
      {&insert_ledger_, "INSERT INTO ledger VALUES (?, ?, ?, ?, ?, ?)"},
      {&insert_note_, "INSERT INTO agent_notes VALUES (?, ?, ?, ?)"},
      {&insert_refused_, "INSERT INTO refused_calls VALUES (?, ?, ?, ?, ?, ?, ?, ?)"},
      {&insert_approval_,
       "INSERT INTO approvals VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"},
      {&insert_plan_, "INSERT INTO plans VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"},
      {&insert_audit_event_, "INSERT INTO audit_events VALUES (?, ?, ?, ?, ?, ?, ?, ?)"},
      {&insert_sample_,
       "INSERT INTO telemetry_samples VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
       "ON CONFLICT (run_id, source, sequence) DO NOTHING"},
      {&select_audit_events_,
       "SELECT at, process, kind, identity, role, detail_json, dropped_before FROM ("
       "SELECT at, process, kind, identity, role, detail_json, dropped_before, 1 AS source, "
       "rowid AS seq FROM audit_events UNION ALL "
       "SELECT at, 'gateway', 'refusal', identity, role, "
       "json_object('method', method, 'code', code, 'reason', reason), dropped_before, 0, rowid "
       "FROM refused_calls) WHERE (?1 = '' OR kind = ?1) AND at >= ?2 "
       "ORDER BY at DESC, source DESC, seq DESC LIMIT ?3"},
      {&select_telemetry_,
       "SELECT net_load_mw, embedded_solar_mw, embedded_wind_mw, price_gbp_per_mwh, dispatch_mw, "
       "net_load_after_mw, excess_mw, baseline_excess_mw FROM telemetry "
       "WHERE run_id = ? AND interval_start = ?"},
      {&select_decisions_,
       "SELECT asset_id, proposal_id, agent, priority, requested_mw, applied_mw, soc_before_mwh, "
       "soc_after_mwh, charge_mwh, discharge_mwh, peaker_status, reason FROM decisions "
       "WHERE run_id = ? AND interval_start = ? ORDER BY rowid"},
      {&savepoint_interval_, "SAVEPOINT interval"},
      {&release_interval_, "RELEASE interval"},
      {&select_ledger_,
       "SELECT cause, asset_id, amount_gbp, note FROM ledger "
       "WHERE run_id = ? AND interval_start = ? ORDER BY rowid"},
  };
  for (const auto& [stmt, sql] : statements) {
    if (sqlite3_prepare_v2(db_, sql, -1, stmt, nullptr) != SQLITE_OK) {
      return absl::InternalError(absl::StrCat("sqlite: ", sqlite3_errmsg(db_)));
    }
  }
  return absl::OkStatus();
}

SqliteStore::~SqliteStore() {
  absl::MutexLock lock(&mu_);
  CommitLocked().IgnoreError();
  for (sqlite3_stmt* stmt :
       {insert_proposal_, insert_telemetry_, insert_decision_, insert_ledger_, insert_note_,
        insert_refused_, insert_approval_, insert_plan_, insert_audit_event_, insert_sample_,
        select_audit_events_, select_telemetry_, select_decisions_, select_ledger_,
        savepoint_interval_, release_interval_}) {
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db_);
}

absl::Status SqliteStore::BeginWrite() {
  if (run_id_ == 0) return absl::FailedPreconditionError("store: no run begun (BeginRun)");
  if (in_transaction_) return absl::OkStatus();
  RETURN_IF_ERROR(Exec("BEGIN"));
  in_transaction_ = true;
  records_in_transaction_ = 0;
  return absl::OkStatus();
}

absl::Status SqliteStore::EndWrite(bool commit_point) {
  ++records_in_transaction_;
  if (!commit_point || records_in_transaction_ < commit_every_records_) return absl::OkStatus();
  return CommitLocked();
}

absl::Status SqliteStore::CommitLocked() {
  if (!in_transaction_) return absl::OkStatus();
  in_transaction_ = false;
  const absl::Status committed = Exec("COMMIT");
  if (committed.ok()) return committed;
  // The batch is lost: roll back what is left of it so that the next write starts clean,
  // and say how many records went.
  if (sqlite3_get_autocommit(db_) == 0) Exec("ROLLBACK").IgnoreError();  // reported below
  return absl::Status(committed.code(),
                      absl::StrCat(committed.message(), " (commit failed; ",
                                   records_in_transaction_, " records of the batch are lost)"));
}

absl::Status SqliteStore::Flush() {
  absl::MutexLock lock(&mu_);
  return CommitLocked();
}

absl::Status SqliteStore::Exec(const std::string& sql) {
  char* error = nullptr;
  if (const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error); rc != SQLITE_OK) {
    std::string message = error ? error : "unknown error";
    sqlite3_free(error);
    return SqliteError(rc, message);
  }
  return absl::OkStatus();
}

int64_t SqliteStore::run_id() const {
  absl::MutexLock lock(&mu_);
  return run_id_;
}

absl::Status SqliteStore::BeginRun(absl::Time replay_from, absl::Time replay_to,
                                   const std::string& config_json) {
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(CommitLocked());
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_,
                         "INSERT INTO runs (replay_from, replay_to, config_json) VALUES (?, ?, ?)",
                         -1, &stmt, nullptr) != SQLITE_OK) {
    return absl::InternalError(absl::StrCat("sqlite: ", sqlite3_errmsg(db_)));
  }
  absl::Status inserted =
      Statement(db_, stmt).Time(replay_from).Time(replay_to).Text(config_json).Run();
  sqlite3_finalize(stmt);
  RETURN_IF_ERROR(inserted);
  run_id_ = sqlite3_last_insert_rowid(db_);
  return absl::OkStatus();
}

absl::Status SqliteStore::RecordProposal(const region::ProposalRecord& record,
                                         ProposalStatus status, const std::string& detail) {
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(BeginWrite());
  const region::DispatchProposal& p = record.proposal;
  RETURN_IF_ERROR(
      Statement(db_, insert_proposal_)
          .Int(run_id_)
          .Int(record.id)
          .Text(StatusName(status))
          .Time(record.submitted_at)
          .Text(p.agent)
          .Text(p.asset_id)
          .Int(static_cast<int>(p.priority))
          .Real(std::isfinite(p.power_mw) ? std::optional<double>(p.power_mw) : std::nullopt)
          .Time(p.start)
          .Time(p.end)
          .Text(p.idempotency_key)
          .Text(p.reason)
          .Text(detail)
          .Text(p.role)
          .Run());
  return EndWrite(/*commit_point=*/false);
}

absl::Status SqliteStore::RecordAgentNote(absl::Time tick, const std::string& agent,
                                          const std::string& note) {
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(BeginWrite());
  RETURN_IF_ERROR(
      Statement(db_, insert_note_).Int(run_id_).Time(tick).Text(agent).Text(note).Run());
  return EndWrite(/*commit_point=*/false);
}

namespace {

const char* ApprovalEventName(ApprovalEvent::Kind kind) {
  switch (kind) {
    case ApprovalEvent::Kind::kPending: return "pending";
    case ApprovalEvent::Kind::kApproved: return "approved";
    case ApprovalEvent::Kind::kRejected: return "rejected";
    case ApprovalEvent::Kind::kLapsed: return "lapsed";
  }
  return "unknown";
}

}  // namespace

absl::Status SqliteStore::RecordApprovalEvent(const ApprovalEvent& event) {
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(BeginWrite());
  const region::DispatchProposal& p = event.proposal;
  RETURN_IF_ERROR(
      Statement(db_, insert_approval_)
          .Int(run_id_)
          .Int(event.approval_id)
          .Text(ApprovalEventName(event.kind))
          .Time(event.at)
          .Text(event.requester)
          .Text(event.requester_role)
          .Text(event.decided_by)
          .Text(event.decided_by_role)
          .Text(p.asset_id)
          .Int(static_cast<int>(p.priority))
          .Real(std::isfinite(p.power_mw) ? std::optional<double>(p.power_mw) : std::nullopt)
          .Time(p.start)
          .Time(p.end)
          .Text(p.idempotency_key)
          .Text(p.reason)
          .Text(event.reason)
          .Time(event.expires_at)
          .Int(event.proposal_id)
          .Run());
  return EndWrite(/*commit_point=*/false);
}

absl::Status SqliteStore::RecordRefusedCall(absl::Time at, const security::RefusedCall& call,
                                            int64_t dropped_before) {
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(BeginWrite());
  RETURN_IF_ERROR(Statement(db_, insert_refused_)
                      .Int(run_id_)
                      .Time(at)
                      .Text(call.method)
                      .Text(call.identity)
                      .Text(call.role)
                      .Text(call.code)
                      .Text(call.reason)
                      .Int(dropped_before)
                      .Run());
  return EndWrite(/*commit_point=*/false);
}

absl::Status SqliteStore::RecordAuditEvent(const AuditEvent& event) {
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(BeginWrite());
  RETURN_IF_ERROR(Statement(db_, insert_audit_event_)
                      .Int(run_id_)
                      .Time(event.at)
                      .Text(event.process)
                      .Text(event.kind)
                      .Text(event.identity)
                      .Text(event.role)
                      .Text(event.detail_json)
                      .Int(event.dropped_before)
                      .Run());
  return EndWrite(/*commit_point=*/false);
}

absl::StatusOr<std::vector<AuditEvent>> SqliteStore::ListAuditEvents(const AuditQuery& query) {
  absl::MutexLock lock(&mu_);
  // Timestamps are stored at whole seconds: a `since` inside a second includes that second.
  const std::string since =
      query.since == absl::InfinitePast()
          ? std::string("")
          : base::FormatUtcTimestamp(absl::FromUnixSeconds(absl::ToUnixSeconds(query.since)));
  sqlite3_stmt* stmt = select_audit_events_;
  sqlite3_bind_text(stmt, 1, query.kind.c_str(), static_cast<int>(query.kind.size()),
                    SQLITE_TRANSIENT);
  sqlite3_bind_text(stmt, 2, since.c_str(), static_cast<int>(since.size()), SQLITE_TRANSIENT);
  sqlite3_bind_int64(stmt, 3, query.limit);
  auto text = [&](int c) {
    const unsigned char* t = sqlite3_column_text(stmt, c);
    return std::string(t == nullptr ? "" : reinterpret_cast<const char*>(t));
  };
  std::vector<AuditEvent> events;
  std::string bad_time;
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    AuditEvent e;
    const std::string at = text(0);
    absl::StatusOr<absl::Time> parsed = base::ParseUtcTimestamp(at);
    if (!parsed.ok()) bad_time = at;
    e.at = parsed.ok() ? *parsed : absl::UnixEpoch();
    e.process = text(1);
    e.kind = text(2);
    e.identity = text(3);
    e.role = text(4);
    e.detail_json = text(5);
    e.dropped_before = sqlite3_column_int64(stmt, 6);
    events.push_back(std::move(e));
  }
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  if (rc != SQLITE_DONE) return SqliteError(rc, sqlite3_errmsg(db_));
  if (!bad_time.empty()) {
    return absl::InternalError(
        absl::StrCat("audit log: stored time \"", bad_time, "\" is not UTC ISO 8601"));
  }
  return events;
}

absl::Status SqliteStore::RecordPlan(absl::Time tick, const std::string& agent,
                                     const AgentPlanRecord& plan) {
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(BeginWrite());
  RETURN_IF_ERROR(Statement(db_, insert_plan_)
                      .Int(run_id_)
                      .Time(tick)
                      .Text(agent)
                      .Time(plan.first_interval_start)
                      .Int(static_cast<int64_t>(plan.power_mw.size()))
                      .Text(CompactNumbers(plan.power_mw))
                      .Text(CompactNumbers(plan.price_forecast_gbp_per_mwh))
                      .Real(plan.expected_value_gbp)
                      .Text(plan.reason)
                      .Run());
  return EndWrite(/*commit_point=*/false);
}

absl::Status SqliteStore::RecordTelemetrySamples(
    const std::vector<StoredTelemetrySample>& samples) {
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(BeginWrite());
  // All or none: a savepoint, as for an interval.
  RETURN_IF_ERROR(Exec("SAVEPOINT samples"));
  for (const StoredTelemetrySample& stored : samples) {
    const data::TelemetrySample& s = stored.sample;
    absl::Status written = Statement(db_, insert_sample_)
                               .Int(run_id_)
                               .Text(s.source)
                               .Int(s.sequence)
                               .Text(FormatSampleTime(s.timestamp))
                               .Real(s.net_load_mw)
                               .Real(s.solar_mw)
                               .Real(s.wind_mw)
                               .Real(s.price_gbp_per_mwh)
                               .Text(FormatSampleTime(stored.received_at))
                               .Int(stored.late ? 1 : 0)
                               .Run();
    if (!written.ok()) {
      Exec("ROLLBACK TO samples; RELEASE samples").IgnoreError();  // `written` says why
      return written;
    }
  }
  RETURN_IF_ERROR(Exec("RELEASE samples"));
  // Each row counts towards the commit threshold, so the batch stays bounded in rows.
  if (!samples.empty()) records_in_transaction_ += static_cast<int>(samples.size()) - 1;
  return EndWrite(/*commit_point=*/false);
}

absl::Status SqliteStore::RecordInterval(const data::GridInterval& region_values,
                                         const region::IntervalOutcome& outcome) {
  absl::MutexLock lock(&mu_);
  const base::UtcTimestampText start_text = base::FormatUtcTimestampText(outcome.interval_start);
  const std::string_view start = start_text.view();
  RETURN_IF_ERROR(BeginWrite());
  // A savepoint per interval: a failed row undoes only its own interval, never the
  // records already accepted in the same batch.
  RETURN_IF_ERROR(Statement(db_, savepoint_interval_).Run());
  absl::Status status = [&]() -> absl::Status {
    Statement telemetry(db_, insert_telemetry_);
    RETURN_IF_ERROR(telemetry.Int(run_id_)
                        .Text(start)
                        .Real(region_values.net_load_mw)
                        .Real(region_values.embedded_solar_mw)
                        .Real(region_values.embedded_wind_mw)
                        .Real(region_values.price_gbp_per_mwh)
                        .Real(outcome.dispatch_mw)
                        .Real(outcome.net_load_after_mw)
                        .Real(outcome.excess_mw)
                        .Real(outcome.baseline_excess_mw)
                        .Run());
    Statement decision(db_, insert_decision_);
    for (size_t i = 0; i < outcome.decisions.size(); ++i) {
      const region::AssetDecision& d = outcome.decisions[i];
      decision.Int(run_id_)
          .Text(start)
          .Text(d.asset_id)
          .Int(d.proposal_id)
          .Text(d.agent)
          .Int(static_cast<int>(d.priority))
          .Real(d.requested_mw)
          .Real(d.applied_mw);
      if (i < outcome.batteries.size()) {
        const assets::BatteryInterval& b = outcome.batteries[i];
        decision.Real(b.soc_before_mwh)
            .Real(b.soc_after_mwh)
            .Real(b.charge_mwh)
            .Real(b.discharge_mwh)
            .Null();
      } else {
        const assets::PeakerInterval& p = outcome.peakers[i - outcome.batteries.size()];
        decision.Null().Null().Null().Null().Text(assets::PeakerStatusName(p.next.status));
      }
      RETURN_IF_ERROR(decision.Text(d.reason).Text(d.role).Run());
    }
    Statement ledger(db_, insert_ledger_);
    for (const market::LedgerEntry& e : outcome.entries) {
      RETURN_IF_ERROR(ledger.Int(run_id_)
                          .Text(start)
                          .Text(market::LedgerCauseName(e.cause))
                          .Text(e.asset_id)
                          .Real(e.amount_gbp)
                          .Text(e.note)
                          .Run());
    }
    return absl::OkStatus();
  }();
  if (!status.ok()) {
    Exec("ROLLBACK TO interval; RELEASE interval").IgnoreError();
    return status;
  }
  RETURN_IF_ERROR(Statement(db_, release_interval_).Run());
  return EndWrite(/*commit_point=*/true);
}

namespace {

// A row of a stepped statement (not owned) as the interval verification reads it.
class SqliteRow : public StoredRow {
 public:
  explicit SqliteRow(sqlite3_stmt* row) : row_(row) {}
  bool IsNull(int column) const override {
    return sqlite3_column_type(row_, column) == SQLITE_NULL;
  }
  double Real(int column) const override { return sqlite3_column_double(row_, column); }
  std::optional<int64_t> Int(int column) const override {
    if (sqlite3_column_type(row_, column) != SQLITE_INTEGER) return std::nullopt;
    return sqlite3_column_int64(row_, column);
  }
  std::optional<std::string> Text(int column) const override {
    if (sqlite3_column_type(row_, column) != SQLITE_TEXT) return std::nullopt;
    return Shown(column);
  }
  std::string Shown(int column) const override {
    if (IsNull(column)) return "NULL";
    const unsigned char* text = sqlite3_column_text(row_, column);
    return text == nullptr ? "" : reinterpret_cast<const char*>(text);
  }

 private:
  sqlite3_stmt* row_;
};

// Binds (run_id, interval_start) to a prepared query (not owned) and resets it on exit.
class BoundQuery {
 public:
  BoundQuery(sqlite3_stmt* stmt, int64_t run_id, const std::string& start) : stmt_(stmt) {
    sqlite3_bind_int64(stmt_, 1, run_id);
    sqlite3_bind_text(stmt_, 2, start.c_str(), static_cast<int>(start.size()), SQLITE_TRANSIENT);
  }
  ~BoundQuery() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  // SQLITE_ROW, SQLITE_DONE or an error code.
  int Step() { return sqlite3_step(stmt_); }
  sqlite3_stmt* row() const { return stmt_; }

 private:
  sqlite3_stmt* stmt_;
};

std::string OneLine(const std::string& text, size_t max_chars) {
  std::string out = text.substr(0, max_chars);
  std::replace(out.begin(), out.end(), '\n', ' ');
  return text.size() > max_chars ? out + "..." : out;
}

}  // namespace

absl::StatusOr<ResumePoint> SqliteStore::ResumeRun(absl::Time replay_from, absl::Time replay_to,
                                                   const std::string& config_json,
                                                   absl::Time discard_from) {
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(CommitLocked());
  const std::string from = base::FormatUtcTimestamp(replay_from);
  const std::string to = base::FormatUtcTimestamp(replay_to);
  sqlite3_stmt* runs = nullptr;
  if (sqlite3_prepare_v2(db_,
                         "SELECT run_id, replay_from, replay_to, config_json FROM runs "
                         "ORDER BY run_id DESC",
                         -1, &runs, nullptr) != SQLITE_OK) {
    return absl::InternalError(absl::StrCat("sqlite: ", sqlite3_errmsg(db_)));
  }
  auto text = [&](int c) {
    const unsigned char* t = sqlite3_column_text(runs, c);
    return std::string(t == nullptr ? "" : reinterpret_cast<const char*>(t));
  };
  int64_t found = 0;
  std::string latest_difference;
  int rc;
  while ((rc = sqlite3_step(runs)) == SQLITE_ROW) {
    const int64_t run_id = sqlite3_column_int64(runs, 0);
    std::string difference;
    if (text(1) != from) {
      difference = absl::StrCat("replay_from (stored ", text(1), ", this run ", from, ")");
    } else if (text(2) != to) {
      difference = absl::StrCat("replay_to (stored ", text(2), ", this run ", to, ")");
    } else if (text(3) != config_json) {
      const std::string stored = text(3);
      size_t at = 0;
      while (at < stored.size() && at < config_json.size() && stored[at] == config_json[at]) ++at;
      difference = absl::StrCat("config (first difference at byte ", at, ": stored \"",
                                OneLine(stored.substr(at), 40), "\", this run \"",
                                OneLine(config_json.substr(at), 40), "\")");
    }
    if (difference.empty()) {
      found = run_id;
      break;
    }
    if (latest_difference.empty()) {
      latest_difference = absl::StrCat("the latest, run ", run_id, ", differs in ", difference);
    }
  }
  sqlite3_finalize(runs);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return SqliteError(rc, sqlite3_errmsg(db_));
  if (found == 0) {
    return absl::FailedPreconditionError(
        latest_difference.empty()
            ? std::string("resume: the store holds no run to resume")
            : absl::StrCat("resume: no run in the store has this replay window and config; ",
                           latest_difference));
  }
  ResumePoint point;
  point.run_id = found;
  const std::string id = absl::StrCat(found);
  if (discard_from != absl::InfiniteFuture()) {
    // ISO timestamps compare as text. The ticks' own records go below, with the tail.
    const std::string cut = base::FormatUtcTimestamp(discard_from);
    std::string where = absl::StrCat(" WHERE run_id = ", id, " AND interval_start >= '", cut, "'");
    RETURN_IF_ERROR(Exec("BEGIN"));
    absl::Status discarded = Exec(absl::StrCat("DELETE FROM telemetry", where));
    if (discarded.ok()) point.intervals_discarded = sqlite3_changes(db_);
    if (discarded.ok()) discarded = Exec(absl::StrCat("DELETE FROM decisions", where));
    if (discarded.ok()) discarded = Exec(absl::StrCat("DELETE FROM ledger", where));
    if (discarded.ok()) discarded = Exec("COMMIT");
    if (!discarded.ok()) {
      (void)Exec("ROLLBACK");
      return discarded;
    }
  }
  sqlite3_stmt* held = nullptr;
  if (sqlite3_prepare_v2(db_,
                         "SELECT COUNT(*), MAX(interval_start) FROM telemetry WHERE run_id = ?", -1,
                         &held, nullptr) != SQLITE_OK) {
    return absl::InternalError(absl::StrCat("sqlite: ", sqlite3_errmsg(db_)));
  }
  sqlite3_bind_int64(held, 1, found);
  rc = sqlite3_step(held);
  std::string last;
  if (rc == SQLITE_ROW) {
    point.intervals_committed = sqlite3_column_int64(held, 0);
    if (sqlite3_column_type(held, 1) != SQLITE_NULL) {
      last = reinterpret_cast<const char*>(sqlite3_column_text(held, 1));
    }
  }
  sqlite3_finalize(held);
  if (rc != SQLITE_ROW) return SqliteError(rc, sqlite3_errmsg(db_));
  if (!last.empty()) {
    absl::StatusOr<absl::Time> parsed = base::ParseUtcTimestamp(last);
    if (!parsed.ok()) {
      return absl::InternalError(absl::StrCat("resume: run ", found, ": stored interval_start \"",
                                              last, "\": ", parsed.status().message()));
    }
    point.last_interval_start = *parsed;
  }
  // What was recorded after the last settled interval belongs to a tick that never
  // settled; the resumed run records it again. ISO timestamps compare as text.
  const std::string after = last.empty() ? std::string("") : last;
  RETURN_IF_ERROR(Exec(absl::StrCat(
      "BEGIN; DELETE FROM proposals WHERE run_id = ", id, " AND submitted_at > '", after,
      "'; DELETE FROM plans WHERE run_id = ", id, " AND tick > '", after,
      "'; DELETE FROM agent_notes WHERE run_id = ", id, " AND tick > '", after, "'; COMMIT")));
  run_id_ = found;
  return point;
}

absl::Status SqliteStore::VerifyInterval(const data::GridInterval& region_values,
                                         const region::IntervalOutcome& outcome) {
  absl::MutexLock lock(&mu_);
  if (run_id_ == 0) return absl::FailedPreconditionError("store: no run begun (ResumeRun)");
  const std::string start = base::FormatUtcTimestamp(outcome.interval_start);
  const IntervalVerification verify(run_id_, region_values, outcome);
  // Decisions first: when an agent answered differently, they name the cause.
  {
    BoundQuery q(select_decisions_, run_id_, start);
    size_t i = 0;
    int rc;
    for (; (rc = q.Step()) == SQLITE_ROW; ++i) {
      RETURN_IF_ERROR(verify.Decision(i, SqliteRow(q.row())));
    }
    if (rc != SQLITE_DONE) return SqliteError(rc, sqlite3_errmsg(db_));
    RETURN_IF_ERROR(verify.DecisionsEnd(i));
  }
  {
    BoundQuery q(select_telemetry_, run_id_, start);
    const int rc = q.Step();
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return SqliteError(rc, sqlite3_errmsg(db_));
    const SqliteRow row(q.row());
    RETURN_IF_ERROR(verify.Telemetry(rc == SQLITE_ROW ? &row : nullptr));
  }
  BoundQuery q(select_ledger_, run_id_, start);
  size_t i = 0;
  int rc;
  for (; (rc = q.Step()) == SQLITE_ROW; ++i) RETURN_IF_ERROR(verify.Ledger(i, SqliteRow(q.row())));
  if (rc != SQLITE_DONE) return SqliteError(rc, sqlite3_errmsg(db_));
  return verify.LedgerEnd(i);
}

absl::StatusOr<StoredApprovals> SqliteStore::LoadApprovals() {
  absl::MutexLock lock(&mu_);
  if (run_id_ == 0) return absl::FailedPreconditionError("store: no run begun (ResumeRun)");
  RETURN_IF_ERROR(CommitLocked());
  StoredApprovals stored;
  enum class Query { kMaxId, kFirstApproved, kPending };
  for (const Query query : {Query::kMaxId, Query::kFirstApproved, Query::kPending}) {
    const bool pending = query == Query::kPending;
    const std::string sql = pending ? PendingApprovalsSql("rowid", "?")
                            : query == Query::kFirstApproved
                                ? FirstApprovedSql("rowid", "?")
                                : "SELECT COALESCE(MAX(approval_id), 0) FROM approvals "
                                  "WHERE run_id = ?";
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      return absl::InternalError(absl::StrCat("sqlite: ", sqlite3_errmsg(db_)));
    }
    sqlite3_bind_int64(stmt, 1, run_id_);
    int rc;
    absl::Status parsed = absl::OkStatus();
    while (parsed.ok() && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      if (query == Query::kMaxId) {
        stored.max_approval_id = sqlite3_column_int64(stmt, 0);
        continue;
      }
      std::vector<std::optional<std::string>> cells;
      for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
        const unsigned char* t = sqlite3_column_text(stmt, c);
        cells.push_back(t == nullptr
                            ? std::nullopt
                            : std::optional<std::string>(reinterpret_cast<const char*>(t)));
      }
      if (!pending) {
        parsed = ReadFirstApprovedRow(run_id_, cells, &stored);
        continue;
      }
      absl::StatusOr<region::PendingApproval> entry = PendingApprovalFromRow(run_id_, cells);
      if (entry.ok()) {
        stored.pending.push_back(*std::move(entry));
      } else {
        parsed = entry.status();
      }
    }
    sqlite3_finalize(stmt);
    RETURN_IF_ERROR(parsed);
    if (rc != SQLITE_DONE) return SqliteError(rc, sqlite3_errmsg(db_));
  }
  if (stored.pending.size() > static_cast<size_t>(kMaxRestoredApprovals)) {
    return absl::InternalError(
        absl::StrCat("run ", run_id_, ": more than ", kMaxRestoredApprovals, " pending approvals"));
  }
  return stored;
}

absl::StatusOr<StoredRunState> SqliteStore::LastState() {
  absl::MutexLock lock(&mu_);
  if (run_id_ == 0) return absl::FailedPreconditionError("store: no run begun (ResumeRun)");
  RETURN_IF_ERROR(CommitLocked());
  StoredRunState state;
  auto query = [&](const std::string& sql, const std::function<void(sqlite3_stmt*)>& row) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      return absl::InternalError(absl::StrCat("sqlite: ", sqlite3_errmsg(db_)));
    }
    sqlite3_bind_int64(stmt, 1, run_id_);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) row(stmt);
    sqlite3_finalize(stmt);
    return rc == SQLITE_DONE ? absl::OkStatus() : SqliteError(rc, sqlite3_errmsg(db_));
  };
  auto text = [](sqlite3_stmt* stmt, int c) {
    const unsigned char* t = sqlite3_column_text(stmt, c);
    return std::string(t == nullptr ? "" : reinterpret_cast<const char*>(t));
  };
  std::string last;
  RETURN_IF_ERROR(query("SELECT COUNT(*), MAX(interval_start) FROM telemetry WHERE run_id = ?",
                        [&](sqlite3_stmt* row) {
                          state.intervals = sqlite3_column_int64(row, 0);
                          last = text(row, 1);
                        }));
  if (last.empty()) return state;
  absl::StatusOr<absl::Time> parsed = base::ParseUtcTimestamp(last);
  if (!parsed.ok()) {
    return absl::InternalError(absl::StrCat("run ", run_id_, ": stored interval_start \"", last,
                                            "\": ", parsed.status().message()));
  }
  state.last_interval_start = *parsed;
  std::string bad_status;
  RETURN_IF_ERROR(
      query(absl::StrCat("SELECT asset_id, soc_after_mwh, peaker_status, applied_mw FROM decisions "
                         "WHERE run_id = ? AND interval_start = '",
                         last, "'"),
            [&](sqlite3_stmt* row) {
              const std::string asset = text(row, 0);
              if (sqlite3_column_type(row, 1) != SQLITE_NULL) {
                state.battery_soc_mwh[asset] = sqlite3_column_double(row, 1);
                return;
              }
              assets::PeakerState& peaker = state.peakers[asset];
              const std::string status = text(row, 2);
              if (status == assets::PeakerStatusName(assets::PeakerStatus::kOn)) {
                peaker.status = assets::PeakerStatus::kOn;
              } else if (status == assets::PeakerStatusName(assets::PeakerStatus::kStarting)) {
                peaker.status = assets::PeakerStatus::kStarting;
              } else if (status != assets::PeakerStatusName(assets::PeakerStatus::kOff)) {
                bad_status = absl::StrCat(asset, ": peaker_status \"", status, "\"");
              }
              peaker.output_mw = sqlite3_column_double(row, 3);
            }));
  if (!bad_status.empty()) {
    return absl::InternalError(absl::StrCat("run ", run_id_, ", interval ", last, ": ", bad_status,
                                            " is not off, starting or on"));
  }
  std::string bad_cause;
  RETURN_IF_ERROR(query("SELECT cause, SUM(amount_gbp) FROM ledger WHERE run_id = ? GROUP BY cause",
                        [&](sqlite3_stmt* row) {
                          const std::string cause = text(row, 0);
                          for (int c = 0; c < market::kLedgerCauseCount; ++c) {
                            if (market::LedgerCauseName(static_cast<market::LedgerCause>(c)) ==
                                cause) {
                              state.ledger_totals_gbp[c] = sqlite3_column_double(row, 1);
                              return;
                            }
                          }
                          bad_cause = cause;
                        }));
  if (!bad_cause.empty()) {
    return absl::InternalError(
        absl::StrCat("run ", run_id_, ": ledger cause \"", bad_cause, "\" is not known"));
  }
  return state;
}

}  // namespace gridpilot
