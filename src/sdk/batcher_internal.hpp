// The micro-batcher of one stream: rows accumulate per (thread, entity) in pending tables and
// are cut into chunks when the flush tick passes (BatcherConfig::flush_tick_secs), when a
// table crosses flush_num_bytes or flush_num_rows, or on flush(); a background thread hands
// the chunks to the stream's sinks.
//
// Order: a thread's rows reach the sinks in the order it logged them (its tables are cut
// under its lock, straight into the outgoing queue). Backpressure: a logging thread that cut
// chunks waits while more than max_bytes_in_flight bytes wait for the sinks.
//
// Thread safety: every method may be called from any thread. A thread's state is created on
// its first use of this batcher; when the thread exits, the batcher cuts what it left and
// drops the state.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "reel/chunk/chunk.hpp"
#include "reel/sdk/recording_stream.hpp"
#include "reel/types/component_batch.hpp"
#include "sdk/pending_table.hpp"
#include "sdk/sink_set_internal.hpp"
#include "sdk/time_context_internal.hpp"

namespace reel::internal {

// A tiny lock for the per-thread state: taken by its own thread on every log call and by
// the batcher once per tick, so it is almost never contended.
class SpinLock {
 public:
  void lock() {
    while (flag_.exchange(true, std::memory_order_acquire)) {
      while (flag_.load(std::memory_order_relaxed)) std::this_thread::yield();
    }
  }
  bool try_lock() {
    return !flag_.load(std::memory_order_relaxed) &&
           !flag_.exchange(true, std::memory_order_acquire);
  }
  void unlock() { flag_.store(false, std::memory_order_release); }

 private:
  std::atomic<bool> flag_{false};
};

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
};

// What one thread has logged to one stream.
struct ThreadState {
  SpinLock lock;
  // Time context: touched only by the owning thread.
  TimeContext time;
  // Pending rows, guarded by `lock`.
  std::unordered_map<std::string, PendingTable*, StringHash, std::equal_to<>> by_name;
  struct Table {
    std::unique_ptr<PendingTable> table;
    int idle_ticks =
        0;  // flush ticks in a row without a row: the table is dropped at kMaxIdleTicks
  };
  std::unordered_map<EntityPath, Table> tables;
  // Set when the owning thread exits: the batcher cuts what is left and drops the state.
  std::atomic<bool> thread_exited{false};
};

// A thread's state in the batcher it used last (Batcher::thread_state's fast path).
struct LastUsedState {
  uint64_t batcher_id = 0;
  ThreadState* state = nullptr;
};

class Batcher {
 public:
  // Starts the batcher thread, which hands chunks to `sinks` (it must outlive the batcher).
  Batcher(const BatcherConfig& config, SinkSet& sinks);
  // Stops the thread after it cut and sent everything pending.
  ~Batcher();
  Batcher(const Batcher&) = delete;
  Batcher& operator=(const Batcher&) = delete;

  // The calling thread's state in this batcher (created on its first call). Inline: every
  // log() and set_time() call starts here.
  ThreadState& thread_state() {
    if (tls_last_.batcher_id == id_) return *tls_last_.state;
    return thread_state_slow();
  }

  // Appends a row to the table of `entity_path` in `st` (the calling thread's state), first
  // cutting the table's rows if their timeline set differs (so that RowId order stays log
  // order), and cutting it when it crosses a threshold. A type conflict with the table's
  // columns fails and appends nothing.
  Status append(ThreadState& st, std::string_view entity_path, const TimelineSet* timelines,
                RowId row_id, const TimeInt* times, const ComponentBatchList& batches);

  // Moves chunks to the outgoing queue (send_columns: chunks made without a table). For
  // per-thread order, call with the producing thread state's lock held, or from the thread.
  void enqueue(std::vector<ChunkPtr>& chunks);
  // Backpressure: waits while more than max_bytes_in_flight bytes wait for the sinks.
  void wait_for_space();

  // Returns when everything logged before the call reached the sinks and their flush
  // returned, with the sinks' flush status (SinkSet::flush).
  Status flush();

 private:
  // The thread's state in the batcher it used last: one comparison on the hot path.
  static inline thread_local LastUsedState tls_last_;
  ThreadState& thread_state_slow();

  Status cut_table(PendingTable& table, std::vector<ChunkPtr>& out);
  // Cuts every pending table of every thread into the queue.
  // Cuts every thread's pending tables. Unless `wait`, a thread busy logging (holding its
  // state's lock, e.g. copying a large point cloud) is left to the next tick instead of
  // spun on: its own log call cuts what is over the size limits anyway.
  void cut_all(bool wait);
  void run();

  const uint64_t id_;
  const BatcherConfig config_;
  SinkSet& sinks_;

  std::mutex states_mutex_;
  std::vector<std::shared_ptr<ThreadState>> states_;

  // Chunks cut and not yet handed to the sinks.
  std::mutex queue_mutex_;
  std::condition_variable wake_cv_;   // the batcher
  std::condition_variable space_cv_;  // backpressure
  std::condition_variable flushed_cv_;
  std::deque<ChunkPtr> queue_;
  uint64_t queue_bytes_ = 0;
  uint64_t flush_requested_ = 0;
  uint64_t flush_done_ = 0;
  Status flush_status_;  // of the last flush round
  bool stop_ = false;

  std::thread thread_;
};

}  // namespace reel::internal
