#include "services/gateway/store_open.h"

#include "services/gateway/postgres_store.h"
#include "services/gateway/postgres_url.h"
#include "services/gateway/sqlite_store.h"

namespace gridpilot {

absl::StatusOr<std::unique_ptr<Store>> OpenStore(const std::string& store,
                                                 bool commit_every_interval) {
  if (IsPostgresUrl(store)) {
    absl::StatusOr<std::unique_ptr<PostgresStore>> opened =
        PostgresStore::Open(store, commit_every_interval ? 1 : 256);
    if (!opened.ok()) return opened.status();
    return std::unique_ptr<Store>(*std::move(opened));
  }
  absl::StatusOr<std::unique_ptr<SqliteStore>> opened = SqliteStore::Open(store);
  if (!opened.ok()) return opened.status();
  return std::unique_ptr<Store>(*std::move(opened));
}

}  // namespace gridpilot
