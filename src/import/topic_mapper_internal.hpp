// One topic (an MCAP channel, a bag connection) on its way to chunks: its decoder gathers a
// batch of messages with their times; each full batch is mapped (mapping_internal.hpp) and
// handed out as chunks with the topic's timelines and CoordinateFrame.
#pragma once

#include <memory>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "import/mapping_internal.hpp"
#include "reel/chunk/entity_path.hpp"
#include "reel/import/importer.hpp"
#include "reel/import/message_decoder.hpp"

namespace reel::import::internal {

class TopicMapper {
 public:
  // `decoder` null: the channel's messages cannot be decoded (an unknown encoding, a schema
  // that does not parse); they are kept as raw bytes, one binary column `<schema>:bytes`.
  TopicMapper(std::string file, std::string topic, std::string schema,
              std::unique_ptr<MessageDecoder> decoder, bool has_publish_time, DecoderOptions batch);

  // Decodes one message; one that does not decode is a warning (topic, schema, byte offset).
  void append(std::span<const uint8_t> data, int64_t log_time, int64_t publish_time,
              uint64_t offset, std::vector<std::string>& warnings);
  bool full() const;
  // Maps what was gathered into chunks, handed to `on_chunk`.
  Status flush(const ChunkCallback& on_chunk, std::vector<std::string>& warnings, uint64_t* chunks);

 private:
  Status emit(EntityRows& rows, const arrow::ArrayPtr& batch, const ChunkCallback& on_chunk,
              uint64_t* chunks);

  std::string file_, topic_, schema_;
  EntityPath entity_;
  std::unique_ptr<MessageDecoder> decoder_;
  Mapper mapper_;
  bool has_publish_time_;
  DecoderOptions batch_;
  ComponentDescriptor raw_descriptor_;
  std::vector<int64_t> log_times_, publish_times_;
  // Without a decoder: the raw bytes.
  std::vector<int32_t> raw_offsets_{0};
  std::vector<uint8_t> raw_bytes_;
  uint64_t failures_ = 0;
  std::set<std::string> static_written_;
};

}  // namespace reel::import::internal
