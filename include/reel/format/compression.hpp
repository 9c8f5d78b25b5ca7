// The compression of a recording's messages: what a writer or a sink's options choose,
// without the rest of the file-format API (reel/format/recording_file.hpp).
#pragma once

#include <cstdint>
#include <string_view>

#include "reel/status.hpp"

namespace reel::format {

enum class Compression : uint8_t { kNone = 0, kLz4 = 1, kZstd = 2 };
const char* compression_name(Compression c);
Result<Compression> parse_compression(std::string_view name);  // "none", "lz4", "zstd"

}  // namespace reel::format
