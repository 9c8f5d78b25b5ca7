// RecordingStream: checks what is logged, stamps it with the thread's time context and hands
// it to the micro-batcher (batcher.cpp), which cuts chunks for the stream's sinks
// (sink_set.cpp). Time context: time_context.cpp; errors: error_handler.cpp.
#include "reel/sdk/recording_stream.hpp"

#include <algorithm>
#include <cstdio>
#include <mutex>
#include <random>

#include "sdk/batcher_internal.hpp"
#include "sdk/error_handler_internal.hpp"
#include "sdk/pending_table.hpp"
#include "sdk/sink_set_internal.hpp"
#include "sdk/time_context_internal.hpp"

namespace reel {

using internal::Batcher;
using internal::SinkSet;
using internal::ThreadState;
using internal::TimelineSet;

namespace {

std::string random_recording_id() {
  std::random_device rd;
  std::mt19937_64 rng((uint64_t(rd()) << 32) ^ rd());
  uint64_t a = rng(), b = rng();
  char buf[40];
  // A version-4 UUID.
  std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-%04x-%012llx", uint32_t(a >> 32),
                uint32_t(a >> 16) & 0xFFFF, uint32_t(a) & 0xFFF,
                (uint32_t(b >> 48) & 0x3FFF) | 0x8000,
                static_cast<unsigned long long>(b & 0xFFFFFFFFFFFFull));
  return buf;
}

StoreInfo make_store_info(std::string_view application_id, const std::string& recording_id) {
  StoreInfo info;
  info.application_id = std::string(application_id);
  info.recording_id = recording_id.empty() ? random_recording_id() : recording_id;
  info.started_ns = internal::now_ns();
  return info;
}

constexpr uint64_t kSendColumnsMaxChunkBytes = 64ull << 20;

}  // namespace

// Members are destroyed in reverse order: the batcher (whose thread sends what is pending to
// the sinks) goes first.
struct RecordingStream::Impl {
  const StoreInfo info;
  const RecordingStreamOptions options;
  internal::StreamTimelines timelines;
  SinkSet sinks;
  Batcher batcher;

  Impl(std::string_view app, RecordingStreamOptions opts)
      : info(make_store_info(app, opts.recording_id)),
        options(std::move(opts)),
        timelines(options.log_time, options.log_tick),
        sinks(info),
        batcher(options.batcher, sinks) {}
};

RecordingStream::RecordingStream(std::string_view application_id, std::string_view recording_id)
    : RecordingStream(application_id, [&] {
        RecordingStreamOptions o;
        o.recording_id = std::string(recording_id);
        return o;
      }()) {}

RecordingStream::RecordingStream(std::string_view application_id, RecordingStreamOptions options)
    : impl_(std::make_unique<Impl>(application_id, std::move(options))) {}

RecordingStream::~RecordingStream() {
  if (impl_) flush_blocking();
}

RecordingStream::RecordingStream(RecordingStream&&) noexcept = default;
RecordingStream& RecordingStream::operator=(RecordingStream&& other) noexcept {
  if (this != &other) {
    if (impl_) flush_blocking();
    impl_ = std::move(other.impl_);
  }
  return *this;
}

const std::string& RecordingStream::application_id() const { return impl_->info.application_id; }
const std::string& RecordingStream::recording_id() const { return impl_->info.recording_id; }
StoreInfo RecordingStream::store_info() const { return impl_->info; }

void RecordingStream::report(const Status& status) const { internal::report_error(status); }

// ---- sinks

std::shared_ptr<ChunkStore> RecordingStream::memory_store() {
  if (auto store = impl_->sinks.memory_store()) return store;
  auto store = std::make_shared<ChunkStore>(ChunkStoreConfig::from_env());
  impl_->sinks.set_memory_store(store);
  return store;
}

void RecordingStream::set_sink(std::shared_ptr<Sink> sink) {
  // Everything cut so far goes to the old sinks first.
  report(try_flush_blocking());
  impl_->sinks.attach(std::move(sink), SinkSet::Attach::kReplaceAll);
}

void RecordingStream::add_sink(std::shared_ptr<Sink> sink) {
  report(try_flush_blocking());
  impl_->sinks.attach(std::move(sink), SinkSet::Attach::kAdd);
}

Status RecordingStream::save(const std::string& path) {
  REEL_ASSIGN_OR_RETURN(auto sink, make_file_sink(path));
  REEL_RETURN_NOT_OK(flush_before_attach());
  impl_->sinks.attach(std::move(sink), SinkSet::Attach::kReplaceKeepMemory);
  return Status::OK();
}

Status RecordingStream::flush_before_attach() {
  // The old sinks' failures (a server still unreachable) are theirs: reported, not returned.
  Status st = try_flush_blocking();
  if (st.code() == StatusCode::kCancelled) return st;
  report(st);
  return Status::OK();
}

Status RecordingStream::to_stdout() { return save("-"); }

Status RecordingStream::connect(const std::string& address) {
  return connect(address, TcpSinkOptions());
}

Status RecordingStream::connect(const std::string& address, TcpSinkOptions options) {
  REEL_ASSIGN_OR_RETURN(auto sink, make_tcp_sink(address, options));
  REEL_RETURN_NOT_OK(flush_before_attach());
  impl_->sinks.attach(std::move(sink), SinkSet::Attach::kReplaceKeepMemory);
  return Status::OK();
}

// ---- time context

void RecordingStream::set_time_sequence(std::string_view timeline, int64_t sequence) {
  set_time(timeline, TimeType::kSequence, sequence);
}
void RecordingStream::set_time_duration_secs(std::string_view timeline, double seconds) {
  set_time(timeline, TimeType::kDuration, internal::seconds_to_nanos(seconds));
}
void RecordingStream::set_time_duration_nanos(std::string_view timeline, int64_t nanos) {
  set_time(timeline, TimeType::kDuration, nanos);
}
void RecordingStream::set_time_timestamp_nanos_since_epoch(std::string_view timeline,
                                                           int64_t nanos) {
  set_time(timeline, TimeType::kTimestamp, nanos);
}
void RecordingStream::set_time_timestamp_secs_since_epoch(std::string_view timeline,
                                                          double seconds) {
  set_time(timeline, TimeType::kTimestamp, internal::seconds_to_nanos(seconds));
}
void RecordingStream::set_time(std::string_view timeline, TimeType type, TimeInt value) {
  impl_->batcher.thread_state().time.set(timeline, type, value);
}

void RecordingStream::disable_timeline(std::string_view timeline) {
  impl_->batcher.thread_state().time.disable(timeline);
}

void RecordingStream::reset_time() { impl_->batcher.thread_state().time.reset(); }

// ---- logging

Status RecordingStream::try_log_batches(std::string_view entity_path,
                                        const ComponentBatchList& batches, bool is_static) {
  Impl& s = *impl_;
  if (!batches.status().ok()) {
    return batches.status().with_context("log to '" + std::string(entity_path) + "'");
  }
  if (batches.overflow()) {
    return Status::Invalid("log to '" + std::string(entity_path) + "': more than " +
                           std::to_string(ComponentBatchList::kMaxComponents) +
                           " components in one call");
  }
  if (batches.size() == 0) return Status::OK();
  for (size_t i = 1; i < batches.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (batches[i].descriptor == batches[j].descriptor) {
        return Status::Invalid("log to '" + std::string(entity_path) + "': component " +
                               batches[i].descriptor.identifier() + " given twice");
      }
    }
  }

  ThreadState& st = s.batcher.thread_state();
  const TimelineSet* set = s.timelines.empty();
  TimeInt times_inline[16];
  std::vector<TimeInt> times_heap;
  TimeInt* times = times_inline;
  if (!is_static) {
    set = st.time.timelines(s.timelines);
    const size_t n = set->timelines.size();
    if (n > 16) {
      times_heap.resize(n);
      times = times_heap.data();
    }
    st.time.times(s.timelines, times);
  }
  const RowId row_id = RowId::create_cached();
  return s.batcher.append(st, entity_path, set, row_id, times, batches);
}

Status RecordingStream::try_send_columns(std::string_view entity_path,
                                         std::vector<TimeColumn> time_columns,
                                         std::vector<ComponentColumn> component_columns) {
  Impl& s = *impl_;
  const std::string where = "send_columns to '" + std::string(entity_path) + "'";
  int64_t n = -1;
  std::string first;
  auto check = [&](int64_t len, const std::string& what) -> Status {
    if (n < 0) {
      n = len;
      first = what;
      return Status::OK();
    }
    if (len != n) {
      return Status::Invalid(where + ": " + what + " has " + std::to_string(len) + " rows but " +
                             first + " has " + std::to_string(n));
    }
    return Status::OK();
  };
  for (const auto& t : time_columns) {
    REEL_RETURN_NOT_OK(check(t.length(), "time column '" + t.name() + "'"));
  }
  for (const auto& c : component_columns) {
    REEL_RETURN_NOT_OK(check(c.list.length(), "component '" + c.descriptor.identifier() + "'"));
  }
  if (n <= 0) return Status::OK();
  RowIdColumn ids = RowIdColumn::consecutive(RowId::reserve(uint64_t(n)), n);
  bool sorted = std::all_of(time_columns.begin(), time_columns.end(),
                            [](const TimeColumn& t) { return t.is_sorted(); });
  auto chunk = Chunk::make(RowId::create_cached(), EntityPath(entity_path), std::move(ids),
                           std::move(time_columns), std::move(component_columns));
  if (!chunk.ok()) return chunk.status().with_context(where);
  const uint64_t max_rows_if_unsorted = s.options.batcher.chunk_max_rows_if_unsorted;
  std::vector<ChunkPtr> chunks;
  if (!sorted && uint64_t(n) > max_rows_if_unsorted) {
    chunks = (*chunk)->split(int64_t(max_rows_if_unsorted));
  } else if (uint64_t bytes = (*chunk)->heap_size_bytes(); bytes > kSendColumnsMaxChunkBytes) {
    // Very large calls become several chunks, so each stays far below a file message's limit.
    const uint64_t rows = std::max<uint64_t>(1, uint64_t(n) * kSendColumnsMaxChunkBytes / bytes);
    chunks = (*chunk)->split(int64_t(rows));
  } else {
    chunks.push_back(*chunk);
  }
  s.batcher.enqueue(chunks);
  s.batcher.wait_for_space();
  return Status::OK();
}

Status RecordingStream::try_flush_blocking() { return impl_->batcher.flush(); }

// ---- the global stream

namespace {
std::mutex global_mutex;
std::shared_ptr<RecordingStream> global_stream;
}  // namespace

std::shared_ptr<RecordingStream> RecordingStream::global() {
  std::lock_guard lock(global_mutex);
  return global_stream;
}

void RecordingStream::set_global(std::shared_ptr<RecordingStream> stream) {
  std::lock_guard lock(global_mutex);
  global_stream = std::move(stream);
}

}  // namespace reel
