#include "services/gateway/sqlite_store.h"

#include <cmath>
#include <optional>

#include "absl/strings/str_cat.h"
#include "core/status_macros.h"
#include "core/time_util.h"

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
  idempotency_key TEXT NOT NULL, reason TEXT NOT NULL, detail TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS decisions (
  run_id INTEGER NOT NULL, interval_start TEXT NOT NULL, asset_id TEXT NOT NULL,
  proposal_id INTEGER NOT NULL, agent TEXT NOT NULL, priority INTEGER NOT NULL,
  requested_mw REAL NOT NULL, applied_mw REAL NOT NULL,
  soc_before_mwh REAL, soc_after_mwh REAL, charge_mwh REAL, discharge_mwh REAL,
  peaker_status TEXT, reason TEXT NOT NULL,
  PRIMARY KEY (run_id, interval_start, asset_id));
CREATE TABLE IF NOT EXISTS ledger (
  run_id INTEGER NOT NULL, interval_start TEXT NOT NULL, cause TEXT NOT NULL,
  asset_id TEXT NOT NULL, amount_gbp REAL NOT NULL, note TEXT NOT NULL);
)sql";

const char* StatusName(ProposalStatus status) {
  switch (status) {
    case ProposalStatus::kAccepted: return "accepted";
    case ProposalStatus::kDuplicate: return "duplicate";
    case ProposalStatus::kRejected: return "rejected";
    case ProposalStatus::kCancelled: return "cancelled";
  }
  return "?";
}

// A prepared statement bound positionally; finalised on destruction.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) stmt_ = nullptr;
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  bool ok() const { return stmt_ != nullptr; }
  Statement& Int(int64_t v) { sqlite3_bind_int64(stmt_, ++index_, v); return *this; }
  Statement& Real(double v) { sqlite3_bind_double(stmt_, ++index_, v); return *this; }
  Statement& Real(std::optional<double> v) {
    if (v.has_value()) return Real(*v);
    sqlite3_bind_null(stmt_, ++index_);
    return *this;
  }
  Statement& Null() { sqlite3_bind_null(stmt_, ++index_); return *this; }
  Statement& Text(const std::string& v) {
    sqlite3_bind_text(stmt_, ++index_, v.c_str(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  absl::Status Run() {
    if (stmt_ == nullptr) return absl::InternalError(sqlite3_errmsg(db_));
    const int rc = sqlite3_step(stmt_);
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    index_ = 0;
    if (rc != SQLITE_DONE) {
      return absl::InternalError(absl::StrCat("sqlite: ", sqlite3_errmsg(db_)));
    }
    return absl::OkStatus();
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  int index_ = 0;
};

}  // namespace

absl::StatusOr<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return absl::UnavailableError(absl::StrCat(path, ": cannot open store: ", message));
  }
  std::unique_ptr<SqliteStore> store(new SqliteStore(db));
  absl::MutexLock lock(&store->mu_);
  // WAL with synchronous=NORMAL: durable at checkpoints, no fsync per tick.
  RETURN_IF_ERROR(store->Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"));
  RETURN_IF_ERROR(store->Exec(kSchema));
  return store;
}

SqliteStore::~SqliteStore() {
  absl::MutexLock lock(&mu_);
  sqlite3_close(db_);
}

absl::Status SqliteStore::Exec(const std::string& sql) {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error ? error : "unknown error";
    sqlite3_free(error);
    return absl::InternalError(absl::StrCat("sqlite: ", message));
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
  Statement insert(db_, "INSERT INTO runs (replay_from, replay_to, config_json) VALUES (?, ?, ?)");
  RETURN_IF_ERROR(insert.Text(FormatUtcTimestamp(replay_from))
                      .Text(FormatUtcTimestamp(replay_to))
                      .Text(config_json)
                      .Run());
  run_id_ = sqlite3_last_insert_rowid(db_);
  return absl::OkStatus();
}

absl::Status SqliteStore::RecordProposal(const ProposalRecord& record, ProposalStatus status,
                                         const std::string& detail) {
  absl::MutexLock lock(&mu_);
  Statement insert(db_,
                   "INSERT INTO proposals VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  const DispatchProposal& p = record.proposal;
  return insert.Int(run_id_)
      .Int(record.id)
      .Text(StatusName(status))
      .Text(FormatUtcTimestamp(record.submitted_at))
      .Text(p.agent)
      .Text(p.asset_id)
      .Int(static_cast<int>(p.priority))
      .Real(std::isfinite(p.power_mw) ? std::optional<double>(p.power_mw) : std::nullopt)
      .Text(FormatUtcTimestamp(p.start))
      .Text(FormatUtcTimestamp(p.end))
      .Text(p.idempotency_key)
      .Text(p.reason)
      .Text(detail)
      .Run();
}

absl::Status SqliteStore::RecordInterval(const GridInterval& region_values,
                                         const IntervalOutcome& outcome) {
  absl::MutexLock lock(&mu_);
  const std::string start = FormatUtcTimestamp(outcome.interval_start);
  RETURN_IF_ERROR(Exec("BEGIN"));
  absl::Status status = [&]() -> absl::Status {
    Statement telemetry(db_, "INSERT INTO telemetry VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    RETURN_IF_ERROR(telemetry.Int(run_id_)
                        .Text(start)
                        .Real(region_values.national_demand_mw)
                        .Real(region_values.embedded_solar_mw)
                        .Real(region_values.embedded_wind_mw)
                        .Real(region_values.price_gbp_per_mwh)
                        .Real(outcome.dispatch_mw)
                        .Real(outcome.net_load_after_mw)
                        .Real(outcome.excess_mw)
                        .Real(outcome.baseline_excess_mw)
                        .Run());
    Statement decision(db_,
                       "INSERT INTO decisions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    for (size_t i = 0; i < outcome.decisions.size(); ++i) {
      const AssetDecision& d = outcome.decisions[i];
      decision.Int(run_id_).Text(start).Text(d.asset_id).Int(d.proposal_id).Text(d.agent)
          .Int(static_cast<int>(d.priority)).Real(d.requested_mw).Real(d.applied_mw);
      if (i < outcome.batteries.size()) {
        const BatteryInterval& b = outcome.batteries[i];
        decision.Real(b.soc_before_mwh).Real(b.soc_after_mwh).Real(b.charge_mwh)
            .Real(b.discharge_mwh).Null();
      } else {
        const PeakerInterval& p = outcome.peakers[i - outcome.batteries.size()];
        decision.Null().Null().Null().Null().Text(std::string(PeakerStatusName(p.next.status)));
      }
      RETURN_IF_ERROR(decision.Text(d.reason).Run());
    }
    Statement ledger(db_, "INSERT INTO ledger VALUES (?, ?, ?, ?, ?, ?)");
    for (const LedgerEntry& e : outcome.entries) {
      RETURN_IF_ERROR(ledger.Int(run_id_)
                          .Text(start)
                          .Text(std::string(LedgerCauseName(e.cause)))
                          .Text(e.asset_id)
                          .Real(e.amount_gbp)
                          .Text(e.note)
                          .Run());
    }
    return absl::OkStatus();
  }();
  if (!status.ok()) {
    Exec("ROLLBACK").IgnoreError();
    return status;
  }
  return Exec("COMMIT");
}

}  // namespace gridpilot
