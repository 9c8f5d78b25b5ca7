// The time context: which timelines a logged row carries, and their values.
//
// Each thread has its own TimeContext in each stream it logs to (set_time_*,
// disable_timeline, reset_time affect that thread and that stream only). A row logged now
// carries the context's timelines plus the stream's automatic `log_time` (now) and
// `log_tick` (a per-stream counter) unless the user set timelines of those names. The
// timeline set of a row is interned per stream (StreamTimelines), so rows compare their sets
// by pointer.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "reel/chunk/timeline.hpp"
#include "reel/status.hpp"

namespace reel::internal {

// An interned, ordered set of timelines (the key part of a pending table besides its entity).
struct TimelineSet {
  std::vector<Timeline> timelines;  // sorted by name
};

inline int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Seconds to nanoseconds without losing the fraction to double rounding of the product:
// 1700000000.25 s must be ...250000000 ns exactly.
TimeInt seconds_to_nanos(double seconds);

// What the threads of one stream share: the interned timeline sets, whether rows are stamped
// with log_time / log_tick, and the log_tick counter. Thread-safe.
class StreamTimelines {
 public:
  StreamTimelines(bool log_time, bool log_tick);
  StreamTimelines(const StreamTimelines&) = delete;
  StreamTimelines& operator=(const StreamTimelines&) = delete;

  // The one TimelineSet of these timelines (in any order); valid as long as this object.
  const TimelineSet* intern(std::vector<Timeline> timelines);
  // Fixes the timeline's type for the recording on first use; a TypeError when it was first
  // used with another type.
  Status claim(const Timeline& timeline);
  // The set of static rows.
  const TimelineSet* empty() const { return empty_; }
  bool log_time() const { return log_time_; }
  bool log_tick() const { return log_tick_; }
  int64_t next_tick() { return tick_.fetch_add(1, std::memory_order_relaxed); }

 private:
  const bool log_time_, log_tick_;
  std::atomic<int64_t> tick_{0};
  std::mutex mutex_;
  std::map<std::string, std::unique_ptr<TimelineSet>> sets_;
  std::map<std::string, TimeType, std::less<>> types_;  // every timeline used, guarded by mutex_
  const TimelineSet* empty_ = nullptr;
};

// One thread's time context in one stream. Used by its own thread only.
class TimeContext {
 public:
  // Inline: called before nearly every log().
  // A timeline new to this context, or with another type, is first claimed in the stream
  // (StreamTimelines::claim): a conflicting type fails and changes nothing.
  Status set(StreamTimelines& stream, std::string_view name, TimeType type, TimeInt value) {
    auto it =
        std::lower_bound(entries_.begin(), entries_.end(), name,
                         [](const Entry& e, std::string_view n) { return e.timeline.name() < n; });
    const bool found = it != entries_.end() && it->timeline.name() == name;
    if (found && it->timeline.type() == type) {
      it->value = value;
      return Status::OK();
    }
    Timeline timeline(std::string(name), type);
    REEL_RETURN_NOT_OK(stream.claim(timeline));
    if (found) {
      *it = Entry{std::move(timeline), value};
    } else {
      entries_.insert(it, Entry{std::move(timeline), value});
    }
    set_ = nullptr;  // the set changed shape
    return Status::OK();
  }
  void disable(std::string_view name);
  void reset();

  // The timeline set of a row logged now.
  const TimelineSet* timelines(StreamTimelines& stream) {
    if (!set_) refresh(stream);
    return set_;
  }
  // The values of a row logged now, one per timeline of timelines() (call it first), in the
  // set's order.
  void times(StreamTimelines& stream, TimeInt* out) const {
    const size_t n = slots_.size();
    for (size_t i = 0; i < n; ++i) {
      const int slot = slots_[i];
      out[i] = slot >= 0              ? entries_[size_t(slot)].value
               : slot == kSlotLogTime ? now_ns()
                                      : stream.next_tick();
    }
  }

 private:
  // Where each value of the set comes from: an index into entries_, or an automatic timeline.
  enum : int { kSlotLogTime = -1, kSlotLogTick = -2 };
  struct Entry {
    Timeline timeline;
    TimeInt value;
  };

  // Recomputes the timeline set of the context (plus log_time / log_tick) and the slots.
  void refresh(StreamTimelines& stream);

  std::vector<Entry> entries_;        // sorted by timeline name
  const TimelineSet* set_ = nullptr;  // null when the context changed shape
  std::vector<int> slots_;            // per timeline of set_
};

}  // namespace reel::internal
