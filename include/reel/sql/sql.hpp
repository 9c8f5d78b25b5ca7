// SQL over recordings, through an embedded DuckDB (its C API), and Parquet for the engines
// that scale past one machine.
//
// DuckDB is optional: this module loads libduckdb at run time (dlopen), so nothing that links
// reel depends on it, and a program without it gets a NotFound status naming every place
// that was searched and how to install it (load_duckdb). The library is searched in order:
//   1. the file named by REEL_DUCKDB_LIBRARY (when set, the only one tried);
//   2. libduckdb.so next to the running program, then in its install prefix's lib/ (where
//      `cmake --install` puts the library the build used);
//   3. the set-up's folder (scripts/duckdb.sh: .tools/duckdb/lib in the source tree);
//   4. the system's loader paths (a system libduckdb).
//
// SQL sees recordings through the table function
//   reel_scan(path, entity := '/arm/**', index := 'frame', min := 0, max := 100,
//             archetype := 'Scalars', recording_id := 'run-7', raw_time := false)
// `path` is a file, a directory, a glob or a list of them (a Dataset); the named arguments
// are the filters reel applies before DuckDB sees a row (RowsOptions in dataset.hpp): only
// the chosen recordings are opened, only matching chunks are read, and only the columns the
// query uses are built (DuckDB's C API pushes projections down, not WHERE clauses). Rows are
// logged rows: recording_id, application_id, source, entity_path, row_id (BLOB, 16 bytes,
// big-endian: sorts as logged), one column per timeline (BIGINT for sequences, TIMESTAMP_NS
// for timestamps, INTERVAL for durations; BIGINT nanoseconds for both with raw_time), then
// the components as lists. A session with an attached dataset also has one view per
// archetype holding every entity's rows of it (`SELECT * FROM "Scalars"`), columns named by
// field.
//
// Thread safety: a Session is used by one thread at a time; separate sessions may run at once.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "reel/query/dataframe.hpp"
#include "reel/query/dataset.hpp"
#include "reel/status.hpp"

namespace reel::sql {

struct DuckDbLibrary {
  std::string path;     // the file that was loaded
  std::string version;  // duckdb_library_version(), e.g. "v1.4.4"
};

// Loads libduckdb once per process (thread-safe; later calls return the same answer).
Result<DuckDbLibrary> load_duckdb();

struct SessionOptions {
  // DuckDB's worker threads (0: its default, one per core) and memory limit ("" default).
  int threads = 0;
  std::string memory_limit;
  // How datasets named in reel_scan(path) are opened.
  dataframe::DatasetOptions dataset;
};

class Session {
 public:
  // An in-memory DuckDB database with reel_scan registered.
  static Result<std::unique_ptr<Session>> open(SessionOptions options = {});
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // reel_scan(`key`) reads `dataset` (not reopened from disk); with `views`, each archetype
  // of the dataset gets a temporary view named after it, replacing any view of that name.
  Status attach(const dataframe::Dataset& dataset, const std::string& key, bool views = true);

  // Runs `sql` (statements separated by ';') and returns the rows of the last statement, as
  // they stream out of DuckDB. Column types reel's Arrow has no type for are converted in
  // SQL first: HUGEINT to BIGINT, DECIMAL to DOUBLE, dates, times, timestamps, intervals,
  // UUIDs, enums and maps to their text (VARCHAR). The reader must be read before the next
  // query on this session (it then fails with DuckDB's error).
  Result<std::unique_ptr<dataframe::RecordBatchReader>> query(const std::string& sql);
  // Runs `sql` and drops any rows.
  Status execute(const std::string& sql);

  struct Impl;

 private:
  explicit Session(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// "Scalars" -> "\"Scalars\"" and 'a' -> "'a'", doubling embedded quotes.
std::string quote_identifier(std::string_view name);
std::string quote_literal(std::string_view text);

// Parquet for distributed engines: one table per archetype as a Hive-partitioned dataset,
//   <output_dir>/<Archetype>/application_id=<id>/recording_id=<id>/part-0.parquet
// with partition values escaped as Hive does (%XX for / = : # % ? * ' " \ [ ] { } ^ and
// control characters; an empty id is __HIVE_DEFAULT_PARTITION__), written by DuckDB's
// Parquet writer (zstd, row-group statistics on every column). Rows are logged rows:
// entity_path, row_id (16-byte BLOB), each timeline (sequences and durations as BIGINT, the
// latter in ns; timestamps as a microsecond TIMESTAMP named after the timeline plus the exact
// BIGINT `<timeline>_ns`), then the archetype's fields as list columns. Names stay distinct
// when lowercased (suffixes _2, _3, ...); the partition keys are not repeated inside the
// files. Each recording is loaded once for all its tables; files appear under their final
// name only when complete. A recording whose partition already exists in the output is
// skipped (incremental re-export), unless `overwrite`.
struct ExportOptions {
  std::string output_dir;
  bool overwrite = false;
  int64_t row_group_rows = 122880;  // DuckDB's default
};

struct ExportReport {
  int64_t recordings_written = 0;
  int64_t recordings_skipped = 0;  // already in the output
  int64_t files_written = 0;
  int64_t rows_written = 0;
  uint64_t bytes_written = 0;
  std::vector<std::string> tables;  // archetypes written
};

// Escapes a Hive partition value ("run/7" -> "run%2F7").
std::string hive_escape(std::string_view value);

// Exports `dataset` (see above); `session` may be given to reuse one (its reel_scan key
// "reel-export" is replaced).
Result<ExportReport> export_parquet(const dataframe::Dataset& dataset, const ExportOptions& options,
                                    Session* session = nullptr);

}  // namespace reel::sql
