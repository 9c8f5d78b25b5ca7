// Views of recording files that stream: a file's chunk index (its footer, or one streaming
// pass) stands in for a store of its temporal chunks, which the reader reads from disk when
// its merge frontier reaches them and lets go of when it has passed them. Clears and the
// static chunks of the view's entities (needed before any row) are loaded into a store of
// their own; other entities' static chunks when a view asks for those entities.
#include <algorithm>
#include <set>

#include "query/dataframe_internal.hpp"
#include "reel/format/file_format.hpp"
#include "reel/types/archetypes.hpp"

namespace reel::dataframe::internal {

namespace {

bool has_clear(const format::FooterEntry& e) {
  const ComponentDescriptor& clear = Clear::descriptor_is_recursive();
  return std::any_of(e.components.begin(), e.components.end(),
                     [&](const format::FooterComponent& c) { return c.descriptor == clear; });
}

}  // namespace

Result<ChunkPtr> FileChunks::load(uint64_t offset, bool* read_from_disk) const {
  if (read_from_disk) *read_from_disk = false;
  {
    std::lock_guard lock(mutex_);
    if (damaged_.count(offset)) return ChunkPtr{};
    auto it = held_.find(offset);
    if (it != held_.end()) {
      if (ChunkPtr chunk = it->second.lock()) return chunk;
    }
  }
  // Read outside the lock: readers of other views of the file go on meanwhile.
  REEL_ASSIGN_OR_RETURN(ChunkPtr chunk, read_or_skip(offset));
  if (!chunk) return chunk;
  if (read_from_disk) *read_from_disk = true;
  std::lock_guard lock(mutex_);
  auto& slot = held_[offset];
  if (ChunkPtr other = slot.lock()) return other;  // another reader was quicker
  slot = chunk;
  std::erase_if(held_, [](const auto& kv) { return kv.second.expired(); });
  max_held_ = std::max(max_held_, int64_t(held_.size()));
  return chunk;
}

Result<ChunkPtr> FileChunks::read_or_skip(uint64_t offset) const {
  auto chunk = reader_->read_chunk(offset);
  if (chunk.ok() || !format::is_damage(chunk.status())) return chunk;
  // A damaged message (its checksum, its kind) is left out as a streaming read leaves it
  // out: the rest of the file answers.
  std::lock_guard lock(mutex_);
  if (damaged_.insert(offset).second) {
    warnings_.push_back(chunk.status().message() + "; the chunk was left out");
  }
  return ChunkPtr{};
}

std::vector<std::string> FileChunks::warnings() const {
  std::lock_guard lock(mutex_);
  return warnings_;
}

int64_t FileChunks::max_held() const {
  std::lock_guard lock(mutex_);
  return max_held_;
}

uint64_t FileChunks::bytes_read() const { return reader_->bytes_read(); }

const FileChunks::Column* FileChunks::column(const EntityPath& entity,
                                             const ComponentDescriptor& d) const {
  auto eit = columns_.find(entity);
  if (eit == columns_.end()) return nullptr;
  auto cit = eit->second.find(d);
  return cit == eit->second.end() ? nullptr : &cit->second;
}

std::vector<FileChunks::Part> FileChunks::relevant(const std::string& timeline,
                                                   const TimeRange& window,
                                                   const EntityPath& entity,
                                                   const ComponentDescriptor& d) const {
  std::vector<Part> out;
  const Column* c = column(entity, d);
  if (!c || window.empty()) return out;
  for (const Part& p : c->parts) {
    auto it = p.ranges.find(timeline);
    if (it != p.ranges.end() && it->second.max >= window.min && it->second.min <= window.max) {
      out.push_back(p);
    }
  }
  std::stable_sort(out.begin(), out.end(), [&](const Part& a, const Part& b) {
    return a.ranges.at(timeline).min < b.ranges.at(timeline).min;
  });
  return out;
}

bool FileChunks::has_data_at_or_before(const std::string& timeline, TimeInt t,
                                       const EntityPath& entity,
                                       const ComponentDescriptor& d) const {
  const Column* c = column(entity, d);
  if (!c) return false;
  return std::any_of(c->parts.begin(), c->parts.end(), [&](const Part& p) {
    auto it = p.ranges.find(timeline);
    return it != p.ranges.end() && it->second.min <= t;
  });
}

Result<std::optional<LatestAtResult>> FileChunks::latest_at(const std::string& timeline, TimeInt at,
                                                            const EntityPath& entity,
                                                            const ComponentDescriptor& d) const {
  std::optional<LatestAtResult> best;
  const Column* c = column(entity, d);
  if (!c) return best;
  // The chunks with data at or before `at`, by the latest time they can hold there: read
  // one at a time until none left can beat the best row found (ties go to the highest RowId,
  // so a chunk that can reach the best time is read too).
  std::vector<std::pair<TimeInt, const Part*>> candidates;
  for (const Part& p : c->parts) {
    auto it = p.ranges.find(timeline);
    if (it != p.ranges.end() && it->second.min <= at)
      candidates.emplace_back(std::min(it->second.max, at), &p);
  }
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (const auto& [bound, part] : candidates) {
    if (best && bound < best->time) break;
    REEL_ASSIGN_OR_RETURN(ChunkPtr chunk, load(part->offset));
    if (!chunk) continue;  // damaged: left out
    const TimeColumn* times = chunk->timeline(timeline);
    const ComponentColumn* column = chunk->component(d);
    if (!times || !column) continue;
    for (int64_t i = 0; i < chunk->num_rows(); ++i) {
      const TimeInt t = (*times)[i];
      if (t > at || !column->list.is_valid(i)) continue;
      const RowId id = chunk->row_id(i);
      if (best && std::pair(t, id) < std::pair(best->time, best->row_id)) continue;
      best = LatestAtResult{chunk, i, id, t, false};
    }
  }
  return best;
}

Result<std::optional<FileSource>> open_file_source(const std::string& path,
                                                   const EntityPathFilter& entities,
                                                   const std::optional<std::string>& timeline) {
  // Only .reel files are read by offset (stdin streams; .rrd has messages of its own).
  if (path == "-" || format::detect_file_format(path).value_or(format::FileFormat::kUnknown) !=
                         format::FileFormat::kReel) {
    return std::optional<FileSource>();
  }
  format::RecordingIndex index;
  REEL_RETURN_NOT_OK(format::index_recording(path, index));
  // Concatenated recordings load as the first one with a warning (load_recording): left to it.
  // (Blueprint chunks have streams of their own: they are skipped below.)
  for (size_t i = 0; i < index.chunk_streams.size(); ++i) {
    const bool blueprint = i < index.chunk_blueprint.size() && index.chunk_blueprint[i];
    if (index.chunk_streams[i] != 0 && !blueprint) return std::optional<FileSource>();
  }
  format::ReaderOptions options;
  REEL_ASSIGN_OR_RETURN(auto reader, format::ChunkFileReader::open(path, options));
  auto file = std::shared_ptr<FileChunks>(new FileChunks(path, std::move(reader)));
  auto store = std::make_shared<ChunkStore>();
  file->store_ = store;
  for (const auto& info : index.infos) {  // the recording's, not a blueprint's
    if (!info.info.is_blueprint) {
      store->set_info(info.info);
      break;
    }
  }
  file->warnings_ = index.warnings;
  file->file_bytes_ = index.file_bytes;

  // Each timeline's and column's type is that of the first chunk that has it (as a store
  // keeps them); a chunk with another is left out, named as a store names it.
  // The text of a type says more than its equality does (list child names) and less (struct
  // field nullability): texts that differ are settled by the decoded types, as a store
  // compares them.
  struct FirstType {
    std::string text;
    uint64_t offset = 0;  // of the chunk it came from
  };
  std::map<std::pair<EntityPath, ComponentDescriptor>, FirstType> column_types;
  auto element_type = [&](uint64_t offset, const ComponentDescriptor& d) -> arrow::TypePtr {
    auto chunk = file->reader_->read_chunk(offset);
    const ComponentColumn* c = chunk.ok() ? (*chunk)->component(d) : nullptr;
    return c ? c->list.value_type() : nullptr;
  };
  std::map<std::string, TimeType> timeline_types;
  for (size_t i = 0; i < index.chunks.size(); ++i) {
    const format::FooterEntry& e = index.chunks[i];
    if (i < index.chunk_blueprint.size() && index.chunk_blueprint[i]) continue;
    for (const auto& c : e.components) {
      if (c.rows > 0) file->listed_.insert({e.entity, c.descriptor});
    }
    std::string refused;
    for (const auto& [name, type] : e.timeline_types) {
      auto it = timeline_types.find(name);
      if (it == timeline_types.end() || it->second == type) continue;
      auto chunk = file->reader_->read_chunk(e.offset);  // for its id (a rare case)
      refused = timeline_type_conflict(chunk.ok() ? (*chunk)->id().to_string() : "?", e.entity,
                                       name, type, it->second);
      break;
    }
    for (const auto& c : e.components) {
      if (!refused.empty()) break;
      auto it = column_types.find({e.entity, c.descriptor});
      if (it == column_types.end() || it->second.text == c.arrow_type) continue;
      auto first = element_type(it->second.offset, c.descriptor);
      auto mine = element_type(e.offset, c.descriptor);
      if (first && mine && arrow::type_equals(first, mine)) continue;
      refused = component_type_conflict(e.entity, c.descriptor.identifier(), c.arrow_type,
                                        it->second.text);
    }
    if (!refused.empty()) {
      file->warnings_.push_back(path + ": chunk at byte " + std::to_string(e.offset) +
                                " not loaded: " + refused);
      continue;
    }
    for (const auto& [name, type] : e.timeline_types) timeline_types.emplace(name, type);
    for (const auto& c : e.components) {
      if (c.rows > 0)
        column_types.emplace(std::pair(e.entity, c.descriptor), FirstType{c.arrow_type, e.offset});
    }
    // Clears (of any entity: a recursive one empties descendants) and the static data of the
    // view's entities go to the store; they are needed before any row is. Other entities'
    // static data (large assets, often) is read if a view asks for the entity.
    if (e.is_static && !has_clear(e) && !entities.matches(e.entity)) {
      file->unread_statics_[e.entity].push_back(e.offset);
      continue;
    }
    if (has_clear(e) || e.is_static) {
      REEL_ASSIGN_OR_RETURN(ChunkPtr chunk, file->read_or_skip(e.offset));
      if (chunk) {
        REEL_RETURN_NOT_OK(store->insert(std::move(chunk))
                               .status()
                               .with_context(path + ": chunk at byte " + std::to_string(e.offset)));
      }
      if (e.is_static) continue;
    }
    // Every entity's columns are indexed (a not-null filter may name a column outside the
    // view's entities); on the view's timeline, with the chunks that hold them.
    for (const auto& c : e.components) {
      if (c.rows == 0) continue;  // all null here: a store does not index it either
      FileChunks::Column& column = file->columns_[e.entity][c.descriptor];
      if (column.type_offset == 0 || e.stored_bytes < column.type_bytes) {
        column.type_offset = e.offset;
        column.type_bytes = e.stored_bytes;
      }
      if (!timeline || !c.time_ranges.count(*timeline)) continue;
      column.parts.push_back({e.offset, c.time_ranges});
    }
  }
  for (const auto& [name, type] : timeline_types) file->timelines_.emplace_back(name, type);
  for (const auto& [entity, columns] : file->columns_) {
    if (entities.matches(entity)) REEL_RETURN_NOT_OK(file->resolve_types(entity));
  }
  return std::optional<FileSource>(FileSource{std::move(file), std::move(store)});
}

Status FileChunks::read_statics(const EntityPath& entity) const {
  std::lock_guard lock(statics_mutex_);
  auto it = unread_statics_.find(entity);
  if (it == unread_statics_.end()) return Status::OK();
  for (uint64_t offset : it->second) {
    REEL_ASSIGN_OR_RETURN(ChunkPtr chunk, read_or_skip(offset));
    if (!chunk) continue;  // damaged: left out, named in warnings()
    REEL_RETURN_NOT_OK(store_->insert(std::move(chunk))
                           .status()
                           .with_context(path_ + ": chunk at byte " + std::to_string(offset)));
  }
  unread_statics_.erase(it);
  return Status::OK();
}

Status FileChunks::resolve_types(const EntityPath& entity) const {
  const ChunkStore& store = *store_;
  std::lock_guard lock(types_mutex_);
  auto eit = columns_.find(entity);
  if (eit == columns_.end()) return Status::OK();
  auto& columns = eit->second;
  // From the store when it has the column (static data), else from the smallest chunk that
  // has it, read once and dropped (it gives its other columns' types too).
  for (const auto& [d, type] : store.components(entity)) {
    auto it = columns.find(d);
    if (it != columns.end() && !it->second.type) it->second.type = type;
  }
  for (auto& [d, column] : columns) {
    if (column.type) continue;
    // The smallest chunk, or (damaged) the next of the column's chunks.
    std::vector<uint64_t> candidates = {column.type_offset};
    for (const auto& p : column.parts) candidates.push_back(p.offset);
    ChunkPtr chunk;
    for (uint64_t offset : candidates) {
      REEL_ASSIGN_OR_RETURN(chunk, read_or_skip(offset));
      if (chunk) break;
    }
    if (!chunk) continue;  // every chunk read is damaged (each named in warnings()): left out
    for (const auto& c : chunk->components()) {
      auto it = columns.find(c.descriptor);
      if (it != columns.end() && !it->second.type) it->second.type = c.list.value_type();
    }
    if (!column.type) {
      return Status::Corrupt(path_ + ": the footer says the chunk at byte " +
                             std::to_string(column.type_offset) + " holds " + entity.str() + ":" +
                             d.identifier() + ", but it does not");
    }
  }
  return Status::OK();
}

Result<std::vector<std::pair<ComponentDescriptor, arrow::TypePtr>>> FileChunks::components(
    const EntityPath& entity) const {
  REEL_RETURN_NOT_OK(read_statics(entity));
  std::map<ComponentDescriptor, arrow::TypePtr> all;
  for (auto& [d, type] : store_->components(entity)) all.emplace(d, type);
  auto it = columns_.find(entity);
  // An entity outside the view's (a not-null filter's column): its types are read now; a
  // column whose type cannot be read is left out (an unknown column, to the caller).
  if (it != columns_.end() && resolve_types(entity).ok()) {
    std::lock_guard lock(types_mutex_);
    for (const auto& [d, column] : it->second) {
      if (column.type) all.emplace(d, column.type);
    }
  }
  return std::vector<std::pair<ComponentDescriptor, arrow::TypePtr>>(all.begin(), all.end());
}

std::vector<EntityPath> FileChunks::entities() const {
  std::set<EntityPath> all;
  for (const auto& e : store_->entities()) all.insert(e);
  for (const auto& [e, columns] : columns_) all.insert(e);
  {
    std::lock_guard lock(statics_mutex_);
    for (const auto& [e, offsets] : unread_statics_) all.insert(e);
  }
  return {all.begin(), all.end()};
}

}  // namespace reel::dataframe::internal
