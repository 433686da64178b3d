// Test helper: read-only queries against a run's SQLite store.
#ifndef GRIDPILOT_TESTS_INTEGRATION_SQLITE_QUERY_H_
#define GRIDPILOT_TESTS_INTEGRATION_SQLITE_QUERY_H_

#include <sqlite3.h>

#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace gridpilot::testing {

// The first column of each row of a query, as text ("" for NULL). A failure to open or
// prepare is a test failure.
inline std::vector<std::string> Column(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  std::vector<std::string> out;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << db_path;
    sqlite3_close(db);
    return out;
  }
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db);
  } else {
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      const unsigned char* text = sqlite3_column_text(stmt, 0);
      out.push_back(text ? reinterpret_cast<const char*>(text) : "");
    }
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

// The first row's first column as a number; NaN if there is no row.
inline double Number(const std::string& db_path, const std::string& sql) {
  std::vector<std::string> rows = Column(db_path, sql);
  return rows.empty() ? NAN : std::atof(rows[0].c_str());
}

}  // namespace gridpilot::testing

#endif  // GRIDPILOT_TESTS_INTEGRATION_SQLITE_QUERY_H_
