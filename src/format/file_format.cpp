#include "reel/format/file_format.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace reel::format {

const char* file_format_name(FileFormat format) {
  switch (format) {
    case FileFormat::kReel:
      return "reel";
    case FileFormat::kRrd:
      return "rrd";
    case FileFormat::kMcap:
      return "mcap";
    case FileFormat::kRosBag:
      return "rosbag";
    case FileFormat::kUnknown:
      break;
  }
  return "unknown";
}

FileFormat detect_format(std::span<const uint8_t> b) {
  if (b.size() < kFormatMagicBytes) return FileFormat::kUnknown;
  if (std::memcmp(b.data(), "REEL", 4) == 0) return FileFormat::kReel;
  if (std::memcmp(b.data(), "RRF", 3) == 0 && b[3] >= '0' && b[3] <= '2') return FileFormat::kRrd;
  if (std::memcmp(b.data(), "\x89MCA", 4) == 0) return FileFormat::kMcap;
  if (std::memcmp(b.data(), "#ROS", 4) == 0) return FileFormat::kRosBag;
  return FileFormat::kUnknown;
}

Result<FileFormat> detect_file_format(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IOError("cannot open " + path + ": " + std::strerror(errno));
  uint8_t b[kFormatMagicBytes];
  size_t got = 0;
  while (got < sizeof b) {
    const ssize_t n = ::read(fd, b + got, sizeof b - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const std::string error = std::strerror(errno);
      ::close(fd);
      return Status::IOError("reading " + path + ": " + error);
    }
    if (n == 0) break;
    got += size_t(n);
  }
  ::close(fd);
  return detect_format({b, got});
}

}  // namespace reel::format
