// PostgresStore: the Store on a PostgreSQL server (libpq), chosen with
// `--store postgresql://...`. Same contract, same tables and the same rows as SqliteStore
// (postgres_migrations.h has the schema): one database may hold many runs; writes are
// grouped in a transaction that commits at the end of the first RecordInterval once at
// least `commit_every_records` records are in it, on Flush() and on destruction, so what a
// crash or a lost connection leaves is whole settled intervals only (the commit points of
// store.h). Thread-safe (one mutex over one connection).
//
// One round trip a tick: the record calls of a tick (proposals, notes, plans, refusals,
// approval and audit events) are checked and queued, and go to the server with the
// interval's own rows when RecordInterval ends the tick, in one libpq pipeline under a
// savepoint (with the commit when the batch is due). So a row the server refuses fails that
// RecordInterval (or the Flush, or the read, that sent it) and undoes the rows queued since
// the previous send, never the batch before them; a value that cannot be sent (a NUL byte,
// over the bound) fails its own record call, as before. Reads send the queue first, so they
// see every record accepted. At most kMaxQueuedStatements statements or kMaxQueuedBytes of
// values wait; more are sent at once. docs/decisions.md, "PostgreSQL per-tick writes in one
// round trip".
//
// Errors as the Store contract says: a lost connection is Unavailable ("connection lost"),
// and the gateway fails the run; the store does not reconnect mid-run, since the open
// batch is gone with the connection (a supervised launcher restarts the stack, which
// resumes from the last commit). Opening retries a refused connection a bounded number of
// times (postgres_connection.h). The password in the URL never appears in an error.
#ifndef GRIDPILOT_SERVICES_GATEWAY_POSTGRES_STORE_H_
#define GRIDPILOT_SERVICES_GATEWAY_POSTGRES_STORE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "services/gateway/postgres_connection.h"
#include "services/gateway/store.h"

namespace gridpilot {

class PostgresStore final : public Store {
 public:
  // Connects to `url` (libpq connection URI), applies the schema migrations the database
  // lacks, and prepares the statements. Unavailable when the server cannot be reached;
  // FailedPrecondition when the database's schema is newer than this binary knows.
  static absl::StatusOr<std::unique_ptr<PostgresStore>> Open(
      const std::string& url, int commit_every_records = 256,
      int max_connect_attempts = PostgresConnection::kMaxConnectAttempts);
  ~PostgresStore() override;

  absl::Status BeginRun(absl::Time replay_from, absl::Time replay_to,
                        const std::string& config_json) override;
  absl::Status RecordProposal(const region::ProposalRecord& record, ProposalStatus status,
                              const std::string& detail) override;
  absl::Status RecordAgentNote(absl::Time tick, const std::string& agent,
                               const std::string& note) override;
  absl::Status RecordPlan(absl::Time tick, const std::string& agent,
                          const AgentPlanRecord& plan) override;
  absl::Status RecordRefusedCall(absl::Time at, const security::RefusedCall& call,
                                 int64_t dropped_before) override;
  absl::Status RecordApprovalEvent(const ApprovalEvent& event) override;
  absl::Status RecordAuditEvent(const AuditEvent& event) override;
  // Samples go in multi-row INSERTs (sample_rows_per_insert rows each).
  absl::Status RecordTelemetrySamples(const std::vector<StoredTelemetrySample>& samples) override;
  absl::StatusOr<std::vector<AuditEvent>> ListAuditEvents(const AuditQuery& query) override;
  absl::Status RecordInterval(const data::GridInterval& region_values,
                              const region::IntervalOutcome& outcome) override;
  absl::Status Flush() override;

  absl::StatusOr<ResumePoint> ResumeRun(absl::Time replay_from, absl::Time replay_to,
                                        const std::string& config_json,
                                        absl::Time discard_from = absl::InfiniteFuture()) override;
  absl::Status VerifyInterval(const data::GridInterval& region_values,
                              const region::IntervalOutcome& outcome) override;
  absl::StatusOr<StoredRunState> LastState() override;
  absl::StatusOr<StoredApprovals> LoadApprovals() override;

  int64_t run_id() const;
  // Rows per INSERT statement of RecordTelemetrySamples, clamped to 1..kMaxSampleRowsPerInsert
  // (10 parameters a row; PostgreSQL takes at most 65,535 a statement). 1 is a round trip a
  // row, the old way, kept for the bench's comparison.
  static constexpr int kMaxSampleRowsPerInsert = 1000;
  void set_sample_rows_per_insert(int rows);

  // Bounds on the records queued between two sends.
  static constexpr size_t kMaxQueuedStatements = 2000;
  static constexpr size_t kMaxQueuedBytes = size_t{4} << 20;
  // Round trips to the server so far (every statement or pipeline sent, reads included).
  int64_t round_trips() const;

 private:
  PostgresStore(std::unique_ptr<PostgresConnection> db, int commit_every_records)
      : db_(std::move(db)), commit_every_records_(commit_every_records) {}
  absl::Status Prepare() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Queues a statement prepared by Prepare() for the next send; InvalidArgument (nothing
  // queued) when its values cannot be sent.
  absl::Status Queue(const char* name, PostgresParams params) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Counts a record whose statements are queued; sends the queue once it reaches a bound.
  absl::Status EndQueuedRecord() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Opens the batch's transaction with the next send (BEGIN goes first in its pipeline).
  absl::Status BeginQueuedWrite() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Sends the queue in one pipeline under a savepoint, then COMMIT when `commit`.
  absl::Status SendQueued(bool commit) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Sends the queue, then opens the transaction on the server (for writes not queued).
  absl::Status BeginWrite() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status EndWrite(bool commit_point) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status CommitLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status WriteInterval(const std::string& start, const data::GridInterval& region_values,
                             const region::IntervalOutcome& outcome)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  const std::unique_ptr<PostgresConnection> db_ ABSL_GUARDED_BY(mu_);
  const int commit_every_records_;
  int64_t run_id_ ABSL_GUARDED_BY(mu_) = 0;
  bool in_transaction_ ABSL_GUARDED_BY(mu_) = false;
  int records_in_transaction_ ABSL_GUARDED_BY(mu_) = 0;
  int sample_rows_per_insert_ ABSL_GUARDED_BY(mu_) = kMaxSampleRowsPerInsert;
  std::vector<PostgresStatement> queued_ ABSL_GUARDED_BY(mu_);
  size_t queued_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  int queued_records_ ABSL_GUARDED_BY(mu_) = 0;  // record calls behind queued_
  bool begin_queued_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_GATEWAY_POSTGRES_STORE_H_
