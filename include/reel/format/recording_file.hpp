// Recording files: encoding, writing and streaming reads of the `.reel` format.
//
// docs/file-format.md describes the bytes. The same framing travels over files, pipes and
// the TCP connection to `reel serve`. Readers stream: memory is bounded by the largest
// message, never by the file, and no allocation is sized from an unchecked length field.
//
// Thread safety: a RecordingWriter or RecordingReader is used by one thread at a time.
#pragma once

#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "reel/chunk/chunk.hpp"
#include "reel/chunk/store_info.hpp"
#include "reel/format/compression.hpp"
#include "reel/format/file_format.hpp"
#include "reel/status.hpp"

namespace reel::format {

// Version 2: the footer describes every chunk fully (components, types, sizes, per-component
// time ranges) and lists the store infos, so commands and queries can answer from it alone.
// Readers read every version from 1 up; writers write this one unless told otherwise.
inline constexpr uint16_t kFormatVersion = 3;
inline constexpr size_t kFileHeaderBytes = 16;
inline constexpr size_t kMessageHeaderBytes = 24;
// The largest message payload (uncompressed) a writer produces and a reader accepts by
// default: a bound on what a length field can make a reader allocate.
inline constexpr uint64_t kMaxMessageBytes = 1ull << 30;

enum class MessageKind : uint8_t { kStoreInfo = 1, kChunk = 2, kFooter = 3, kEnd = 4 };
const char* message_kind_name(MessageKind kind);

// A component column of a chunk, as the footer (v2) describes it.
struct FooterComponent {
  ComponentDescriptor descriptor;
  std::string arrow_type;  // the element type's text (arrow::DataType::to_string())
  int64_t rows = 0;        // non-null rows
  int64_t instances = 0;   // values over all rows
  uint64_t bytes = 0;      // of its Arrow data (validity, offsets, values)
  // Per timeline, [min, max] of the times of its non-null rows (absent: no such row).
  std::map<std::string, TimeRange> time_ranges;
};

struct FooterEntry {
  uint64_t offset = 0;  // of the chunk message
  EntityPath entity;
  int64_t rows = 0;
  bool is_static = false;
  std::map<std::string, TimeRange> time_ranges;
  // Version 2 only (`complete` says they are there).
  bool complete = false;
  std::map<std::string, TimeType> timeline_types;
  uint64_t stored_bytes = 0, payload_bytes = 0;  // of the message's payload
  Compression compression = Compression::kNone;
  std::vector<FooterComponent> components;
};
// Describes a chunk for the footer (the message sizes and compression are the caller's).
FooterEntry describe_chunk(const Chunk& chunk, uint64_t offset);
// Bytes of a column's Arrow data (validity, offsets, values), whatever buffers it shares.
uint64_t arrow_bytes(const ListColumn& list);

struct FooterStoreInfo {
  uint64_t offset = 0;  // of the store info message
  StoreInfo info;
};
struct Footer {
  // 1: a version 1 footer (offsets, entities, rows, time ranges only); 2: complete.
  uint16_t version = kFormatVersion;
  std::vector<FooterStoreInfo> infos;  // version 2
  std::vector<FooterEntry> chunks;
};

// A column of an .rrd chunk left out because reel does not represent its Arrow type (a
// dictionary, sparse union, date, decimal, large list or string, map, ... anywhere in it).
struct DroppedColumn {
  std::string column;
  std::string arrow_type;  // as Arrow names it, e.g. "list<item: large_utf8>"
};

struct Message {
  MessageKind kind = MessageKind::kChunk;
  // Which recording of the input the message belongs to: 0 for the first; concatenated
  // recordings (`cat a.reel b.reel`) count up, each beginning with its own store info.
  uint32_t stream = 0;
  uint64_t offset = 0;         // where the message starts in the stream
  uint64_t stored_bytes = 0;   // payload bytes in the stream
  uint64_t payload_bytes = 0;  // payload bytes after decompression
  Compression compression = Compression::kNone;
  // kStoreInfo; also kChunk: the store it belongs to (.rrd; .reel: a blueprint, else empty)
  StoreInfo info;
  ChunkPtr chunk;  // kChunk (null when the reader was told not to decode chunks)
  Footer footer;   // kFooter
  // Findings of decoding that do not stop it (a Rerun column kept in Rerun's layout, ...).
  std::vector<std::string> warnings;
  // .rrd: columns left out of the chunk because reel does not represent their Arrow type.
  // Not in `warnings`: readers warn once per entity and column (warn_dropped_columns).
  std::vector<DroppedColumn> dropped_columns;
};

// The entities and columns already warned about (warn_dropped_columns).
using DroppedColumnsSeen = std::set<std::pair<std::string, std::string>>;
// Appends a warning naming the file, entity, column and type for each column `m` dropped whose
// entity and column `seen` does not hold yet, and adds them to it.
void warn_dropped_columns(const Message& m, const std::string& source, DroppedColumnsSeen& seen,
                          std::vector<std::string>& out);

struct WriterOptions {
  // chunks and footer; info and end: none. For .rrd: none or LZ4 (zstd is refused).
  Compression compression = Compression::kLz4;
  int zstd_level = 3;
  bool write_footer = true;
  // flush() also calls fdatasync (durable against power loss, slower).
  bool sync_on_flush = false;
  // 1 to 3 (kFormatVersion). 3: chunk payloads have 64-byte aligned Arrow buffers and are
  // compressed per buffer (buffers that do not compress stay raw, used in place by
  // readers); 2 and 1 write files older readers take (whole-payload compression; 1 also a
  // version 1 footer).
  uint16_t format_version = kFormatVersion;
  // kRrd writes Rerun's .rrd (0.33 encoding; docs/rrd-format.md): store infos become
  // SetStoreInfo (source "reel <version>"), chunks ArrowMsg in Rerun's layout; a store info
  // written again later switches the store the following chunks belong to. No footer.
  FileFormat file_format = FileFormat::kReel;
};

// Chunk payloads: an Arrow IPC stream of one record batch (docs/chunk-arrow-layout.md).
// Without options: 8-byte alignment, no body compression (what every Arrow reader takes).
Result<std::vector<uint8_t>> encode_chunk_payload(const Chunk& chunk);
// A version 3 payload: Arrow buffers start at multiples of 64, and with `compression` LZ4 or
// zstd each buffer is compressed on its own (Arrow IPC body compression) unless that saves
// under half, when it stays raw.
// `used`, when given, receives the codec if any buffer was compressed, else kNone.
Result<std::vector<uint8_t>> encode_chunk_payload(const Chunk& chunk, Compression compression,
                                                  int zstd_level, Compression* used = nullptr);
// `owner` keeps `bytes` alive: decoded buffers reference it without copying where aligned;
// compressed buffers are decompressed into buffers of their own.
Result<ChunkPtr> decode_chunk_payload(std::span<const uint8_t> bytes,
                                      std::shared_ptr<const void> owner);
// The same, also saying how many bytes of `bytes` the chunk uses in place (its row ids,
// converted on decoding, and the offsets of its unit lists, dropped, excluded).
// `buffers`, when given, receives the codec of its compressed buffers (kNone without any).
// Its compressed buffers may decompress to `max_decompressed_bytes` together (the reader's
// max_message_bytes), no more.
Result<ChunkPtr> decode_chunk_payload(std::span<const uint8_t> bytes,
                                      std::shared_ptr<const void> owner, size_t* in_place_bytes,
                                      Compression* buffers = nullptr,
                                      uint64_t max_decompressed_bytes = kMaxMessageBytes);

// Message encoding without I/O (files, stdout and TCP all use it).
class Encoder {
 public:
  explicit Encoder(WriterOptions options = {}) : options_(options) {}
  // The 16-byte file header.
  static std::vector<uint8_t> file_header(uint16_t version = kFormatVersion);
  Status encode_store_info(const StoreInfo& info, std::vector<uint8_t>& out) const;
  // `compression`, when given, receives how the chunk was compressed: the message's codec,
  // or in version 3 (messages stay raw) the codec of its buffers if any was compressed.
  Status encode_chunk(const Chunk& chunk, std::vector<uint8_t>& out,
                      Compression* compression = nullptr) const;
  Status encode_footer(const Footer& footer, std::vector<uint8_t>& out) const;
  static void encode_end(uint64_t footer_offset, std::vector<uint8_t>& out);
  // Appends a message with this payload (compressing it as configured).
  Status encode_message(MessageKind kind, std::span<const uint8_t> payload,
                        std::vector<uint8_t>& out, bool allow_compression = true) const;

 private:
  WriterOptions options_;
};

// Writes a recording: header, store info, chunks, and on finish() footer + end marker.
//
// Each write is one whole message or nothing: after a short write (a full disk, a file size
// limit) the file is cut back to its last complete message and the error returned; later
// writes are tried again, so when space returns the recording goes on and stays loadable.
// On a pipe or socket a partial message cannot be taken back: the writer then refuses every
// later write with the first error.
class RecordingWriter {
 public:
  // Creates or truncates `path`; "-" writes to stdout.
  static Result<std::unique_ptr<RecordingWriter>> open(const std::string& path,
                                                       WriterOptions options = {});
  // Writes to an open descriptor (a pipe, a socket); `owns` closes it at the end.
  static Result<std::unique_ptr<RecordingWriter>> from_fd(int fd, bool owns, std::string name,
                                                          WriterOptions options = {});
  ~RecordingWriter();  // finishes if not finished (errors are lost: call finish())

  Status write_store_info(const StoreInfo& info);
  Status write_chunk(const Chunk& chunk);
  // Copies an already encoded chunk message (header + stored payload, as read with
  // ReaderOptions::keep_raw) without re-encoding; `chunk` is its decoded form, for the footer.
  // A writer of an older format version (WriterOptions::format_version) encodes it anew.
  // `codec`: the chunk's codec as its reader reported it (Message::compression: in version 3
  // the codec of its buffers, which the message header does not say), for the footer.
  Status write_raw_chunk(std::span<const uint8_t> message, const Chunk& chunk,
                         std::optional<Compression> codec = std::nullopt);
  Status flush();
  // Footer (if enabled) and end-of-stream marker; closes an owned descriptor.
  Status finish();
  uint64_t bytes_written() const { return offset_; }
  const std::string& name() const { return name_; }
  FileFormat file_format() const { return options_.file_format; }
  // Findings of writing that did not stop it (.rrd: a column kept in reel's layout).
  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  RecordingWriter(int fd, bool owns, std::string name, WriterOptions options);
  // The .rrd side (writer_rrd.cpp).
  struct Rrd;
  Status rrd_store_info(const StoreInfo& info);
  Status rrd_chunk(const Chunk& chunk);
  Status rrd_finish();
  std::unique_ptr<Rrd> rrd_;
  std::vector<std::string> warnings_;
  Status write_bytes(std::span<const uint8_t> bytes);
  // Writes an encoded chunk message, with its footer entry (`compression` as it records).
  Status append_chunk(std::span<const uint8_t> message, const Chunk& chunk,
                      Compression compression);
  int fd_;
  bool owns_;
  bool finished_ = false;
  std::string name_;
  WriterOptions options_;
  Encoder encoder_;
  uint64_t offset_ = 0;
  Footer footer_;
  std::vector<uint8_t> scratch_;
  Status broken_;  // set when a partial message could not be taken back
};

// A message as framed in the stream, not yet checked or decoded (see decode_message).
struct RawMessage {
  MessageKind kind = MessageKind::kChunk;
  uint32_t stream = 0;  // as Message::stream
  Compression compression = Compression::kNone;
  uint32_t crc = 0;
  uint64_t offset = 0;
  uint64_t payload_bytes = 0;
  std::shared_ptr<arrow::Buffer> stored;  // header excluded
  // From an .rrd input: `stored` is an ArrowMsg's Arrow IPC payload, decompressed (kChunk),
  // and `store` the store the message belongs to (kStoreInfo: the whole store info). From a
  // .reel input, `store` of a chunk after a blueprint's store info is that blueprint.
  bool rrd = false;
  StoreInfo store;
};

struct ReaderOptions {
  // Larger messages are rejected as corrupt.
  uint64_t max_message_bytes = kMaxMessageBytes;
  // Set to false to only walk the framing (`reel stats`, `reel filter` copy payloads).
  bool decode_chunks = true;
  // Keep the message's stored bytes (see last_raw_message) for pass-through copies.
  bool keep_raw = false;
  // Decoded chunks own exactly their bytes instead of referencing the whole decoded message
  // (which also holds the Arrow form of row ids and offsets): memory stays close to the data.
  bool copy_chunks = true;
  // With copy_chunks, a chunk whose raw Arrow buffers (used in place; its row ids and unit
  // list offsets, dropped on decoding, left out) make up at least this share of its
  // uncompressed payload keeps them in place, sharing the payload instead of copying
  // (version 3 payloads of images, point clouds, blobs). A scalar chunk uses about 3/4 of its
  // payload: copied by default, so a loaded store stays within 1.1x the raw bytes.
  double in_place_min_share = 0.9;
};

// Checks the CRC, decompresses and decodes one message. Thread-safe: messages of one stream
// can be decoded in parallel. Errors name `source` and the message's byte offset.
Result<Message> decode_message(RawMessage raw, const ReaderOptions& options,
                               const std::string& source);

// Whether a decode_message error means damaged bytes (skipped with a warning) rather than a
// failure to read (I/O errors, cancellation), which ends reading.
bool is_damage(const Status& status);

// Reads messages from a file, pipe, socket or stdin, incrementally.
//
// Rerun's .rrd streams are read too, told apart by their first bytes (never the extension):
// SetStoreInfo messages become kStoreInfo, ArrowMsg chunks kChunk (mapped by rrd_chunk.hpp),
// and each store of the file (recordings, blueprints, in any interleaving) gets its own
// Message::stream, numbered in order of first appearance. Blueprint activations and Rerun's
// footer are not passed on.
class RecordingReader {
 public:
  // "-" reads stdin.
  static Result<std::unique_ptr<RecordingReader>> open(const std::string& path,
                                                       ReaderOptions options = {});
  static Result<std::unique_ptr<RecordingReader>> from_fd(int fd, bool owns, std::string name,
                                                          ReaderOptions options = {});
  // In-memory bytes (tests, fuzzing).
  static std::unique_ptr<RecordingReader> from_bytes(std::vector<uint8_t> bytes,
                                                     std::string name = "<memory>",
                                                     ReaderOptions options = {});
  ~RecordingReader();

  // The next message; nullopt at the end of the input (a clean end, or a truncation that
  // was recorded in warnings()). An error means a corrupt message: the messages before it
  // were all returned; the error names the byte offset and what was wrong.
  //
  // A message whose framing holds but whose payload is damaged (its checksum fails, it does
  // not decode) is skipped with a warning naming its byte offset; reading goes on.
  // Damaged framing in a file or in memory (a header that does not parse, a length running
  // past the end of the input) is not the end when an intact message follows: the reader
  // resynchronises at the next message whose header parses and whose payload's CRC checks,
  // records "corrupt at byte N ... resumed at byte M" in warnings() and corruptions(), and
  // goes on. Without an intact message after it, a bad length reads as a truncation and a bad
  // header as an error, as before. After an end-of-stream marker, a second recording
  // (`cat a.reel b.reel`) is read on, its messages with Message::stream 1, 2, ...; other
  // bytes after the marker are reported in warnings().
  Result<std::optional<Message>> next();
  // The next message as framed, without checking or decoding its payload (decode_message
  // does that). Truncation ends the stream with a warning, as in next().
  Result<std::optional<RawMessage>> next_raw();
  // The last message returned, header and stored payload as read (only with keep_raw).
  std::span<const uint8_t> last_raw_message() const { return raw_; }

  uint16_t version() const { return version_; }
  // kRrd once the first bytes said so (kReel before anything was read).
  bool is_rrd() const { return rrd_ != nullptr; }
  const std::vector<std::string>& warnings() const { return warnings_; }
  // How many damaged messages or byte ranges the reader skipped (each also a warning).
  uint64_t corruptions() const { return corruptions_; }
  // Records a message that failed decode_message (a bad checksum, an undecodable payload)
  // as skipped: next() does so itself; callers decoding next_raw() messages call it.
  void report_damaged(const Status& status);
  uint64_t bytes_read() const { return offset_; }
  // Size of the input when known (a regular file), else 0. For progress bars.
  uint64_t total_bytes() const { return total_; }
  const std::string& name() const { return name_; }

 private:
  RecordingReader(int fd, bool owns, std::string name, ReaderOptions options);
  // Reads exactly n bytes (fewer only at end of input).
  Result<size_t> read_exact(uint8_t* dst, size_t n);
  // Reads up to n bytes at `offset` without moving the stream (files and memory only).
  Result<size_t> read_at(uint64_t offset, uint8_t* dst, size_t n);
  bool can_seek() const { return from_memory_ || seekable_; }
  Status seek(uint64_t offset);
  // The first intact message at or after `from` (see next()), if any.
  Result<std::optional<uint64_t>> find_intact_message(uint64_t from);
  // After a fault at `start`: resumes at the next intact message (true), or not (false).
  Result<bool> resynchronise(uint64_t start, const std::string& fault);
  Status read_header();
  // After an end-of-stream marker: a following recording, or the end of the input.
  Result<bool> next_stream();
  // The .rrd side (reader_rrd.cpp).
  struct Rrd;
  Status start_rrd(std::span<const uint8_t> first_bytes);
  Result<std::optional<RawMessage>> next_raw_rrd();
  std::unique_ptr<Rrd> rrd_;
  int fd_;
  bool owns_;
  std::string name_;
  ReaderOptions options_;
  std::vector<uint8_t> memory_;  // from_bytes input
  size_t memory_pos_ = 0;
  bool from_memory_ = false;
  bool header_read_ = false;
  bool done_ = false;
  bool after_end_ = false;  // an end-of-stream marker was read
  bool seekable_ = false;   // a regular file
  uint32_t stream_ = 0;
  uint64_t corruptions_ = 0;
  uint64_t last_start_ = 0, last_end_ = 0;  // the last message returned
  uint16_t version_ = 0;
  uint64_t offset_ = 0;
  uint64_t total_ = 0;
  std::vector<std::string> warnings_;
  DroppedColumnsSeen dropped_seen_;  // warned about by next()
  // .reel: a blueprint store info switches the store of the chunks after it (until a
  // recording's store info); each blueprint gets its own Message::stream.
  uint32_t next_stream_id_ = 1;     // stream ids given out: recordings and blueprints
  uint32_t recording_streams_ = 0;  // concatenated recordings after the first
  std::optional<StoreInfo> blueprint_;
  uint32_t blueprint_stream_ = 0;
  std::map<std::pair<std::string, std::string>, uint32_t> blueprint_streams_;
  std::vector<uint8_t> raw_;
};

// The footer of a cleanly closed file, found from its last 16 bytes; nullopt when the file
// has none (still being written, killed, or written without one).
Result<std::optional<Footer>> read_footer(const std::string& path);

}  // namespace reel::format
