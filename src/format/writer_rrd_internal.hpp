// The .rrd side of RecordingWriter (writer_rrd.cpp).
#pragma once

#include <map>
#include <unordered_set>

#include "reel/format/recording_file.hpp"
#include "reel/format/rrd.hpp"

namespace reel::format {

struct RecordingWriter::Rrd {
  explicit Rrd(const WriterOptions& options)
      : encoder(rrd::EncoderOptions{options.compression == Compression::kNone
                                        ? rrd::PayloadCompression::kNone
                                        : rrd::PayloadCompression::kLz4,
                                    rrd::kWrittenVersion}) {}
  rrd::RrdEncoder encoder;
  std::optional<rrd::StoreId> store;  // of the last store info: the following chunks' store
  // The ids of the chunks written, per store: Rerun keeps one chunk per id in a store (a
  // second one is dropped, or removes the first one's splits), so a chunk id is written once
  // per store.
  std::map<rrd::StoreId, std::unordered_set<ChunkId>> chunk_ids;
};

}  // namespace reel::format
