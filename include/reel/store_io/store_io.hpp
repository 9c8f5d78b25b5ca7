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
  // Chunks the store refused (a timeline whose type conflicts with the recording's, a
  // component logged with two types): not loaded, each named in `warnings`. Not counted in
  // `chunks` and `rows`.
  uint64_t refused_chunks = 0;
};

// Loads every chunk of a recording into `store` through ChunkStore::insert (the same path as
// live data), in stream order. Messages are decoded on `threads` worker threads (0: one per
// core) while the caller's thread reads and inserts. Truncation is a warning in the report;
// corruption is an error after the complete messages before it were loaded. A chunk the
// store refuses for its types is left out with a warning naming it (and its byte offset);
// everything else loads.
Result<LoadReport> load_into_store(format::RecordingReader& reader, ChunkStore& store,
                                   size_t threads = 0);
Result<LoadReport> load_file(const std::string& path, ChunkStore& store);

// Writes every chunk of a store (store info first) to a recording.
Status write_store(const ChunkStore& store, format::RecordingWriter& writer);

}  // namespace reel
