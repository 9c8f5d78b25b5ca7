// Message encoding: framing, compression, CRC, and the JSON payloads.
#include <lz4.h>
#include <lz4frame.h>
#include <zstd.h>

#include <cstring>
#include <nlohmann/json.hpp>

#include "format/codec_internal.hpp"
#include "format/crc32c.hpp"
#include "reel/common/utf8.hpp"
#include "reel/format/recording_file.hpp"
#include "reel/format/server_notice.hpp"

namespace reel::format {

const char* compression_name(Compression c) {
  switch (c) {
    case Compression::kNone:
      return "none";
    case Compression::kLz4:
      return "lz4";
    case Compression::kZstd:
      return "zstd";
  }
  return "unknown";
}

Result<Compression> parse_compression(std::string_view name) {
  if (name == "none") return Compression::kNone;
  if (name == "lz4") return Compression::kLz4;
  if (name == "zstd") return Compression::kZstd;
  return Status::Invalid("unknown compression '" + std::string(name) +
                         "' (expected none, lz4 or zstd)");
}

const char* message_kind_name(MessageKind kind) {
  switch (kind) {
    case MessageKind::kStoreInfo:
      return "store info";
    case MessageKind::kChunk:
      return "chunk";
    case MessageKind::kFooter:
      return "footer";
    case MessageKind::kEnd:
      return "end of stream";
  }
  return "unknown";
}

namespace {

// Decompresses one LZ4 frame into exactly out.size() bytes. The frames reel writes hold one
// block without checksums (the message CRC covers the bytes): those are decoded straight
// into `out` with one LZ4_decompress_safe call. Any other frame goes through LZ4F, whose
// context decodes a block smaller than the frame's maximum block size (4 MiB) through a
// buffer of its own.
Status lz4_frame_decompress(std::span<const uint8_t> in, std::span<uint8_t> out) {
  const uint8_t* p = in.data();
  const size_t n = in.size();
  if (n >= 7 && bytes::get_u32(p) == 0x184D2204u) {
    const uint8_t flg = p[4];
    const bool version_ok = (flg >> 6) == 1, block_checksum = flg & 0x10, has_size = flg & 0x08,
               content_checksum = flg & 0x04, dict = flg & 0x01;
    const size_t header = 7 + (has_size ? 8 : 0);
    if (version_ok && !block_checksum && !dict && n >= header + 4) {
      const uint32_t block = bytes::get_u32(p + header);
      const size_t size = block & 0x7FFFFFFFu;
      const size_t end = header + 4 + size;
      if ((block & 0x80000000u) == 0 && size > 0 && n == end + 4 + (content_checksum ? 4 : 0) &&
          bytes::get_u32(p + end) == 0 && size <= size_t(INT32_MAX) &&
          out.size() <= size_t(INT32_MAX)) {
        const int got =
            LZ4_decompress_safe(reinterpret_cast<const char*>(p + header + 4),
                                reinterpret_cast<char*>(out.data()), int(size), int(out.size()));
        if (got < 0 || size_t(got) != out.size()) {
          return Status::Corrupt("LZ4 block does not decompress to the declared length");
        }
        return Status::OK();
      }
    }
  }
  LZ4F_dctx* ctx = nullptr;
  if (LZ4F_isError(LZ4F_createDecompressionContext(&ctx, LZ4F_VERSION))) {
    return Status::CapacityError("cannot create an LZ4 decompression context");
  }
  size_t dst_size = out.size();
  size_t src_size = in.size();
  size_t r = LZ4F_decompress(ctx, out.data(), &dst_size, in.data(), &src_size, nullptr);
  LZ4F_freeDecompressionContext(ctx);
  if (LZ4F_isError(r) || r != 0 || dst_size != out.size() || src_size != in.size()) {
    return Status::Corrupt(std::string("LZ4 frame does not decompress to the declared length: ") +
                           (LZ4F_isError(r) ? LZ4F_getErrorName(r) : "wrong length"));
  }
  return Status::OK();
}

}  // namespace

namespace internal {

Result<MessageHeader> parse_message_header(const uint8_t* p, uint64_t offset,
                                           uint64_t max_message_bytes) {
  MessageHeader h;
  const uint8_t kind = p[0];
  const uint8_t compression = p[1];
  auto where = [&] { return "message at byte " + std::to_string(offset) + ": "; };
  if (kind == kServerNoticeKind) {
    // Only a server sends it, to an SDK (reel/format/server_notice.hpp).
    return Status::Corrupt(where() +
                           "a server notice (message kind 5), which only a reel server "
                           "sends to an SDK: never valid in a recording");
  }
  if (kind < 1 || kind > 4) {
    return Status::Corrupt(where() + "unknown message kind " + std::to_string(kind) +
                           " (a newer writer, or not a reel stream)");
  }
  if (compression > 2) {
    return Status::Corrupt(where() + "unknown compression " + std::to_string(compression));
  }
  if (get_u16(p + 2) != 0) return Status::Corrupt(where() + "reserved bytes are not zero");
  h.kind = MessageKind(kind);
  h.compression = Compression(compression);
  h.crc = get_u32(p + 4);
  h.payload_bytes = get_u64(p + 8);
  h.stored_bytes = get_u64(p + 16);
  if (h.payload_bytes > max_message_bytes || h.stored_bytes > max_message_bytes) {
    return Status::Corrupt(where() + "length " +
                           std::to_string(std::max(h.payload_bytes, h.stored_bytes)) +
                           " bytes is over the limit of " + std::to_string(max_message_bytes));
  }
  // No codec expands by more than its best ratio (LZ4 under 256x; zstd: an RLE block makes
  // 128 KiB from 4 bytes), so a larger claim is corrupt: refused before a payload buffer is
  // allocated for it (a 100-byte message must not cost a 1 GiB allocation).
  const uint64_t max_ratio = h.compression == Compression::kLz4 ? 256 : 32768;
  if (h.compression != Compression::kNone && h.payload_bytes / max_ratio > h.stored_bytes) {
    return Status::Corrupt(where() + std::string(compression_name(h.compression)) + " message of " +
                           std::to_string(h.stored_bytes) + " bytes cannot hold a payload of " +
                           std::to_string(h.payload_bytes) + " bytes");
  }
  if (h.compression == Compression::kNone && h.payload_bytes != h.stored_bytes) {
    return Status::Corrupt(where() + "uncompressed message with stored length " +
                           std::to_string(h.stored_bytes) + " != payload length " +
                           std::to_string(h.payload_bytes));
  }
  if (h.kind == MessageKind::kEnd &&
      (h.stored_bytes != 16 || h.compression != Compression::kNone)) {
    return Status::Corrupt(where() + "malformed end-of-stream marker");
  }
  return h;
}

Status verify_crc(const MessageHeader& h, std::span<const uint8_t> stored, uint64_t offset) {
  if (crc32c(stored.data(), stored.size()) != h.crc) {
    return Status::Corrupt("message at byte " + std::to_string(offset) +
                           ": checksum mismatch (the payload bytes are damaged)");
  }
  return Status::OK();
}

Result<std::shared_ptr<arrow::Buffer>> decompress(const MessageHeader& h,
                                                  std::span<const uint8_t> stored, uint64_t offset,
                                                  std::shared_ptr<arrow::Buffer> reuse) {
  auto where = [&] { return "message at byte " + std::to_string(offset) + ": "; };
  REEL_RETURN_NOT_OK(verify_crc(h, stored, offset));
  std::shared_ptr<arrow::Buffer> out;
  if (reuse && reuse->capacity() >= h.payload_bytes) {
    out = std::move(reuse);
    out->set_size(size_t(h.payload_bytes));
  } else {
    REEL_ASSIGN_OR_RETURN(out, arrow::Buffer::try_allocate_for_overwrite(size_t(h.payload_bytes)));
  }
  switch (h.compression) {
    case Compression::kNone:
      if (!stored.empty()) std::memcpy(out->mutable_data(), stored.data(), stored.size());
      return out;
    case Compression::kZstd: {
      unsigned long long declared = ZSTD_getFrameContentSize(stored.data(), stored.size());
      if (declared != h.payload_bytes) {
        return Status::Corrupt(where() + "zstd frame declares " + std::to_string(declared) +
                               " bytes, header says " + std::to_string(h.payload_bytes));
      }
      size_t n = ZSTD_decompress(out->mutable_data(), out->size(), stored.data(), stored.size());
      if (ZSTD_isError(n) || n != h.payload_bytes) {
        return Status::Corrupt(where() + "zstd payload does not decompress: " +
                               (ZSTD_isError(n) ? ZSTD_getErrorName(n) : "wrong length"));
      }
      return out;
    }
    case Compression::kLz4: {
      Status st = lz4_frame_decompress(stored, {out->mutable_data(), out->size()});
      if (!st.ok())
        return Status::Corrupt(where() + "LZ4 payload does not decompress: " + st.message());
      return out;
    }
  }
  return Status::Corrupt(where() + "unknown compression");
}

std::vector<uint8_t> compress_body_buffer(Compression compression, std::span<const uint8_t> bytes,
                                          int zstd_level) {
  std::vector<uint8_t> out;
  if (bytes.size() < 256) return out;  // a frame's overhead eats what small buffers save
  size_t n = 0;
  if (compression == Compression::kLz4) {
    LZ4F_preferences_t prefs;
    std::memset(&prefs, 0, sizeof prefs);
    prefs.frameInfo.contentSize = bytes.size();
    prefs.frameInfo.blockSizeID = LZ4F_max4MB;
    out.resize(LZ4F_compressFrameBound(bytes.size(), &prefs));
    n = LZ4F_compressFrame(out.data(), out.size(), bytes.data(), bytes.size(), &prefs);
    if (LZ4F_isError(n)) n = 0;
  } else if (compression == Compression::kZstd) {
    out.resize(ZSTD_compressBound(bytes.size()));
    n = ZSTD_compress(out.data(), out.size(), bytes.data(), bytes.size(), zstd_level);
    if (ZSTD_isError(n)) n = 0;
  }
  // Decoding LZ4 costs more than reading the bytes it saves from the page cache unless it
  // saves half: a buffer that compresses less (f64 noise, incrementing times, image bytes)
  // is stored raw and used in place. zstd is chosen for size: kept when it saves a tenth.
  const double keep = compression == Compression::kZstd ? 0.9 : 0.5;
  if (n == 0 || double(n) > keep * double(bytes.size())) return {};
  out.resize(n);
  return out;
}

Status decompress_body_buffer(arrow::ipc::BodyCodec codec, std::span<const uint8_t> in,
                              std::span<uint8_t> out) {
  if (codec == arrow::ipc::BodyCodec::kZstd) {
    size_t n = ZSTD_decompress(out.data(), out.size(), in.data(), in.size());
    if (ZSTD_isError(n) || n != out.size()) {
      return Status::Corrupt(
          std::string("zstd frame does not decompress to the declared length: ") +
          (ZSTD_isError(n) ? ZSTD_getErrorName(n) : "wrong length"));
    }
    return Status::OK();
  }
  return lz4_frame_decompress(in, out);
}

Result<std::vector<uint8_t>> store_info_json(const StoreInfo& info) {
  for (const auto& [field, value] : {std::pair{"application id", &info.application_id},
                                     std::pair{"recording id", &info.recording_id}}) {
    if (auto bad = utf8::first_invalid(*value)) {
      return Status::Invalid(std::string("store info: ") + field + ": " +
                             utf8::describe_invalid(*value, *bad));
    }
  }
  nlohmann::json j = {{"application_id", info.application_id},
                      {"recording_id", info.recording_id},
                      {"started_ns", info.started_ns}};
  if (info.is_blueprint) j["kind"] = "blueprint";
  std::string s = j.dump();
  return std::vector<uint8_t>(s.begin(), s.end());
}

Result<StoreInfo> parse_store_info(std::span<const uint8_t> bytes, uint64_t offset) {
  auto j = nlohmann::json::parse(bytes.begin(), bytes.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("application_id") ||
      !j["application_id"].is_string() || !j.contains("recording_id") ||
      !j["recording_id"].is_string()) {
    return Status::Corrupt("store info message at byte " + std::to_string(offset) +
                           " is not a JSON object with application_id and recording_id");
  }
  StoreInfo info;
  info.application_id = j["application_id"].get<std::string>();
  info.recording_id = j["recording_id"].get<std::string>();
  if (j.contains("started_ns") && j["started_ns"].is_number_integer()) {
    info.started_ns = j["started_ns"].get<int64_t>();
  }
  info.is_blueprint = j.contains("kind") && j["kind"] == "blueprint";
  return info;
}

}  // namespace internal

// ---------------------------------------------------------------------------------------

namespace {

// Bytes `bytes` take compressed (0 if compression fails): the writer's probe.
size_t compressed_size(Compression c, std::span<const uint8_t> bytes, int zstd_level) {
  std::vector<uint8_t> out;
  if (c == Compression::kLz4) {
    LZ4F_preferences_t prefs;
    std::memset(&prefs, 0, sizeof prefs);
    out.resize(LZ4F_compressFrameBound(bytes.size(), &prefs));
    size_t n = LZ4F_compressFrame(out.data(), out.size(), bytes.data(), bytes.size(), &prefs);
    return LZ4F_isError(n) ? 0 : n;
  }
  if (c == Compression::kZstd) {
    out.resize(ZSTD_compressBound(bytes.size()));
    size_t n = ZSTD_compress(out.data(), out.size(), bytes.data(), bytes.size(), zstd_level);
    return ZSTD_isError(n) ? 0 : n;
  }
  return bytes.size();
}

}  // namespace

std::vector<uint8_t> Encoder::file_header(uint16_t version) {
  std::vector<uint8_t> h(kFileHeaderBytes, 0);
  std::memcpy(h.data(), "REEL", 4);
  internal::put_u16(h.data() + 4, version);
  return h;
}

Status Encoder::encode_message(MessageKind kind, std::span<const uint8_t> payload,
                               std::vector<uint8_t>& out, bool allow_compression) const {
  if (payload.size() > kMaxMessageBytes) {
    return Status::CapacityError("a message of " + std::to_string(payload.size()) +
                                 " bytes is over the " + std::to_string(kMaxMessageBytes) +
                                 "-byte limit readers accept; split the chunk (Chunk::split)");
  }
  Compression compression = allow_compression ? options_.compression : Compression::kNone;
  if (payload.size() < 64) compression = Compression::kNone;  // not worth a frame header
  // Payloads that do not compress (noise-like f64 values, already compressed images) are
  // stored as they are: readers then skip the decompression. A sample from the middle (past
  // the Arrow metadata, which always compresses) decides for large payloads; the full result
  // decides for the rest.
  const size_t kSample = 64 << 10;
  if (compression != Compression::kNone && payload.size() >= 4 * kSample) {
    const auto sample = payload.subspan(payload.size() / 2 - kSample / 2, kSample);
    const size_t n = compressed_size(compression, sample, options_.zstd_level);
    if (n == 0 || double(n) > 0.9 * double(sample.size())) compression = Compression::kNone;
  }
  const size_t start = out.size();
  out.resize(start + kMessageHeaderBytes);
  size_t stored = payload.size();
  switch (compression) {
    case Compression::kNone:
      out.insert(out.end(), payload.begin(), payload.end());
      break;
    case Compression::kLz4: {
      LZ4F_preferences_t prefs;
      std::memset(&prefs, 0, sizeof prefs);
      prefs.frameInfo.contentSize = payload.size();
      prefs.frameInfo.blockSizeID = LZ4F_max4MB;
      size_t bound = LZ4F_compressFrameBound(payload.size(), &prefs);
      out.resize(start + kMessageHeaderBytes + bound);
      size_t n = LZ4F_compressFrame(out.data() + start + kMessageHeaderBytes, bound, payload.data(),
                                    payload.size(), &prefs);
      if (LZ4F_isError(n)) {
        out.resize(start);
        return Status::IOError(std::string("LZ4 compression failed: ") + LZ4F_getErrorName(n));
      }
      stored = n;
      out.resize(start + kMessageHeaderBytes + n);
      break;
    }
    case Compression::kZstd: {
      size_t bound = ZSTD_compressBound(payload.size());
      out.resize(start + kMessageHeaderBytes + bound);
      size_t n = ZSTD_compress(out.data() + start + kMessageHeaderBytes, bound, payload.data(),
                               payload.size(), options_.zstd_level);
      if (ZSTD_isError(n)) {
        out.resize(start);
        return Status::IOError(std::string("zstd compression failed: ") + ZSTD_getErrorName(n));
      }
      stored = n;
      out.resize(start + kMessageHeaderBytes + n);
      break;
    }
  }
  if (compression != Compression::kNone && double(stored) > 0.95 * double(payload.size())) {
    compression = Compression::kNone;  // saved under 5%: not worth decompressing for
    out.resize(start + kMessageHeaderBytes);
    out.insert(out.end(), payload.begin(), payload.end());
    stored = payload.size();
  }
  uint8_t* h = out.data() + start;
  h[0] = uint8_t(kind);
  h[1] = uint8_t(compression);
  internal::put_u16(h + 2, 0);
  internal::put_u32(h + 4, crc32c(h + kMessageHeaderBytes, stored));
  internal::put_u64(h + 8, payload.size());
  internal::put_u64(h + 16, stored);
  return Status::OK();
}

Status Encoder::encode_store_info(const StoreInfo& info, std::vector<uint8_t>& out) const {
  REEL_ASSIGN_OR_RETURN(auto json, internal::store_info_json(info));
  return encode_message(MessageKind::kStoreInfo, json, out, false);
}

Status Encoder::encode_chunk(const Chunk& chunk, std::vector<uint8_t>& out,
                             Compression* compression) const {
  if (options_.format_version >= 3) {
    // Compressed per buffer: the message itself is not (readers use raw buffers in place).
    REEL_ASSIGN_OR_RETURN(auto payload, encode_chunk_payload(chunk, options_.compression,
                                                             options_.zstd_level, compression));
    return encode_message(MessageKind::kChunk, payload, out, false);
  }
  REEL_ASSIGN_OR_RETURN(auto payload, encode_chunk_payload(chunk));
  const size_t start = out.size();
  REEL_RETURN_NOT_OK(encode_message(MessageKind::kChunk, payload, out));
  if (compression) *compression = Compression(out[start + 1]);
  return Status::OK();
}

Status Encoder::encode_footer(const Footer& footer, std::vector<uint8_t>& out) const {
  auto json = internal::footer_json(footer);
  return encode_message(MessageKind::kFooter, json, out);
}

void Encoder::encode_end(uint64_t footer_offset, std::vector<uint8_t>& out) {
  uint8_t payload[16];
  internal::put_u64(payload, footer_offset);
  std::memcpy(payload + 8, "REELFOOT", 8);
  Encoder raw(WriterOptions{Compression::kNone});
  (void)raw.encode_message(MessageKind::kEnd, payload, out, false);
}

}  // namespace reel::format
