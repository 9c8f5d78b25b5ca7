// Where stores and recording files meet: loading a recording into a ChunkStore and writing a
// store out as a recording.
//
// The format module reads and writes messages; the store module indexes chunks; neither
// knows the other. These functions connect them, on the same insert path as live data.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <functional>
#include <optional>

#include "reel/chunk/entity_path.hpp"
#include "reel/chunk/store_info.hpp"
#include "reel/format/recording_file.hpp"
#include "reel/format/recording_index.hpp"
#include "reel/status.hpp"
#include "reel/store/chunk_store.hpp"

namespace reel {

struct LoadReport {
  uint64_t messages = 0;
  uint64_t chunks = 0;
  int64_t rows = 0;
  uint64_t bytes = 0;  // of the input read (load_selected from a footer: the chunks read)
  StoreInfo info;
  std::vector<std::string> warnings;
  // load_selected: chunks in the file, and whether its footer told which to read (else one
  // streaming pass decoded them all and kept the selected ones).
  uint64_t chunks_in_file = 0;
  bool from_footer = false;
  // Chunks the store refused (a timeline whose type conflicts with the recording's, a
  // component logged with two types): not loaded, each named in `warnings`. Not counted in
  // `chunks` and `rows`.
  uint64_t refused_chunks = 0;
  // With LoadOptions::store_for: every recording loaded, in order of appearance.
  std::vector<StoreInfo> recordings;
};

// Which chunks of a recording a dataframe query can use. A chunk is selected when its entity
// matches `entities` and it is static, or (unless `static_only`) it has `timeline` (any
// timeline when unset) with times in `range` (from before the range too when
// `keep_before_range`, for latest-at fills) and, when `columns` is not empty, one of those
// "entity:Archetype:field" columns.
//
// So that a view of the selection has exactly the full recording's columns and timelines,
// a few chunks outside it are kept too: for each column of a matching entity (and for
// `timeline`) that no selected chunk has, one chunk that has it. They lie outside the range or
// off the timeline, so they add no rows.
struct ChunkSelection {
  EntityPathFilter entities = EntityPathFilter::all();
  std::optional<std::string> timeline;
  TimeRange range{kTimeMin, kTimeMax};
  bool keep_before_range = false;
  bool static_only = false;
  // Static chunks are neither selected nor kept as witnesses (row tables on a timeline, which
  // have no static rows).
  bool temporal_only = false;
  std::vector<std::string> columns;
};

// Loads the selected chunks of `path` into `store`. With a version 2 footer only those chunks
// are read from disk (in parallel, inserted in file order); version 1 files, files without a
// footer and stdin ("-") are read once, every chunk decoded and only the selected ones kept.
// `chunks_read`, if given, gets the number of chunk messages read from disk (tests);
// `progress`, if given, is called with (bytes read, bytes to read or 0) as chunks arrive.
Result<LoadReport> load_selected(const std::string& path, ChunkStore& store,
                                 const ChunkSelection& selection, uint64_t* chunks_read = nullptr,
                                 const std::function<void(uint64_t, uint64_t)>& progress = {});

// Loads every chunk of a recording (.reel or Rerun's .rrd, told apart by the first bytes) into
// `store` through ChunkStore::insert (the same path as
// live data), in stream order. Messages are decoded on `threads` worker threads (0: one per
// core) while the caller's thread reads and inserts. Truncation is a warning in the report;
// corruption is an error after the complete messages before it were loaded. A chunk the
// store refuses for its types is left out with a warning naming it (and its byte offset);
// everything else loads. `keep`, if given, is asked about each decoded chunk (in stream
// order) and drops those it refuses.
Result<LoadReport> load_into_store(format::RecordingReader& reader, ChunkStore& store,
                                   size_t threads = 0,
                                   const std::function<bool(const Chunk&)>& keep = {});
Result<LoadReport> load_file(const std::string& path, ChunkStore& store);

// Which of a file's recordings to load (Rerun files hold a recording and its blueprint;
// `cat` and `merge` make more), and how.
struct LoadOptions {
  size_t threads = 0;  // decoding threads, 0: one per core
  // Empty: the first recording, the others named in the report's warnings. Otherwise that
  // recording; an input without it is an error naming it. Blueprints are never loaded.
  std::string recording_id;
  // As load_into_store's `keep`: asked about each decoded chunk, drops those it refuses.
  std::function<bool(const Chunk&)> keep;
  // Several recordings, each into a store of its own (`reel view a.rrd`, docs/server.md):
  // when set, every recording of the input loads (`recording_id` is ignored, blueprints are
  // still left out), into the store this returns for its StoreInfo (asked once per stream;
  // an empty StoreInfo for a stream without one); the store passed to load_into_store is
  // not used. The report's `info` is the first recording's, `recordings` lists them all.
  std::function<ChunkStore*(const StoreInfo&)> store_for;
};
Result<LoadReport> load_into_store(format::RecordingReader& reader, ChunkStore& store,
                                   const LoadOptions& options);
Result<LoadReport> load_file(const std::string& path, ChunkStore& store,
                             const LoadOptions& options);

// Copies recordings message by message (`reel convert`): .reel or .rrd in, the writer's
// format out, chunks re-encoded, nothing held in memory. Into .rrd every store is kept
// (recordings and blueprints, each chunk under its store); .reel holds one store per stream,
// so there only the first recording's stores (streams of its recording id) are kept and the
// others named in `warnings`.
struct ConvertReport {
  uint64_t stores = 0, chunks = 0;
  int64_t rows = 0;
  std::vector<std::string> warnings;
};
Result<ConvertReport> convert_recording(format::RecordingReader& reader,
                                        format::RecordingWriter& writer, ConvertReport report = {});

// Writes every chunk of a store (store info first) to a recording.
Status write_store(const ChunkStore& store, format::RecordingWriter& writer);

}  // namespace reel
