// Streaming reader of ROS 1 bag files, format 2.0 (http://wiki.ros.org/Bags/Format/2.0).
//
// The reader walks the file from its "#ROSBAG V2.0" line in file order and yields connections
// and messages as it meets them; chunks (compression "none", "bz2" or "lz4", the LZ4 frame
// format that roslz4 writes) are decompressed one at a time, so memory stays bounded by the
// largest chunk. Index records (index data, chunk info, the connection copies after the chunks)
// are checked and passed over: the reader does not need them, so a bag whose recording was
// cut off (no index, bag header index_pos = 0) reads as well as a closed one.
//
// Bad input never stops it: a chunk that does not decompress, a record whose lengths run past
// its chunk, a message on an unknown connection become ImportWarnings naming the byte offset,
// and reading goes on with the next record. A file cut short yields every message that is
// complete before the cut, including those in the readable part of a cut chunk, then a
// warning. No allocation is sized from a length field that was not first checked against what
// remains of the file and `max_record_bytes`.
//
// A reader is used by one thread at a time. Connection pointers stay valid for the reader's
// lifetime; a message's `data` until the next call to `next()` (hold `buffer` to keep it).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "reel/arrow/buffer.hpp"
#include "reel/import/byte_source.hpp"
#include "reel/status.hpp"

namespace reel::import {

struct Ros1BagReaderOptions {
  // A record or chunk (compressed or not) larger than this is skipped with a warning.
  // Default 1 GiB.
  uint64_t max_record_bytes = uint64_t(1) << 30;
  // When the source can seek and the bag was closed (its header gives index_pos), read the
  // connection records of the index section first and yield them before the data: messages
  // whose connection was defined in a chunk that turns out corrupt are then still read.
  // Default on.
  bool read_index_first = true;
};

struct Ros1Connection {
  uint32_t id = 0;
  std::string topic;  // the record header's topic
  std::string type;   // "sensor_msgs/Image"
  std::string md5sum;
  std::string message_definition;  // the ros1msg text (parse_ros1msg)
  std::string callerid;
  bool latching = false;
};

struct Ros1Message {
  const Ros1Connection* connection = nullptr;  // never null
  uint64_t time = 0;                           // the record's time, nanoseconds since the epoch
  // The serialized message, pointing into `buffer` (the decompressed chunk): no copy.
  std::span<const uint8_t> data;
  std::shared_ptr<const arrow::Buffer> buffer;
  uint64_t offset = 0;           // file offset of the message record, or of its chunk record
  int64_t offset_in_chunk = -1;  // offset of the record in the chunk's uncompressed data
};

enum class Ros1EventKind : uint8_t { kConnection, kMessage };

struct Ros1Event {
  Ros1EventKind kind = Ros1EventKind::kMessage;
  const Ros1Connection* connection = nullptr;  // kConnection
  Ros1Message message;                         // kMessage
};

class Ros1BagReader {
 public:
  virtual ~Ros1BagReader() = default;

  // Reads the version line and the bag header record. Fails (Corrupt / NotImplemented) when
  // the input is not a version 2.0 bag.
  static Result<std::unique_ptr<Ros1BagReader>> open(std::unique_ptr<ByteSource> source,
                                                     Ros1BagReaderOptions options = {});
  static Result<std::unique_ptr<Ros1BagReader>> open(const std::string& path,
                                                     Ros1BagReaderOptions options = {});

  // The next connection or message in file order; false at the end of the file (also when it
  // is cut short, with a warning). Fails only when reading the source fails.
  virtual Result<bool> next(Ros1Event* event) = 0;
  virtual const std::vector<ImportWarning>& warnings() const = 0;
  virtual const Ros1Connection* connection(uint32_t id) const = 0;
  // From the bag header: connections and chunks the index section counts (0 for a bag whose
  // writer did not close it).
  virtual uint32_t header_connection_count() const = 0;
  virtual uint32_t header_chunk_count() const = 0;
  virtual uint64_t offset() const = 0;
};

}  // namespace reel::import
