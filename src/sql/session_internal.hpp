// The state behind a Session, shared by the session, reel_scan and the export.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "reel/sql/sql.hpp"
#include "sql/duckdb_api_internal.hpp"

namespace reel::sql {

struct Session::Impl {
  const internal::DuckDbApi* api = nullptr;
  SessionOptions options;
  duckdb_database db = nullptr;
  duckdb_connection conn = nullptr;     // the user's statements
  duckdb_connection convert = nullptr;  // Arrow <-> DuckDB conversions inside reel_scan

  std::mutex mutex;
  std::map<std::string, dataframe::Dataset> datasets;  // by reel_scan key

  ~Impl();
  // The dataset reel_scan(paths) reads: an attached one under that key, else opened (and
  // kept for the session's later queries).
  Result<dataframe::Dataset> dataset(const std::vector<std::string>& paths);
  // Runs one statement and drops its rows.
  Status run(const std::string& sql);
};

namespace internal {

// Registers reel_scan on the session's connection.
Status register_reel_scan(Session::Impl& session);

// DuckDB's error text of `error` (destroying it); OK when there is none.
Status take_error(const DuckDbApi& api, duckdb_error_data error, const std::string& context);

// Statements of `sql` split at top-level ';' (outside quotes, comments and $$ strings);
// empty statements dropped.
std::vector<std::string> split_statements(const std::string& sql);

}  // namespace internal
}  // namespace reel::sql
