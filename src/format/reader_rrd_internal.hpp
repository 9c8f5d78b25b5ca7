// The .rrd side of RecordingReader: Rerun's stream decoded by rrd::RrdDecoder, its messages
// handed out as reel messages (reader_rrd.cpp).
#pragma once

#include <map>

#include "reel/format/recording_file.hpp"
#include "reel/format/rrd.hpp"

namespace reel::format {

struct RecordingReader::Rrd {
  Rrd(std::string name, rrd::DecoderOptions options) : decoder(std::move(name), options) {}
  rrd::RrdDecoder decoder;
  bool finished = false;                     // the input is exhausted, decoder.finish() called
  std::map<rrd::StoreId, uint32_t> streams;  // store -> Message::stream, by first appearance
  size_t warnings_taken = 0;                 // decoder warnings already copied to the reader's
};

// decode_message's .rrd branch: the chunk mapped from Rerun's layout, or the store info.
Result<Message> decode_rrd_message(RawMessage raw, Message m, const ReaderOptions& options,
                                   const std::string& source);

}  // namespace reel::format
