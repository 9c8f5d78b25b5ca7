// reel sql / reel export: SQL over recordings through DuckDB, and Parquet for other engines.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "cli/cli.hpp"
#include "reel/query/dataset.hpp"
#if REEL_HAVE_SQL
#include "reel/sql/sql.hpp"
#endif

namespace reel::cli {

namespace {

#if REEL_HAVE_SQL
Result<dataframe::Dataset> open_dataset(const std::vector<std::string>& inputs) {
  dataframe::DatasetOptions o;
  o.on_warning = [](const std::string& w) {
    std::fprintf(stderr, "reel: warning: %s\n", w.c_str());
  };
  return dataframe::Dataset::open(inputs, o);
}
#endif

}  // namespace

int run_sql(const SqlOptions& options) {
#if !REEL_HAVE_SQL
  (void)options;
  return fail(Status::NotImplemented(
      "this reel was built without DuckDB's header (scripts/duckdb.sh --install, then rebuild)"));
#else
  std::string format_name = options.format;
  if (format_name.empty()) format_name = options.output == "-" && ::isatty(1) ? "table" : "csv";
  dataframe::OutputFormat format = dataframe::OutputFormat::kTable;
  if (format_name != "table") {
    auto f = dataframe::parse_output_format(format_name);
    if (!f.ok())
      return fail(Status::Invalid("unknown format '" + format_name +
                                  "' (expected table, csv, json or arrow)"));
    format = *f;
  }
  if (Status st = check_output_is_not_an_input(options.output, options.inputs, "sql"); !st.ok())
    return fail(st);
  auto session = sql::Session::open();
  if (!session.ok()) return fail(session.status());
  if (!options.inputs.empty()) {
    auto ds = open_dataset(options.inputs);
    if (!ds.ok()) return fail(ds.status());
    // reel_scan('<the inputs as given>') and the archetype views read these recordings.
    std::string key;
    for (const auto& p : options.inputs) key += (key.empty() ? "" : "\n") + p;
    if (Status st = (*session)->attach(*ds, key); !st.ok()) return fail(st);
  }
  auto reader = (*session)->query(options.query);
  if (!reader.ok()) return fail(reader.status());
  Result<int64_t> rows = 0;
  if (options.output == "-") {
    rows = dataframe::write_table(**reader, format, std::cout);
    std::cout.flush();
  } else {
    std::ofstream out(options.output, std::ios::binary | std::ios::trunc);
    if (!out) return fail(Status::IOError("cannot create " + options.output));
    rows = dataframe::write_table(**reader, format, out);
  }
  if (!rows.ok()) return fail(rows.status());
  std::fprintf(stderr, "reel sql: %lld rows\n", static_cast<long long>(*rows));
  return 0;
#endif
}

int run_export(const ExportOptions& options) {
#if !REEL_HAVE_SQL
  (void)options;
  return fail(Status::NotImplemented(
      "this reel was built without DuckDB's header (scripts/duckdb.sh --install, then rebuild)"));
#else
  if (options.format != "parquet") {
    return fail(
        Status::Invalid("unknown export format '" + options.format + "' (expected parquet)"));
  }
  if (options.output.empty()) return fail(Status::Invalid("reel export needs -o DIR"));
  auto ds = open_dataset(options.inputs);
  if (!ds.ok()) return fail(ds.status());
  sql::ExportOptions o;
  o.output_dir = options.output;
  o.overwrite = options.overwrite;
  const auto t0 = std::chrono::steady_clock::now();
  auto report = sql::export_parquet(*ds, o);
  if (!report.ok()) return fail(report.status());
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::string tables;
  for (const auto& t : report->tables) tables += (tables.empty() ? "" : ", ") + t;
  std::fprintf(stderr,
               "reel export: %lld recordings written, %lld already there; %lld files, %lld rows, "
               "%.1f MB in %.2f s (tables: %s)\n",
               static_cast<long long>(report->recordings_written),
               static_cast<long long>(report->recordings_skipped),
               static_cast<long long>(report->files_written),
               static_cast<long long>(report->rows_written), double(report->bytes_written) / 1e6, s,
               tables.empty() ? "none" : tables.c_str());
  return 0;
#endif
}

}  // namespace reel::cli
