// The viewer protocol's messages (docs/viewer-protocol.md), without any networking: JSON
// texts, chunk frames, and viewer queries parsed and answered against a ChunkStore.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reel/chunk/chunk.hpp"
#include "reel/status.hpp"
#include "reel/store/chunk_store.hpp"

namespace reel::server {

class FilePager;

inline constexpr int kProtocolVersion = 1;

// Binary frame kinds: byte 0 of a binary WebSocket message.
enum class FrameKind : uint8_t { kChunkAdded = 1, kQueryResult = 2 };
inline constexpr size_t kFramePrefixBytes = 5;

// The 5-byte prefix: kind, then the u32 little-endian request id.
void frame_prefix(FrameKind kind, uint32_t request_id, uint8_t out[kFramePrefixBytes]);
// A whole frame: prefix + the chunk's Arrow IPC stream.
Result<std::vector<uint8_t>> encode_frame(FrameKind kind, uint32_t request_id, const Chunk& chunk,
                                          bool compact_row_ids = false);
// The chunk's Arrow IPC stream for a viewer. `compact_row_ids` (a viewer that asked for it,
// docs/viewer-protocol.md): when the row ids are consecutive, the reel.row_id column is left
// out and the schema metadata says `reel.row_ids_first` (the first id, 32 hex digits; row i
// has inc + i).
Result<std::vector<uint8_t>> encode_viewer_payload(const Chunk& chunk, bool compact_row_ids);
struct DecodedFrame {
  FrameKind kind;
  uint32_t request_id;
  ChunkPtr chunk;
};
// The inverse (tests, tools).
Result<DecodedFrame> decode_frame(std::span<const uint8_t> frame);

// Server -> viewer texts. `recording`: the number of the recording the message is about
// (docs/viewer-protocol.md, "Several recordings"); left out when absent.
struct RecordingListing {
  uint32_t number = 0;
  StoreInfo info;
};
std::string hello_json(const StoreInfo& info);
// With the viewer's recording and every recording the server holds.
std::string hello_json(const StoreInfo& info, std::optional<uint32_t> recording,
                       const std::vector<RecordingListing>& recordings);
// {"type": "recordings", "recordings": [{"recording": n, "application_id", "recording_id"}]}.
std::string recordings_json(const std::vector<RecordingListing>& recordings);
// {"type": "selected", "recording": n, "application_id", "recording_id"}: what follows is that
// recording's backlog (then caught_up) and changes.
std::string selected_json(uint32_t recording, const StoreInfo& info);
std::string store_info_json(const StoreInfo& info, std::optional<uint32_t> recording = {});
std::string caught_up_json(uint64_t chunks, std::optional<uint32_t> recording = {});
// {"type": "backlog", "url": url, "chunks": n}: fetch the backlog over HTTP.
std::string backlog_json(const std::string& url, uint64_t chunks,
                         std::optional<uint32_t> recording = {});
std::string chunks_removed_json(const std::vector<ChunkId>& ids,
                                std::optional<uint32_t> recording = {});
// With `covered` (a subscribe answered from a file, file_pager.hpp): "min"/"max" of the window
// the answer holds every row of, when narrower than asked.
std::string query_done_json(uint32_t id, uint64_t chunks,
                            std::optional<TimeRange> covered = std::nullopt);
std::string error_json(uint32_t id, std::string_view message);

// HTTP API bodies.
struct InfoExtras {
  uint64_t memory_limit = 0;
  size_t viewers = 0;
  size_t max_viewers = 0;
  size_t ingest_clients = 0;
  // One per connected viewer: what the server holds for it, not yet sent.
  struct ViewerConnection {
    std::string peer;
    uint64_t queued_bytes = 0;
    size_t queued_messages = 0;
  };
  std::vector<ViewerConnection> viewer_connections;
  // Every recording (when given, /api/info lists them; the top level is recording 0).
  struct Recording {
    uint32_t number = 0;
    std::shared_ptr<const ChunkStore> store;
    std::shared_ptr<const FilePager> pager;  // a recording served from a file ("paged")
  };
  std::vector<Recording> recordings;
};
std::string info_json(const ChunkStore& store, const InfoExtras& extras);
std::string entities_json(const ChunkStore& store);

// {"type": "select_recording", "id": n, "recording_id": str} or {..., "recording": n}: the
// viewer switches to that recording. nullopt when `text` is another message.
struct SelectRecording {
  uint32_t id = 0;
  std::optional<std::string> recording_id;
  std::optional<uint32_t> number;
};
std::optional<Result<SelectRecording>> parse_select_recording(std::string_view text, uint32_t* id);

// A viewer query: {"type": "query", "id": n, "kind": "latest_at"|"range", ...}.
struct ViewerQuery {
  enum class Kind { kLatestAt, kRange };
  uint32_t id = 0;
  Kind kind = Kind::kLatestAt;
  EntityPath entity;
  std::string timeline;
  TimeInt at = kTimeMax;                 // latest_at
  TimeRange range;                       // range, inclusive
  std::optional<std::string> component;  // "Archetype:field"; absent: every component
};

// Parses a viewer text message. `id` receives the request id as soon as it is known (0
// otherwise), so that an error can name it.
Result<ViewerQuery> parse_query(std::string_view text, uint32_t* id);

// The answer: for each queried component (one, or all of the entity's in identifier order),
// the store's answer projected to that component (row ids, time columns, that column).
// Latest-at: at most one one-row chunk per component. Range: the store's range slices.
std::vector<ChunkPtr> answer_query(const ChunkStore& store, const ViewerQuery& query);

}  // namespace reel::server
