// What an import returns (reel/import/importer.hpp). Its own header, so that the SDK's
// RecordingStream::try_log_file_from_path can name it without pulling the importer, the
// store_io and the file-format APIs into every #include <reel/reel.hpp>.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "reel/chunk/store_info.hpp"

namespace reel::import {

struct ImportReport {
  StoreInfo info;         // application id: the file name; recording id: from its content
  uint64_t messages = 0;  // messages read (of the imported topics)
  uint64_t chunks = 0;    // chunks made
  uint64_t bytes = 0;     // bytes of the file read
  std::vector<std::string> warnings;
};

}  // namespace reel::import
