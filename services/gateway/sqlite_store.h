// SqliteStore: the Store on an embedded SQLite database in WAL mode. One file may hold
// many runs (table runs); every other row carries its run_id. Thread-safe (one mutex).
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
  // Opens (creating if needed) the database at `path` and its schema.
  // Unavailable naming the path if it cannot be opened.
  static absl::StatusOr<std::unique_ptr<SqliteStore>> Open(const std::string& path);
  ~SqliteStore() override;

  absl::Status BeginRun(absl::Time replay_from, absl::Time replay_to,
                        const std::string& config_json) override;
  absl::Status RecordProposal(const ProposalRecord& record, ProposalStatus status,
                              const std::string& detail) override;
  absl::Status RecordInterval(const GridInterval& region_values,
                              const IntervalOutcome& outcome) override;

  int64_t run_id() const;

 private:
  explicit SqliteStore(sqlite3* db) : db_(db) {}
  absl::Status Exec(const std::string& sql) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  sqlite3* db_ ABSL_GUARDED_BY(mu_);
  int64_t run_id_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_GATEWAY_SQLITE_STORE_H_
