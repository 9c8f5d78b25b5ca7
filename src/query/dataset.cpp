// Datasets: finding the recordings, what is known of each before reading it, which of them a
// read opens, and loading them in order with a bounded number ahead.
#include "reel/query/dataset.hpp"

#include <glob.h>

#include <algorithm>
#include <cctype>
#include <deque>
#include <filesystem>
#include <future>
#include <set>

#include "common/thread_pool.hpp"
#include "query/dataset_internal.hpp"
#include "reel/format/recording_file.hpp"
#include "reel/format/recording_index.hpp"
#include "reel/store_io/store_io.hpp"

namespace reel::dataframe {

namespace fs = std::filesystem;

void Dataset::State::warn(const std::string& message) {
  std::lock_guard lock(warnings_mutex);
  warnings.push_back(message);
  if (options.on_warning) options.on_warning(message);
}

std::vector<size_t> Dataset::State::readable() const {
  std::vector<size_t> out;
  for (size_t i = 0; i < entries.size(); ++i) {
    if (!entries[i].failed) out.push_back(i);
  }
  return out;
}

namespace internal {

arrow::ArrayPtr repeated_string(const std::string& value, int64_t n) {
  arrow::BinaryBuilder b(arrow::utf8());
  for (int64_t i = 0; i < n; ++i) b.append(value);
  return b.finish();
}

Result<OpenedRecording> open_recording_file(const std::string& path, const ChunkStoreConfig& config,
                                            const std::function<bool(const Chunk&)>& keep) {
  REEL_ASSIGN_OR_RETURN(auto reader, format::RecordingReader::open(path));
  auto store = std::make_shared<ChunkStore>(config);
  // One decoding thread per recording: the dataset loads several recordings at once.
  auto report = load_into_store(*reader, *store, 1, keep);
  if (!report.ok()) return report.status();
  if (!reader->warnings().empty()) {
    // Truncated or damaged: its data is not what was recorded; the read goes on without it.
    return Status::Corrupt(reader->warnings().front());
  }
  OpenedRecording out;
  out.chunks = int64_t(report->chunks);
  out.rows = report->rows;
  out.notes = report->warnings;  // another recording concatenated after this one
  std::error_code ec;
  out.file_bytes = uint64_t(fs::file_size(path, ec));
  out.store = std::move(store);
  return out;
}

Result<OpenedRecording> load_entry(const Dataset::State& state,
                                   const Dataset::State::Entry& entry) {
  if (entry.memory) {
    OpenedRecording out;
    out.store = entry.memory;
    return out;
  }
  return open_recording_file(entry.summary.source, state.options.store_config);
}

Result<OpenedRecording> load_entry_selected(const Dataset::State& state,
                                            const Dataset::State::Entry& entry,
                                            const ChunkSelection& selection) {
  if (entry.memory) return load_entry(state, entry);
  auto store = std::make_shared<ChunkStore>(state.options.store_config);
  REEL_ASSIGN_OR_RETURN(auto report, load_selected(entry.summary.source, *store, selection));
  OpenedRecording out;
  out.chunks = int64_t(report.chunks);
  out.rows = report.rows;
  out.notes = std::move(report.warnings);
  out.file_bytes = report.bytes;
  out.store = std::move(store);
  return out;
}

}  // namespace internal

namespace {

bool has_glob_chars(const std::string& s) { return s.find_first_of("*?[") != std::string::npos; }

bool is_recording_name(const fs::path& p) {
  const auto ext = p.extension().string();
  return ext == ".reel" || ext == ".rrd";
}

// The files of the sources, each as found (paths as given, directory + name, glob matches),
// without duplicates, in the order given (directories and globs sorted by name).
Result<std::vector<std::string>> resolve_sources(const std::vector<std::string>& sources) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  auto add = [&](const std::string& path) {
    if (seen.insert(path).second) out.push_back(path);
  };
  for (const auto& source : sources) {
    std::error_code ec;
    if (fs::is_directory(source, ec)) {
      std::vector<std::string> found;
      for (auto it = fs::recursive_directory_iterator(source, ec);
           !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_regular_file(ec) && is_recording_name(it->path())) {
          found.push_back(it->path().string());
        }
      }
      if (ec) return Status::IOError("reading directory " + source + ": " + ec.message());
      std::sort(found.begin(), found.end());
      for (const auto& f : found) add(f);
    } else if (fs::exists(source, ec)) {
      add(source);
    } else if (has_glob_chars(source)) {
      glob_t g{};
      int rc = ::glob(source.c_str(), 0, nullptr, &g);
      if (rc == 0) {
        std::vector<std::string> found;
        for (size_t i = 0; i < g.gl_pathc; ++i) {
          if (fs::is_regular_file(g.gl_pathv[i], ec)) found.emplace_back(g.gl_pathv[i]);
        }
        std::sort(found.begin(), found.end());
        for (const auto& f : found) add(f);
      }
      globfree(&g);
      if (rc != 0 && rc != GLOB_NOMATCH) return Status::IOError("glob " + source + " failed");
    } else {
      return Status::NotFound("no such file or directory: " + source);
    }
  }
  return out;
}

// The file's recording and application id (its first message that is not a blueprint's:
// Rerun's .rrd files may begin with a view layout), without reading further.
Result<StoreInfo> read_identity(const std::string& path) {
  format::ReaderOptions options;
  options.decode_chunks = false;
  REEL_ASSIGN_OR_RETURN(auto reader, format::RecordingReader::open(path, options));
  bool blueprint = false;
  for (;;) {
    REEL_ASSIGN_OR_RETURN(auto m, reader->next());
    if (!m) {
      const std::string why = blueprint ? "only a Rerun blueprint (a view layout), no recording"
                                        : "no message (an empty or truncated recording)";
      return Status::Corrupt(path + ": " + why +
                             (reader->warnings().empty() ? "" : ": " + reader->warnings().front()));
    }
    if (m->kind != format::MessageKind::kStoreInfo && m->kind != format::MessageKind::kChunk) {
      continue;  // a blueprint's footer or end, before the recording
    }
    if (m->info.is_blueprint) {
      blueprint = true;
      continue;
    }
    if (m->kind != format::MessageKind::kStoreInfo) return StoreInfo{};
    return m->info;
  }
}

// The summary from a version 2 footer that belongs to the file's only recording, without
// reading its chunks but for the element types: the footer names them as text, and a text
// seen before (in any file of the dataset: fleets log the same types) is decoded once, from
// the smallest chunk that has it. false: no such footer, or it is not enough (a column with
// two type texts in the file, a chunk that cannot be read): the caller reads the file.
Result<bool> summarize_from_footer(RecordingSummary& s, internal::TypeTexts& types) {
  format::RecordingIndex index;
  format::IndexOptions options;
  options.footer_only = true;
  if (!format::index_recording(s.source, index, options).ok() || !index.from_footer ||
      !index.warnings.empty()) {
    return false;
  }
  std::set<Timeline> timelines;
  struct Column {
    std::string text;
    std::vector<std::pair<uint64_t, uint64_t>> chunks;  // (bytes, offset) of those that have it
  };
  std::map<EntityPath, std::map<ComponentDescriptor, Column>> columns;
  std::map<EntityPath, std::set<ComponentDescriptor>> statics;
  std::map<EntityPath, std::set<Timeline>> entity_timelines;
  std::vector<RecordingSummary::ChunkExtent> extents;
  for (size_t i = 0; i < index.chunks.size(); ++i) {
    if (index.chunk_streams[i] != 0) continue;  // a blueprint's
    const format::FooterEntry& e = index.chunks[i];
    extents.push_back({e.entity, e.is_static, e.time_ranges});
    if (e.rows == 0) continue;  // an empty chunk (the reader skips it)
    for (const auto& [name, type] : e.timeline_types) {
      timelines.insert(Timeline(name, type));
      entity_timelines[e.entity].insert(Timeline(name, type));
    }
    for (const auto& c : e.components) {
      if (c.rows == 0) continue;  // null on every row here: not a column, as in a store
      auto [it, inserted] = columns[e.entity].try_emplace(c.descriptor, Column{c.arrow_type, {}});
      if (!inserted && it->second.text != c.arrow_type) return false;
      it->second.chunks.emplace_back(e.stored_bytes, e.offset);
      if (e.is_static) statics[e.entity].insert(c.descriptor);
    }
  }
  std::unique_ptr<format::ChunkFileReader> reader;
  for (auto& [entity, comps] : columns) {
    auto& mine = s.components[entity];
    for (auto& [d, column] : comps) {
      arrow::TypePtr type = types.find(column.text);
      // The smallest chunk that has it, or (damaged: the read that needs it reports it) the
      // next smallest: whether another file's summary found the type first changes nothing.
      std::sort(column.chunks.begin(), column.chunks.end());
      for (size_t i = 0; !type && i < column.chunks.size(); ++i) {
        if (!reader) {
          auto opened = format::ChunkFileReader::open(s.source);
          if (!opened.ok()) return false;
          reader = std::move(*opened);
        }
        auto chunk = reader->read_chunk(column.chunks[i].second);
        if (!chunk.ok() && format::is_damage(chunk.status())) continue;
        const ComponentColumn* c = chunk.ok() ? (*chunk)->component(d) : nullptr;
        if (!c || c->list.value_type()->to_string() != column.text) return false;
        type = c->list.value_type();
        types.add(column.text, type);
      }
      if (!type) return false;  // every chunk of it is damaged
      mine.emplace_back(d, type);
    }
  }
  s.timelines.assign(timelines.begin(), timelines.end());
  for (auto& [e, m] : statics) s.static_components[e].assign(m.begin(), m.end());
  for (auto& [e, m] : entity_timelines) s.entity_timelines[e].assign(m.begin(), m.end());
  s.has_footer = true;
  s.chunks = std::move(extents);
  return true;
}

// Timelines and components of one recording file: from its footer, else read chunk by chunk.
Status summarize_file(RecordingSummary& s, internal::TypeTexts& types) {
  {
    RecordingSummary from_footer = s;
    REEL_ASSIGN_OR_RETURN(bool done, summarize_from_footer(from_footer, types));
    if (done) {
      s = std::move(from_footer);
      return Status::OK();
    }
  }
  format::ReaderOptions options;
  options.copy_chunks = false;
  REEL_ASSIGN_OR_RETURN(auto reader, format::RecordingReader::open(s.source, options));
  std::set<Timeline> timelines;
  std::map<EntityPath, std::map<ComponentDescriptor, arrow::TypePtr>> components;
  std::map<EntityPath, std::set<ComponentDescriptor>> statics;
  std::map<EntityPath, std::set<Timeline>> entity_timelines;
  std::optional<uint32_t> recording;  // the stream of the file's first recording
  for (;;) {
    REEL_ASSIGN_OR_RETURN(auto m, reader->next());
    if (!m) break;
    if (m->kind == format::MessageKind::kStoreInfo || m->kind == format::MessageKind::kChunk) {
      if (m->info.is_blueprint) continue;  // a Rerun view layout (.rrd: any stream)
      if (!recording) recording = m->stream;
    }
    // Before the recording (a blueprint's end), or another recording after it.
    if (!recording || m->stream != *recording) continue;
    if (m->kind == format::MessageKind::kFooter) {
      s.has_footer = true;
      s.chunks.clear();
      for (const auto& e : m->footer.chunks)
        s.chunks.push_back({e.entity, e.is_static, e.time_ranges});
    }
    if (m->kind != format::MessageKind::kChunk || !m->chunk || m->chunk->empty()) continue;
    const Chunk& c = *m->chunk;
    for (const auto& t : c.timelines()) {
      timelines.insert(t.timeline());
      entity_timelines[c.entity_path()].insert(t.timeline());
    }
    auto& mine = components[c.entity_path()];
    for (const auto& col : c.components()) {
      if (c.num_non_null(col.descriptor) == 0) continue;  // as a store (and the footer) has it
      auto [it, inserted] = mine.emplace(col.descriptor, col.list.value_type());
      if (!inserted && !arrow::type_equals(it->second, col.list.value_type())) {
        return Status::TypeError(s.source + ": " + c.entity_path().str() + ":" +
                                 col.descriptor.identifier() + " is logged as " +
                                 it->second->to_string() + " and as " +
                                 col.list.value_type()->to_string());
      }
      if (c.is_static()) statics[c.entity_path()].insert(col.descriptor);
    }
  }
  if (!reader->warnings().empty()) return Status::Corrupt(reader->warnings().front());
  s.timelines.assign(timelines.begin(), timelines.end());
  for (auto& [e, m] : components) s.components[e].assign(m.begin(), m.end());
  for (auto& [e, m] : statics) s.static_components[e].assign(m.begin(), m.end());
  for (auto& [e, m] : entity_timelines) s.entity_timelines[e].assign(m.begin(), m.end());
  return Status::OK();
}

void summarize_store(RecordingSummary& s, const ChunkStore& store) {
  s.info = store.info();
  s.timelines = store.timelines();
  for (const auto& e : store.entities()) {
    s.components[e] = store.components(e);
    for (const auto& t : s.timelines) {
      if (!store.time_range(t.name(), e).empty()) s.entity_timelines[e].push_back(t);
    }
    for (const auto& [d, type] : s.components[e]) {
      if (store.latest_static(e, d)) s.static_components[e].push_back(d);
    }
  }
}

}  // namespace

Result<Dataset> Dataset::open(const std::vector<std::string>& sources, DatasetOptions options) {
  if (sources.empty())
    return Status::Invalid("a dataset needs at least one file, directory or glob");
  REEL_ASSIGN_OR_RETURN(auto files, resolve_sources(sources));
  auto state = std::make_shared<State>();
  state->options = std::move(options);
  if (state->options.parallel_recordings == 0) state->options.parallel_recordings = 1;
  {
    // The first message of each file, a few files at a time.
    reel::internal::ThreadPool pool(state->options.parallel_recordings);
    std::vector<std::future<Result<StoreInfo>>> ids;
    for (const auto& f : files) ids.push_back(pool.submit([f] { return read_identity(f); }));
    for (size_t i = 0; i < files.size(); ++i) {
      auto info = ids[i].get();
      if (!info.ok()) {
        state->warn("skipping " + files[i] + ": " + info.status().message());
        continue;
      }
      State::Entry e;
      e.summary.source = files[i];
      e.summary.info = std::move(*info);
      state->entries.push_back(std::move(e));
    }
  }
  if (state->entries.empty()) {
    std::string why = files.empty() ? "no .reel or .rrd file found" : "no readable recording";
    return Status::NotFound(why + " in " + sources.front() + (sources.size() > 1 ? ", ..." : ""));
  }
  return Dataset(std::move(state));
}

Result<Dataset> Dataset::from_stores(std::vector<std::shared_ptr<const ChunkStore>> stores,
                                     std::vector<std::string> sources, DatasetOptions options) {
  auto state = std::make_shared<State>();
  state->options = std::move(options);
  if (state->options.parallel_recordings == 0) state->options.parallel_recordings = 1;
  for (size_t i = 0; i < stores.size(); ++i) {
    if (!stores[i]) return Status::Invalid("dataset of a null store");
    State::Entry e;
    e.memory = stores[i];
    e.summary.source = i < sources.size() ? sources[i] : "";
    summarize_store(e.summary, *stores[i]);
    e.summarized = true;
    state->entries.push_back(std::move(e));
  }
  state->all_summarized = true;
  return Dataset(std::move(state));
}

Status Dataset::summarize() const {
  if (state_->all_summarized) return Status::OK();
  std::lock_guard lock(state_->summarize_mutex);
  if (state_->all_summarized) return Status::OK();
  {
    reel::internal::ThreadPool pool(state_->options.parallel_recordings);
    std::vector<std::future<void>> done;
    for (auto& e : state_->entries) {
      if (e.summarized || e.failed) continue;
      done.push_back(pool.submit([&e, this] {
        Status st = summarize_file(e.summary, state_->type_texts);
        e.summarized = true;
        if (!st.ok()) {
          e.failed = true;
          state_->warn("skipping " + e.summary.source + ": " + st.message());
        }
      }));
    }
    for (auto& f : done) f.get();
  }
  state_->all_summarized = true;
  if (state_->readable().empty()) return Status::NotFound("no readable recording in the dataset");
  return Status::OK();
}

std::vector<RecordingSummary> Dataset::recordings() const {
  std::vector<RecordingSummary> out;
  for (size_t i : state_->readable()) out.push_back(state_->entries[i].summary);
  return out;
}

std::vector<std::string> Dataset::warnings() const {
  std::lock_guard lock(state_->warnings_mutex);
  return state_->warnings;
}

DatasetStats Dataset::stats() const {
  DatasetStats s;
  s.recordings_opened = state_->recordings_opened;
  s.recordings_skipped = state_->recordings_skipped;
  s.recordings_streamed = state_->recordings_streamed;
  s.chunks_loaded = state_->chunks_loaded;
  s.bytes_read = state_->bytes_read;
  s.rows_loaded = state_->rows_loaded;
  return s;
}

Result<std::vector<std::string>> Dataset::archetypes() const {
  REEL_RETURN_NOT_OK(summarize());
  std::set<std::string> names;
  for (size_t i : state_->readable()) {
    for (const auto& [e, comps] : state_->entries[i].summary.components) {
      for (const auto& [d, type] : comps) {
        if (!d.archetype().empty()) names.insert(d.archetype());
      }
    }
  }
  return std::vector<std::string>(names.begin(), names.end());
}

std::vector<size_t> Dataset::plan_read(const ReadNeeds& needs) const {
  std::vector<size_t> out;
  // Every recording (or one recording id) is chosen from what open() read: no summary pass.
  if (!needs.all && !summarize().ok()) return out;
  for (size_t i : state_->readable()) {
    const RecordingSummary& s = state_->entries[i].summary;
    if (needs.recording_id && s.info.recording_id != *needs.recording_id) continue;
    if (needs.all) {
      out.push_back(i);
      continue;
    }
    // Could the entity contribute? From the summary, then (time ranges) from the footer.
    auto has_data = [&](auto&& entity_matches) {
      bool any = false;
      for (const auto& [e, comps] : s.components) {
        if (!entity_matches(e)) continue;
        if (needs.static_only) {
          any |= s.static_components.count(e) > 0;
        } else {
          any = true;
        }
      }
      if (!any || needs.static_only || !needs.timeline) return any;
      if (!std::any_of(s.timelines.begin(), s.timelines.end(),
                       [&](const Timeline& t) { return t.name() == *needs.timeline; })) {
        return false;
      }
      if (!s.has_footer) return true;
      return std::any_of(s.chunks.begin(), s.chunks.end(), [&](const auto& c) {
        if (c.is_static || !entity_matches(c.entity)) return false;
        auto it = c.time_ranges.find(*needs.timeline);
        return it != c.time_ranges.end() && it->second.intersects(needs.window);
      });
    };
    bool keep = has_data([&](const EntityPath& e) { return needs.entities.matches(e); });
    for (const auto& r : needs.required) {
      if (keep) keep = has_data([&](const EntityPath& e) { return e == r; });
    }
    if (keep) {
      out.push_back(i);
    } else {
      ++state_->recordings_skipped;
    }
  }
  return out;
}

namespace {

class Cursor final : public RecordingCursor {
 public:
  Cursor(std::shared_ptr<Dataset::State> state, std::vector<size_t> which,
         internal::RecordingOpener opener)
      : state_(std::move(state)),
        which_(std::move(which)),
        opener_(std::move(opener)),
        pool_(std::min(state_->options.parallel_recordings, std::max<size_t>(which_.size(), 1))) {}

  ~Cursor() override {
    for (auto& f : pending_) f.wait();
  }

  Result<std::optional<LoadedRecording>> next() override {
    for (;;) {
      while (pending_.size() < state_->options.parallel_recordings && next_ < which_.size()) {
        const size_t i = which_[next_++];
        order_.push_back(i);
        pending_.push_back(pool_.submit(
            [s = state_.get(), i, open = &opener_] { return (*open)(*s, s->entries[i]); }));
      }
      if (pending_.empty()) return std::optional<LoadedRecording>();
      auto opened = pending_.front().get();
      pending_.pop_front();
      const size_t i = order_.front();
      order_.pop_front();
      const auto& entry = state_->entries[i];
      if (!opened.ok()) {
        state_->warn("skipping " + entry.summary.source + ": " + opened.status().message());
        continue;
      }
      for (const auto& note : opened->notes) state_->warn(note);
      state_->bytes_read += opened->file_bytes;
      if (!opened->store && !opened->view) continue;  // nothing for this read
      if (!entry.memory) ++state_->recordings_opened;
      if (opened->view) ++state_->recordings_streamed;
      state_->chunks_loaded += opened->chunks;
      state_->rows_loaded += opened->rows;
      LoadedRecording r;
      r.summary = &entry.summary;
      r.store = std::move(opened->store);
      r.view = std::move(opened->view);
      r.warnings_reported = opened->warnings_reported;
      return std::optional<LoadedRecording>(std::move(r));
    }
  }

 private:
  std::shared_ptr<Dataset::State> state_;
  std::vector<size_t> which_;
  internal::RecordingOpener opener_;
  size_t next_ = 0;
  std::deque<size_t> order_;
  std::deque<std::future<Result<internal::OpenedRecording>>> pending_;
  reel::internal::ThreadPool pool_;  // last: joined before the futures it fills go
};

}  // namespace

std::unique_ptr<RecordingCursor> internal::open_recordings(std::shared_ptr<Dataset::State> state,
                                                           std::vector<size_t> which,
                                                           RecordingOpener opener) {
  return std::make_unique<Cursor>(std::move(state), std::move(which), std::move(opener));
}

std::unique_ptr<RecordingCursor> Dataset::open_recordings(std::vector<size_t> which) const {
  return internal::open_recordings(state_, std::move(which), internal::load_entry);
}

std::vector<std::string> distinct_names(const std::vector<std::string>& names) {
  auto lower = [](std::string s) {
    for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  // Names already in lowercase keep theirs (so "frame" is "frame" in every file whatever else
  // a recording has); the others take the first free suffix.
  std::set<std::string> taken;
  std::vector<std::string> out(names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    if (lower(names[i]) == names[i] && taken.insert(names[i]).second) out[i] = names[i];
  }
  for (size_t i = 0; i < names.size(); ++i) {
    if (!out[i].empty()) continue;
    std::string candidate = names[i];
    for (int k = 2; taken.count(lower(candidate)); ++k)
      candidate = names[i] + "_" + std::to_string(k);
    taken.insert(lower(candidate));
    out[i] = candidate;
  }
  return out;
}

}  // namespace reel::dataframe
