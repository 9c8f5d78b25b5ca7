// Chunk payloads: a chunk <-> an Arrow IPC stream of one record batch.
#include <algorithm>

#include "format/codec_internal.hpp"
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

Result<std::vector<uint8_t>> encode_chunk_payload(const Chunk& chunk, Compression compression,
                                                  int zstd_level, Compression* used) {
  bool compressed_any = false;
  uint64_t uncompressed = 0;  // of the buffers offered for compression: the whole body
  REEL_ASSIGN_OR_RETURN(auto batch, chunk_to_record_batch(chunk));
  arrow::ipc::WriteOptions options;
  options.alignment = 64;
  if (compression != Compression::kNone) {
    options.codec = compression == Compression::kZstd ? arrow::ipc::BodyCodec::kZstd
                                                      : arrow::ipc::BodyCodec::kLz4Frame;
    options.compress = [compression, zstd_level, &compressed_any,
                        &uncompressed](std::span<const uint8_t> bytes) {
      uncompressed += bytes.size();
      auto out = internal::compress_body_buffer(compression, bytes, zstd_level);
      compressed_any |= !out.empty();
      return out;
    };
  }
  std::vector<uint8_t> out;
  out.reserve(size_t(chunk.heap_size_bytes()) + 1024);
  REEL_RETURN_NOT_OK(arrow::ipc::write_stream(batch, out, options));
  // Readers refuse a message whose payload, decompressed, is over kMaxMessageBytes: so does
  // the writer, compressed per buffer or not.
  if (uncompressed > kMaxMessageBytes) {
    return Status::Invalid("chunk of " + chunk.entity_path().str() + " has " +
                           std::to_string(uncompressed) + " bytes of buffers, over the limit of " +
                           std::to_string(kMaxMessageBytes) + " per message: split the chunk");
  }
  if (used) *used = compressed_any ? compression : Compression::kNone;
  return out;
}

Result<ChunkPtr> decode_chunk_payload(std::span<const uint8_t> bytes,
                                      std::shared_ptr<const void> owner) {
  return decode_chunk_payload(bytes, std::move(owner), nullptr, nullptr);
}

Result<ChunkPtr> decode_chunk_payload(std::span<const uint8_t> bytes,
                                      std::shared_ptr<const void> owner, size_t* in_place_bytes,
                                      Compression* buffers, uint64_t max_decompressed_bytes) {
  arrow::ipc::ReadOptions options;
  options.decompress = internal::decompress_body_buffer;
  options.max_decompressed_bytes = max_decompressed_bytes;
  arrow::ipc::ReadStats stats;
  REEL_ASSIGN_OR_RETURN(auto batch,
                        arrow::ipc::read_stream(bytes, std::move(owner), options, nullptr, &stats));
  REEL_ASSIGN_OR_RETURN(auto chunk, chunk_from_record_batch(batch));
  if (buffers) {
    *buffers = !stats.codec                                   ? Compression::kNone
               : *stats.codec == arrow::ipc::BodyCodec::kZstd ? Compression::kZstd
                                                              : Compression::kLz4;
  }
  if (in_place_bytes) {
    // What the chunk uses of the payload: not its row ids (converted), nor the offsets of its
    // unit lists (dropped; a scalar's offsets are raw, nothing for LZ4 to match).
    *in_place_bytes = 0;
    stats.in_place_bytes.resize(batch.schema->fields.size(), 0);
    size_t component = 0;
    for (size_t i = 0; i < batch.schema->fields.size(); ++i) {
      const std::string* kind =
          arrow::find_metadata(batch.schema->fields[i]->metadata, "reel.kind");
      if (!kind || *kind == "row_id") continue;
      size_t used = stats.in_place_bytes[i];
      if (*kind == "component" && component < chunk->components().size()) {
        const ListColumn& list = chunk->components()[component++].list;
        if (list.is_unit()) used -= std::min(used, size_t(list.length() + 1) * 4);
      }
      *in_place_bytes += used;
    }
  }
  return chunk;
}

}  // namespace reel::format
