// Framing helpers shared by the reader and the writer.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "reel/arrow/ipc.hpp"
#include "reel/common/byte_order.hpp"
#include "reel/format/recording_file.hpp"

namespace reel::format::internal {

struct MessageHeader {
  MessageKind kind = MessageKind::kChunk;
  Compression compression = Compression::kNone;
  uint32_t crc = 0;
  uint64_t payload_bytes = 0;
  uint64_t stored_bytes = 0;
};

using bytes::get_u16;
using bytes::get_u32;
using bytes::get_u64;
using bytes::put_u16;
using bytes::put_u32;
using bytes::put_u64;

// Checks kind, compression and lengths (against `max_message_bytes`).
Result<MessageHeader> parse_message_header(const uint8_t* p, uint64_t offset,
                                           uint64_t max_message_bytes);
Status verify_crc(const MessageHeader& h, std::span<const uint8_t> stored, uint64_t offset);
// Verifies the CRC and decompresses into an aligned buffer of payload_bytes: `reuse` when it
// is large enough (a scratch buffer the caller owns), else a new one.
Result<std::shared_ptr<arrow::Buffer>> decompress(const MessageHeader& h,
                                                  std::span<const uint8_t> stored, uint64_t offset,
                                                  std::shared_ptr<arrow::Buffer> reuse = nullptr);

// One Arrow IPC body buffer compressed as an LZ4 frame or a zstd frame (Arrow's codecs), or
// nothing when that saves under half (the buffer is then stored raw).
std::vector<uint8_t> compress_body_buffer(Compression compression, std::span<const uint8_t> bytes,
                                          int zstd_level);
// arrow::ipc::ReadOptions::decompress: exactly out.size() bytes from one frame.
Status decompress_body_buffer(arrow::ipc::BodyCodec codec, std::span<const uint8_t> in,
                              std::span<uint8_t> out);

Result<std::vector<uint8_t>> store_info_json(const StoreInfo& info);
Result<StoreInfo> parse_store_info(std::span<const uint8_t> bytes, uint64_t offset);
// footer.cpp: the footer's JSON in `footer.version`'s layout.
std::vector<uint8_t> footer_json(const Footer& footer);
Result<Footer> parse_footer(std::span<const uint8_t> bytes, uint64_t offset);
// reader.cpp: the footer found from the last 16 bytes of an open file of `size` bytes;
// `footer_end`, if given, gets the offset where the footer message ends.
Result<std::optional<Footer>> read_footer_fd(int fd, const std::string& path, uint64_t size,
                                             uint64_t* footer_end);

}  // namespace reel::format::internal
