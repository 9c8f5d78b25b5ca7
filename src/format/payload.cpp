// Chunk payloads: a chunk <-> an Arrow IPC stream of one record batch.
#include "reel/arrow/ipc.hpp"
#include "reel/chunk/chunk_arrow.hpp"
#include "reel/format/recording_file.hpp"

namespace reel::format {

Result<std::vector<uint8_t>> encode_chunk_payload(const Chunk& chunk) {
  REEL_ASSIGN_OR_RETURN(auto batch, chunk_to_record_batch(chunk));
  std::vector<uint8_t> out;
  out.reserve(size_t(chunk.heap_size_bytes()) + 1024);
  REEL_RETURN_NOT_OK(arrow::ipc::write_stream(batch, out));
  return out;
}

Result<ChunkPtr> decode_chunk_payload(std::span<const uint8_t> bytes,
                                      std::shared_ptr<const void> owner) {
  REEL_ASSIGN_OR_RETURN(auto batch, arrow::ipc::read_stream(bytes, std::move(owner)));
  return chunk_from_record_batch(batch);
}

}  // namespace reel::format
