// Shared pieces of the `reel` command-line tool.
#pragma once

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "reel/format/recording_file.hpp"
#include "reel/format/recording_index.hpp"
#include "reel/status.hpp"
#include "reel/store/chunk_store.hpp"
#include "reel/store_io/store_io.hpp"

namespace reel::cli {

// Progress of long work on stderr. On a terminal: a bar redrawn in place with the bytes done,
// the rate and the time left; otherwise plain lines every few seconds ("reel: in.reel: 42%
// (1.2 of 2.9 GB) at 310 MB/s, 5 s left"). The mode is the command's --progress (--quiet is
// never): auto shows it once the work has taken a second; always shows it from the start and
// at least once (at the end); never shows nothing. Updates are rate-limited.
enum class ProgressMode { kAuto, kAlways, kNever };
class Progress {
 public:
  explicit Progress(std::string label, uint64_t total_bytes);
  ~Progress();
  void update(uint64_t done_bytes);
  void finish();

  // For every Progress after the call (set once, from the command line).
  static void set_mode(ProgressMode mode);
  static ProgressMode mode();

 private:
  void draw(uint64_t done, bool last);
  std::string label_;
  uint64_t total_;
  uint64_t done_ = 0;
  bool tty_;
  bool active_ = true;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_, last_;
};

// Adds --progress=auto|always|never and --quiet to a command (they set Progress's mode).
void add_progress_options(CLI::App* command);
// Inputs: the given paths, or stdin when none are given (and stdin is not a terminal). With
// `import_files`, inputs the importer reads (MCAP, ROS bags, images, ...) are imported into
// temporary recordings first (cli_import.cpp), so every command reads them.
Result<std::vector<std::string>> resolve_inputs(const std::vector<std::string>& paths,
                                                bool import_files = true);

// Refuses an output that is one of the inputs: the same file (device and inode, so also
// through a symlink or another path spelling), or stdout redirected to an input. Writing it
// would truncate the input before it is read. `verb` names the command in the error.
Status check_output_is_not_an_input(const std::string& output,
                                    const std::vector<std::string>& inputs, const char* verb);

// The recording format to write: `file_format` is the --file-format option ("reel", "rrd",
// or "" for the output's extension: .rrd is Rerun's format, anything else and stdout .reel).
Result<format::FileFormat> output_file_format(const std::string& path,
                                              const std::string& file_format, const char* verb);

// Output: the path, or stdout ("-"); refuses a terminal for binary output and an output
// that is one of `inputs` (check_output_is_not_an_input).
// `file_format` is the --file-format option: "reel", "rrd", or "" for the output's extension
// (.rrd: Rerun's format, anything else and stdout: .reel).
Result<std::unique_ptr<format::RecordingWriter>> open_output(const std::string& path,
                                                             format::WriterOptions options,
                                                             const std::vector<std::string>& inputs,
                                                             const char* verb,
                                                             const std::string& file_format = "");

// Reads every message of an input, calling `on_message`; shows progress; collects warnings
// (printed to stderr by the caller). Stops at the first error.
template <typename F>
Status for_each_message(const std::string& path, format::ReaderOptions options, F&& on_message,
                        std::vector<std::string>* warnings) {
  REEL_ASSIGN_OR_RETURN(auto reader, format::RecordingReader::open(path, options));
  Progress progress(path == "-" ? "stdin" : path, reader->total_bytes());
  for (;;) {
    auto next = reader->next();
    if (!next.ok()) {
      if (warnings) *warnings = reader->warnings();
      return next.status();
    }
    if (!*next) break;
    REEL_RETURN_NOT_OK(on_message(**next, *reader));
    progress.update(reader->bytes_read());
  }
  progress.finish();
  if (warnings) *warnings = reader->warnings();
  return Status::OK();
}

void print_warnings(const std::vector<std::string>& warnings);

// Indexes an input (format::index_recording): from its version 2 footer, else by one
// streaming pass with progress. `index.warnings` are the caller's to print.
Status index_input(const std::string& path, format::RecordingIndex& index);

// Commands (cli_*.cpp). Each returns the process exit status.
struct PrintOptions {
  std::vector<std::string> inputs;
  int verbosity = 0;
};
int run_print(const PrintOptions& options);

struct StatsOptions {
  std::vector<std::string> inputs;
};
int run_stats(const StatsOptions& options);

struct RewriteOptions {
  std::vector<std::string> inputs;
  std::string output = "-";
  std::string compression = "lz4";
  uint64_t max_rows = 0, max_bytes = 0, max_rows_if_unsorted = 0;  // 0: default/env
  std::string file_format;  // --file-format: reel, rrd, "" = from the output's extension
};
int run_compact(const RewriteOptions& options);
int run_merge(const RewriteOptions& options);

struct FilterOptions {
  std::vector<std::string> inputs;
  std::string output = "-";
  std::vector<std::string> drop_entities;  // entity path filter rules
  std::vector<std::string> drop_timelines;
  std::string file_format;
};
int run_filter(const FilterOptions& options);

// `reel convert IN... -o OUT`: .reel <-> .rrd, message by message (store_io's
// convert_recording); every store is kept in .rrd.
struct ConvertOptions {
  std::vector<std::string> inputs;
  std::string output = "-";
  std::string compression = "lz4";
  std::string file_format;
};
int run_convert(const ConvertOptions& options);

struct VerifyOptions {
  std::vector<std::string> inputs;
};
int run_verify(const VerifyOptions& options);

struct QueryOptions {
  std::vector<std::string> inputs;
  std::string index;  // empty: static only
  std::string contents = "/**";
  std::vector<std::string> range;  // [A, B]: integers, durations (1.5s), ISO 8601 timestamps
  std::vector<int64_t> index_values;
  std::vector<std::string> not_null;
  bool fill_latest_at = false;
  std::vector<std::string> select;
  std::string format = "csv";
  std::string output = "-";
  bool raw_times = false;  // times as int64 nanoseconds (not ISO 8601 / seconds / typed Arrow)
};
int run_query(const QueryOptions& options);

struct SchemaOptions {
  std::vector<std::string> inputs;
};
int run_schema(const SchemaOptions& options);

struct SqlOptions {
  std::string query;
  std::vector<std::string> inputs;  // files, directories, globs (a dataset)
  std::string format;               // table (default on a terminal), csv, json, arrow
  std::string output = "-";
};
int run_sql(const SqlOptions& options);

struct ExportOptions {
  std::vector<std::string> inputs;
  std::string output;
  std::string format = "parquet";
  bool overwrite = false;
};
int run_export(const ExportOptions& options);

struct ImportCommandOptions {
  std::vector<std::string> inputs;
  std::string output = "-";
  std::string topics;  // entity path filter rules over topic names
  std::string compression = "lz4";
  std::string file_format;  // --file-format: reel, rrd, or "" (the output's extension)
};
int run_import(const ImportCommandOptions& options);
// Whether the importer reads `path` (not a .reel/.rrd recording, not stdin).
Result<bool> is_importable(const std::string& path);
// Imports `path` into a temporary .reel file (removed at exit) and returns its path.
Result<std::string> import_to_temporary(const std::string& path);

// Loads recordings into a store (for query, schema, view). Prints warnings.
Result<std::shared_ptr<ChunkStore>> load_inputs(const std::vector<std::string>& inputs);

// A time given on the command line, in nanoseconds for durations ("1.5s", "250ms", "2min")
// and ISO 8601 timestamps ("2024-05-01T12:00:00.5Z", "2024-05-01", offsets "+02:00"), or an
// integer as it is. `unit` says which it was: "" (integer), "duration" or "timestamp".
Result<TimeInt> parse_time_argument(std::string_view text, std::string* unit = nullptr);

// Prints "reel: error: <message>" and returns 1.
int fail(const Status& status);

}  // namespace reel::cli
