#include "reel/sdk/recording_stream.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <map>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_map>

#include "sdk/pending_table.hpp"

namespace reel {

using internal::PendingTable;
using internal::TimelineSet;

// ---------------------------------------------------------------------------------------
// Error handler

namespace {

std::mutex& handler_mutex() {
  static std::mutex m;
  return m;
}
ErrorHandler& handler() {
  static ErrorHandler h;
  return h;
}

void default_handler(const Status& status) {
  std::fprintf(stderr, "reel: %s\n", status.to_string().c_str());
}

}  // namespace

void set_error_handler(ErrorHandler h) {
  std::lock_guard lock(handler_mutex());
  handler() = std::move(h);
}

namespace {
void report_error(const Status& status) {
  if (status.ok()) return;
  ErrorHandler h;
  {
    std::lock_guard lock(handler_mutex());
    h = handler();
  }
  h ? h(status) : default_handler(status);
}
}  // namespace

void RecordingStream::report(const Status& status) const { report_error(status); }

// ---------------------------------------------------------------------------------------
// Configuration

namespace {

template <typename T>
void read_env(const char* name, T* value) {
  const char* text = std::getenv(name);
  if (!text || !*text) return;
  char* end = nullptr;
  errno = 0;
  if constexpr (std::is_floating_point_v<T>) {
    double v = std::strtod(text, &end);
    if (errno == 0 && end != text && *end == '\0' && v >= 0) {
      *value = T(v);
      return;
    }
  } else {
    unsigned long long v = std::strtoull(text, &end, 10);
    if (errno == 0 && end != text && *end == '\0' && text[0] != '-') {
      *value = T(v);
      return;
    }
  }
  std::fprintf(stderr, "reel: ignoring %s='%s': expected a non-negative number\n", name, text);
}

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Seconds to nanoseconds without losing the fraction to double rounding of the product:
// 1700000000.25 s must be ...250000000 ns exactly.
TimeInt seconds_to_nanos(double seconds) {
  double whole = std::floor(seconds);
  return TimeInt(whole) * 1'000'000'000 + TimeInt(std::llround((seconds - whole) * 1e9));
}

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

}  // namespace

BatcherConfig BatcherConfig::from_env() {
  BatcherConfig c;
  read_env("REEL_FLUSH_TICK_SECS", &c.flush_tick_secs);
  read_env("REEL_FLUSH_NUM_BYTES", &c.flush_num_bytes);
  read_env("REEL_FLUSH_NUM_ROWS", &c.flush_num_rows);
  read_env("REEL_CHUNK_MAX_ROWS_IF_UNSORTED", &c.chunk_max_rows_if_unsorted);
  return c;
}

// ---------------------------------------------------------------------------------------
// Sinks

Status MemorySink::begin(const StoreInfo& info) {
  store_->set_info(info);
  return Status::OK();
}

Status MemorySink::send(std::span<const ChunkPtr> chunks) {
  for (const auto& c : chunks) REEL_RETURN_NOT_OK(store_->insert(c));
  return Status::OK();
}

Result<std::shared_ptr<FileSink>> FileSink::open(const std::string& path) {
  REEL_ASSIGN_OR_RETURN(auto writer, format::RecordingWriter::open(path));
  return std::make_shared<FileSink>(std::move(writer));
}

FileSink::FileSink(std::unique_ptr<format::RecordingWriter> writer) : writer_(std::move(writer)) {}

FileSink::~FileSink() { report_error(writer_->finish()); }

Status FileSink::begin(const StoreInfo& info) { return writer_->write_store_info(info); }

Status FileSink::send(std::span<const ChunkPtr> chunks) {
  for (const auto& c : chunks) REEL_RETURN_NOT_OK(writer_->write_chunk(*c));
  return Status::OK();
}

Status FileSink::flush() { return writer_->flush(); }

// ---------------------------------------------------------------------------------------
// Per-thread state

namespace {

// A tiny lock for the per-thread state: taken by its own thread on every log call and by
// the batcher once per tick, so it is almost never contended.
class SpinLock {
 public:
  void lock() {
    while (flag_.exchange(true, std::memory_order_acquire)) {
      while (flag_.load(std::memory_order_relaxed)) std::this_thread::yield();
    }
  }
  void unlock() { flag_.store(false, std::memory_order_release); }

 private:
  std::atomic<bool> flag_{false};
};

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
};

struct TimeEntry {
  Timeline timeline;
  TimeInt value;
};

// Where each value of a row's timeline set comes from.
enum : int { kSlotLogTime = -1, kSlotLogTick = -2 };

struct ThreadState {
  SpinLock lock;
  // Time context: touched only by the owning thread.
  std::vector<TimeEntry> time;  // sorted by timeline name
  const TimelineSet* time_set = nullptr;
  std::vector<int> slots;  // per timeline of time_set: index into `time`, or kSlotLog*
  // Pending rows, guarded by `lock`.
  std::unordered_map<std::string, PendingTable*, StringHash, std::equal_to<>> by_name;
  struct Table {
    std::unique_ptr<PendingTable> table;
    int idle_ticks = 0;  // flush ticks in a row without a row: the table is dropped at kMaxIdleTicks
  };
  std::unordered_map<EntityPath, Table> tables;
  // Set when the owning thread exits: the batcher cuts what is left and drops the state.
  std::atomic<bool> thread_exited{false};
};

constexpr int kMaxIdleTicks = 64;

// Per thread: its state in every live stream it logged to. Holds weak references (streams
// own the states), and tells the streams when the thread exits.
struct ThreadStates {
  std::unordered_map<uint64_t, std::weak_ptr<ThreadState>> by_stream;
  ~ThreadStates() {
    for (auto& [id, weak] : by_stream) {
      if (auto st = weak.lock()) st->thread_exited.store(true, std::memory_order_release);
    }
  }
};

std::atomic<uint64_t> next_stream_id{1};

}  // namespace

// ---------------------------------------------------------------------------------------

struct RecordingStream::Impl {
  const uint64_t id = next_stream_id.fetch_add(1);
  StoreInfo info;
  RecordingStreamOptions options;
  std::atomic<int64_t> tick{0};

  std::mutex sets_mutex;
  std::map<std::string, std::unique_ptr<TimelineSet>> sets;
  const TimelineSet* empty_set = nullptr;

  std::mutex states_mutex;
  std::vector<std::shared_ptr<ThreadState>> states;

  // Chunks cut and not yet handed to the sinks.
  std::mutex queue_mutex;
  std::condition_variable wake_cv;   // the batcher
  std::condition_variable space_cv;  // backpressure
  std::condition_variable flushed_cv;
  std::deque<ChunkPtr> queue;
  uint64_t queue_bytes = 0;
  uint64_t flush_requested = 0;
  uint64_t flush_done = 0;
  bool stop = false;

  // Sinks: used by one thread at a time (the batcher) under send_mutex.
  std::mutex send_mutex;
  std::vector<std::shared_ptr<Sink>> sinks;
  std::vector<ChunkPtr> buffered;  // before any sink
  std::shared_ptr<ChunkStore> memory_store;

  std::thread batcher;

  Impl(std::string_view app, RecordingStreamOptions opts) : options(std::move(opts)) {
    info.application_id = std::string(app);
    info.recording_id =
        options.recording_id.empty() ? random_recording_id() : options.recording_id;
    info.started_ns = now_ns();
    empty_set = intern({});
    batcher = std::thread([this] { run_batcher(); });
  }

  ~Impl() {
    {
      std::unique_lock lock(queue_mutex);
      stop = true;
    }
    wake_cv.notify_all();
    if (batcher.joinable()) batcher.join();
  }

  const TimelineSet* intern(std::vector<Timeline> timelines) {
    std::sort(timelines.begin(), timelines.end(),
              [](const Timeline& a, const Timeline& b) { return a.name() < b.name(); });
    std::string key;
    for (const auto& t : timelines) {
      key += t.name();
      key += char('0' + int(t.type()));
      key += '\0';
    }
    std::lock_guard lock(sets_mutex);
    auto& slot = sets[key];
    if (!slot) slot = std::make_unique<TimelineSet>(TimelineSet{std::move(timelines)});
    return slot.get();
  }

  ThreadState& thread_state() {
    thread_local uint64_t cached_id = 0;
    thread_local ThreadState* cached = nullptr;
    if (cached_id == id) return *cached;
    thread_local ThreadStates mine;
    std::shared_ptr<ThreadState> state = mine.by_stream[id].lock();
    if (!state) {
      std::erase_if(mine.by_stream, [](const auto& e) { return e.second.expired(); });
      state = std::make_shared<ThreadState>();
      mine.by_stream[id] = state;
      std::lock_guard lock(states_mutex);
      states.push_back(state);
    }
    cached_id = id;
    cached = state.get();  // kept alive by `states` while the thread lives
    return *state;
  }

  // Recomputes the timeline set of the thread's context (plus log_time / log_tick).
  void refresh_time_set(ThreadState& st) {
    std::vector<Timeline> all;
    for (const auto& e : st.time) all.push_back(e.timeline);
    auto add_auto = [&](const Timeline& t) {
      bool user_set = std::any_of(all.begin(), all.end(),
                                  [&](const Timeline& x) { return x.name() == t.name(); });
      if (!user_set) all.push_back(t);
    };
    if (options.log_time) add_auto(Timeline::log_time());
    if (options.log_tick) add_auto(Timeline::log_tick());
    st.time_set = intern(std::move(all));
    st.slots.clear();
    for (const auto& t : st.time_set->timelines) {
      auto it = std::find_if(st.time.begin(), st.time.end(),
                             [&](const TimeEntry& e) { return e.timeline.name() == t.name(); });
      if (it != st.time.end()) {
        st.slots.push_back(int(it - st.time.begin()));
      } else {
        st.slots.push_back(t.name() == "log_time" ? kSlotLogTime : kSlotLogTick);
      }
    }
  }

  void set_time(std::string_view name, TimeType type, TimeInt value) {
    ThreadState& st = thread_state();
    auto it = std::lower_bound(st.time.begin(), st.time.end(), name,
                               [](const TimeEntry& e, std::string_view n) { return e.timeline.name() < n; });
    if (it != st.time.end() && it->timeline.name() == name) {
      it->value = value;
      if (it->timeline.type() == type) return;
      it->timeline = Timeline(std::string(name), type);
    } else {
      st.time.insert(it, TimeEntry{Timeline(std::string(name), type), value});
    }
    st.time_set = nullptr;  // the set changed shape
  }

  // Moves chunks to the outgoing queue. Called with the producing thread state's lock held
  // (so that per-thread order is the queue order).
  void enqueue(std::vector<ChunkPtr>& chunks) {
    if (chunks.empty()) return;
    {
      std::lock_guard lock(queue_mutex);
      for (auto& c : chunks) {
        queue_bytes += c->heap_size_bytes();
        queue.push_back(std::move(c));
      }
    }
    chunks.clear();
    wake_cv.notify_one();
  }

  void wait_for_space() {
    std::unique_lock lock(queue_mutex);
    space_cv.wait(lock, [&] { return queue_bytes <= options.batcher.max_bytes_in_flight || stop; });
  }

  Status cut_table(PendingTable& table, std::vector<ChunkPtr>& out) {
    auto chunks = table.cut(options.batcher.chunk_max_rows_if_unsorted);
    if (!chunks.ok()) {
      return chunks.status().with_context("batching rows of " + table.entity().str());
    }
    for (auto& c : *chunks) out.push_back(std::move(c));
    return Status::OK();
  }

  // Cuts every pending table of every thread into the queue.
  void cut_all() {
    std::vector<std::shared_ptr<ThreadState>> all;
    {
      std::lock_guard lock(states_mutex);
      all = states;
    }
    std::vector<ChunkPtr> chunks;
    std::vector<const ThreadState*> exited;  // seen exited before their tables were cut
    for (auto& st : all) {
      if (st->thread_exited.load(std::memory_order_acquire)) exited.push_back(st.get());
      std::lock_guard lock(st->lock);
      std::vector<const PendingTable*> idle;
      for (auto& [path, t] : st->tables) {
        if (t.table->num_rows() == 0) {
          if (++t.idle_ticks >= kMaxIdleTicks) idle.push_back(t.table.get());
          continue;
        }
        t.idle_ticks = 0;
        report_status(cut_table(*t.table, chunks));
      }
      enqueue(chunks);
      // Tables idle for a while give their reserved buffers back (a thread that logged to
      // many entities once does not keep them all).
      if (!idle.empty()) {
        std::erase_if(st->by_name, [&](const auto& e) {
          return std::find(idle.begin(), idle.end(), e.second) != idle.end();
        });
        std::erase_if(st->tables, [&](const auto& e) { return e.second.idle_ticks >= kMaxIdleTicks; });
      }
    }
    if (!exited.empty()) {
      // Everything those threads logged was cut above: drop their states.
      std::lock_guard lock(states_mutex);
      std::erase_if(states, [&](const std::shared_ptr<ThreadState>& st) {
        return std::find(exited.begin(), exited.end(), st.get()) != exited.end();
      });
    }
  }

  void report_status(const Status& s) { report_error(s); }

  void send_to_sinks(std::vector<ChunkPtr>& chunks) {
    if (chunks.empty()) return;
    std::lock_guard lock(send_mutex);
    if (sinks.empty()) {
      buffered.insert(buffered.end(), chunks.begin(), chunks.end());
      return;
    }
    for (auto& sink : sinks) report_status(sink->send(chunks));
  }

  enum class Attach { kAdd, kReplaceAll, kReplaceKeepMemory };

  void attach(std::shared_ptr<Sink> sink, Attach mode) {
    std::vector<std::shared_ptr<Sink>> dropped;
    {
      std::lock_guard lock(send_mutex);
      report_status(sink->begin(info));
      if (!buffered.empty()) {
        report_status(sink->send(buffered));
        buffered.clear();
        buffered.shrink_to_fit();
      }
      if (mode != Attach::kAdd) {
        for (auto& s : sinks) {
          auto* m = dynamic_cast<MemorySink*>(s.get());
          const bool keep = mode == Attach::kReplaceKeepMemory && m && m->store() == memory_store;
          if (!keep) dropped.push_back(std::move(s));
        }
        std::erase(sinks, nullptr);
        if (mode == Attach::kReplaceAll) memory_store.reset();
      }
      sinks.push_back(std::move(sink));
    }
    // Dropped sinks finish (a file writes its footer) outside the lock.
    dropped.clear();
  }

  void run_batcher() {
    using clock = std::chrono::steady_clock;
    auto tick = std::chrono::duration_cast<clock::duration>(
        std::chrono::duration<double>(std::max(options.batcher.flush_tick_secs, 0.0001)));
    auto next_tick = clock::now() + tick;
    std::unique_lock lock(queue_mutex);
    for (;;) {
      wake_cv.wait_until(lock, next_tick, [&] {
        return stop || !queue.empty() || flush_requested > flush_done;
      });
      const uint64_t flush_target = flush_requested;
      const bool stopping = stop;
      const bool tick_due = clock::now() >= next_tick;
      if (tick_due || flush_target > flush_done || stopping) {
        lock.unlock();
        RowId::refresh_clock();
        cut_all();
        lock.lock();
        next_tick = clock::now() + tick;
      }
      std::vector<ChunkPtr> batch(std::make_move_iterator(queue.begin()),
                                  std::make_move_iterator(queue.end()));
      queue.clear();
      queue_bytes = 0;
      lock.unlock();
      space_cv.notify_all();
      send_to_sinks(batch);
      if (flush_target > flush_done) {
        {
          std::lock_guard send_lock(send_mutex);
          for (auto& sink : sinks) report_status(sink->flush());
        }
        lock.lock();
        flush_done = flush_target;
        flushed_cv.notify_all();
      } else {
        lock.lock();
      }
      if (stopping && queue.empty()) break;
    }
  }

  Status flush() {
    std::unique_lock lock(queue_mutex);
    if (stop) return Status::Cancelled("recording stream is shutting down");
    uint64_t mine = ++flush_requested;
    wake_cv.notify_one();
    flushed_cv.wait(lock, [&] { return flush_done >= mine; });
    return Status::OK();
  }
};

// ---------------------------------------------------------------------------------------

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

std::shared_ptr<ChunkStore> RecordingStream::memory_store() {
  {
    std::lock_guard lock(impl_->send_mutex);
    if (impl_->memory_store) return impl_->memory_store;
  }
  auto store = std::make_shared<ChunkStore>(ChunkStoreConfig::from_env());
  {
    std::lock_guard lock(impl_->send_mutex);
    impl_->memory_store = store;
  }
  impl_->attach(std::make_shared<MemorySink>(store), Impl::Attach::kAdd);
  return store;
}

void RecordingStream::set_sink(std::shared_ptr<Sink> sink) {
  // Everything cut so far goes to the old sinks first.
  (void)try_flush_blocking();
  impl_->attach(std::move(sink), Impl::Attach::kReplaceAll);
}

void RecordingStream::add_sink(std::shared_ptr<Sink> sink) {
  (void)try_flush_blocking();
  impl_->attach(std::move(sink), Impl::Attach::kAdd);
}

Status RecordingStream::save(const std::string& path) {
  REEL_ASSIGN_OR_RETURN(auto sink, FileSink::open(path));
  REEL_RETURN_NOT_OK(try_flush_blocking());
  impl_->attach(std::move(sink), Impl::Attach::kReplaceKeepMemory);
  return Status::OK();
}

Status RecordingStream::to_stdout() { return save("-"); }

Status RecordingStream::connect(const std::string& address) {
  REEL_ASSIGN_OR_RETURN(auto sink, TcpSink::connect(address));
  REEL_RETURN_NOT_OK(try_flush_blocking());
  impl_->attach(std::move(sink), Impl::Attach::kReplaceKeepMemory);
  return Status::OK();
}

void RecordingStream::set_time_sequence(std::string_view timeline, int64_t sequence) {
  impl_->set_time(timeline, TimeType::kSequence, sequence);
}
void RecordingStream::set_time_duration_secs(std::string_view timeline, double seconds) {
  impl_->set_time(timeline, TimeType::kDuration, seconds_to_nanos(seconds));
}
void RecordingStream::set_time_duration_nanos(std::string_view timeline, int64_t nanos) {
  impl_->set_time(timeline, TimeType::kDuration, nanos);
}
void RecordingStream::set_time_timestamp_nanos_since_epoch(std::string_view timeline, int64_t nanos) {
  impl_->set_time(timeline, TimeType::kTimestamp, nanos);
}
void RecordingStream::set_time_timestamp_secs_since_epoch(std::string_view timeline, double seconds) {
  impl_->set_time(timeline, TimeType::kTimestamp, seconds_to_nanos(seconds));
}
void RecordingStream::set_time(std::string_view timeline, TimeType type, TimeInt value) {
  impl_->set_time(timeline, type, value);
}

void RecordingStream::disable_timeline(std::string_view timeline) {
  ThreadState& st = impl_->thread_state();
  auto it = std::find_if(st.time.begin(), st.time.end(),
                         [&](const TimeEntry& e) { return e.timeline.name() == timeline; });
  if (it == st.time.end()) return;
  st.time.erase(it);
  st.time_set = nullptr;
}

void RecordingStream::reset_time() {
  ThreadState& st = impl_->thread_state();
  st.time.clear();
  st.time_set = nullptr;
}

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

  ThreadState& st = s.thread_state();
  const TimelineSet* set = s.empty_set;
  TimeInt times_inline[16];
  std::vector<TimeInt> times_heap;
  TimeInt* times = times_inline;
  if (!is_static) {
    if (!st.time_set) s.refresh_time_set(st);
    set = st.time_set;
    const size_t n = st.slots.size();
    if (n > 16) {
      times_heap.resize(n);
      times = times_heap.data();
    }
    for (size_t i = 0; i < n; ++i) {
      int slot = st.slots[i];
      times[i] = slot >= 0 ? st.time[size_t(slot)].value
                 : slot == kSlotLogTime ? now_ns()
                                        : s.tick.fetch_add(1, std::memory_order_relaxed);
    }
  }
  const RowId row_id = RowId::create_cached();

  std::vector<ChunkPtr> cut;
  Status status;
  bool pushed = false;
  {
    std::lock_guard lock(st.lock);
    auto it = st.by_name.find(entity_path);
    PendingTable* table;
    if (it != st.by_name.end()) {
      table = it->second;
    } else {
      EntityPath path(entity_path);
      auto& owned = st.tables[path].table;
      if (!owned) owned = std::make_unique<PendingTable>(path, set);
      table = owned.get();
      st.by_name.emplace(std::string(entity_path), table);
    }
    // One open table per entity and thread: a new timeline set first cuts the old rows, so
    // that RowId order stays log order.
    if (table->timelines() != set) {
      if (table->num_rows() > 0) status = s.cut_table(*table, cut);
      table->set_timelines(set);
    }
    // A type conflict would corrupt the columns: check before appending.
    Status types = table->check_types(batches);
    if (!types.ok()) {
      s.enqueue(cut);
      return types.with_context("log to '" + std::string(entity_path) + "'");
    }
    table->append(row_id, times, batches);
    if (table->num_bytes() >= s.options.batcher.flush_num_bytes ||
        uint64_t(table->num_rows()) >= s.options.batcher.flush_num_rows) {
      Status cut_status = s.cut_table(*table, cut);
      if (status.ok()) status = cut_status;
    }
    pushed = !cut.empty();
    s.enqueue(cut);
  }
  if (pushed) s.wait_for_space();
  return status;
}

namespace {
constexpr uint64_t kSendColumnsMaxChunkBytes = 64ull << 20;
}  // namespace

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
  for (const auto& t : time_columns) REEL_RETURN_NOT_OK(check(t.length(), "time column '" + t.name() + "'"));
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
  std::vector<ChunkPtr> chunks;
  if (!sorted && uint64_t(n) > s.options.batcher.chunk_max_rows_if_unsorted) {
    chunks = (*chunk)->split(int64_t(s.options.batcher.chunk_max_rows_if_unsorted));
  } else if (uint64_t bytes = (*chunk)->heap_size_bytes(); bytes > kSendColumnsMaxChunkBytes) {
    // Very large calls become several chunks, so each stays far below a file message's limit.
    const uint64_t rows = std::max<uint64_t>(1, uint64_t(n) * kSendColumnsMaxChunkBytes / bytes);
    chunks = (*chunk)->split(int64_t(rows));
  } else {
    chunks.push_back(*chunk);
  }
  s.enqueue(chunks);
  s.wait_for_space();
  return Status::OK();
}

Status RecordingStream::try_flush_blocking() { return impl_->flush(); }

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
