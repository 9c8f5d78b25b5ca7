// Which recording format a file or stream holds, from its first bytes (never its extension).
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "reel/status.hpp"

namespace reel::format {

enum class FileFormat : uint8_t {
  kUnknown = 0,
  kReel,    // starts with "REEL" (docs/file-format.md)
  kRrd,     // starts with "RRF2", or Rerun's older "RRF0"/"RRF1" (the .rrd reader refuses those
            // naming their version)
  kMcap,    // starts with "\x89MCAP" (mcap.dev); read by the import module
  kRosBag,  // starts with "#ROSBAG" (ROS 1 bag); read by the import module
};
const char* file_format_name(FileFormat format);  // "reel", "rrd", "mcap", "rosbag", "unknown"

// The bytes needed to tell the formats apart.
inline constexpr size_t kFormatMagicBytes = 4;

// `first_bytes` may be shorter than kFormatMagicBytes (then the answer is kUnknown).
FileFormat detect_format(std::span<const uint8_t> first_bytes);
// Reads the first bytes of `path`. An empty or short file is kUnknown; a file that cannot be
// opened is an IOError naming it.
Result<FileFormat> detect_file_format(const std::string& path);

}  // namespace reel::format
