// `reel`: inspect, compact, merge, filter, verify and query recordings.
//
// Every command reads files or stdin and writes `-o FILE` or stdout, so
// `./my_logger | reel compact > out.reel` works.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <string>

#include "cli/cli.hpp"
#include "cli/cli_serve.hpp"
#include "reel/format/recording_file.hpp"
#include "reel/version.hpp"

int main(int argc, char** argv) {
  using namespace reel::cli;
  CLI::App app{"reel: record, store, query and view multimodal time-series recordings"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("reel ") + reel::kVersion + " (file format v" +
                                        std::to_string(reel::format::kFormatVersion) + ")");

  PrintOptions print;
  auto* print_cmd =
      app.add_subcommand("print", "List a recording's chunks: entities, timelines, components");
  print_cmd->add_option("files", print.inputs, "Recordings to read (default: stdin)");
  print_cmd->add_flag("-v,--verbose", print.verbosity,
                      "More detail: -v column types and sizes, -vv the first rows, -vvv every row");

  StatsOptions stats;
  auto* stats_cmd =
      app.add_subcommand("stats", "Sizes, counts per entity and component, compression ratio");
  stats_cmd->add_option("files", stats.inputs, "Recordings to read (default: stdin)");

  RewriteOptions compact;
  auto* compact_cmd = app.add_subcommand(
      "compact", "Merge small chunks and drop superseded static data; query results are unchanged");
  add_progress_options(compact_cmd);
  compact_cmd->add_option("files", compact.inputs, "Recordings to read (default: stdin)");
  compact_cmd->add_option("-o,--output", compact.output, "Output file (default: stdout)");
  // Given explicitly, the limits also split chunks larger than they allow. 0 is refused (it
  // would mean "the default" to the store, not "no rows").
  const CLI::Validator at_least_one(
      [](std::string& value) -> std::string {
        try {
          if (std::stoll(value) >= 1) return "";
        } catch (...) {
        }
        return "must be a whole number of at least 1, not '" + value + "'";
      },
      "N>=1");
  compact_cmd
      ->add_option("--max-rows", compact.max_rows,
                   "Rows per chunk at most (default 4096); larger chunks are split")
      ->check(at_least_one);
  compact_cmd
      ->add_option("--max-bytes", compact.max_bytes,
                   "Bytes per chunk at most (default 384 KiB); larger chunks are split")
      ->check(at_least_one);
  compact_cmd
      ->add_option("--max-rows-if-unsorted", compact.max_rows_if_unsorted,
                   "Rows per chunk at most when not sorted by time (default 1024)")
      ->check(at_least_one);
  compact_cmd->add_option("--compression", compact.compression,
                          "none, lz4 or zstd (default lz4; .rrd: none or lz4)");
  compact_cmd->add_option("--file-format", compact.file_format,
                          "reel or rrd (default: from the output's extension, .rrd or not)");

  RewriteOptions merge;
  auto* merge_cmd = app.add_subcommand("merge", "Combine recordings into one");
  add_progress_options(merge_cmd);
  merge_cmd->add_option("files", merge.inputs, "Recordings to merge")->required();
  merge_cmd->add_option("-o,--output", merge.output, "Output file (default: stdout)");
  merge_cmd->add_option("--compression", merge.compression,
                        "none, lz4 or zstd (default lz4; .rrd: none or lz4)");
  merge_cmd->add_option("--file-format", merge.file_format,
                        "reel or rrd (default: from the output's extension, .rrd or not)");

  FilterOptions filter;
  auto* filter_cmd = app.add_subcommand("filter", "Drop entities or timelines without re-chunking");
  add_progress_options(filter_cmd);
  filter_cmd->add_option("files", filter.inputs, "Recordings to read (default: stdin)");
  filter_cmd->add_option("-o,--output", filter.output, "Output file (default: stdout)");
  filter_cmd
      ->add_option("--drop-entity", filter.drop_entities,
                   "Entity path or filter to drop, e.g. /world/debug/** (repeatable)")
      ->allow_extra_args(false);
  filter_cmd->add_option("--drop-timeline", filter.drop_timelines, "Timeline to drop (repeatable)")
      ->allow_extra_args(false);
  filter_cmd->add_option("--file-format", filter.file_format,
                         "reel or rrd (default: from the output's extension, .rrd or not)");

  ConvertOptions convert;
  auto* convert_cmd = app.add_subcommand(
      "convert", "Rewrite recordings as .reel or Rerun's .rrd (every store kept in .rrd)");
  convert_cmd->add_option("files", convert.inputs,
                          "Recordings to read, .reel or .rrd (default: stdin)");
  convert_cmd->add_option("-o,--output", convert.output, "Output file (default: stdout)");
  convert_cmd->add_option("--file-format", convert.file_format,
                          "reel or rrd (default: from the output's extension, .rrd or not)");
  convert_cmd->add_option("--compression", convert.compression,
                          "none, lz4 or zstd (default lz4; .rrd: none or lz4)");

  VerifyOptions verify;
  auto* verify_cmd =
      app.add_subcommand("verify", "Decode everything and check invariants; the exit status says");
  add_progress_options(verify_cmd);
  verify_cmd->add_option("files", verify.inputs, "Recordings to verify (default: stdin)");

  QueryOptions query;
  auto* query_cmd = app.add_subcommand(
      "query", "A dataframe: one row per index value, one column per entity/component");
  add_progress_options(query_cmd);
  query_cmd->add_option("files", query.inputs, "Recordings to read (default: stdin)");
  query_cmd->add_option("--index", query.index, "Index timeline (default: none, static data only)");
  query_cmd->add_option("--contents", query.contents,
                        "Entity path filter, e.g. '/plots/** -/plots/debug/**'");
  query_cmd
      ->add_option("--range", query.range,
                   "Inclusive index range: A B, integers or in the timeline's units (1.5s, "
                   "250ms, 2024-05-01T12:00:00Z)")
      ->expected(2)
      ->allow_extra_args(false);
  query_cmd->add_option("--index-values", query.index_values, "Only these index values")
      ->delimiter(',')
      ->allow_extra_args(false);
  query_cmd
      ->add_option("--filter-is-not-null", query.not_null, "Only rows where this column has data")
      ->allow_extra_args(false);
  query_cmd->add_flag("--fill-latest-at", query.fill_latest_at,
                      "Fill empty cells with their latest-at value");
  query_cmd->add_option("--select", query.select, "Only these columns, in this order")
      ->delimiter(',')
      ->allow_extra_args(false);
  query_cmd->add_option("--format", query.format,
                        "csv, json (one object per line) or arrow (IPC stream)");
  query_cmd->add_option("-o,--output", query.output, "Output file (default: stdout)");
  query_cmd->add_flag("--raw-times", query.raw_times,
                      "Times as integer nanoseconds (default: ISO 8601 timestamps and durations "
                      "in seconds in CSV/JSON, timestamp/duration types in Arrow)");

  SchemaOptions schema;
  auto* schema_cmd =
      app.add_subcommand("schema", "List the index and component columns a query can use");
  schema_cmd->add_option("files", schema.inputs, "Recordings to read (default: stdin)");

  SqlOptions sql;
  auto* sql_cmd = app.add_subcommand(
      "sql", "SQL over recordings (DuckDB): reel_scan(path, ...) and a view per archetype");
  sql_cmd
      ->add_option(
          "query", sql.query,
          "SQL, e.g. \"SELECT entity_path, avg(scalars[1]) FROM \\\"Scalars\\\" GROUP BY 1\"")
      ->required();
  sql_cmd->add_option("files", sql.inputs, "Recordings, directories or globs: the views' dataset");
  sql_cmd->add_option("--format", sql.format,
                      "table (default on a terminal), csv (default otherwise), json or arrow");
  sql_cmd->add_option("-o,--output", sql.output, "Output file (default: stdout)");

  ExportOptions export_options;
  auto* export_cmd = app.add_subcommand(
      "export", "Hive-partitioned Parquet per archetype, for Spark, Trino, DataFusion, DuckDB");
  export_cmd->add_option("files", export_options.inputs, "Recordings, directories or globs")
      ->required();
  export_cmd->add_option("-o,--output", export_options.output, "Output directory")->required();
  export_cmd->add_option("--format", export_options.format, "parquet (the only one)");
  export_cmd->add_flag("--overwrite", export_options.overwrite,
                       "Rewrite recordings already in the output (default: skip them)");

  ImportCommandOptions import_options;
  auto* import_cmd = app.add_subcommand(
      "import", "MCAP, ROS 1 bags, images, PLY, meshes, text as recordings (one per input file)");
  import_cmd->add_option("files", import_options.inputs, "Files or directories to import")
      ->required();
  import_cmd->add_option("-o,--output", import_options.output, "Output file (default: stdout)");
  import_cmd->add_option("--topics", import_options.topics,
                         "Topics to import: filter rules, e.g. '/camera/** -/camera/debug/**'");
  import_cmd->add_option("--compression", import_options.compression,
                         "none, lz4 or zstd (default lz4; .rrd: none or lz4)");
  import_cmd->add_option("--file-format", import_options.file_format,
                         "reel or rrd (default: from the output's extension, .rrd or not)");

  ServeCommands serve;
  add_serve_commands(app, serve);

  // `reel FILE...` is `reel view FILE...` when FILE exists (and is not a command's name).
  std::vector<char*> args(argv, argv + argc);
  if (argc > 1 && argv[1][0] != '-') {
    const std::string first = argv[1];
    const auto commands = app.get_subcommands([](CLI::App*) { return true; });
    const bool is_command = std::any_of(commands.begin(), commands.end(),
                                        [&](CLI::App* c) { return c->get_name() == first; });
    std::error_code ec;
    if (!is_command && std::filesystem::is_regular_file(first, ec)) {
      args.insert(args.begin() + 1, const_cast<char*>("view"));
    } else if (!is_command && first.find_first_of("./") != std::string::npos) {
      return fail(
          reel::Status::IOError(first + ": no such file (and not a command: see reel --help)"));
    }
  }
  try {
    app.parse(int(args.size()), args.data());
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (print_cmd->parsed()) return run_print(print);
  if (stats_cmd->parsed()) return run_stats(stats);
  if (compact_cmd->parsed()) return run_compact(compact);
  if (merge_cmd->parsed()) return run_merge(merge);
  if (filter_cmd->parsed()) return run_filter(filter);
  if (convert_cmd->parsed()) return run_convert(convert);
  if (verify_cmd->parsed()) return run_verify(verify);
  if (query_cmd->parsed()) return run_query(query);
  if (schema_cmd->parsed()) return run_schema(schema);
  if (sql_cmd->parsed()) return run_sql(sql);
  if (export_cmd->parsed()) return run_export(export_options);
  if (import_cmd->parsed()) return run_import(import_options);
  if (int rc = run_serve_commands(serve); rc >= 0) return rc;
  return 1;
}
