// Rerun's .rrd stream (RRF2 framing, protobuf messages, LZ4 blocks), without sockets or files.
//
// docs/rrd-format.md describes the bytes. An .rrd stream is a 12-byte stream header, messages
// (a 16-byte header: kind u64 LE, length u64 LE; then one protobuf message), an End message
// whose body is an RrdFooter, and a 32-byte stream footer. Streams may be concatenated.
//
// RrdDecoder is push-based: callers feed bytes as they arrive (a file, a pipe, an HTTP body)
// and take messages out. Memory is bounded by the largest message plus what was pushed and not
// yet consumed; no allocation is sized from a length field before that many bytes arrived.
// RrdEncoder produces the bytes; RrdReader and RrdWriter are the file/descriptor conveniences.
//
// Thread safety: an RrdDecoder, RrdEncoder, RrdReader or RrdWriter is used by one thread at a
// time. The free functions are thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "reel/arrow/buffer.hpp"
#include "reel/status.hpp"

namespace reel::format::rrd {

inline constexpr size_t kStreamHeaderBytes = 12;
inline constexpr size_t kMessageHeaderBytes = 16;
inline constexpr size_t kStreamFooterBytes = 32;
inline constexpr uint32_t kFooterChecksumSeed = 7850921;  // xxh32 seed of the RrdFooter body
// Larger messages are corrupt by default (a bound on what a length field can make us hold).
inline constexpr uint64_t kMaxMessageBytes = 1ull << 30;

// A Rerun version as the stream header and StoreVersion carry it: [major, minor, patch, meta]
// (meta 0 for a release; bit 6 rc, bit 7 alpha, both dev-alpha, low 6 bits the number).
struct RerunVersion {
  uint8_t major = 0;
  uint8_t minor = 0;
  uint8_t patch = 0;
  uint8_t meta = 0;
  static RerunVersion from_bytes(std::array<uint8_t, 4> b) { return {b[0], b[1], b[2], b[3]}; }
  std::array<uint8_t, 4> bytes() const { return {major, minor, patch, meta}; }
  int32_t bits() const;  // StoreVersion.crate_version_bits: the 4 bytes as i32 LE
  static RerunVersion from_bits(int32_t bits);
  std::string to_string() const;  // "0.33.0", "0.34.0-rc.2", "0.34.0-alpha.1+dev"
  bool operator==(const RerunVersion&) const = default;
};
// The Rerun encoding reel writes and follows.
inline constexpr RerunVersion kWrittenVersion{0, 33, 0, 0};
// Streams from Rerun before 0.23 are refused (Rerun 0.33's own decoder refuses them too).
inline constexpr RerunVersion kOldestReadableVersion{0, 23, 0, 0};

enum class StoreKind : uint8_t { kUnspecified = 0, kRecording = 1, kBlueprint = 2 };
const char* store_kind_name(StoreKind kind);  // "recording", "blueprint", "unspecified"

struct StoreId {
  StoreKind kind = StoreKind::kRecording;
  std::string application_id;
  std::string recording_id;
  bool operator==(const StoreId&) const = default;
  auto operator<=>(const StoreId&) const = default;
  std::string to_string() const;  // "recording app/rec"
};

// A time-based unique id (row ids of store infos, chunk ids).
struct Tuid {
  uint64_t time_ns = 0;
  uint64_t inc = 0;
  bool operator==(const Tuid&) const = default;
};

enum class StoreSourceKind : uint8_t {
  kUnspecified = 0,
  kCSdk = 1,
  kPythonSdk = 2,
  kRustSdk = 3,
  kFile = 4,
  kViewer = 5,
  kOther = 6,  // extra is a UTF-8 description
};

struct StoreSource {
  StoreSourceKind kind = StoreSourceKind::kUnspecified;
  // Raw `extra` payload: a protobuf PythonVersion, CrateInfo or FileSource, or text for kOther.
  std::string extra;
};
// What reel writes: kind other, extra "reel <version>".
StoreSource reel_store_source();

struct SetStoreInfo {
  Tuid row_id;
  StoreId store_id;
  StoreSource source;
  std::optional<RerunVersion> store_version;
};

enum class PayloadCompression : uint8_t { kNone = 1, kLz4 = 2 };

// One chunk: `payload` is the Arrow IPC stream (schema, one batch, end marker), decompressed.
struct ArrowMsg {
  StoreId store_id;
  std::optional<Tuid> chunk_id;
  std::optional<bool> is_static;
  PayloadCompression compression = PayloadCompression::kNone;  // as it was stored
  arrow::BufferPtr payload;
};

struct BlueprintActivation {
  StoreId blueprint_id;
  bool make_active = false;
  bool make_default = false;
};

// One store's manifest in the footer: an Arrow table (one row per chunk). The table stays
// encoded; rrd_manifest_chunk_offsets() reads the offsets out of it.
struct RrdManifest {
  StoreId store_id;
  std::string sorbet_schema;  // Arrow IPC schema message (may be empty)
  std::optional<std::string> sorbet_schema_sha256;
  arrow::BufferPtr data;  // Arrow IPC stream of the table, decompressed
};
// The chunk_byte_offset column: where each chunk's message body starts, from the start of
// its stream (the 16-byte message header precedes it).
Result<std::vector<uint64_t>> rrd_manifest_chunk_offsets(const RrdManifest& manifest);

enum class MessageKind : uint64_t {
  kEnd = 0,
  kSetStoreInfo = 1,
  kArrowMsg = 2,
  kBlueprintActivationCommand = 3,
};
const char* message_kind_name(MessageKind kind);

struct Message {
  MessageKind kind = MessageKind::kArrowMsg;
  uint64_t offset = 0;          // of the message header, from the start of the input
  uint64_t body_bytes = 0;      // the header's length field
  uint64_t stream_index = 0;    // 0 for the first stream, 1 after the first concatenation, ...
  uint64_t stream_offset = 0;   // where this message's stream header starts in the input
  RerunVersion stream_version;  // from the stream header
  // The store the message belongs to (SetStoreInfo: the one it opens; BlueprintActivation:
  // the blueprint; End: none, kind kUnspecified). An ArrowMsg whose store id lacks an application
  // id gets the one of the latest SetStoreInfo with the same recording id, as Rerun does.
  StoreId store_id;
  SetStoreInfo store_info;             // kSetStoreInfo
  ArrowMsg arrow;                      // kArrowMsg
  BlueprintActivation activation;      // kBlueprintActivationCommand
  std::vector<RrdManifest> manifests;  // kEnd (empty when the body is empty)
};

struct DecoderOptions {
  uint64_t max_message_bytes = kMaxMessageBytes;  // bodies and decompressed payloads
  // Where known, the input's total size: a length beyond it is corrupt at once, instead of a
  // truncation noticed at the end.
  std::optional<uint64_t> total_bytes;
};

// Push-based .rrd decoder.
//
//   decoder.push(bytes) ... decoder.finish();  // finish: no more bytes will come
//   while (true) { auto m = decoder.next(); ... }
//
// next() returns a message, or nullopt when it needs more bytes (before finish()) or the input
// is exhausted (after finish(); then at_end() is true). An error is either fatal (not an .rrd,
// a version older than 0.23, an unknown serializer: at_end() is true afterwards) or a
// corruption report naming the byte offset (a length beyond the input or the limit, a
// protobuf that does not parse, a bad LZ4 block): the decoder then resynchronises by scanning
// for the next stream header, or message header whose body parses, or a message offset from a
// footer manifest (add_resync_offsets), and the next call continues from there.
// Truncation is a warning, not an error: every complete message is returned first.
class RrdDecoder {
 public:
  explicit RrdDecoder(std::string source = "<memory>", DecoderOptions options = {});
  ~RrdDecoder();
  RrdDecoder(const RrdDecoder&) = delete;
  RrdDecoder& operator=(const RrdDecoder&) = delete;

  void push(std::span<const uint8_t> bytes);
  // Zero-copy feeding: write up to n bytes into the returned span, then commit what was written.
  std::span<uint8_t> prepare(size_t n);
  void commit(size_t n);
  void finish();

  Result<std::optional<Message>> next();
  bool at_end() const;
  // Bytes the decoder would like before it can make progress (a hint for readers).
  size_t bytes_wanted() const;

  // Absolute input offsets where messages are known to start (from a footer manifest).
  void add_resync_offsets(std::span<const uint64_t> message_offsets);

  const std::vector<std::string>& warnings() const;
  uint64_t bytes_consumed() const;  // input bytes fully handled
  const std::string& source() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Message bodies and framing, without I/O (files, pipes and the gRPC proxy all use them).
struct EncoderOptions {
  PayloadCompression compression = PayloadCompression::kLz4;  // ArrowMsg payloads
  RerunVersion version = kWrittenVersion;                     // stream header
};

// The protobuf body of each message (what follows the 16-byte header; what a LogMsg oneof
// holds on the gRPC proxy).
Result<std::string> encode_set_store_info_body(const SetStoreInfo& info);
// `payload` is an Arrow IPC stream; compressed here as `compression` says.
Result<std::string> encode_arrow_msg_body(const StoreId& store_id, std::span<const uint8_t> payload,
                                          PayloadCompression compression,
                                          std::optional<Tuid> chunk_id = std::nullopt,
                                          std::optional<bool> is_static = std::nullopt);
Result<std::string> encode_blueprint_activation_body(const BlueprintActivation& activation);
Result<std::string> encode_rrd_footer_body(std::span<const RrdManifest> manifests);

// Builds a stream in memory, tracking offsets for the footer.
class RrdEncoder {
 public:
  explicit RrdEncoder(EncoderOptions options = {}) : options_(options) {}
  // Each call appends to `out` and returns where the message's body starts, counted from the
  // stream header (what a footer manifest's chunk_byte_offset holds).
  void stream_header(std::vector<uint8_t>& out);
  Result<uint64_t> set_store_info(const SetStoreInfo& info, std::vector<uint8_t>& out);
  Result<uint64_t> arrow_msg(const StoreId& store_id, std::span<const uint8_t> payload,
                             std::optional<Tuid> chunk_id, std::optional<bool> is_static,
                             std::vector<uint8_t>& out);
  Result<uint64_t> blueprint_activation(const BlueprintActivation& activation,
                                        std::vector<uint8_t>& out);
  // Any message body as framed: header + body.
  uint64_t message(MessageKind kind, std::span<const uint8_t> body, std::vector<uint8_t>& out);
  // End message with an RrdFooter body, then the 32-byte stream footer.
  Status end(std::span<const RrdManifest> manifests, std::vector<uint8_t>& out);
  uint64_t bytes_encoded() const { return offset_; }
  const EncoderOptions& options() const { return options_; }

 private:
  EncoderOptions options_;
  uint64_t offset_ = 0;
};

// Writes an .rrd file or descriptor.
class RrdWriter {
 public:
  static Result<std::unique_ptr<RrdWriter>> open(const std::string& path,
                                                 EncoderOptions options = {});
  static Result<std::unique_ptr<RrdWriter>> from_fd(int fd, bool owns, std::string name,
                                                    EncoderOptions options = {});
  ~RrdWriter();  // finishes without manifests if not finished (errors lost: call finish())

  Status write_store_info(const SetStoreInfo& info);
  // Returns the body's offset from the stream start, for a manifest.
  Result<uint64_t> write_arrow_msg(const StoreId& store_id, std::span<const uint8_t> payload,
                                   std::optional<Tuid> chunk_id = std::nullopt,
                                   std::optional<bool> is_static = std::nullopt);
  Status write_blueprint_activation(const BlueprintActivation& activation);
  Status finish(std::span<const RrdManifest> manifests = {});
  uint64_t bytes_written() const { return encoder_.bytes_encoded(); }

 private:
  RrdWriter(int fd, bool owns, std::string name, EncoderOptions options);
  Status write_out();
  int fd_;
  bool owns_;
  bool finished_ = false;
  std::string name_;
  RrdEncoder encoder_;
  std::vector<uint8_t> scratch_;
};

// Reads an .rrd file, descriptor or bytes through an RrdDecoder. A regular file's stream
// footer (when valid) provides the manifests' message offsets for resynchronisation.
class RrdReader {
 public:
  static Result<std::unique_ptr<RrdReader>> open(const std::string& path,
                                                 DecoderOptions options = {});
  static std::unique_ptr<RrdReader> from_bytes(std::vector<uint8_t> bytes,
                                               std::string name = "<memory>",
                                               DecoderOptions options = {});
  ~RrdReader();
  // As RrdDecoder::next, except that nullopt always means the end of the input.
  Result<std::optional<Message>> next();
  bool at_end() const { return decoder_.at_end(); }
  const std::vector<std::string>& warnings() const { return decoder_.warnings(); }
  const std::string& name() const { return decoder_.source(); }

 private:
  RrdReader(int fd, std::string name, DecoderOptions options);
  int fd_ = -1;
  std::vector<uint8_t> memory_;
  RrdDecoder decoder_;
};

}  // namespace reel::format::rrd
