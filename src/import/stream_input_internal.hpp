// A ByteSource with a position, reads into recycled buffers, and a running CRC-32: what the
// MCAP and ROS bag readers pull their records through.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "reel/arrow/buffer.hpp"
#include "reel/import/byte_source.hpp"
#include "reel/status.hpp"

namespace reel::import::internal {

class StreamInput {
 public:
  explicit StreamInput(std::unique_ptr<ByteSource> source) : source_(std::move(source)) {}

  const std::string& name() const { return source_->name(); }
  uint64_t offset() const { return offset_; }
  // Bytes left, when the source knows its size.
  std::optional<uint64_t> remaining() const;

  // Reads up to `n` bytes; fewer only at the end of the input.
  Result<size_t> read(uint8_t* out, size_t n);
  // Reads up to `n` bytes into a buffer (`slot` when it is unshared and large enough). The
  // buffer's size is what was read: less than `n` means the input ended. Memory follows the
  // bytes that really arrive, never `n` alone: a source of unknown size grows the buffer as
  // it reads.
  Result<std::shared_ptr<arrow::Buffer>> read_buffer(uint64_t n,
                                                     std::shared_ptr<arrow::Buffer>& slot);
  // Out-of-order reads (see ByteSource::read_at); no effect on the position or the CRC.
  Result<size_t> read_at(uint64_t offset, uint8_t* out, size_t n) {
    return source_->read_at(offset, out, n);
  }
  // Skips up to `n` bytes; returns how many. Reads through while the CRC runs.
  Result<uint64_t> skip(uint64_t n);

  // CRC-32 (zlib's) of every byte read while it runs.
  void start_crc() {
    crc_on_ = true;
    crc_ = 0;
  }
  void stop_crc() { crc_on_ = false; }
  uint32_t crc() const { return crc_; }

 private:
  void add_crc(const uint8_t* p, size_t n);
  std::unique_ptr<ByteSource> source_;
  uint64_t offset_ = 0;
  bool crc_on_ = false;
  uint32_t crc_ = 0;
};

// zlib's CRC-32 (the one MCAP uses), continued from `crc`.
uint32_t crc32(uint32_t crc, const uint8_t* p, size_t n);

}  // namespace reel::import::internal
