// Datasets: many recordings queried as one.
//
// A Dataset is a list of recording files (paths, directories searched for *.reel and *.rrd,
// glob patterns) or of stores already in memory. It answers the views of a single recording
// (View, dataframe.hpp) across all of them, with three columns first that say where each row
// comes from: `recording_id`, `application_id` and `source` (the file as found: the path as
// given, a directory's path joined with the file's name, or a glob's match). It also reads
// its recordings as logged rows ("long" tables, read_rows): one row per logged row with
// `entity_path`, `row_id`, every timeline as a column and the components as list columns;
// the SQL module (reel/sql/sql.hpp) builds its tables on these.
//
// Reading is streaming and bounded: recordings are read one after another in the order of
// recordings(), at most `DatasetOptions::parallel_recordings` of them opened ahead of the one
// being answered, by that many threads; each is dropped once answered. A view reads a file
// of one recording (a .reel file) as View::stream does, chunk by chunk, only the chunks that
// can match, so its memory is the batch and the chunks open at the current index value
// whatever the files' sizes; files that cannot stream (Rerun's .rrd, files of several
// recordings) are loaded, only the chunks of the view's entities (and their ancestors'), stores
// given in memory are used as they are, and long tables (read_rows) load of each file only the
// chunks of their entities in their window. Which recordings a read
// opens is decided before any is loaded, from what is known without loading them (their
// timelines and entities, and the footer of each file: chunk time ranges per entity): a
// recording that cannot contribute a row is never opened. Stats() counts what was opened.
//
// Faults: a file that cannot be read, is corrupt or truncated is reported (a warning naming
// the file and what is wrong, in warnings() and to DatasetOptions::on_warning) and skipped;
// the others answer. Only a dataset with no readable recording at all is an error.
//
// Threads: a Dataset, and its views, are immutable values that may be used from many threads
// at once; every reader they return is used by one thread at a time. Readers keep the
// dataset's state alive.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reel/chunk/store_info.hpp"
#include "reel/query/dataframe.hpp"

namespace reel::dataframe {

struct DatasetOptions {
  // Recordings loaded ahead of the one being read, each by its own thread (default 2). The
  // bound on memory: about this many loaded recordings plus one.
  size_t parallel_recordings = 2;
  // The stores recordings are loaded into (compaction limits; no memory limit by default).
  ChunkStoreConfig store_config = ChunkStoreConfig();
  // Views stream the files that can (see above); false: every recording is loaded whole.
  bool stream_files = true;
  // Called with each warning as it happens (from any thread, one call at a time); they are
  // also kept in Dataset::warnings().
  std::function<void(const std::string&)> on_warning;
};

// What is known of a recording without reading its data (from its first message and its
// footer), and, once summarized, its schema.
struct RecordingSummary {
  std::string source;  // the file as found ("" for a store given in memory)
  StoreInfo info;
  // Timelines, and every entity's components with their element types (Arrow), as seen in
  // the recording's chunks; `static_components` lists those with static data.
  std::vector<Timeline> timelines;
  std::map<EntityPath, std::vector<std::pair<ComponentDescriptor, arrow::TypePtr>>> components;
  std::map<EntityPath, std::vector<ComponentDescriptor>> static_components;
  std::map<EntityPath, std::vector<Timeline>> entity_timelines;  // the timelines of each entity
  // The file's footer, when it has one: per chunk its entity, static flag and time ranges.
  // Reads use it to skip files none of whose chunks can contribute.
  bool has_footer = false;
  struct ChunkExtent {
    EntityPath entity;
    bool is_static = false;
    std::map<std::string, TimeRange> time_ranges;
  };
  std::vector<ChunkExtent> chunks;
};

// What reads opened so far (counters shared by the dataset and every copy and view of it).
struct DatasetStats {
  int64_t recordings_opened = 0;    // loaded or streamed to answer a read
  int64_t recordings_streamed = 0;  // of those, read chunk by chunk (View::stream)
  int64_t recordings_skipped = 0;   // left unopened by a read's plan
  int64_t chunks_loaded = 0;        // chunks decoded by the loads (not the streamed reads)
  int64_t rows_loaded = 0;
  // Bytes of recording files read by reads: a loaded file's size, a streamed file's chunk
  // index and the chunks its view needed (counted when its rows are all read).
  uint64_t bytes_read = 0;
};

// The column roles of a long table (read_rows), in field metadata "reel.kind".
struct RowsOptions {
  // Only components of this archetype ("Scalars"), columns named by field ("scalars"); empty:
  // every component, named "Archetype:field".
  std::string archetype;
  // Entity path filter ("/arm/**").
  std::string entities = "/**";
  // Only rows on this timeline with a time in [range.min, range.max] (then static rows, which
  // have no time, are left out).
  std::optional<std::string> index;
  TimeRange range{kTimeMin, kTimeMax};
  // Only these output columns, in this order (projection); nullopt: all.
  std::optional<std::vector<std::string>> columns;
  // Only recordings with this recording id.
  std::optional<std::string> recording_id;
};

struct RowsColumn {
  enum class Kind { kRecordingId, kApplicationId, kSource, kEntityPath, kRowId, kTime, kComponent };
  std::string name;  // distinct from the others even when lowercased (suffixes _2, _3, ...)
  Kind kind = Kind::kComponent;
  arrow::TypePtr type;            // utf8, fixed_size_binary(16) row ids, int64 times, list<T>
  Timeline timeline;              // kTime
  ComponentDescriptor component;  // kComponent
};

class DatasetView;
class Dataset;

// A recording opened for a read: its summary and its store, or (a view's read of a file
// that streams) the recording's view of the file, with no store.
struct LoadedRecording {
  const RecordingSummary* summary = nullptr;  // owned by the dataset
  std::shared_ptr<const ChunkStore> store;
  std::optional<View> view;
  size_t warnings_reported = 0;  // the first of view->warnings(), reported at its open
};

// Recordings loaded in order, ahead by at most DatasetOptions::parallel_recordings.
class RecordingCursor {
 public:
  virtual ~RecordingCursor() = default;
  // The next loaded recording, or nullopt at the end. Recordings that fail to load are
  // reported as warnings and skipped.
  virtual Result<std::optional<LoadedRecording>> next() = 0;
};

class Dataset {
 public:
  // Files, directories (searched recursively for *.reel and *.rrd, in name order) and glob
  // patterns ("runs/*/episode-*.reel"). Each file's first message is read (its recording and
  // application id); unreadable files are reported and skipped. Errors: a source that is
  // none of these, or no readable recording at all.
  static Result<Dataset> open(const std::vector<std::string>& sources, DatasetOptions options = {});
  // Stores already in memory (sources "", or `sources[i]` when given).
  static Result<Dataset> from_stores(std::vector<std::shared_ptr<const ChunkStore>> stores,
                                     std::vector<std::string> sources = {},
                                     DatasetOptions options = {});

  // The readable recordings, in read order (a snapshot). The schema parts of each summary
  // (timelines, components) are filled in by summarize(), which views and read_rows call.
  std::vector<RecordingSummary> recordings() const;
  // Reads every recording not yet summarized (bounded parallel: one file per thread, chunk
  // by chunk, without keeping its data) for its timelines and components. Recordings that
  // turn out unreadable are reported and left out from then on. Idempotent.
  Status summarize() const;

  std::vector<std::string> warnings() const;
  DatasetStats stats() const;

  // A view of every recording, as View::create(store, index, contents) of each.
  Result<DatasetView> view(std::optional<std::string> index,
                           std::string_view contents = "/**") const;
  Result<DatasetView> view(std::optional<std::string> index,
                           std::map<EntityPath, std::vector<ComponentDescriptor>> contents) const;

  // Archetypes with data in any recording ("Points3D", "Scalars", ...), sorted.
  Result<std::vector<std::string>> archetypes() const;
  // The columns of read_rows(options): recording_id, application_id, source, entity_path,
  // row_id, the timelines of the matching data (sorted by name), then the components.
  Result<std::vector<RowsColumn>> rows_schema(const RowsOptions& options) const;
  // Logged rows of the matching entities and components: a row of a chunk is one output row
  // when one of the selected components is not null in it. Static data gives the visible
  // static rows (timelines null).
  Result<std::unique_ptr<RecordBatchReader>> read_rows(const RowsOptions& options) const;

  // The recordings a read would open, given what it needs: entities matching `entities`
  // with data on `timeline` (any, when nullopt) within `window`, or static data when
  // `static_only` (from summaries and footers). A view's read of each chosen file then reads
  // only the chunks that can match (View::stream), or loads those of its entities (files that
  // cannot stream), and read_rows those of its entities in its window. `all` keeps
  // every recording (using_index_values).
  struct ReadNeeds {
    EntityPathFilter entities = EntityPathFilter::all();
    std::optional<std::string> timeline;
    TimeRange window{kTimeMin, kTimeMax};
    bool static_only = false;
    bool all = false;
    // Entities that must each have such data (the columns of filter_is_not_null).
    std::vector<EntityPath> required;
    std::optional<std::string> recording_id;
  };
  // Returns positions in the dataset's recording list (those of recordings() until a
  // summary drops one), for open_recordings.
  std::vector<size_t> plan_read(const ReadNeeds& needs) const;
  // Loads these recordings in order, bounded.
  std::unique_ptr<RecordingCursor> open_recordings(std::vector<size_t> which) const;

  struct State;

 private:
  friend class DatasetView;
  explicit Dataset(std::shared_ptr<State> state) : state_(std::move(state)) {}
  std::shared_ptr<State> state_;
};

// A View across a dataset. Every method returns a new view; the semantics per recording are
// View's. The schema is the union of the recordings' columns (a column missing from a
// recording is null in its rows); a column with different types in two recordings is an
// error naming both files. A recording without the index timeline, or without a column
// that filter_is_not_null() names, contributes no rows.
class DatasetView {
 public:
  DatasetView filter_range(TimeInt t0, TimeInt t1) const;
  DatasetView filter_index_values(std::vector<TimeInt> values) const;
  Result<DatasetView> filter_is_not_null(std::string_view column) const;
  DatasetView using_index_values(std::vector<TimeInt> values) const;
  DatasetView fill_latest_at() const;
  // Only these columns, in this order; recording_id, application_id, source and the index
  // always come first.
  Result<DatasetView> select(std::vector<std::string> columns) const;
  DatasetView with_batch_rows(int64_t rows) const;

  // recording_id, application_id, source (utf8, not null), the index (int64), then the
  // component columns.
  std::vector<ColumnDescription> schema() const;
  const std::optional<std::string>& index() const { return index_; }
  // The index timeline's type (sequence when the view has no index or no recording has it).
  TimeType index_type() const { return index_type_; }

  Result<std::unique_ptr<RecordBatchReader>> read() const;
  Result<std::vector<arrow::RecordBatch>> read_all() const;

 private:
  friend class Dataset;
  DatasetView() = default;
  std::shared_ptr<Dataset::State> state_;
  std::optional<std::string> index_;
  TimeType index_type_ = TimeType::kSequence;
  std::string contents_expr_;
  std::optional<std::map<EntityPath, std::vector<ComponentDescriptor>>> contents_map_;
  std::vector<ColumnDescription> columns_;  // the union of component columns, output order
  TimeRange range_{kTimeMin, kTimeMax};
  std::optional<std::vector<TimeInt>> filter_values_;
  std::optional<std::vector<TimeInt>> using_values_;
  std::vector<std::string> not_null_;
  bool fill_ = false;
  int64_t batch_rows_ = 65536;
};

// Names made distinct for engines that lowercase them (Trino, Hive): names already in
// lowercase keep theirs (the first of equal ones), every other name whose lowercase form is
// taken gets the first free suffix "_2", "_3", ...; order is kept.
std::vector<std::string> distinct_names(const std::vector<std::string>& names);

}  // namespace reel::dataframe
