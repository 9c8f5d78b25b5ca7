// The viewer's `subscribe` message (docs/viewer-protocol.md, "Subscribe"), without sockets: a
// viewer that dropped old chunks to stay within its memory budget asks again for the rows of
// a time window, for some entities, as whole chunks it adds to what it holds.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reel/chunk/chunk.hpp"
#include "reel/status.hpp"
#include "reel/store/chunk_store.hpp"

namespace reel::server::internal {

// {"type": "subscribe", "id": n, "timeline": str, "min": t, "max": t, "entities": [paths]}
struct SubscribeRequest {
  uint32_t id = 0;
  std::string timeline;
  TimeRange range;                   // inclusive
  std::vector<EntityPath> entities;  // empty or absent: every entity
};

// nullopt when `text` is not a subscribe message (another type, or not JSON: the query
// parser reports those); otherwise the request or what is wrong with it. `id` receives the
// request id as soon as it is known (0 otherwise).
std::optional<Result<SubscribeRequest>> parse_subscribe(std::string_view text, uint32_t* id);

// The rows of the requested entities with `min <= time <= max` on the timeline, every
// component: one chunk per store chunk that has such rows, under the store chunk's id, whole
// or reduced to those rows (in the store chunk's row order). Entities in path order, each
// one's chunks in index order. Unknown entities or timelines give nothing.
// Store chunks for which `skip` holds are left out (before they are reduced).
std::vector<ChunkPtr> answer_subscribe(const ChunkStore& store, const SubscribeRequest& request,
                                       const std::function<bool(const Chunk&)>& skip = {});

// The rows of `chunk` with a time on `timeline` inside `window`, under the chunk's id: the
// chunk itself when all of its rows are, a slice or a take otherwise; null when none are.
ChunkPtr window_rows(const ChunkPtr& chunk, const std::string& timeline, const TimeRange& window);

}  // namespace reel::server::internal
