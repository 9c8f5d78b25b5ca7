#include <algorithm>
#include <deque>
#include <future>
#include <map>
#include <optional>
#include <thread>

#include "common/thread_pool.hpp"
#include "reel/store_io/store_io.hpp"
#include "store_io/insert_internal.hpp"

namespace reel {

Result<LoadReport> load_into_store(format::RecordingReader& reader, ChunkStore& store,
                                   size_t threads, const std::function<bool(const Chunk&)>& keep) {
  LoadOptions options;
  options.threads = threads;
  options.keep = keep;
  return load_into_store(reader, store, options);
}

Result<LoadReport> load_into_store(format::RecordingReader& reader, ChunkStore& store,
                                   const LoadOptions& options) {
  size_t threads = options.threads;
  const std::function<bool(const Chunk&)>& keep = options.keep;
  LoadReport report;
  std::vector<std::string> decode_warnings;
  format::DroppedColumnsSeen dropped_seen;  // one warning per entity and column
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  reel::internal::ThreadPool pool(threads);
  format::ReaderOptions reader_options;
  reader_options.copy_chunks = true;
  format::ReaderOptions options_for_info = reader_options;
  // Decoding runs ahead on the pool; results are consumed (inserted) in stream order, so the
  // store sees exactly the sequence a one-threaded load would give.
  struct Pending {
    std::future<Result<format::Message>> message;
    ChunkStore* store;
  };
  std::deque<Pending> pending;
  std::vector<std::string> refused;
  const size_t depth = threads * 2 + 2;
  auto consume_one = [&]() -> Status {
    Result<format::Message> m = pending.front().message.get();
    ChunkStore& store = *pending.front().store;
    pending.pop_front();
    if (!m.ok()) {
      // A damaged message (its framing held): skipped with a warning, the rest loads.
      if (!format::is_damage(m.status())) return m.status();
      reader.report_damaged(m.status());
      return Status::OK();
    }
    ++report.messages;
    decode_warnings.insert(decode_warnings.end(), m->warnings.begin(), m->warnings.end());
    format::warn_dropped_columns(*m, reader.name(), dropped_seen, decode_warnings);
    if (m->kind == format::MessageKind::kStoreInfo) {
      if (options.store_for) {
        // The store is the recording's own (store_for named it): name it only when it is not.
        const StoreInfo current = store.info();
        if (current.recording_id.empty() && current.application_id.empty()) {
          store.set_info(m->info);
        }
        if (report.info.recording_id.empty()) report.info = m->info;
      } else if (report.info.recording_id.empty()) {
        report.info = m->info;
        store.set_info(m->info);
      }
    } else if (m->kind == format::MessageKind::kChunk && m->chunk) {
      ++report.chunks_in_file;
      if (keep && !keep(*m->chunk)) return Status::OK();
      return store_io_internal::insert_or_refuse(
          store, std::move(m->chunk),
          reader.name() + ": chunk at byte " + std::to_string(m->offset), report, refused);
    }
    return Status::OK();
  };
  // On an error, the decodes still in flight are waited for (they use `options` and `name`)
  // and dropped.
  auto abandon = [&] {
    for (auto& p : pending) p.message.wait();
    pending.clear();
  };
  auto drain = [&]() -> Status {
    while (!pending.empty()) {
      Status st = consume_one();
      if (!st.ok()) {
        abandon();
        return st;
      }
    }
    return Status::OK();
  };
  // Which streams load: the first recording (or the one asked for), and later streams of the
  // same recording id (concatenated recordings, `cat a.reel b.reel`). Other recordings are
  // not merged into it but named in a warning; blueprints are left out quietly.
  std::map<uint32_t, ChunkStore*> loads;        // stream -> its store, null: not loaded
  std::map<uint32_t, size_t> skipped_at;        // stream -> its entry in `skipped`
  std::map<uint32_t, uint64_t> skipped_chunks;  // stream -> chunks left out
  std::vector<std::string> skipped;
  std::string target = options.recording_id;  // empty until the first recording is seen
  bool found_target = target.empty();
  auto decide = [&](const format::RawMessage& raw) -> ChunkStore* {
    std::optional<StoreInfo> who;
    if (raw.rrd) {
      who = raw.store;
    } else if (raw.kind == format::MessageKind::kStoreInfo) {
      auto info = format::decode_message(raw, options_for_info, reader.name());
      if (info.ok()) who = info->info;
    }
    if (who && who->is_blueprint) return nullptr;
    if (options.store_for) {
      const StoreInfo info = who.value_or(StoreInfo{});
      bool seen = false;
      for (const auto& r : report.recordings) seen = seen || r.recording_id == info.recording_id;
      if (!seen && who) report.recordings.push_back(info);
      return options.store_for(info);
    }
    if (!who && raw.stream == 0 && options.recording_id.empty()) return &store;
    if (who && (target.empty() || who->recording_id == target)) {
      target = who->recording_id;
      found_target = true;
      return &store;
    }
    const std::string what =
        who ? "recording '" + who->recording_id + "' (application '" + who->application_id + "')"
            : std::string("an unnamed recording");
    skipped_at[raw.stream] = skipped.size();
    skipped.push_back(reader.name() + " holds another recording " +
                      (raw.stream == 0 ? std::string("first") : std::string("after the first")) +
                      ": " + what + " from byte " + std::to_string(raw.offset) +
                      ", not loaded into this one");
    return nullptr;
  };
  for (;;) {
    auto raw = reader.next_raw();
    if (!raw.ok()) {
      // Everything complete before the corrupt framing is loaded first.
      Status st = drain();
      report.warnings = reader.warnings();
      return st.ok() ? raw.status() : st;
    }
    if (!*raw) break;
    const std::string& name = reader.name();
    auto decided = loads.find((*raw)->stream);
    if (decided == loads.end()) decided = loads.emplace((*raw)->stream, decide(**raw)).first;
    if (!decided->second) {
      if ((*raw)->kind == format::MessageKind::kChunk) ++skipped_chunks[(*raw)->stream];
      continue;
    }
    pending.push_back({pool.submit([m = std::move(**raw), &reader_options, name]() mutable {
                         return format::decode_message(std::move(m), reader_options, name);
                       }),
                       decided->second});
    if (pending.size() >= depth) {
      Status st = consume_one();
      if (!st.ok()) {
        abandon();
        report.warnings = reader.warnings();
        return st;
      }
    }
  }
  Status st = drain();
  for (const auto& [stream, at] : skipped_at) {
    skipped[at] += " (" + std::to_string(skipped_chunks[stream]) + " chunks)";
  }
  report.bytes = reader.bytes_read();
  report.warnings = reader.warnings();
  report.warnings.insert(report.warnings.end(), skipped.begin(), skipped.end());
  report.warnings.insert(report.warnings.end(), refused.begin(), refused.end());
  report.warnings.insert(report.warnings.end(), decode_warnings.begin(), decode_warnings.end());
  if (!st.ok()) return st;
  if (!found_target) {
    return Status::Invalid(reader.name() + " has no recording '" + options.recording_id + "'");
  }
  return report;
}

Result<LoadReport> load_file(const std::string& path, ChunkStore& store) {
  return load_file(path, store, LoadOptions{});
}

Result<LoadReport> load_file(const std::string& path, ChunkStore& store,
                             const LoadOptions& options) {
  REEL_ASSIGN_OR_RETURN(auto reader, format::RecordingReader::open(path));
  return load_into_store(*reader, store, options);
}

}  // namespace reel
