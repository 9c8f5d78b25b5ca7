#include "sdk/batcher_internal.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "sdk/error_handler_internal.hpp"

namespace reel {

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

}  // namespace

BatcherConfig BatcherConfig::from_env() {
  BatcherConfig c;
  read_env("REEL_FLUSH_TICK_SECS", &c.flush_tick_secs);
  read_env("REEL_FLUSH_NUM_BYTES", &c.flush_num_bytes);
  read_env("REEL_FLUSH_NUM_ROWS", &c.flush_num_rows);
  read_env("REEL_CHUNK_MAX_ROWS_IF_UNSORTED", &c.chunk_max_rows_if_unsorted);
  return c;
}

namespace internal {

namespace {

constexpr int kMaxIdleTicks = 64;

// Per thread: its state in every live batcher it logged to. Holds weak references (batchers
// own the states), and tells the batchers when the thread exits.
struct ThreadStates {
  std::unordered_map<uint64_t, std::weak_ptr<ThreadState>> by_batcher;
  ~ThreadStates() {
    for (auto& [id, weak] : by_batcher) {
      if (auto st = weak.lock()) st->thread_exited.store(true, std::memory_order_release);
    }
  }
};

std::atomic<uint64_t> next_batcher_id{1};

}  // namespace

Batcher::Batcher(const BatcherConfig& config, SinkSet& sinks)
    : id_(next_batcher_id.fetch_add(1)), config_(config), sinks_(sinks) {
  thread_ = std::thread([this] { run(); });
}

Batcher::~Batcher() {
  {
    std::unique_lock lock(queue_mutex_);
    stop_ = true;
  }
  wake_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

ThreadState& Batcher::thread_state_slow() {
  thread_local ThreadStates mine;
  std::shared_ptr<ThreadState> state = mine.by_batcher[id_].lock();
  if (!state) {
    std::erase_if(mine.by_batcher, [](const auto& e) { return e.second.expired(); });
    state = std::make_shared<ThreadState>();
    mine.by_batcher[id_] = state;
    std::lock_guard lock(states_mutex_);
    states_.push_back(state);
  }
  tls_last_ = {id_, state.get()};  // kept alive by `states_` while the thread lives
  return *state;
}

// Every log() call runs this. Flattened: otherwise GCC leaves the entity-name lookup (the
// hash map's find) out of line, +5% instructions per logged row (callgrind, log_rows).
[[gnu::flatten]] Status Batcher::append(ThreadState& st, std::string_view entity_path,
                                        const TimelineSet* timelines, RowId row_id,
                                        const TimeInt* times, const ComponentBatchList& batches) {
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
      if (!owned) owned = std::make_unique<PendingTable>(path, timelines);
      table = owned.get();
      st.by_name.emplace(std::string(entity_path), table);
    }
    // One open table per entity and thread: a new timeline set first cuts the old rows, so
    // that RowId order stays log order.
    if (table->timelines() != timelines) {
      if (table->num_rows() > 0) status = cut_table(*table, cut);
      table->set_timelines(timelines);
    }
    // A type conflict would corrupt the columns: check before appending.
    Status types = table->check_types(batches);
    if (!types.ok()) {
      enqueue(cut);
      return types.with_context("log to '" + std::string(entity_path) + "'");
    }
    table->append(row_id, times, batches);
    if (table->num_bytes() >= config_.flush_num_bytes ||
        uint64_t(table->num_rows()) >= config_.flush_num_rows) {
      Status cut_status = cut_table(*table, cut);
      if (status.ok()) status = cut_status;
    }
    pushed = !cut.empty();
    enqueue(cut);
  }
  if (pushed) wait_for_space();
  return status;
}

void Batcher::enqueue(std::vector<ChunkPtr>& chunks) {
  if (chunks.empty()) return;
  {
    std::lock_guard lock(queue_mutex_);
    for (auto& c : chunks) {
      queue_bytes_ += c->heap_size_bytes();
      queue_.push_back(std::move(c));
    }
  }
  chunks.clear();
  wake_cv_.notify_one();
}

void Batcher::wait_for_space() {
  std::unique_lock lock(queue_mutex_);
  space_cv_.wait(lock, [&] { return queue_bytes_ <= config_.max_bytes_in_flight || stop_; });
}

Status Batcher::cut_table(PendingTable& table, std::vector<ChunkPtr>& out) {
  auto chunks = table.cut(config_.chunk_max_rows_if_unsorted);
  if (!chunks.ok()) {
    return chunks.status().with_context("batching rows of " + table.entity().str());
  }
  for (auto& c : *chunks) out.push_back(std::move(c));
  return Status::OK();
}

void Batcher::cut_all(bool wait) {
  std::vector<std::shared_ptr<ThreadState>> all;
  {
    std::lock_guard lock(states_mutex_);
    all = states_;
  }
  std::vector<ChunkPtr> chunks;
  std::vector<const ThreadState*> exited;  // seen exited before their tables were cut
  for (auto& st : all) {
    const bool has_exited = st->thread_exited.load(std::memory_order_acquire);
    std::unique_lock lock(st->lock, std::defer_lock);
    if (wait || has_exited) {
      lock.lock();
    } else if (!lock.try_lock()) {
      continue;  // logging right now: the next tick
    }
    if (has_exited) exited.push_back(st.get());
    std::vector<const PendingTable*> idle;
    for (auto& [path, t] : st->tables) {
      if (t.table->num_rows() == 0) {
        if (++t.idle_ticks >= kMaxIdleTicks) idle.push_back(t.table.get());
        continue;
      }
      t.idle_ticks = 0;
      report_error(cut_table(*t.table, chunks));
    }
    enqueue(chunks);
    // Tables idle for a while give their reserved buffers back (a thread that logged to
    // many entities once does not keep them all).
    if (!idle.empty()) {
      std::erase_if(st->by_name, [&](const auto& e) {
        return std::find(idle.begin(), idle.end(), e.second) != idle.end();
      });
      std::erase_if(st->tables,
                    [&](const auto& e) { return e.second.idle_ticks >= kMaxIdleTicks; });
    }
  }
  if (!exited.empty()) {
    // Everything those threads logged was cut above: drop their states.
    std::lock_guard lock(states_mutex_);
    std::erase_if(states_, [&](const std::shared_ptr<ThreadState>& st) {
      return std::find(exited.begin(), exited.end(), st.get()) != exited.end();
    });
  }
}

void Batcher::run() {
  using clock = std::chrono::steady_clock;
  auto tick = std::chrono::duration_cast<clock::duration>(
      std::chrono::duration<double>(std::max(config_.flush_tick_secs, 0.0001)));
  auto next_tick = clock::now() + tick;
  std::unique_lock lock(queue_mutex_);
  for (;;) {
    wake_cv_.wait_until(lock, next_tick,
                        [&] { return stop_ || !queue_.empty() || flush_requested_ > flush_done_; });
    const uint64_t flush_target = flush_requested_;
    const bool stopping = stop_;
    const bool tick_due = clock::now() >= next_tick;
    if (tick_due || flush_target > flush_done_ || stopping) {
      lock.unlock();
      RowId::refresh_clock();
      // A tick leaves busy threads for the next one; a flush or stop waits for them.
      cut_all(flush_target > flush_done_ || stopping);
      lock.lock();
      next_tick = clock::now() + tick;
    }
    std::vector<ChunkPtr> batch(std::make_move_iterator(queue_.begin()),
                                std::make_move_iterator(queue_.end()));
    queue_.clear();
    queue_bytes_ = 0;
    lock.unlock();
    space_cv_.notify_all();
    sinks_.send(batch);
    if (flush_target > flush_done_) {
      Status flushed = sinks_.flush();
      lock.lock();
      flush_status_ = std::move(flushed);
      flush_done_ = flush_target;
      flushed_cv_.notify_all();
    } else {
      lock.lock();
    }
    if (stopping && queue_.empty()) break;
  }
}

Status Batcher::flush() {
  std::unique_lock lock(queue_mutex_);
  if (stop_) return Status::Cancelled("recording stream is shutting down");
  uint64_t mine = ++flush_requested_;
  wake_cv_.notify_one();
  flushed_cv_.wait(lock, [&] { return flush_done_ >= mine; });
  return flush_status_;
}

}  // namespace internal
}  // namespace reel
