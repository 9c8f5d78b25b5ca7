// Dataframe queries: a recording as a table.
//
// A View has an index (a timeline, or none for static data only) and contents (entities and
// their components). The table has one row per distinct index value among the selected
// columns' data, and one column per entity/component, named
// `{entity_path}:{Archetype}:{field}` (e.g. `/plots/p0/s0:Scalars:scalars`); the index
// column comes first and is named after its timeline.
//
// Cell semantics (as Rerun's dataframe API):
// - a column logged twice at one index value: the row with the highest RowId wins;
// - without fill, a cell with no data at its index value is null; with fill_latest_at() it
//   holds the latest-at value (data logged before the range included);
// - static columns hold their static value on every row (and add no index values);
// - with index none, the table is one row of static values.
// - a Clear at t (Clear::flat on the entity, or Clear::recursive on it or an ancestor)
//   empties the entity's components from t until they are logged again: cells read as
//   empty lists at t and, with fill, after it (static values too); a Clear before a
//   component's first data empties nothing; the Clear column is never part of the table.
//
// Pushdown: index ranges and filter_is_not_null() decide which chunks are read at all; chunks
// that cannot contribute are never touched. Results stream as Arrow record batches of at most
// `batch_rows` rows, built lazily: the reader walks each column's chunks in time order (a
// merge where chunks overlap in time) and copies only the cells of the batch it builds, so
// its memory is the batch plus, per column, the chunks open at the current index value.
//
// Views are immutable values: every builder method returns a new view. A View keeps its
// store alive; reading while the store is written sees a consistent snapshot per column.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "reel/arrow/record_batch.hpp"
#include "reel/chunk/component.hpp"
#include "reel/chunk/entity_path.hpp"
#include "reel/status.hpp"
#include "reel/store/chunk_store.hpp"
#include "reel/store_io/store_io.hpp"

namespace reel::dataframe {

namespace internal {
class FileChunks;
}

struct ColumnDescription {
  std::string name;  // "/entity:Archetype:field", or the timeline name for the index
  EntityPath entity;
  ComponentDescriptor component;
  arrow::TypePtr type;  // list<T> for components; for the index index_arrow_type()
  bool is_index = false;
  bool is_static = false;
};

// The Arrow type of an index column on a timeline of this kind: int64 for sequences,
// duration(ns) for durations, timestamp(ns, "UTC") for timestamps (the same int64
// nanoseconds in every case, typed so readers see times).
arrow::TypePtr index_arrow_type(TimeType type);

// "/plots/a:Scalars:scalars" -> entity /plots/a, descriptor Scalars:scalars.
Result<std::pair<EntityPath, std::string>> parse_column_name(std::string_view name);

// Loads a recording file (from a RecordingStream's save(), `reel save`, ...) into a new store,
// for views: load_recording(path) then View::create(store, ...), as Python's
// rr.dataframe.load_recording(path).view(index=..., contents=...). Errors name the file and
// the byte offset of the bad message. A file cut short (still being written, or its writer
// killed) loads up to its last complete message; `warnings`, if given, then says where. The
// store has the default ChunkStoreConfig (the environment is not read: to choose the
// compaction limits, load_file() into a store of your own).
Result<std::shared_ptr<const ChunkStore>> load_recording(
    const std::string& path, std::vector<std::string>* warnings = nullptr);
// Only the chunks a view can use (see ChunkSelection in reel/store_io/store_io.hpp: a view with
// the selection's index, contents, range and columns gives the same table as over the whole
// recording). With a version 2 footer only those chunks are read from disk.
Result<std::shared_ptr<const ChunkStore>> load_recording(
    const std::string& path, const ChunkSelection& selection,
    std::vector<std::string>* warnings = nullptr);

class RecordBatchReader {
 public:
  virtual ~RecordBatchReader() = default;
  virtual const arrow::SchemaPtr& schema() const = 0;
  // The next batch, or nullopt at the end.
  virtual Result<std::optional<arrow::RecordBatch>> next() = 0;
  Result<std::vector<arrow::RecordBatch>> read_all();
};

class View {
 public:
  // `index`: a timeline name, or nullopt for static data only. `contents`: an entity path
  // filter expression ("/plots/**", "/** -/world/debug/**").
  static Result<View> create(std::shared_ptr<const ChunkStore> store,
                             std::optional<std::string> index, std::string_view contents = "/**");
  // Explicit contents: entity -> components (an empty list: all of the entity's components).
  static Result<View> create(std::shared_ptr<const ChunkStore> store,
                             std::optional<std::string> index,
                             std::map<EntityPath, std::vector<ComponentDescriptor>> contents);
  // A view of a recording file that streams: only the file's chunk index (its footer; for
  // version 1 files and files without one, one pass that holds one chunk at a time), its
  // Clears and the static data of `contents` are read here (other entities' static data when
  // a not-null filter asks for them); reading the view reads each chunk it needs
  // from disk when it gets there and lets go of it once past it, so memory is the batch plus
  // the chunks open at the current index value, whatever the file's size (rows that filters
  // skip hold nothing). A damaged chunk is left out with a warning (warnings()), as loading
  // leaves it out; a file cut or changed while it is read fails the read with the file and
  // byte offset, after the rows before it. Stdin, .rrd files and files of several recordings
  // are loaded (their chunks that can match) instead; file_progress() tells which happened.
  static Result<View> create(const std::string& path, std::optional<std::string> index,
                             std::string_view contents = "/**");
  // The streamed view of create(path) when the file can stream (one recording in a .reel
  // file), nullopt when it cannot: then nothing was loaded, and the caller loads the file
  // its own way (e.g. only the columns it will read).
  static Result<std::optional<View>> stream(const std::string& path,
                                            std::optional<std::string> index,
                                            std::string_view contents = "/**");
  // Explicit contents (entity -> components; an empty list: all of the entity's), as
  // create(store, index, contents): only those entities' static data is read here.
  static Result<std::optional<View>> stream(
      const std::string& path, std::optional<std::string> index,
      std::map<EntityPath, std::vector<ComponentDescriptor>> contents);

  // Only index values in [t0, t1].
  View filter_range(TimeInt t0, TimeInt t1) const;
  // Only these index values (those without data are not added: see using_index_values).
  View filter_index_values(std::vector<TimeInt> values) const;
  // Only index values where `column` has data (at exactly that index value).
  Result<View> filter_is_not_null(std::string_view column) const;
  // Exactly these index values (sorted, deduplicated), whether data exists there or not;
  // usually combined with fill_latest_at().
  View using_index_values(std::vector<TimeInt> values) const;
  View fill_latest_at() const;
  // Only these columns, in this order (the index column always comes first).
  Result<View> select(std::vector<std::string> columns) const;
  // The static columns only, as one row (the index becomes none).
  View select_static() const;
  // Rows per output batch (default 65536).
  View with_batch_rows(int64_t rows) const;

  // The index column (if any) then the component columns, as read() will produce them.
  std::vector<ColumnDescription> schema() const;
  const std::optional<std::string>& index() const { return index_; }
  // The kind of the index timeline (kSequence without an index).
  TimeType index_type() const { return index_type_; }

  Result<std::unique_ptr<RecordBatchReader>> read() const;
  Result<std::vector<arrow::RecordBatch>> read_all() const;

  // A view of a file that streams (View::create(path)): bytes of the file read so far (by
  // every reader of its views) and the file's size, for progress; nullopt otherwise.
  struct FileProgress {
    uint64_t read_bytes = 0;
    uint64_t file_bytes = 0;
  };
  std::optional<FileProgress> file_progress() const;
  // What View::create(path) found wrong but could read past (a truncated end, a footer that
  // had to be replaced by reading the file, chunks left out, other recordings in the file):
  // one line each, naming the file. Empty for a view of a store.
  std::vector<std::string> warnings() const;

  struct State;

 private:
  View() = default;
  static Result<View> make(std::shared_ptr<const ChunkStore> store,
                           std::shared_ptr<const internal::FileChunks> file,
                           std::optional<std::string> index,
                           std::map<EntityPath, std::vector<ComponentDescriptor>> contents);
  // The element types of an entity's components (the file's, for a view of a file: its
  // static data is read then if it was not yet).
  Result<std::vector<std::pair<ComponentDescriptor, arrow::TypePtr>>> components_of(
      const EntityPath& entity) const;
  std::shared_ptr<const ChunkStore> store_;
  // A view of a file: its temporal chunks, read as the reader reaches them (store_ holds
  // the file's Clears and the static data read so far).
  std::shared_ptr<const internal::FileChunks> file_;
  std::vector<std::string> warnings_;  // View::create(path) of a file it loaded
  std::optional<std::string> index_;
  TimeType index_type_ = TimeType::kSequence;
  std::vector<ColumnDescription> columns_;  // component columns, in output order
  TimeRange range_{kTimeMin, kTimeMax};
  std::optional<std::vector<TimeInt>> filter_values_;
  std::optional<std::vector<TimeInt>> using_values_;
  std::vector<std::string> not_null_;  // column names
  bool fill_ = false;
  int64_t batch_rows_ = 65536;
};

enum class OutputFormat { kCsv, kJson, kArrow, kTable };
Result<OutputFormat> parse_output_format(std::string_view name);  // "csv", "json", "arrow"

struct WriteOptions {
  // Timestamps and durations as their int64 (nanoseconds) in every format, Arrow included.
  bool raw_times = false;
};

// Writes the view's table: CSV (a header row; lists of one value written as the value,
// longer lists as JSON arrays; null as an empty cell), JSON lines (one object per row,
// null cells as null), or an Arrow IPC stream. Returns the number of rows written.
// Times: Arrow keeps its types (an index column is index_arrow_type()); CSV, JSON and text
// tables write timestamps as ISO 8601 with exactly nine fractional digits
// ("2023-11-14T22:13:20.000000001Z"; a JSON string) and durations as decimal seconds with
// exactly nine fractional digits ("1.500000000"; a JSON number), exact to the nanosecond,
// unless options.raw_times.
Result<int64_t> write_table(const View& view, OutputFormat format, std::ostream& out,
                            const WriteOptions& options = {});
// The same for any reader (a dataset view, an SQL result); kTable is an aligned text table for
// terminals (at most 1000 rows shown, all counted).
Result<int64_t> write_table(RecordBatchReader& reader, OutputFormat format, std::ostream& out,
                            const WriteOptions& options = {});

}  // namespace reel::dataframe
