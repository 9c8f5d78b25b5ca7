// Chunks and store events for the server's tests, without networking (the viewer sync's unit
// tests use these alone). Header-only.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "reel/chunk/chunk.hpp"
#include "reel/store/chunk_store.hpp"
#include "reel/types/archetypes.hpp"

namespace reel::server::test_util {

inline const ComponentDescriptor& scalar() { return Scalars::fields()[0].descriptor; }

inline ChunkPtr scalar_chunk(const std::string& entity, TimeInt t0, int n, double scale = 0.5) {
  ChunkBuilder b(entity);
  for (int i = 0; i < n; ++i) {
    b.add_row(RowId::create(), {{Timeline::sequence("frame"), t0 + i}},
              {{scalar(), arrow::make_primitive<double>({double(t0 + i) * scale})}});
  }
  return b.build().value();
}

// Store events made by hand, shaped as ChunkStore reports them.
inline ChunkStoreEvent addition(ChunkPtr chunk, std::vector<ChunkId> compacted_from = {}) {
  ChunkStoreEvent e;
  e.kind = ChunkStoreEventKind::kAddition;
  e.chunk = std::move(chunk);
  e.compacted_from = std::move(compacted_from);
  return e;
}
inline ChunkStoreEvent deletion(ChunkPtr chunk) {
  ChunkStoreEvent e;
  e.kind = ChunkStoreEventKind::kDeletion;
  e.chunk = std::move(chunk);
  return e;
}
// Compaction appended `incoming` behind `target`, giving `merged`: the deletion of the
// target, then the addition of the merged chunk.
inline std::vector<ChunkStoreEvent> append_events(const ChunkPtr& target, const ChunkPtr& merged,
                                                  const ChunkPtr& incoming) {
  ChunkStoreEvent added = addition(merged, {target->id(), incoming->id()});
  added.appended = ChunkStoreEvent::Append{target->id(), incoming->id(), target->num_rows()};
  return {deletion(target), std::move(added)};
}
// A merge that is not an append: `merged` replaced `target` (and chunks `from` names).
inline std::vector<ChunkStoreEvent> replace_events(const ChunkPtr& target, const ChunkPtr& merged,
                                                   std::vector<ChunkId> from) {
  return {deletion(target), addition(merged, std::move(from))};
}

}  // namespace reel::server::test_util
