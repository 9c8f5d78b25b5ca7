// Inputs of the importers, and the warnings they report.
//
// A `ByteSource` is a forward-only stream of bytes (a file, a pipe, a block of memory) that the
// MCAP and ROS bag readers pull from; they never need the whole input in memory. A source is
// used by one thread at a time.
//
// Readers of robot logs do not stop at the first bad byte: a corrupt chunk or a cut-off file
// becomes an `ImportWarning` naming the byte offset, and reading goes on with what can still
// be decoded.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "reel/status.hpp"

namespace reel::import {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to `n` bytes into `out`; fewer only at the end of the input (0 = the end).
  virtual Result<size_t> read(uint8_t* out, size_t n) = 0;
  // Skips up to `n` bytes (a seek where the source can); returns how many were skipped.
  virtual Result<uint64_t> skip(uint64_t n);
  // Reads up to `n` bytes at `offset` without moving the stream position (a file's summary
  // or index section, read before its data); NotImplemented where the source cannot seek.
  virtual Result<size_t> read_at(uint64_t offset, uint8_t* out, size_t n);
  // Total bytes of the input when known (a regular file, memory), nullopt for a pipe.
  virtual std::optional<uint64_t> size() const = 0;
  // Names the input in messages: the path, or "<stdin>".
  virtual const std::string& name() const = 0;
};

// A file, read with plain reads (no mmap: a file that shrinks under the reader is an error,
// not a crash). "-" is standard input.
Result<std::unique_ptr<ByteSource>> open_file_source(const std::string& path);
// Bytes in memory; `owner` keeps them alive (may be null when the caller outlives the source).
std::unique_ptr<ByteSource> memory_source(std::span<const uint8_t> bytes, std::string name,
                                          std::shared_ptr<const void> owner = nullptr);

// Something in the input that could not be used, and where: `offset` is the byte offset in
// the file of the record (or of the byte) concerned; `message` says what and already names
// the input and the offset ("run.mcap at byte 1234: chunk CRC mismatch ...").
struct ImportWarning {
  uint64_t offset = 0;
  std::string message;
};

}  // namespace reel::import
