// RecordingReader over Rerun's .rrd streams (reader_rrd_internal.hpp).
#include <algorithm>

#include "format/reader_rrd_internal.hpp"
#include "reel/format/rrd_chunk.hpp"

namespace reel::format {

namespace {

StoreInfo store_info_of(const rrd::StoreId& id, int64_t started_ns) {
  StoreInfo info;
  info.application_id = id.application_id;
  info.recording_id = id.recording_id;
  info.started_ns = started_ns;
  info.is_blueprint = id.kind == rrd::StoreKind::kBlueprint;
  return info;
}

}  // namespace

Status RecordingReader::start_rrd(std::span<const uint8_t> first_bytes) {
  rrd::DecoderOptions options;
  options.max_message_bytes = options_.max_message_bytes;
  if (total_) options.total_bytes = total_;
  rrd_ = std::make_unique<Rrd>(name_, options);
  rrd_->decoder.push(first_bytes);
  offset_ = first_bytes.size();
  header_read_ = true;
  return Status::OK();
}

Result<std::optional<RawMessage>> RecordingReader::next_raw_rrd() {
  Rrd& r = *rrd_;
  auto take_warnings = [&] {
    const auto& w = r.decoder.warnings();
    for (; r.warnings_taken < w.size(); ++r.warnings_taken)
      warnings_.push_back(w[r.warnings_taken]);
  };
  for (;;) {
    if (done_) return std::optional<RawMessage>();
    auto next = r.decoder.next();
    take_warnings();
    if (!next.ok()) {
      if (r.decoder.at_end()) {
        done_ = true;
        return next.status();
      }
      // Damaged bytes: the decoder resynchronises; every complete message is still read.
      ++corruptions_;
      warnings_.push_back(next.status().message() + "; reading resumed after it");
      continue;
    }
    if (!*next) {
      if (r.finished) {
        done_ = true;
        return std::optional<RawMessage>();
      }
      const size_t want = std::clamp<size_t>(r.decoder.bytes_wanted(), 64u << 10, 16u << 20);
      std::span<uint8_t> room = r.decoder.prepare(want);
      REEL_ASSIGN_OR_RETURN(size_t got, read_exact(room.data(), want));
      r.decoder.commit(got);
      offset_ += got;
      if (got < want) {
        r.decoder.finish();
        r.finished = true;
      }
      continue;
    }
    rrd::Message& m = **next;
    if (m.kind != rrd::MessageKind::kSetStoreInfo && m.kind != rrd::MessageKind::kArrowMsg) {
      continue;  // blueprint activations, the End message and its footer
    }
    auto [it, added] = r.streams.try_emplace(m.store_id, uint32_t(r.streams.size()));
    RawMessage raw;
    raw.rrd = true;
    raw.stream = it->second;
    raw.offset = m.offset;
    if (m.kind == rrd::MessageKind::kSetStoreInfo) {
      raw.kind = MessageKind::kStoreInfo;
      raw.store = store_info_of(m.store_id, int64_t(m.store_info.row_id.time_ns));
      raw.stored = arrow::Buffer::allocate(0);
    } else {
      raw.kind = MessageKind::kChunk;
      raw.store = store_info_of(m.store_id, 0);
      raw.compression = m.arrow.compression == rrd::PayloadCompression::kLz4 ? Compression::kLz4
                                                                             : Compression::kNone;
      // Not written to: the .rrd branch of decode_message only reads it.
      raw.stored = m.arrow.payload ? std::const_pointer_cast<arrow::Buffer>(m.arrow.payload)
                                   : arrow::Buffer::allocate(0);
      raw.payload_bytes = raw.stored->size();
    }
    last_start_ = m.offset;
    last_end_ = m.offset + rrd::kMessageHeaderBytes + m.body_bytes;
    return std::optional<RawMessage>(std::move(raw));
  }
}

Result<Message> decode_rrd_message(RawMessage raw, Message m, const ReaderOptions& options,
                                   const std::string& source) {
  m.info = raw.store;
  if (raw.kind != MessageKind::kChunk || !options.decode_chunks) return m;
  rrd::ArrowMsg msg;
  msg.payload = std::move(raw.stored);
  auto chunk = rrd::decode_rerun_chunk(msg, &m.warnings, &m.dropped_columns);
  if (!chunk.ok()) {
    return chunk.status().with_context(source + ": ArrowMsg at byte " + std::to_string(m.offset));
  }
  for (auto& w : m.warnings)
    w = source + ": ArrowMsg at byte " + std::to_string(m.offset) + ": " + w;
  m.chunk = options.copy_chunks ? (*chunk)->copy_buffers() : *chunk;
  return m;
}

void warn_dropped_columns(const Message& m, const std::string& source, DroppedColumnsSeen& seen,
                          std::vector<std::string>& out) {
  if (m.dropped_columns.empty() || !m.chunk) return;
  const std::string entity = m.chunk->entity_path().str();
  for (const DroppedColumn& d : m.dropped_columns) {
    if (!seen.emplace(entity, d.column).second) continue;
    out.push_back(source + ": entity " + entity + ", column '" + d.column +
                  "' dropped: reel does not represent its Arrow type " + d.arrow_type +
                  " (first in the ArrowMsg at byte " + std::to_string(m.offset) + ")");
  }
}

}  // namespace reel::format
