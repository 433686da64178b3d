#include "services/gateway/postgres_store.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/base/status_macros.h"
#include "core/base/time_util.h"
#include "services/gateway/interval_verification.h"
#include "services/gateway/plan_numbers.h"
#include "services/gateway/postgres_migrations.h"

namespace gridpilot {
namespace {

// Prepared once per connection; named after what they do.
constexpr char kInsertProposal[] = "insert_proposal";
constexpr char kInsertTelemetry[] = "insert_telemetry";
constexpr char kInsertDecision[] = "insert_decision";
constexpr char kInsertLedger[] = "insert_ledger";
constexpr char kInsertNote[] = "insert_note";
constexpr char kInsertRefused[] = "insert_refused";
constexpr char kInsertPlan[] = "insert_plan";
constexpr char kInsertAuditEvent[] = "insert_audit_event";
constexpr char kInsertApproval[] = "insert_approval";
constexpr char kSelectAuditEvents[] = "select_audit_events";
constexpr char kSelectTelemetry[] = "select_telemetry";
constexpr char kSelectDecisions[] = "select_decisions";
constexpr char kSelectLedger[] = "select_ledger";

const char* StatusName(ProposalStatus status) {
  switch (status) {
    case ProposalStatus::kAccepted: return "accepted";
    case ProposalStatus::kDuplicate: return "duplicate";
    case ProposalStatus::kRejected: return "rejected";
    case ProposalStatus::kCancelled: return "cancelled";
  }
  return "?";
}

std::string OneLine(const std::string& text, size_t max_chars) {
  std::string out = text.substr(0, max_chars);
  std::replace(out.begin(), out.end(), '\n', ' ');
  return text.size() > max_chars ? out + "..." : out;
}

// A row of a query result (not owned) as the interval verification reads it. Cells come as
// text: a double was written with 17 digits and is read back shortest-exact.
class PostgresRow : public StoredRow {
 public:
  PostgresRow(const PostgresRows& rows, int row) : rows_(rows), row_(row) {}
  bool IsNull(int column) const override { return rows_.IsNull(row_, column); }
  double Real(int column) const override {
    return std::strtod(rows_.Text(row_, column).c_str(), nullptr);
  }
  std::optional<int64_t> Int(int column) const override {
    int64_t value = 0;
    if (IsNull(column) || !absl::SimpleAtoi(rows_.Text(row_, column), &value)) return std::nullopt;
    return value;
  }
  std::optional<std::string> Text(int column) const override {
    if (IsNull(column)) return std::nullopt;
    return rows_.Text(row_, column);
  }
  std::string Shown(int column) const override {
    return IsNull(column) ? std::string("NULL") : rows_.Text(row_, column);
  }

 private:
  const PostgresRows& rows_;
  int row_;
};

PostgresParams RunAndStart(int64_t run_id, const std::string& start) {
  PostgresParams params;
  params.Int(run_id).Text(start);
  return params;
}

}  // namespace

absl::StatusOr<std::unique_ptr<PostgresStore>> PostgresStore::Open(const std::string& url,
                                                                   int commit_every_records,
                                                                   int max_connect_attempts) {
  absl::StatusOr<std::unique_ptr<PostgresConnection>> db =
      PostgresConnection::Connect(url, max_connect_attempts);
  if (!db.ok()) return db.status();
  absl::StatusOr<int> version = ApplyMigrations(**db, StoreMigrations());
  if (!version.ok()) return version.status();
  std::unique_ptr<PostgresStore> store(
      new PostgresStore(*std::move(db), std::max(1, commit_every_records)));
  absl::MutexLock lock(&store->mu_);
  RETURN_IF_ERROR(store->Prepare());
  return store;
}

absl::Status PostgresStore::Prepare() {
  const std::pair<const char*, const char*> statements[] = {
      {kInsertProposal,
       "INSERT INTO proposals (run_id, proposal_id, status, submitted_at, agent, asset_id, "
       "priority, power_mw, lease_start, lease_end, idempotency_key, reason, detail, role) "
       "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"},
      {kInsertTelemetry,
       "INSERT INTO telemetry (run_id, interval_start, net_load_mw, embedded_solar_mw, "
       "embedded_wind_mw, price_gbp_per_mwh, dispatch_mw, net_load_after_mw, excess_mw, "
       "baseline_excess_mw) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"},
      {kInsertDecision,
       "INSERT INTO decisions (run_id, interval_start, asset_id, proposal_id, agent, priority, "
       "requested_mw, applied_mw, soc_before_mwh, soc_after_mwh, charge_mwh, discharge_mwh, "
       "peaker_status, reason, role) "
       "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"},
      {kInsertLedger,
       "INSERT INTO ledger (run_id, interval_start, cause, asset_id, amount_gbp, note) "
       "VALUES ($1, $2, $3, $4, $5, $6)"},
      {kInsertNote, "INSERT INTO agent_notes (run_id, tick, agent, note) VALUES ($1, $2, $3, $4)"},
      {kInsertRefused,
       "INSERT INTO refused_calls (run_id, at, method, identity, role, code, reason, "
       "dropped_before) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"},
      {kInsertPlan,
       "INSERT INTO plans (run_id, tick, agent, first_interval_start, intervals, power_mw, "
       "price_forecast_gbp_per_mwh, expected_value_gbp, reason) "
       "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"},
      {kInsertAuditEvent,
       "INSERT INTO audit_events (run_id, at, process, kind, identity, role, detail_json, "
       "dropped_before) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"},
      {kInsertApproval,
       "INSERT INTO approvals (run_id, approval_id, event, at, requester, requester_role, "
       "decided_by, decided_by_role, asset_id, priority, power_mw, lease_start, lease_end, "
       "idempotency_key, proposal_reason, reason, expires_at, proposal_id) VALUES ($1, $2, $3, "
       "$4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)"},
      // As SqliteStore's: reported events and the gateway's refusals merged, newest first,
      // an event before a refusal of the same second, later rows first within a source. A
      // refusal's detail is built by the caller from method, code and reason (columns 7-9).
      {kSelectAuditEvents,
       "SELECT at, process, kind, identity, role, detail_json, dropped_before, method, code, "
       "reason FROM ("
       "SELECT at, process, kind, identity, role, detail_json, dropped_before, "
       "NULL::TEXT AS method, NULL::TEXT AS code, NULL::TEXT AS reason, 1 AS source, "
       "row_seq AS seq FROM audit_events UNION ALL "
       "SELECT at, 'gateway', 'refusal', identity, role, NULL, dropped_before, method, code, "
       "reason, 0, row_seq FROM refused_calls) AS merged "
       "WHERE ($1::TEXT = '' OR kind = $1::TEXT) AND at >= $2::TEXT "
       "ORDER BY at DESC, source DESC, seq DESC LIMIT $3::BIGINT"},
      {kSelectTelemetry,
       "SELECT net_load_mw, embedded_solar_mw, embedded_wind_mw, price_gbp_per_mwh, dispatch_mw, "
       "net_load_after_mw, excess_mw, baseline_excess_mw FROM telemetry "
       "WHERE run_id = $1 AND interval_start = $2"},
      {kSelectDecisions,
       "SELECT asset_id, proposal_id, agent, priority, requested_mw, applied_mw, soc_before_mwh, "
       "soc_after_mwh, charge_mwh, discharge_mwh, peaker_status, reason FROM decisions "
       "WHERE run_id = $1 AND interval_start = $2 ORDER BY row_seq"},
      {kSelectLedger,
       "SELECT cause, asset_id, amount_gbp, note FROM ledger "
       "WHERE run_id = $1 AND interval_start = $2 ORDER BY row_seq"},
  };
  for (const auto& [name, sql] : statements) RETURN_IF_ERROR(db_->Prepare(name, sql));
  return absl::OkStatus();
}

PostgresStore::~PostgresStore() {
  absl::MutexLock lock(&mu_);
  CommitLocked().IgnoreError();  // a destructor has no caller to tell; Flush() reports
}

absl::Status PostgresStore::Queue(const char* name, PostgresParams params) {
  RETURN_IF_ERROR(db_->CheckConnected());  // a lost server fails the record call at once
  RETURN_IF_ERROR(db_->CheckParams(params));
  queued_bytes_ += params.bytes();
  PostgresStatement statement;
  statement.prepared = name;
  statement.params = std::move(params);
  queued_.push_back(std::move(statement));
  return absl::OkStatus();
}

absl::Status PostgresStore::EndQueuedRecord() {
  ++queued_records_;
  ++records_in_transaction_;
  if (queued_.size() >= kMaxQueuedStatements || queued_bytes_ >= kMaxQueuedBytes) {
    return SendQueued(/*commit=*/false);
  }
  return absl::OkStatus();
}

absl::Status PostgresStore::BeginQueuedWrite() {
  if (run_id_ == 0) return absl::FailedPreconditionError("store: no run begun (BeginRun)");
  if (in_transaction_) return absl::OkStatus();
  in_transaction_ = true;
  begin_queued_ = true;
  records_in_transaction_ = 0;
  return absl::OkStatus();
}

absl::Status PostgresStore::SendQueued(bool commit) {
  if (queued_.empty() && !begin_queued_ && !commit) return absl::OkStatus();
  const auto plain = [](const char* sql) {
    PostgresStatement statement;
    statement.sql = sql;
    return statement;
  };
  std::vector<PostgresStatement> statements;
  statements.reserve(queued_.size() + 4);
  if (begin_queued_) statements.push_back(plain("BEGIN"));
  const bool has_rows = !queued_.empty();
  // The savepoint lets a refused row undo the rows of this send only.
  if (has_rows) statements.push_back(plain("SAVEPOINT queued"));
  const size_t first_row = statements.size();
  for (PostgresStatement& statement : queued_) statements.push_back(std::move(statement));
  const size_t rows = queued_.size();
  const int records = queued_records_;
  if (has_rows) statements.push_back(plain("RELEASE SAVEPOINT queued"));
  if (commit && in_transaction_) statements.push_back(plain("COMMIT"));
  queued_.clear();
  queued_bytes_ = 0;
  queued_records_ = 0;
  const bool began_here = begin_queued_;
  begin_queued_ = false;
  size_t failed = statements.size();
  const absl::Status sent = db_->Pipeline(statements, &failed);
  const bool committed = commit && in_transaction_;
  if (sent.ok()) {
    if (committed) in_transaction_ = false;
    return sent;
  }
  if (began_here && failed == 0) {  // BEGIN itself failed: no transaction, nothing stored
    in_transaction_ = db_->InTransaction();
    return sent;
  }
  if (committed && failed == statements.size() - 1) {  // the COMMIT failed
    in_transaction_ = false;
    if (db_->InTransaction()) db_->Exec("ROLLBACK").IgnoreError();  // reported below
    return absl::Status(sent.code(),
                        absl::StrCat(sent.message(), " (commit failed; ", records_in_transaction_,
                                     " records of the batch are lost)"));
  }
  // A refused row: undo this send's rows, keep the batch before them.
  if (has_rows && db_->InTransaction()) {
    db_->Exec("ROLLBACK TO SAVEPOINT queued; RELEASE SAVEPOINT queued").IgnoreError();
  }
  in_transaction_ = db_->InTransaction();
  records_in_transaction_ -= std::min(records_in_transaction_, records);
  const std::string which =
      failed >= first_row && failed < first_row + rows
          ? absl::StrCat("row ", failed - first_row + 1, " of ", rows, " queued")
          : std::string("a queued batch");
  return absl::Status(sent.code(), absl::StrCat(sent.message(), " (", which, "; the ", records,
                                                " records queued with it are not stored)"));
}

absl::Status PostgresStore::BeginWrite() {
  if (run_id_ == 0) return absl::FailedPreconditionError("store: no run begun (BeginRun)");
  RETURN_IF_ERROR(SendQueued(/*commit=*/false));
  if (in_transaction_) return absl::OkStatus();
  RETURN_IF_ERROR(db_->Exec("BEGIN"));
  in_transaction_ = true;
  records_in_transaction_ = 0;
  return absl::OkStatus();
}

absl::Status PostgresStore::EndWrite(bool commit_point) {
  ++records_in_transaction_;
  if (!commit_point || records_in_transaction_ < commit_every_records_) return absl::OkStatus();
  return CommitLocked();
}

absl::Status PostgresStore::CommitLocked() {
  if (!queued_.empty() || begin_queued_) return SendQueued(/*commit=*/true);
  if (!in_transaction_) return absl::OkStatus();
  in_transaction_ = false;
  const absl::Status committed = db_->Exec("COMMIT");
  if (committed.ok()) return committed;
  if (db_->InTransaction()) db_->Exec("ROLLBACK").IgnoreError();  // reported below
  return absl::Status(committed.code(),
                      absl::StrCat(committed.message(), " (commit failed; ",
                                   records_in_transaction_, " records of the batch are lost)"));
}

absl::Status PostgresStore::Flush() {
  absl::MutexLock lock(&mu_);
  return CommitLocked();
}

int64_t PostgresStore::run_id() const {
  absl::MutexLock lock(&mu_);
  return run_id_;
}

int64_t PostgresStore::round_trips() const {
  absl::MutexLock lock(&mu_);
  return db_->round_trips();
}

absl::Status PostgresStore::BeginRun(absl::Time replay_from, absl::Time replay_to,
                                     const std::string& config_json) {
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(CommitLocked());
  PostgresParams params;
  params.Text(base::FormatUtcTimestamp(replay_from))
      .Text(base::FormatUtcTimestamp(replay_to))
      .Text(config_json);
  absl::StatusOr<PostgresRows> inserted = db_->Query(
      "INSERT INTO runs (replay_from, replay_to, config_json) VALUES ($1, $2, $3) "
      "RETURNING run_id",
      params);
  if (!inserted.ok()) return inserted.status();
  run_id_ = std::strtoll(inserted->Text(0, 0).c_str(), nullptr, 10);
  return absl::OkStatus();
}

absl::Status PostgresStore::RecordProposal(const region::ProposalRecord& record,
                                           ProposalStatus status, const std::string& detail) {
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(BeginQueuedWrite());
  const region::DispatchProposal& p = record.proposal;
  PostgresParams params;
  params.Int(run_id_)
      .Int(record.id)
      .Text(StatusName(status))
      .Text(base::FormatUtcTimestamp(record.submitted_at))
      .Text(p.agent)
      .Text(p.asset_id)
      .Int(static_cast<int>(p.priority))
      .Real(std::isfinite(p.power_mw) ? std::optional<double>(p.power_mw) : std::nullopt)
      .Text(base::FormatUtcTimestamp(p.start))
      .Text(base::FormatUtcTimestamp(p.end))
      .Text(p.idempotency_key)
      .Text(p.reason)
      .Text(detail)
      .Text(p.role);
  RETURN_IF_ERROR(Queue(kInsertProposal, std::move(params)));
  return EndQueuedRecord();
}

absl::Status PostgresStore::RecordAgentNote(absl::Time tick, const std::string& agent,
                                            const std::string& note) {
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(BeginQueuedWrite());
  PostgresParams params;
  params.Int(run_id_).Text(base::FormatUtcTimestamp(tick)).Text(agent).Text(note);
  RETURN_IF_ERROR(Queue(kInsertNote, std::move(params)));
  return EndQueuedRecord();
}

absl::Status PostgresStore::RecordRefusedCall(absl::Time at, const security::RefusedCall& call,
                                              int64_t dropped_before) {
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(BeginQueuedWrite());
  PostgresParams params;
  params.Int(run_id_)
      .Text(base::FormatUtcTimestamp(at))
      .Text(call.method)
      .Text(call.identity)
      .Text(call.role)
      .Text(call.code)
      .Text(call.reason)
      .Int(dropped_before);
  RETURN_IF_ERROR(Queue(kInsertRefused, std::move(params)));
  return EndQueuedRecord();
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

// {"method":...,"code":...,"reason":...}: a refusal's detail, as SQLite's json_object
// writes it.
std::string RefusalDetailJson(const std::string& method, const std::string& code,
                              const std::string& reason) {
  nlohmann::ordered_json detail;
  detail["method"] = method;
  detail["code"] = code;
  detail["reason"] = reason;
  return detail.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

absl::Status PostgresStore::RecordApprovalEvent(const ApprovalEvent& event) {
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(BeginQueuedWrite());
  const region::DispatchProposal& p = event.proposal;
  PostgresParams params;
  params.Int(run_id_)
      .Int(event.approval_id)
      .Text(ApprovalEventName(event.kind))
      .Text(base::FormatUtcTimestamp(event.at))
      .Text(event.requester)
      .Text(event.requester_role)
      .Text(event.decided_by)
      .Text(event.decided_by_role)
      .Text(p.asset_id)
      .Int(static_cast<int>(p.priority))
      .Real(std::isfinite(p.power_mw) ? std::optional<double>(p.power_mw) : std::nullopt)
      .Text(base::FormatUtcTimestamp(p.start))
      .Text(base::FormatUtcTimestamp(p.end))
      .Text(p.idempotency_key)
      .Text(p.reason)
      .Text(event.reason)
      .Text(base::FormatUtcTimestamp(event.expires_at))
      .Int(event.proposal_id);
  RETURN_IF_ERROR(Queue(kInsertApproval, std::move(params)));
  return EndQueuedRecord();
}

absl::Status PostgresStore::RecordAuditEvent(const AuditEvent& event) {
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(BeginQueuedWrite());
  PostgresParams params;
  params.Int(run_id_)
      .Text(base::FormatUtcTimestamp(event.at))
      .Text(event.process)
      .Text(event.kind)
      .Text(event.identity)
      .Text(event.role)
      .Text(event.detail_json)
      .Int(event.dropped_before);
  RETURN_IF_ERROR(Queue(kInsertAuditEvent, std::move(params)));
  return EndQueuedRecord();
}

absl::StatusOr<std::vector<AuditEvent>> PostgresStore::ListAuditEvents(const AuditQuery& query) {
  absl::MutexLock lock(&mu_);
  // Timestamps are stored at whole seconds: a `since` inside a second includes that second.
  const std::string since =
      query.since == absl::InfinitePast()
          ? std::string("")
          : base::FormatUtcTimestamp(absl::FromUnixSeconds(absl::ToUnixSeconds(query.since)));
  PostgresParams params;
  params.Text(query.kind).Text(since).Int(query.limit);
  RETURN_IF_ERROR(SendQueued(/*commit=*/false));  // the list includes every record accepted
  // On this connection, so inside the open batch: it sees records not yet flushed. Under a
  // savepoint there, so that a failed read leaves the batch usable.
  const bool in_batch = in_transaction_;
  if (in_batch) RETURN_IF_ERROR(db_->Exec("SAVEPOINT audit_list"));
  absl::StatusOr<PostgresRows> rows = db_->ExecPrepared(kSelectAuditEvents, params);
  if (in_batch) {
    const absl::Status ended =
        db_->Exec(rows.ok() ? "RELEASE SAVEPOINT audit_list" : "ROLLBACK TO SAVEPOINT audit_list");
    if (rows.ok() && !ended.ok()) return ended;
  }
  if (!rows.ok()) return rows.status();
  std::vector<AuditEvent> events;
  events.reserve(rows->rows());
  for (int r = 0; r < rows->rows(); ++r) {
    AuditEvent e;
    const std::string at = rows->Text(r, 0);
    absl::StatusOr<absl::Time> parsed = base::ParseUtcTimestamp(at);
    if (!parsed.ok()) {
      return absl::InternalError(
          absl::StrCat("audit log: stored time \"", at, "\" is not UTC ISO 8601"));
    }
    e.at = *parsed;
    e.process = rows->Text(r, 1);
    e.kind = rows->Text(r, 2);
    e.identity = rows->Text(r, 3);
    e.role = rows->Text(r, 4);
    e.detail_json = rows->IsNull(r, 5)
                        ? RefusalDetailJson(rows->Text(r, 7), rows->Text(r, 8), rows->Text(r, 9))
                        : rows->Text(r, 5);
    e.dropped_before = std::strtoll(rows->Text(r, 6).c_str(), nullptr, 10);
    events.push_back(std::move(e));
  }
  return events;
}

absl::Status PostgresStore::RecordPlan(absl::Time tick, const std::string& agent,
                                       const AgentPlanRecord& plan) {
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(BeginQueuedWrite());
  PostgresParams params;
  params.Int(run_id_)
      .Text(base::FormatUtcTimestamp(tick))
      .Text(agent)
      .Text(base::FormatUtcTimestamp(plan.first_interval_start))
      .Int(static_cast<int64_t>(plan.power_mw.size()))
      .Text(CompactNumbers(plan.power_mw))
      .Text(CompactNumbers(plan.price_forecast_gbp_per_mwh))
      .Real(plan.expected_value_gbp)
      .Text(plan.reason);
  RETURN_IF_ERROR(Queue(kInsertPlan, std::move(params)));
  return EndQueuedRecord();
}

absl::Status PostgresStore::WriteInterval(const std::string& start,
                                          const data::GridInterval& region_values,
                                          const region::IntervalOutcome& outcome) {
  PostgresParams telemetry;
  telemetry.Int(run_id_)
      .Text(start)
      .Real(region_values.net_load_mw)
      .Real(region_values.embedded_solar_mw)
      .Real(region_values.embedded_wind_mw)
      .Real(region_values.price_gbp_per_mwh)
      .Real(outcome.dispatch_mw)
      .Real(outcome.net_load_after_mw)
      .Real(outcome.excess_mw)
      .Real(outcome.baseline_excess_mw);
  RETURN_IF_ERROR(Queue(kInsertTelemetry, std::move(telemetry)));
  for (size_t i = 0; i < outcome.decisions.size(); ++i) {
    const region::AssetDecision& d = outcome.decisions[i];
    PostgresParams decision;
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
      decision.Null().Null().Null().Null().Text(
          std::string(assets::PeakerStatusName(p.next.status)));
    }
    decision.Text(d.reason).Text(d.role);
    RETURN_IF_ERROR(Queue(kInsertDecision, std::move(decision)));
  }
  for (const market::LedgerEntry& e : outcome.entries) {
    PostgresParams ledger;
    ledger.Int(run_id_)
        .Text(start)
        .Text(std::string(market::LedgerCauseName(e.cause)))
        .Text(e.asset_id)
        .Real(e.amount_gbp)
        .Text(e.note);
    RETURN_IF_ERROR(Queue(kInsertLedger, std::move(ledger)));
  }
  return absl::OkStatus();
}

absl::Status PostgresStore::RecordTelemetrySamples(
    const std::vector<StoredTelemetrySample>& samples) {
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(BeginWrite());
  // All or none: a savepoint, as for an interval. Rows go in multi-row INSERTs of at most
  // sample_rows_per_insert_ rows, one round trip each (docs/decisions.md, "Raw telemetry
  // samples stored").
  RETURN_IF_ERROR(db_->Exec("SAVEPOINT samples"));
  absl::Status status = absl::OkStatus();
  constexpr int kColumns = 10;
  for (size_t first = 0; first < samples.size() && status.ok();
       first += static_cast<size_t>(sample_rows_per_insert_)) {
    const size_t rows =
        std::min(samples.size() - first, static_cast<size_t>(sample_rows_per_insert_));
    std::string sql =
        "INSERT INTO telemetry_samples (run_id, source, sequence, stamp, net_load_mw, solar_mw, "
        "wind_mw, price_gbp_per_mwh, received_at, late) VALUES ";
    PostgresParams params;
    for (size_t r = 0; r < rows; ++r) {
      const StoredTelemetrySample& stored = samples[first + r];
      const data::TelemetrySample& s = stored.sample;
      absl::StrAppend(&sql, r == 0 ? "(" : ",(");
      for (int c = 1; c <= kColumns; ++c) {
        absl::StrAppend(&sql, c == 1 ? "$" : ",$", static_cast<int64_t>(r) * kColumns + c);
      }
      sql += ")";
      if (r + 1 == rows) sql += " ON CONFLICT (run_id, source, sequence) DO NOTHING";
      params.Int(run_id_)
          .Text(s.source)
          .Int(s.sequence)
          .Text(FormatSampleTime(s.timestamp))
          .Real(s.net_load_mw)
          .Real(s.solar_mw)
          .Real(s.wind_mw)
          .Real(s.price_gbp_per_mwh)
          .Text(FormatSampleTime(stored.received_at))
          .Int(stored.late ? 1 : 0);
    }
    status = db_->Query(sql, params).status();
  }
  if (!status.ok()) {
    db_->Exec("ROLLBACK TO SAVEPOINT samples; RELEASE SAVEPOINT samples").IgnoreError();
    return status;
  }
  RETURN_IF_ERROR(db_->Exec("RELEASE SAVEPOINT samples"));
  // Each row counts towards the commit threshold, so the batch stays bounded in rows.
  if (!samples.empty()) records_in_transaction_ += static_cast<int>(samples.size()) - 1;
  return EndWrite(/*commit_point=*/false);
}

void PostgresStore::set_sample_rows_per_insert(int rows) {
  absl::MutexLock lock(&mu_);
  sample_rows_per_insert_ = std::clamp(rows, 1, kMaxSampleRowsPerInsert);
}

absl::Status PostgresStore::RecordInterval(const data::GridInterval& region_values,
                                           const region::IntervalOutcome& outcome) {
  absl::MutexLock lock(&mu_);
  const std::string start = base::FormatUtcTimestamp(outcome.interval_start);
  RETURN_IF_ERROR(BeginQueuedWrite());
  const size_t queued_before = queued_.size();
  const size_t bytes_before = queued_bytes_;
  if (absl::Status status = WriteInterval(start, region_values, outcome); !status.ok()) {
    queued_.resize(queued_before);  // a row that cannot be sent: none of the interval's
    queued_bytes_ = bytes_before;
    return status;
  }
  ++queued_records_;
  ++records_in_transaction_;
  // The tick's records and this interval go in one round trip, with the commit when due.
  return SendQueued(/*commit=*/records_in_transaction_ >= commit_every_records_);
}

absl::StatusOr<ResumePoint> PostgresStore::ResumeRun(absl::Time replay_from, absl::Time replay_to,
                                                     const std::string& config_json,
                                                     absl::Time discard_from) {
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(CommitLocked());
  const std::string from = base::FormatUtcTimestamp(replay_from);
  const std::string to = base::FormatUtcTimestamp(replay_to);
  // The server finds the run; only the latest run is read back, to say what differs when
  // none matches (memory stays bounded however many runs the database holds).
  PostgresParams wanted;
  wanted.Text(from).Text(to).Text(config_json);
  absl::StatusOr<PostgresRows> match = db_->Query(
      "SELECT run_id FROM runs WHERE replay_from = $1 AND replay_to = $2 AND config_json = $3 "
      "ORDER BY run_id DESC LIMIT 1",
      wanted);
  if (!match.ok()) return match.status();
  if (match->rows() == 0) {
    absl::StatusOr<PostgresRows> latest = db_->Query(
        "SELECT run_id, replay_from, replay_to, config_json FROM runs ORDER BY run_id DESC "
        "LIMIT 1",
        PostgresParams());
    if (!latest.ok()) return latest.status();
    if (latest->rows() == 0) {
      return absl::FailedPreconditionError("resume: the store holds no run to resume");
    }
    std::string difference;
    if (latest->Text(0, 1) != from) {
      difference =
          absl::StrCat("replay_from (stored ", latest->Text(0, 1), ", this run ", from, ")");
    } else if (latest->Text(0, 2) != to) {
      difference = absl::StrCat("replay_to (stored ", latest->Text(0, 2), ", this run ", to, ")");
    } else {
      const std::string stored = latest->Text(0, 3);
      size_t at = 0;
      while (at < stored.size() && at < config_json.size() && stored[at] == config_json[at]) ++at;
      difference = absl::StrCat("config (first difference at byte ", at, ": stored \"",
                                OneLine(stored.substr(at), 40), "\", this run \"",
                                OneLine(config_json.substr(at), 40), "\")");
    }
    return absl::FailedPreconditionError(
        absl::StrCat("resume: no run in the store has this replay window and config; the "
                     "latest, run ",
                     latest->Text(0, 0), ", differs in ", difference));
  }
  const int64_t found = std::strtoll(match->Text(0, 0).c_str(), nullptr, 10);
  ResumePoint point;
  point.run_id = found;
  // One transaction: the discarded intervals and the unsettled tail go together or not at
  // all. ISO timestamps compare as text, as in SQLite.
  RETURN_IF_ERROR(db_->Exec("BEGIN"));
  absl::Status done = [&]() -> absl::Status {
    if (discard_from != absl::InfiniteFuture()) {
      const PostgresParams cut = RunAndStart(found, base::FormatUtcTimestamp(discard_from));
      absl::StatusOr<PostgresRows> deleted =
          db_->Query("DELETE FROM telemetry WHERE run_id = $1 AND interval_start >= $2", cut);
      if (!deleted.ok()) return deleted.status();
      point.intervals_discarded = deleted->affected();
      for (const char* table : {"decisions", "ledger"}) {
        RETURN_IF_ERROR(db_->Query(absl::StrCat("DELETE FROM ", table,
                                                " WHERE run_id = $1 AND interval_start >= $2"),
                                   cut)
                            .status());
      }
    }
    PostgresParams run;
    run.Int(found);
    absl::StatusOr<PostgresRows> held =
        db_->Query("SELECT COUNT(*), MAX(interval_start) FROM telemetry WHERE run_id = $1", run);
    if (!held.ok()) return held.status();
    point.intervals_committed = std::strtoll(held->Text(0, 0).c_str(), nullptr, 10);
    const std::string last = held->IsNull(0, 1) ? std::string() : held->Text(0, 1);
    if (!last.empty()) {
      absl::StatusOr<absl::Time> parsed = base::ParseUtcTimestamp(last);
      if (!parsed.ok()) {
        return absl::InternalError(absl::StrCat("resume: run ", found, ": stored interval_start \"",
                                                last, "\": ", parsed.status().message()));
      }
      point.last_interval_start = *parsed;
    }
    // What was recorded after the last settled interval belongs to a tick that never
    // settled; the resumed run records it again.
    const PostgresParams after = RunAndStart(found, last);
    for (const auto& [table, column] :
         {std::pair<const char*, const char*>{"proposals", "submitted_at"},
          {"plans", "tick"},
          {"agent_notes", "tick"}}) {
      RETURN_IF_ERROR(db_->Query(absl::StrCat("DELETE FROM ", table, " WHERE run_id = $1 AND ",
                                              column, " > $2"),
                                 after)
                          .status());
    }
    return db_->Exec("COMMIT");
  }();
  if (!done.ok()) {
    if (db_->InTransaction()) db_->Exec("ROLLBACK").IgnoreError();  // `done` is reported
    return done;
  }
  run_id_ = found;
  return point;
}

absl::Status PostgresStore::VerifyInterval(const data::GridInterval& region_values,
                                           const region::IntervalOutcome& outcome) {
  absl::MutexLock lock(&mu_);
  if (run_id_ == 0) return absl::FailedPreconditionError("store: no run begun (ResumeRun)");
  RETURN_IF_ERROR(SendQueued(/*commit=*/false));
  const IntervalVerification verify(run_id_, region_values, outcome);
  const PostgresParams key = RunAndStart(run_id_, base::FormatUtcTimestamp(outcome.interval_start));
  // Decisions first: when an agent answered differently, they name the cause.
  {
    absl::StatusOr<PostgresRows> rows = db_->ExecPrepared(kSelectDecisions, key);
    if (!rows.ok()) return rows.status();
    const size_t stored = static_cast<size_t>(rows->rows());
    for (size_t i = 0; i < stored; ++i) {
      RETURN_IF_ERROR(verify.Decision(i, PostgresRow(*rows, static_cast<int>(i))));
    }
    RETURN_IF_ERROR(verify.DecisionsEnd(stored));
  }
  {
    absl::StatusOr<PostgresRows> rows = db_->ExecPrepared(kSelectTelemetry, key);
    if (!rows.ok()) return rows.status();
    const PostgresRow row(*rows, 0);
    RETURN_IF_ERROR(verify.Telemetry(rows->rows() > 0 ? &row : nullptr));
  }
  absl::StatusOr<PostgresRows> rows = db_->ExecPrepared(kSelectLedger, key);
  if (!rows.ok()) return rows.status();
  const size_t stored = static_cast<size_t>(rows->rows());
  for (size_t i = 0; i < stored; ++i) {
    RETURN_IF_ERROR(verify.Ledger(i, PostgresRow(*rows, static_cast<int>(i))));
  }
  return verify.LedgerEnd(stored);
}

absl::StatusOr<StoredApprovals> PostgresStore::LoadApprovals() {
  absl::MutexLock lock(&mu_);
  if (run_id_ == 0) return absl::FailedPreconditionError("store: no run begun (ResumeRun)");
  RETURN_IF_ERROR(CommitLocked());
  PostgresParams run;
  run.Int(run_id_);
  StoredApprovals stored;
  absl::StatusOr<PostgresRows> max_id =
      db_->Query("SELECT COALESCE(MAX(approval_id), 0) FROM approvals WHERE run_id = $1", run);
  if (!max_id.ok()) return max_id.status();
  stored.max_approval_id = std::strtoll(max_id->Text(0, 0).c_str(), nullptr, 10);
  absl::StatusOr<PostgresRows> approved = db_->Query(FirstApprovedSql("row_seq", "$1"), run);
  if (!approved.ok()) return approved.status();
  if (approved->rows() > 0) {
    std::vector<std::optional<std::string>> cells;
    for (int c = 0; c < approved->columns(); ++c) {
      cells.push_back(approved->IsNull(0, c) ? std::nullopt
                                             : std::optional<std::string>(approved->Text(0, c)));
    }
    RETURN_IF_ERROR(ReadFirstApprovedRow(run_id_, cells, &stored));
  }
  absl::StatusOr<PostgresRows> rows = db_->Query(PendingApprovalsSql("row_seq", "$1"), run);
  if (!rows.ok()) return rows.status();
  if (rows->rows() > kMaxRestoredApprovals) {
    return absl::InternalError(
        absl::StrCat("run ", run_id_, ": more than ", kMaxRestoredApprovals, " pending approvals"));
  }
  for (int r = 0; r < rows->rows(); ++r) {
    std::vector<std::optional<std::string>> cells;
    for (int c = 0; c < rows->columns(); ++c) {
      cells.push_back(rows->IsNull(r, c) ? std::nullopt
                                         : std::optional<std::string>(rows->Text(r, c)));
    }
    ASSIGN_OR_RETURN(region::PendingApproval entry, PendingApprovalFromRow(run_id_, cells));
    stored.pending.push_back(std::move(entry));
  }
  return stored;
}

absl::StatusOr<StoredRunState> PostgresStore::LastState() {
  absl::MutexLock lock(&mu_);
  if (run_id_ == 0) return absl::FailedPreconditionError("store: no run begun (ResumeRun)");
  RETURN_IF_ERROR(CommitLocked());
  StoredRunState state;
  PostgresParams run;
  run.Int(run_id_);
  absl::StatusOr<PostgresRows> held =
      db_->Query("SELECT COUNT(*), MAX(interval_start) FROM telemetry WHERE run_id = $1", run);
  if (!held.ok()) return held.status();
  state.intervals = std::strtoll(held->Text(0, 0).c_str(), nullptr, 10);
  if (held->IsNull(0, 1)) return state;
  const std::string last = held->Text(0, 1);
  absl::StatusOr<absl::Time> parsed = base::ParseUtcTimestamp(last);
  if (!parsed.ok()) {
    return absl::InternalError(absl::StrCat("run ", run_id_, ": stored interval_start \"", last,
                                            "\": ", parsed.status().message()));
  }
  state.last_interval_start = *parsed;
  absl::StatusOr<PostgresRows> decisions = db_->Query(
      "SELECT asset_id, soc_after_mwh, peaker_status, applied_mw FROM decisions "
      "WHERE run_id = $1 AND interval_start = $2 ORDER BY row_seq",
      RunAndStart(run_id_, last));
  if (!decisions.ok()) return decisions.status();
  for (int r = 0; r < decisions->rows(); ++r) {
    const std::string asset = decisions->Text(r, 0);
    if (!decisions->IsNull(r, 1)) {
      state.battery_soc_mwh[asset] = std::strtod(decisions->Text(r, 1).c_str(), nullptr);
      continue;
    }
    assets::PeakerState& peaker = state.peakers[asset];
    const std::string status = decisions->Text(r, 2);
    if (status == assets::PeakerStatusName(assets::PeakerStatus::kOn)) {
      peaker.status = assets::PeakerStatus::kOn;
    } else if (status == assets::PeakerStatusName(assets::PeakerStatus::kStarting)) {
      peaker.status = assets::PeakerStatus::kStarting;
    } else if (status != assets::PeakerStatusName(assets::PeakerStatus::kOff)) {
      return absl::InternalError(absl::StrCat("run ", run_id_, ", interval ", last, ": ", asset,
                                              ": peaker_status \"", status,
                                              "\" is not off, starting or on"));
    }
    peaker.output_mw = std::strtod(decisions->Text(r, 3).c_str(), nullptr);
  }
  // Summed by the server, in insertion order (an aggregate's ORDER BY fixes the order its
  // rows are added in, so the totals are the same doubles on every read).
  absl::StatusOr<PostgresRows> ledger = db_->Query(
      "SELECT cause, SUM(amount_gbp ORDER BY row_seq) FROM ledger WHERE run_id = $1 "
      "GROUP BY cause",
      run);
  if (!ledger.ok()) return ledger.status();
  for (int r = 0; r < ledger->rows(); ++r) {
    const std::string cause = ledger->Text(r, 0);
    bool known = false;
    for (int c = 0; c < market::kLedgerCauseCount && !known; ++c) {
      if (market::LedgerCauseName(static_cast<market::LedgerCause>(c)) == cause) {
        state.ledger_totals_gbp[c] = std::strtod(ledger->Text(r, 1).c_str(), nullptr);
        known = true;
      }
    }
    if (!known) {
      return absl::InternalError(
          absl::StrCat("run ", run_id_, ": ledger cause \"", cause, "\" is not known"));
    }
  }
  return state;
}

}  // namespace gridpilot
