// Partial reads: loading only the chunks of a recording a query can use.
#include <algorithm>
#include <deque>
#include <future>
#include <set>
#include <thread>

#include "common/thread_pool.hpp"
#include "reel/store_io/store_io.hpp"
#include "store_io/insert_internal.hpp"

namespace reel {

namespace {

using ColumnKey = std::pair<EntityPath, std::string>;  // entity, component identifier

// What the selection needs of a chunk, from a footer entry or a decoded chunk.
struct ChunkFacts {
  const EntityPath* entity;
  bool is_static;
  std::vector<std::pair<std::string, TimeRange>> timelines;
  std::vector<std::string> components;  // identifiers
};

ChunkFacts facts_of(const format::FooterEntry& e) {
  ChunkFacts f{&e.entity, e.is_static, {e.time_ranges.begin(), e.time_ranges.end()}, {}};
  for (const auto& c : e.components) f.components.push_back(c.descriptor.identifier());
  return f;
}

ChunkFacts facts_of(const Chunk& c) {
  ChunkFacts f{&c.entity_path(), c.is_static(), {}, {}};
  for (const auto& t : c.timelines()) f.timelines.emplace_back(t.name(), t.range());
  for (const auto& comp : c.components()) f.components.push_back(comp.descriptor.identifier());
  return f;
}

class Selector {
 public:
  explicit Selector(const ChunkSelection& s) : s_(s) {
    for (const auto& name : s.columns) {
      // "/entity:Archetype:field": the entity ends at the first unescaped ':'.
      size_t colon = std::string::npos;
      for (size_t i = 0; i < name.size(); ++i) {
        if (name[i] == '\\') {
          ++i;
        } else if (name[i] == ':') {
          colon = i;
          break;
        }
      }
      auto entity = colon == std::string::npos ? Result<EntityPath>(Status::Invalid(""))
                                               : EntityPath::parse(name.substr(0, colon));
      if (!entity.ok()) {
        any_column_ = true;  // a bad name: the view reports it; select nothing less
        continue;
      }
      columns_.insert({*entity, name.substr(colon + 1)});
    }
  }

  bool entity_matches(const ChunkFacts& f) const { return s_.entities.matches(*f.entity); }

  bool matches(const ChunkFacts& f) const {
    if (!entity_matches(f)) return false;
    if (f.is_static) return !s_.temporal_only;
    if (s_.static_only) return false;
    bool in_range = false;
    for (const auto& [name, r] : f.timelines) {
      if (s_.timeline && name != *s_.timeline) continue;
      const TimeRange want{s_.keep_before_range ? kTimeMin : s_.range.min, s_.range.max};
      if (r.intersects(want)) in_range = true;
    }
    if (!in_range) return false;
    if (columns_.empty() || any_column_) return true;
    return std::any_of(f.components.begin(), f.components.end(), [&](const std::string& c) {
      return columns_.count({*f.entity, c}) > 0;
    });
  }

  // Records what a selected chunk shows.
  void cover(const ChunkFacts& f) {
    for (const auto& c : f.components) covered_.insert({*f.entity, c});
    for (const auto& [name, r] : f.timelines) timelines_.insert(name);
  }

  // Whether an unselected chunk shows a column or the index timeline nothing selected shows.
  bool is_witness(const ChunkFacts& f) const {
    if (f.is_static && s_.temporal_only) return false;
    if (entity_matches(f)) {
      for (const auto& c : f.components) {
        if (!covered_.count({*f.entity, c})) return true;
      }
    }
    if (s_.timeline && !timelines_.count(*s_.timeline)) {
      for (const auto& [name, r] : f.timelines) {
        if (name == *s_.timeline) return true;
      }
    }
    return false;
  }

 private:
  const ChunkSelection& s_;
  std::set<ColumnKey> columns_;
  bool any_column_ = false;
  std::set<ColumnKey> covered_;
  std::set<std::string> timelines_;
};

// Inserts the chunks at `offsets` (file order) read through `reader`, decoding ahead on a pool.
Status read_and_insert(const format::ChunkFileReader& reader, const std::vector<uint64_t>& offsets,
                       ChunkStore& store, LoadReport& report,
                       const std::function<void()>& inserted) {
  const size_t threads = std::max(1u, std::thread::hardware_concurrency());
  reel::internal::ThreadPool pool(threads);
  std::deque<std::pair<uint64_t, std::future<Result<ChunkPtr>>>> pending;
  const size_t depth = threads * 2 + 2;
  size_t next = 0;
  Status failed;
  while (next < offsets.size() || !pending.empty()) {
    while (failed.ok() && next < offsets.size() && pending.size() < depth) {
      const uint64_t at = offsets[next++];
      pending.emplace_back(at, pool.submit([&reader, at] { return reader.read_chunk(at); }));
    }
    if (pending.empty()) break;
    auto [at, future] = std::move(pending.front());
    pending.pop_front();
    Result<ChunkPtr> chunk = future.get();
    if (!failed.ok()) continue;  // waiting for the reads in flight
    if (!chunk.ok()) {
      // A damaged message (its bytes fail the checksum): skipped, as a streaming read does.
      // A file cut or changed under the reader ends the load.
      if (!format::is_damage(chunk.status()) ||
          chunk.status().message().find("not the chunk the index names") != std::string::npos) {
        failed = chunk.status();
        continue;
      }
      report.warnings.push_back(chunk.status().message() +
                                "; the message was skipped and reading went on");
      continue;
    }
    Status st = store_io_internal::insert_or_refuse(
        store, std::move(*chunk), reader.name() + ": chunk at byte " + std::to_string(at), report,
        report.warnings);
    inserted();
    if (!st.ok()) failed = st;
  }
  return failed;
}

}  // namespace

Result<LoadReport> load_selected(const std::string& path, ChunkStore& store,
                                 const ChunkSelection& selection, uint64_t* chunks_read,
                                 const std::function<void(uint64_t, uint64_t)>& progress) {
  Selector selector(selection);
  format::RecordingIndex index;
  if (path != "-") {
    format::IndexOptions io;
    io.footer_only = true;
    REEL_RETURN_NOT_OK(format::index_recording(path, index, io));
  }
  if (!index.from_footer) {
    // No usable footer: one streaming pass, keeping what the selection (and its witnesses)
    // needs. A witness is kept when it is the first chunk to show a column; a later selected
    // chunk may show it too, which costs memory, never a wrong answer.
    REEL_ASSIGN_OR_RETURN(auto reader, format::RecordingReader::open(path));
    auto report = load_into_store(*reader, store, 0, [&](const Chunk& c) {
      if (progress) progress(reader->bytes_read(), reader->total_bytes());
      ChunkFacts f = facts_of(c);
      if (!selector.matches(f) && !selector.is_witness(f)) return false;
      selector.cover(f);
      return true;
    });
    if (chunks_read && report.ok()) *chunks_read = report->chunks_in_file;
    return report;
  }
  LoadReport report;
  report.from_footer = true;
  report.chunks_in_file =
      uint64_t(std::count(index.chunk_blueprint.begin(), index.chunk_blueprint.end(), false));
  report.warnings = index.warnings;
  for (const auto& i : index.infos) {  // the recording's, not a blueprint's
    if (i.info.is_blueprint) continue;
    report.info = i.info;
    store.set_info(report.info);
    break;
  }
  report.messages = index.infos.size();
  std::vector<bool> chosen(index.chunks.size(), false);
  std::vector<ChunkFacts> facts;
  facts.reserve(index.chunks.size());
  auto blueprint = [&](size_t i) {  // a blueprint's chunk: never loaded
    return i < index.chunk_blueprint.size() && index.chunk_blueprint[i];
  };
  for (size_t i = 0; i < index.chunks.size(); ++i) {
    facts.push_back(facts_of(index.chunks[i]));
    if (blueprint(i)) continue;
    if (selector.matches(facts[i])) {
      chosen[i] = true;
      selector.cover(facts[i]);
    }
  }
  for (size_t i = 0; i < index.chunks.size(); ++i) {
    if (!chosen[i] && !blueprint(i) && selector.is_witness(facts[i])) {
      chosen[i] = true;
      selector.cover(facts[i]);
    }
  }
  std::vector<uint64_t> offsets;
  uint64_t to_read = 0;
  for (size_t i = 0; i < index.chunks.size(); ++i) {
    if (!chosen[i]) continue;
    offsets.push_back(index.chunks[i].offset);
    to_read += format::kMessageHeaderBytes + index.chunks[i].stored_bytes;
  }
  // Chunks keep the decoded payload they were read from (no copy of each chunk's buffers).
  format::ReaderOptions ro;
  ro.copy_chunks = false;
  REEL_ASSIGN_OR_RETURN(auto reader, format::ChunkFileReader::open(path, ro));
  Status st = read_and_insert(*reader, offsets, store, report, [&] {
    if (progress) progress(reader->bytes_read(), to_read);
  });
  if (chunks_read) *chunks_read = reader->chunks_read();
  report.bytes = reader->bytes_read();
  report.messages += report.chunks;
  if (!st.ok()) return st;
  return report;
}

}  // namespace reel
