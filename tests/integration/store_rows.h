// Test helper: the rows of a query against either store, SQLite (a file) or PostgreSQL (a
// URL), as comparable text cells: NULL, numbers printed with 17 significant digits (so
// equal doubles print equal, whichever store held them), text quoted. One query text
// serves both stores when it avoids SQLite's rowid (PostgreSQL's tables carry row_seq).
#ifndef GRIDPILOT_TESTS_INTEGRATION_STORE_ROWS_H_
#define GRIDPILOT_TESTS_INTEGRATION_STORE_ROWS_H_

#include <sqlite3.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "services/gateway/postgres_connection.h"

namespace gridpilot::testing {

using StoreRow = std::vector<std::string>;

inline std::string NumberCell(double v) { return absl::StrFormat("%.17g", v); }
inline std::string TextCell(const std::string& v) { return absl::StrCat("\"", v, "\""); }

// The rows of `sql` on the SQLite file `path`; a failure is a test failure and no rows.
inline std::vector<StoreRow> SqliteRows(const std::string& path, const std::string& sql) {
  std::vector<StoreRow> rows;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << path << ": cannot open";
    sqlite3_close(db);
    return rows;
  }
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << path << ": " << sql << ": " << sqlite3_errmsg(db);
    sqlite3_close(db);
    return rows;
  }
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    StoreRow& row = rows.emplace_back();
    for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
      switch (sqlite3_column_type(stmt, i)) {
        case SQLITE_INTEGER:
          row.push_back(NumberCell(static_cast<double>(sqlite3_column_int64(stmt, i))));
          break;
        case SQLITE_FLOAT: row.push_back(NumberCell(sqlite3_column_double(stmt, i))); break;
        case SQLITE_TEXT:
          row.push_back(
              TextCell(std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, i)),
                                   static_cast<size_t>(sqlite3_column_bytes(stmt, i)))));
          break;
        default: row.push_back("NULL"); break;
      }
    }
  }
  if (rc != SQLITE_DONE) ADD_FAILURE() << path << ": " << sql << ": " << sqlite3_errmsg(db);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return rows;
}

// The rows of `sql` on the PostgreSQL database at `url`; a failure is a test failure and
// no rows.
inline std::vector<StoreRow> PostgresRowsOf(const std::string& url, const std::string& sql) {
  std::vector<StoreRow> out;
  absl::StatusOr<std::unique_ptr<PostgresConnection>> db = PostgresConnection::Connect(url, 1);
  if (!db.ok()) {
    ADD_FAILURE() << db.status();
    return out;
  }
  absl::StatusOr<PostgresRows> rows = (*db)->Query(sql, PostgresParams());
  if (!rows.ok()) {
    ADD_FAILURE() << sql << ": " << rows.status();
    return out;
  }
  for (int r = 0; r < rows->rows(); ++r) {
    StoreRow& row = out.emplace_back();
    for (int c = 0; c < rows->columns(); ++c) {
      if (rows->IsNull(r, c)) {
        row.push_back("NULL");
      } else if (rows->Numeric(c)) {
        row.push_back(NumberCell(std::strtod(rows->Text(r, c).c_str(), nullptr)));
      } else {
        row.push_back(TextCell(rows->Text(r, c)));
      }
    }
  }
  return out;
}

// The first few differences between two row lists; empty when they are equal.
inline std::string DiffStoreRows(const std::vector<StoreRow>& a, const std::vector<StoreRow>& b) {
  std::string out;
  if (a.size() != b.size()) out = absl::StrCat(a.size(), " rows vs ", b.size(), " rows\n");
  int shown = 0;
  for (size_t i = 0; i < std::min(a.size(), b.size()) && shown < 5; ++i) {
    if (a[i] != b[i]) {
      absl::StrAppend(&out, "row ", i, ":\n  (", absl::StrJoin(a[i], ", "), ")\n  (",
                      absl::StrJoin(b[i], ", "), ")\n");
      ++shown;
    }
  }
  return out;
}

}  // namespace gridpilot::testing

#endif  // GRIDPILOT_TESTS_INTEGRATION_STORE_ROWS_H_
