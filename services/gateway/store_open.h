// Which Store a gateway's --store names: a PostgreSQL connection URI
// ("postgresql://..." or "postgres://...", postgres_url.h) opens a PostgresStore; anything
// else is a SQLite file path (the default).
#ifndef GRIDPILOT_SERVICES_GATEWAY_STORE_OPEN_H_
#define GRIDPILOT_SERVICES_GATEWAY_STORE_OPEN_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "services/gateway/store.h"

namespace gridpilot {

// Opens the store `store` names; the errors of SqliteStore::Open or PostgresStore::Open.
// `commit_every_interval` (live mode, which flushes after every interval anyway): a
// PostgresStore commits at the end of every RecordInterval, so the commit travels in the
// interval's round trip and the Flush that follows has nothing to send. SQLite, whose
// commit is local, is opened as before.
absl::StatusOr<std::unique_ptr<Store>> OpenStore(const std::string& store,
                                                 bool commit_every_interval = false);

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_GATEWAY_STORE_OPEN_H_
