// Decompression of MCAP and ROS bag chunks: LZ4 frames (liblz4's lz4frame; ROS's roslz4 writes
// the same frame format), zstd frames and bzip2 streams.
//
// Sizes declared by a file are checked before anything is allocated from them: LZ4 and zstd
// data cannot expand beyond a bound computed from the compressed bytes, and a declared size
// above it is refused as corrupt; bzip2 output grows as it is produced. Every function is safe
// on arbitrary bytes.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "reel/arrow/buffer.hpp"
#include "reel/status.hpp"

namespace reel::import::internal {

enum class Codec : uint8_t { kNone, kLz4, kZstd, kBz2 };

// "" / "none" -> kNone, "lz4" -> kLz4, "zstd" -> kZstd, "bz2" -> kBz2; nullopt otherwise.
std::optional<Codec> codec_from_name(std::string_view name);
const char* codec_name(Codec codec);

// The most bytes `in` can decompress to (LZ4, zstd), or UINT64_MAX when the format has no
// cheap bound (bzip2). kNone: in.size().
uint64_t decompressed_bound(Codec codec, std::span<const uint8_t> in);

// Decompresses all of `in`, which must decode to exactly `declared_size` bytes (Corrupt with
// the reason otherwise). `reuse`, when given and not shared, is recycled as the output buffer.
Result<std::shared_ptr<arrow::Buffer>> decompress(Codec codec, std::span<const uint8_t> in,
                                                  uint64_t declared_size,
                                                  std::shared_ptr<arrow::Buffer> reuse = nullptr);

// For input known to be cut short: decodes as much of `in` as it can, into at most `max_out`
// bytes, and returns them (possibly none). An error in the data ends the output early.
std::shared_ptr<arrow::Buffer> decompress_prefix(Codec codec, std::span<const uint8_t> in,
                                                 uint64_t max_out);

// A buffer of `size` bytes for overwriting: `slot` itself when it is not shared and large
// enough (then resized), else a new allocation (stored in `slot`).
Result<std::shared_ptr<arrow::Buffer>> reusable_buffer(std::shared_ptr<arrow::Buffer>& slot,
                                                       size_t size);

}  // namespace reel::import::internal
