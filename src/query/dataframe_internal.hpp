// Internals of dataframe views and their reader, shared by the query module's files (and
// its tests).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "reel/format/recording_index.hpp"
#include "reel/query/dataframe.hpp"

namespace reel::dataframe::internal {

struct FileSource;

// "/entity/path:Archetype:field", the name of an entity's component column.
std::string column_name(const EntityPath& entity, const ComponentDescriptor& d);
// The column of `entity`'s component `d` whose instances have type `element`.
ColumnDescription describe(const ChunkStore& store, const EntityPath& entity,
                           const ComponentDescriptor& d, const arrow::TypePtr& element);

// Times in CSV, JSON and text tables (write_table): an Arrow timestamp as ISO 8601 with
// exactly nine fractional digits, "2023-11-14T22:13:20.000000001Z" ("Z" when the type has
// a time zone: the instant in UTC; none for a zoneless, wall-clock timestamp); a duration as
// decimal seconds with exactly nine fractional digits, "-1.500000000". Exact in every unit.
std::string timestamp_text(int64_t value, arrow::TimeUnit unit, bool utc);
std::string seconds_text(int64_t value, arrow::TimeUnit unit);

// What a reader made by View::read() opened while reading: evidence that it walks chunks
// lazily instead of copying them.
struct ReaderStats {
  int64_t chunks_opened = 0;    // chunk cursors created (chunks with rows in the window)
  int64_t max_open_chunks = 0;  // most cursors open at once on one column (1 unless chunks
                                // overlap in time on the index timeline)
  int64_t sorted_rows = 0;      // rows of chunks unsorted on the index timeline that were
                                // given a row order
  int64_t max_order_rows = 0;   // the largest such row order (rows of one chunk)
  int64_t block_rows = 0;       // index values read in blocks (every column's rows at once)
  // Views of files (View::create(path)): chunks this reader had read from disk, and the most
  // chunks of the file held in memory at once (by every reader of the file).
  int64_t file_chunks_read = 0;
  int64_t max_file_chunks_held = 0;
};

// A recording file's temporal chunks for the views of one file (View::create(path)): the
// chunk index (footer, or one streaming pass) per column, and reads of single chunks when a
// reader reaches them. A chunk read once is shared while anyone holds it (columns of one
// chunk whose cursors are open together share one read) and forgotten when nobody does:
// memory is what readers hold, never the file. Thread-safe.
class FileChunks {
 public:
  struct Part {
    uint64_t offset = 0;
    std::map<std::string, TimeRange> ranges;  // of the column's non-null rows, per timeline
  };
  struct Column {
    // The element type (read from the smallest chunk that has the column when first asked
    // for: set under types_mutex_).
    mutable arrow::TypePtr type;
    uint64_t type_offset = 0, type_bytes = 0;  // that chunk
    std::vector<Part> parts;  // the chunks with data on the view's timeline, in file order
  };

  const std::string& path() const { return path_; }
  // The chunk at `offset`, shared with whoever holds it already (`read_from_disk`, if given,
  // says whether it had to be read); null for a damaged chunk, left out with a warning. An
  // error names the file and byte offset (a file cut or changed since it was indexed).
  Result<ChunkPtr> load(uint64_t offset, bool* read_from_disk = nullptr) const;
  const Column* column(const EntityPath& entity, const ComponentDescriptor& d) const;
  // The column's chunks with data on `timeline` within `window`, by their first time there.
  std::vector<Part> relevant(const std::string& timeline, const TimeRange& window,
                             const EntityPath& entity, const ComponentDescriptor& d) const;
  bool has_data_at_or_before(const std::string& timeline, TimeInt t, const EntityPath& entity,
                             const ComponentDescriptor& d) const;
  // As ChunkStore::latest_at over the column's chunks (reads the few that can hold it).
  Result<std::optional<LatestAtResult>> latest_at(const std::string& timeline, TimeInt at,
                                                  const EntityPath& entity,
                                                  const ComponentDescriptor& d) const;
  // As ChunkStore::components / entities / timelines for the file. Every entity of the file
  // is known; the static data and column types of those outside the view's entities are read
  // when first asked for (an error: the file could not be read there).
  Result<std::vector<std::pair<ComponentDescriptor, arrow::TypePtr>>> components(
      const EntityPath& entity) const;
  std::vector<EntityPath> entities() const;
  const std::vector<Timeline>& timelines() const { return timelines_; }
  // What opening and reading found wrong but read past (damaged chunks left out, ...).
  std::vector<std::string> warnings() const;
  // Whether the footer lists the column (non-null somewhere): a column it lists that
  // components() lacks had every chunk of it left out (named in warnings()).
  bool lists(const EntityPath& entity, const ComponentDescriptor& d) const {
    return listed_.count({entity, d}) > 0;
  }

  int64_t max_held() const;
  uint64_t bytes_read() const;
  uint64_t file_bytes() const { return file_bytes_; }

 private:
  friend Result<std::optional<FileSource>> open_file_source(const std::string&,
                                                            const EntityPathFilter&,
                                                            const std::optional<std::string>&);
  FileChunks(std::string path, std::unique_ptr<format::ChunkFileReader> reader)
      : path_(std::move(path)), reader_(std::move(reader)) {}
  std::string path_;
  std::unique_ptr<format::ChunkFileReader> reader_;
  std::map<EntityPath, std::map<ComponentDescriptor, Column>> columns_;
  std::set<std::pair<EntityPath, ComponentDescriptor>> listed_;  // set at open
  std::vector<Timeline> timelines_;
  mutable std::vector<std::string> warnings_;  // under mutex_ once open
  mutable std::unordered_set<uint64_t> damaged_;
  uint64_t file_bytes_ = 0;
  // A chunk read from disk, or null for a damaged one (named in warnings_, once).
  Result<ChunkPtr> read_or_skip(uint64_t offset) const;
  // Reads the types of the entity's columns not known yet.
  Status resolve_types(const EntityPath& entity) const;
  mutable std::mutex types_mutex_;
  // The store of the file's static data and Clears (FileSource::store). Static chunks of
  // entities outside the view's are read into it when the entity is first asked for
  // (read_statics; statics_mutex_ held while they are read and stored).
  std::shared_ptr<ChunkStore> store_;
  Status read_statics(const EntityPath& entity) const;
  mutable std::mutex statics_mutex_;
  mutable std::map<EntityPath, std::vector<uint64_t>> unread_statics_;
  mutable std::mutex mutex_;
  mutable std::unordered_map<uint64_t, std::weak_ptr<const Chunk>> held_;
  mutable int64_t max_held_ = 0;
};

// A file opened for streaming views: its chunks, and a store of its Clears and static data
// (the view's entities' at first; others' when the file is asked for those entities).
struct FileSource {
  std::shared_ptr<const FileChunks> file;
  std::shared_ptr<const ChunkStore> store;
};

// Opens a regular .reel file of one recording for views of `entities` on `timeline` (none:
// static data only). nullopt for inputs read otherwise: stdin, .rrd files, concatenated
// recordings (View::create(path) loads those).
Result<std::optional<FileSource>> open_file_source(const std::string& path,
                                                   const EntityPathFilter& entities,
                                                   const std::optional<std::string>& timeline);

// The statistics of a reader returned by View::read(); null for any other reader.
const ReaderStats* reader_stats(const RecordBatchReader& reader);

}  // namespace reel::dataframe::internal
