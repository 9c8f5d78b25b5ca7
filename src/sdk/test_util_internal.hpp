// Helpers shared by the SDK's tests (not part of the library).
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "reel/sdk/recording_stream.hpp"
#include "reel/types/archetypes.hpp"

namespace reel::test {

inline const ComponentDescriptor& scalar_desc() { return Scalars::descriptor_scalars(); }

// No automatic timelines, the batcher's defaults (not the environment).
inline RecordingStreamOptions plain_options() {
  RecordingStreamOptions o;
  o.log_time = false;
  o.log_tick = false;
  o.batcher = BatcherConfig();  // defaults, not the environment
  return o;
}

// Collects what a stream sends, thread-safely.
struct Collector {
  std::mutex mutex;
  std::vector<ChunkPtr> chunks;
  std::shared_ptr<Sink> sink() {
    return make_callback_sink([this](std::span<const ChunkPtr> c) {
      std::lock_guard lock(mutex);
      chunks.insert(chunks.end(), c.begin(), c.end());
    });
  }
  std::vector<ChunkPtr> snapshot() {
    std::lock_guard lock(mutex);
    return chunks;
  }
  int64_t rows() {
    int64_t n = 0;
    for (auto& c : snapshot()) n += c->num_rows();
    return n;
  }
};

// Every scalar of `e` in a store, in (time, RowId) order on timeline `tl`.
inline std::vector<double> scalars_in_range(ChunkStore& store, const EntityPath& e,
                                            const std::string& tl) {
  std::vector<double> out;
  for (const auto& c : store.range({tl, {kTimeMin, kTimeMax}}, e, scalar_desc()).chunks) {
    const auto* col = c->component(scalar_desc());
    for (int64_t i = 0; i < c->num_rows(); ++i) {
      out.push_back(arrow::PrimitiveArray<double>(col->list.row_values(i)).value(0));
    }
  }
  return out;
}

}  // namespace reel::test
