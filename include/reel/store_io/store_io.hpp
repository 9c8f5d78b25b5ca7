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

#include "reel/chunk/store_info.hpp"
#include "reel/format/recording_file.hpp"
#include "reel/status.hpp"
#include "reel/store/chunk_store.hpp"

namespace reel {

struct LoadReport {
  uint64_t messages = 0;
  uint64_t chunks = 0;
  int64_t rows = 0;
  uint64_t bytes = 0;
  StoreInfo info;
  std::vector<std::string> warnings;
};

// Loads every chunk of a recording (.reel or Rerun's .rrd, told apart by the first bytes) into
// `store` through ChunkStore::insert (the same path as
// live data), in stream order. Messages are decoded on `threads` worker threads (0: one per
// core) while the caller's thread reads and inserts. Truncation is a warning in the report;
// corruption is an error after the complete messages before it were loaded.
Result<LoadReport> load_into_store(format::RecordingReader& reader, ChunkStore& store,
                                   size_t threads = 0);
Result<LoadReport> load_file(const std::string& path, ChunkStore& store);

// Which of a file's recordings to load (Rerun files hold a recording and its blueprint;
// `cat` and `merge` make more), and how.
struct LoadOptions {
  size_t threads = 0;  // decoding threads, 0: one per core
  // Empty: the first recording, the others named in the report's warnings. Otherwise that
  // recording; an input without it is an error naming it. Blueprints are never loaded.
  std::string recording_id;
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
