#include "import/topic_mapper_internal.hpp"

#include <algorithm>

#include "import/columns_internal.hpp"
#include "reel/types/archetypes.hpp"

namespace reel::import::internal {

namespace {

// A ROS message's header stamp, or a Foxglove message's timestamp: int64 nanoseconds without
// nulls, else null.
arrow::ArrayPtr stamps_of(const arrow::ArrayPtr& rows) {
  for (const char* path : {"header.stamp", "timestamp"}) {
    arrow::ArrayPtr s = child(rows, path);
    if (s && s->type->id() == arrow::TypeId::kInt64 && s->null_count == 0) return s;
  }
  return nullptr;
}

arrow::ArrayPtr frames_of(const arrow::ArrayPtr& rows) {
  for (const char* path : {"header.frame_id", "frame_id"}) {
    arrow::ArrayPtr f = child(rows, path);
    if (f && f->type->id() == arrow::TypeId::kUtf8) return f;
  }
  return nullptr;
}

// The schema name as an archetype name: "custom_msgs/msg/Kitchen" -> "custom_msgs.msg.Kitchen".
std::string archetype_of(std::string schema) {
  std::replace(schema.begin(), schema.end(), '/', '.');
  return schema.empty() ? "message" : schema;
}

std::vector<int64_t> take(const std::vector<int64_t>& times, const std::vector<int64_t>& rows) {
  if (rows.empty()) return times;
  std::vector<int64_t> out(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) out[i] = times[size_t(rows[i])];
  return out;
}

}  // namespace

TopicMapper::TopicMapper(std::string file, std::string topic, std::string schema,
                         std::unique_ptr<MessageDecoder> decoder, bool has_publish_time,
                         DecoderOptions batch)
    : file_(std::move(file)),
      topic_(std::move(topic)),
      schema_(std::move(schema)),
      entity_(topic_),
      decoder_(std::move(decoder)),
      mapper_(find_mapper(schema_)),
      has_publish_time_(has_publish_time),
      batch_(batch),
      raw_descriptor_(archetype_of(schema_), decoder_ ? "message" : "bytes", "") {}

void TopicMapper::append(std::span<const uint8_t> data, int64_t log_time, int64_t publish_time,
                         uint64_t offset, std::vector<std::string>& warnings) {
  if (decoder_) {
    Status st = decoder_->append(data);
    if (!st.ok()) {
      // The first few failures of a topic are named; the count comes at the end (flush).
      if (++failures_ <= 3) {
        warnings.push_back(file_ + " at byte " + std::to_string(offset) + ": topic " + topic_ +
                           " (schema " + schema_ + "): message skipped: " + st.message());
      }
      return;
    }
  } else {
    if (raw_bytes_.size() + data.size() > size_t(INT32_MAX)) return;
    raw_bytes_.insert(raw_bytes_.end(), data.begin(), data.end());
    raw_offsets_.push_back(int32_t(raw_bytes_.size()));
  }
  log_times_.push_back(log_time);
  if (has_publish_time_) publish_times_.push_back(publish_time);
}

bool TopicMapper::full() const {
  if (decoder_) return decoder_->batch_full();
  return int64_t(log_times_.size()) >= batch_.batch_rows || raw_bytes_.size() >= batch_.batch_bytes;
}

Status TopicMapper::flush(const ChunkCallback& on_chunk, std::vector<std::string>& warnings,
                          uint64_t* chunks) {
  if (failures_ > 3) {
    warnings.push_back(file_ + ": topic " + topic_ + " (schema " + schema_ +
                       "): " + std::to_string(failures_ - 3) + " more messages skipped");
  }
  failures_ = std::min<uint64_t>(failures_, 3);
  if (log_times_.empty()) {
    if (decoder_) decoder_->finish();
    return Status::OK();
  }
  std::vector<EntityRows> out;
  arrow::ArrayPtr batch;
  if (decoder_) {
    batch = decoder_->finish();
    if (mapper_.map) {
      Status st = mapper_.map(MapInput{batch, topic_, schema_}, out);
      if (!st.ok()) {
        warnings.push_back(file_ + ": topic " + topic_ + " (schema " + schema_ +
                           "): kept as the message column, not mapped: " + st.message());
        out.clear();
      }
    }
    if (out.empty()) {
      EntityRows raw;
      raw.components.push_back(unit_column(raw_descriptor_, batch));
      out.push_back(std::move(raw));
    }
  } else {
    const int64_t n = int64_t(log_times_.size());
    EntityRows raw;
    raw.components.push_back(unit_column(
        raw_descriptor_,
        arrow::ArrayData::make(arrow::binary(), n, 0,
                               {nullptr, buffer_of(raw_offsets_), buffer_of(raw_bytes_)})));
    out.push_back(std::move(raw));
    raw_offsets_.assign(1, 0);
    raw_bytes_.clear();
  }
  Status st;
  for (auto& rows : out) {
    st = emit(rows, batch, on_chunk, chunks);
    if (!st.ok()) break;
  }
  log_times_.clear();
  publish_times_.clear();
  return st;
}

Status TopicMapper::emit(EntityRows& rows, const arrow::ArrayPtr& batch,
                         const ChunkCallback& on_chunk, uint64_t* chunks) {
  EntityPath entity = entity_;
  for (const auto& part : rows.child) entity = entity.join(part);
  std::vector<TimeColumn> times;
  int64_t n = rows.source.empty() ? int64_t(log_times_.size()) : int64_t(rows.source.size());
  if (rows.is_static) {
    if (!static_written_.insert(entity.str()).second) return Status::OK();
    n = 1;
  } else {
    times.push_back(
        TimeColumn::make(Timeline::timestamp("log_time"), take(log_times_, rows.source)));
    if (has_publish_time_) {
      times.push_back(
          TimeColumn::make(Timeline::timestamp("publish_time"), take(publish_times_, rows.source)));
    }
    if (!rows.ros_time.empty()) {
      times.push_back(TimeColumn::make(Timeline::timestamp("ros_time"), rows.ros_time));
    } else if (arrow::ArrayPtr stamps = batch ? stamps_of(batch) : nullptr) {
      std::vector<int64_t> all(stamps->values<int64_t>(),
                               stamps->values<int64_t>() + stamps->length);
      times.push_back(TimeColumn::make(Timeline::timestamp("ros_time"), take(all, rows.source)));
    }
    // The entity's frame, from each message's header (empty frame ids are null).
    const bool has_frame =
        std::any_of(rows.components.begin(), rows.components.end(), [](const ComponentColumn& c) {
          return c.descriptor == CoordinateFrame::descriptor_frame();
        });
    arrow::ArrayPtr frames = batch && mapper_.frame_from_header ? frames_of(batch) : nullptr;
    if (frames && rows.child.empty() && rows.source.empty() && !has_frame) {
      std::vector<bool> valid(size_t(frames->length));
      bool any = false;
      for (int64_t i = 0; i < frames->length; ++i) {
        valid[size_t(i)] = !text_at(*frames, i).empty();
        any = any || valid[size_t(i)];
      }
      if (any)
        rows.components.push_back(unit_column(CoordinateFrame::descriptor_frame(), frames, &valid));
    }
  }
  for (auto& c : rows.components) {
    if (c.list.length() != n) {
      return Status::Invalid("topic " + topic_ + ": column " + c.descriptor.identifier() + " has " +
                             std::to_string(c.list.length()) + " rows, expected " +
                             std::to_string(n));
    }
  }
  REEL_ASSIGN_OR_RETURN(
      auto chunk,
      Chunk::make(RowId::create(), entity, RowIdColumn::consecutive(RowId::reserve(uint64_t(n)), n),
                  std::move(times), std::move(rows.components)));
  ++*chunks;
  return on_chunk(std::move(chunk));
}

}  // namespace reel::import::internal
