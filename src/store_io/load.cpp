#include <algorithm>
#include <deque>
#include <future>
#include <thread>

#include "common/thread_pool.hpp"
#include "reel/store_io/store_io.hpp"

namespace reel {

Result<LoadReport> load_into_store(format::RecordingReader& reader, ChunkStore& store,
                                   size_t threads, const std::function<bool(const Chunk&)>& keep) {
  LoadReport report;
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  reel::internal::ThreadPool pool(threads);
  format::ReaderOptions options;
  options.copy_chunks = true;
  // Decoding runs ahead on the pool; results are consumed (inserted) in stream order, so the
  // store sees exactly the sequence a one-threaded load would give.
  std::deque<std::future<Result<format::Message>>> pending;
  std::vector<std::string> refused;
  const size_t depth = threads * 2 + 2;
  auto consume_one = [&]() -> Status {
    Result<format::Message> m = pending.front().get();
    pending.pop_front();
    if (!m.ok()) {
      // A damaged message (its framing held): skipped with a warning, the rest loads.
      if (!format::is_damage(m.status())) return m.status();
      reader.report_damaged(m.status());
      return Status::OK();
    }
    ++report.messages;
    if (m->kind == format::MessageKind::kStoreInfo) {
      if (report.info.recording_id.empty()) {
        report.info = m->info;
        store.set_info(m->info);
      }
    } else if (m->kind == format::MessageKind::kChunk && m->chunk) {
      ++report.chunks_in_file;
      if (keep && !keep(*m->chunk)) return Status::OK();
      const int64_t rows = m->chunk->num_rows();
      Status st = store.insert(std::move(m->chunk)).status();
      const std::string where = reader.name() + ": chunk at byte " + std::to_string(m->offset);
      if (st.code() == StatusCode::kTypeError) {
        // A type conflict (issue 13, item 5): this chunk is left out, the rest loads.
        ++report.refused_chunks;
        refused.push_back(where + " not loaded: " + st.message());
        return Status::OK();
      }
      REEL_RETURN_NOT_OK(st.with_context(where));
      ++report.chunks;
      report.rows += rows;
    }
    return Status::OK();
  };
  // On an error, the decodes still in flight are waited for (they use `options` and `name`)
  // and dropped.
  auto abandon = [&] {
    for (auto& f : pending) f.wait();
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
  // Concatenated recordings (`cat a.reel b.reel`): later streams of the same recording id are
  // loaded; another recording is not merged into this one, but named in a warning.
  uint32_t stream = 0;
  bool skipping = false;
  std::vector<std::string> skipped;
  uint64_t skipped_chunks = 0;
  auto note_skipped = [&] {
    if (skipping && !skipped.empty()) {
      skipped.back() += " (" + std::to_string(skipped_chunks) + " chunks)";
    }
    skipped_chunks = 0;
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
    if ((*raw)->stream != stream) {
      note_skipped();
      stream = (*raw)->stream;
      skipping = true;
      const uint64_t at = (*raw)->offset;
      std::string who = "an unnamed recording";
      if ((*raw)->kind == format::MessageKind::kStoreInfo) {
        auto info = format::decode_message(**raw, options, name);
        if (info.ok()) {
          skipping = info->info.recording_id != report.info.recording_id;
          who = "recording '" + info->info.recording_id + "' (application '" +
                info->info.application_id + "')";
        }
      }
      if (skipping) {
        skipped.push_back(name + " holds another recording after the first: " + who +
                          " from byte " + std::to_string(at) + ", not loaded into this one");
      }
    }
    if (stream != 0 && skipping) {
      if ((*raw)->kind == format::MessageKind::kChunk) ++skipped_chunks;
      continue;
    }
    pending.push_back(pool.submit([m = std::move(**raw), &options, name]() mutable {
      return format::decode_message(std::move(m), options, name);
    }));
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
  note_skipped();
  report.bytes = reader.bytes_read();
  report.warnings = reader.warnings();
  report.warnings.insert(report.warnings.end(), skipped.begin(), skipped.end());
  report.warnings.insert(report.warnings.end(), refused.begin(), refused.end());
  if (!st.ok()) return st;
  return report;
}

Result<LoadReport> load_file(const std::string& path, ChunkStore& store) {
  REEL_ASSIGN_OR_RETURN(auto reader, format::RecordingReader::open(path));
  return load_into_store(*reader, store);
}

}  // namespace reel
