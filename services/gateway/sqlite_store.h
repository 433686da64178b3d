// SqliteStore: the Store on an embedded SQLite database in WAL mode. One file may hold
// many runs (table runs); every other row carries its run_id. Thread-safe (one mutex).
// Writes are grouped: a transaction stays open across records and commits at the end of
// the first RecordInterval once at least `commit_every_records` records are in it, on
// Flush(), and on destruction, so a backtest does not pay a commit per row and a crash
// keeps whole settled intervals only (the commit points of store.h). Readers of the file
// see a record after the commit that contains it; call Flush() when they must see
// everything. Errors as the Store contract says: SQLite's busy and locked results are
// Unavailable, its other failures Internal; a failed commit rolls its batch back and says
// how many records were lost. A killed run is continued with ResumeRun (then
// VerifyInterval for the intervals a lock-step run re-executes, LastState for what a live
// run carries over).
#ifndef GRIDPILOT_SERVICES_GATEWAY_SQLITE_STORE_H_
#define GRIDPILOT_SERVICES_GATEWAY_SQLITE_STORE_H_

#include <sqlite3.h>

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "services/gateway/store.h"

namespace gridpilot {

class SqliteStore final : public Store {
 public:
  // Opens (creating if needed) the database at `path` and its schema, migrating a file an
  // older gateway wrote (sqlite_schema_migration.h). Unavailable naming the path if it
  // cannot be opened; FailedPrecondition for a file from a newer gateway.
  static absl::StatusOr<std::unique_ptr<SqliteStore>> Open(const std::string& path,
                                                           int commit_every_records = 256);
  ~SqliteStore() override;

  absl::Status BeginRun(absl::Time replay_from, absl::Time replay_to,
                        const std::string& config_json) override;
  absl::Status RecordProposal(const region::ProposalRecord& record, ProposalStatus status,
                              const std::string& detail) override;
  absl::Status RecordAgentNote(absl::Time tick, const std::string& agent,
                               const std::string& note) override;
  absl::Status RecordPlan(absl::Time tick, const std::string& agent,
                          const AgentPlanRecord& plan) override;
  absl::Status RecordApprovalEvent(const ApprovalEvent& event) override;
  absl::Status RecordRefusedCall(absl::Time at, const security::RefusedCall& call,
                                 int64_t dropped_before) override;
  absl::Status RecordInterval(const data::GridInterval& region_values,
                              const region::IntervalOutcome& outcome) override;
  absl::Status RecordAuditEvent(const AuditEvent& event) override;
  absl::Status RecordTelemetrySamples(const std::vector<StoredTelemetrySample>& samples) override;
  absl::StatusOr<std::vector<AuditEvent>> ListAuditEvents(const AuditQuery& query) override;

  // Commits the open transaction, if any.
  absl::Status Flush() override;

  absl::StatusOr<ResumePoint> ResumeRun(absl::Time replay_from, absl::Time replay_to,
                                        const std::string& config_json,
                                        absl::Time discard_from = absl::InfiniteFuture()) override;
  absl::Status VerifyInterval(const data::GridInterval& region_values,
                              const region::IntervalOutcome& outcome) override;
  absl::StatusOr<StoredRunState> LastState() override;
  absl::StatusOr<StoredApprovals> LoadApprovals() override;

  int64_t run_id() const;

 private:
  SqliteStore(sqlite3* db, int commit_every_records)
      : db_(db), commit_every_records_(commit_every_records) {}
  absl::Status Exec(const std::string& sql) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status Prepare() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Opens a transaction if none is open.
  absl::Status BeginWrite() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Counts the record; at a commit point (the end of an interval), commits when enough
  // records are in the transaction.
  absl::Status EndWrite(bool commit_point) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status CommitLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  sqlite3* db_ ABSL_GUARDED_BY(mu_);
  const int commit_every_records_;
  int64_t run_id_ ABSL_GUARDED_BY(mu_) = 0;
  bool in_transaction_ ABSL_GUARDED_BY(mu_) = false;
  int records_in_transaction_ ABSL_GUARDED_BY(mu_) = 0;
  // Prepared once, reused for every row.
  sqlite3_stmt* insert_proposal_ ABSL_GUARDED_BY(mu_) = nullptr;
  sqlite3_stmt* insert_telemetry_ ABSL_GUARDED_BY(mu_) = nullptr;
  sqlite3_stmt* insert_decision_ ABSL_GUARDED_BY(mu_) = nullptr;
  sqlite3_stmt* insert_ledger_ ABSL_GUARDED_BY(mu_) = nullptr;
  sqlite3_stmt* insert_note_ ABSL_GUARDED_BY(mu_) = nullptr;
  sqlite3_stmt* insert_refused_ ABSL_GUARDED_BY(mu_) = nullptr;
  sqlite3_stmt* insert_approval_ ABSL_GUARDED_BY(mu_) = nullptr;
  sqlite3_stmt* insert_plan_ ABSL_GUARDED_BY(mu_) = nullptr;
  sqlite3_stmt* insert_audit_event_ ABSL_GUARDED_BY(mu_) = nullptr;
  sqlite3_stmt* insert_sample_ ABSL_GUARDED_BY(mu_) = nullptr;
  sqlite3_stmt* select_audit_events_ ABSL_GUARDED_BY(mu_) = nullptr;
  sqlite3_stmt* select_telemetry_ ABSL_GUARDED_BY(mu_) = nullptr;
  sqlite3_stmt* select_decisions_ ABSL_GUARDED_BY(mu_) = nullptr;
  sqlite3_stmt* select_ledger_ ABSL_GUARDED_BY(mu_) = nullptr;
  // An interval's savepoint, opened and released once a tick.
  sqlite3_stmt* savepoint_interval_ ABSL_GUARDED_BY(mu_) = nullptr;
  sqlite3_stmt* release_interval_ ABSL_GUARDED_BY(mu_) = nullptr;
};

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_GATEWAY_SQLITE_STORE_H_
