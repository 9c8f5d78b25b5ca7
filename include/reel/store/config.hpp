// ChunkStoreConfig: how a ChunkStore compacts and garbage-collects (see chunk_store.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "reel/status.hpp"

namespace reel {

struct ChunkStoreConfig {
  // Merge small incoming chunks into compatible ones. Default: on.
  bool enable_compaction = true;
  // A merge must keep the result within these limits. A chunk already beyond half of any
  // limit is "large": it is stored and indexed as is, never copied.
  uint64_t chunk_max_bytes = 384 * 1024;       // REEL_CHUNK_MAX_BYTES
  uint64_t chunk_max_rows = 4096;              // REEL_CHUNK_MAX_ROWS
  uint64_t chunk_max_rows_if_unsorted = 1024;  // REEL_CHUNK_MAX_ROWS_IF_UNSORTED; applies
                                               // when the merged chunk would not be sorted by
                                               // time on every timeline
  // When set, every insert that takes the store above this many bytes garbage-collects down
  // to `gc_target_fraction` of it (oldest temporal data first; see gc()). 0: no limit.
  // Compaction then keeps merged chunks at most memory_limit / 64 bytes, so that GC, which
  // drops whole chunks, drops old rows and not whole entities.
  uint64_t memory_limit = 0;
  double gc_target_fraction = 0.9;
  // Chunks protected from automatic GC per entity/timeline/component (see GcOptions).
  size_t gc_protect_latest = 1;
  // The defaults, overridden by the environment variables named above (a malformed value is
  // reported on stderr and ignored). The library never reads the environment by itself: the
  // programs and entry points call this (the `reel` command, RecordingStream's embedded
  // store, the Python module); a plain ChunkStoreConfig is the defaults only.
  static ChunkStoreConfig from_env();
  static ChunkStoreConfig no_compaction() {
    ChunkStoreConfig c;
    c.enable_compaction = false;
    return c;
  }
};

// "2GB" (10^9), "2GiB" (2^30), "512MB", "1.5GB", "100000" (bytes), "25%" of `total_ram`;
// "0" or "none": no limit. What `reel serve --memory-limit` and
// rr.memory_recording(memory_limit=) take.
Result<uint64_t> parse_memory_size(std::string_view text, uint64_t total_ram);
// Physical memory of this machine, or its cgroup's limit when lower (0 if unknown).
uint64_t physical_memory_bytes();

}  // namespace reel
