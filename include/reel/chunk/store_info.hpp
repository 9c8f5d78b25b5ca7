// StoreInfo: who and what a recording is (a store's identity, and the store-info message of
// a recording file or stream).
#pragma once

#include <cstdint>
#include <string>

namespace reel {

struct StoreInfo {
  std::string application_id;
  std::string recording_id;
  int64_t started_ns = 0;  // Unix epoch nanoseconds
  // A blueprint (how a viewer lays out a recording, as Rerun files carry one) rather than a
  // recording: kept when files are copied or converted, skipped by loads and queries.
  bool is_blueprint = false;
};

}  // namespace reel
