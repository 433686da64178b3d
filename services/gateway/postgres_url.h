// The --store argument's PostgreSQL form: "postgresql://USER[:PASSWORD]@HOST:PORT/DB?..."
// (libpq's connection URI; "postgres://" too). Which store a --store names, and the URL as
// it may appear in a log: a password, in the authority or as a `password=` parameter, never
// leaves the process in a log line or an error message.
#ifndef GRIDPILOT_SERVICES_GATEWAY_POSTGRES_URL_H_
#define GRIDPILOT_SERVICES_GATEWAY_POSTGRES_URL_H_

#include <string>

#include "absl/strings/string_view.h"

namespace gridpilot {

// True when `store` is a PostgreSQL connection URI rather than a SQLite path.
bool IsPostgresUrl(absl::string_view store);

// `url` with every password replaced by "***": the authority's "user:secret@" becomes
// "user:***@" and a "password=secret" query parameter becomes "password=***". Anything that
// is not a PostgreSQL URL comes back unchanged.
std::string RedactPostgresUrl(absl::string_view url);

// A URL split into the URL without its password and the password (percent-decoded; empty
// when the URL has none): the launcher hands the password to the gateway as PGPASSWORD,
// which libpq reads, so that it is neither on a command line (which other local users can
// read) nor in the run record.
struct PostgresUrlParts {
  std::string url;
  std::string password;
};
PostgresUrlParts SplitPostgresPassword(absl::string_view url);

}  // namespace gridpilot

#endif  // GRIDPILOT_SERVICES_GATEWAY_POSTGRES_URL_H_
