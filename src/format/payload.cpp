// Chunk payloads: a chunk <-> an Arrow IPC stream of one record batch.
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
                                                  int zstd_level) {
  REEL_ASSIGN_OR_RETURN(auto batch, chunk_to_record_batch(chunk));
  arrow::ipc::WriteOptions options;
  options.alignment = 64;
  if (compression != Compression::kNone) {
    options.codec = compression == Compression::kZstd ? arrow::ipc::BodyCodec::kZstd
                                                      : arrow::ipc::BodyCodec::kLz4Frame;
    options.compress = [compression, zstd_level](std::span<const uint8_t> bytes) {
      return internal::compress_body_buffer(compression, bytes, zstd_level);
    };
  }
  std::vector<uint8_t> out;
  out.reserve(size_t(chunk.heap_size_bytes()) + 1024);
  REEL_RETURN_NOT_OK(arrow::ipc::write_stream(batch, out, options));
  return out;
}

Result<ChunkPtr> decode_chunk_payload(std::span<const uint8_t> bytes,
                                      std::shared_ptr<const void> owner) {
  return decode_chunk_payload(bytes, std::move(owner), nullptr);
}

Result<ChunkPtr> decode_chunk_payload(std::span<const uint8_t> bytes,
                                      std::shared_ptr<const void> owner, size_t* in_place_bytes) {
  arrow::ipc::ReadOptions options;
  options.decompress = internal::decompress_body_buffer;
  arrow::ipc::ReadStats stats;
  REEL_ASSIGN_OR_RETURN(auto batch,
                        arrow::ipc::read_stream(bytes, std::move(owner), options, nullptr, &stats));
  if (in_place_bytes) {
    *in_place_bytes = 0;
    for (size_t i = 0; i < stats.in_place_bytes.size() && i < batch.schema->fields.size(); ++i) {
      const std::string* kind =
          arrow::find_metadata(batch.schema->fields[i]->metadata, "reel.kind");
      if (!kind || *kind != "row_id") *in_place_bytes += stats.in_place_bytes[i];
    }
  }
  return chunk_from_record_batch(batch);
}

}  // namespace reel::format
