#include "sdk/time_context_internal.hpp"

#include <algorithm>
#include <cmath>

namespace reel::internal {

TimeInt seconds_to_nanos(double seconds) {
  double whole = std::floor(seconds);
  return TimeInt(whole) * 1'000'000'000 + TimeInt(std::llround((seconds - whole) * 1e9));
}

StreamTimelines::StreamTimelines(bool log_time, bool log_tick)
    : log_time_(log_time), log_tick_(log_tick) {
  empty_ = intern({});
  if (log_time) (void)claim(Timeline::log_time());
  if (log_tick) (void)claim(Timeline::log_tick());
}

Status StreamTimelines::claim(const Timeline& timeline) {
  std::lock_guard lock(mutex_);
  auto [it, inserted] = types_.try_emplace(timeline.name(), timeline.type());
  if (inserted || it->second == timeline.type()) return Status::OK();
  return Status::TypeError("timeline '" + timeline.name() + "' is a " + time_type_name(it->second) +
                           " timeline in this recording: it cannot "
                           "also be set as a " +
                           time_type_name(timeline.type()) + " (use another timeline name)");
}

const TimelineSet* StreamTimelines::intern(std::vector<Timeline> timelines) {
  std::sort(timelines.begin(), timelines.end(),
            [](const Timeline& a, const Timeline& b) { return a.name() < b.name(); });
  std::string key;
  for (const auto& t : timelines) {
    key += t.name();
    key += char('0' + int(t.type()));
    key += '\0';
  }
  std::lock_guard lock(mutex_);
  auto& slot = sets_[key];
  if (!slot) slot = std::make_unique<TimelineSet>(TimelineSet{std::move(timelines)});
  return slot.get();
}

void TimeContext::disable(std::string_view name) {
  auto it = std::find_if(entries_.begin(), entries_.end(),
                         [&](const Entry& e) { return e.timeline.name() == name; });
  if (it == entries_.end()) return;
  entries_.erase(it);
  set_ = nullptr;
}

void TimeContext::reset() {
  entries_.clear();
  set_ = nullptr;
}

void TimeContext::refresh(StreamTimelines& stream) {
  std::vector<Timeline> all;
  for (const auto& e : entries_) all.push_back(e.timeline);
  auto add_auto = [&](const Timeline& t) {
    bool user_set = std::any_of(all.begin(), all.end(),
                                [&](const Timeline& x) { return x.name() == t.name(); });
    if (!user_set) all.push_back(t);
  };
  if (stream.log_time()) add_auto(Timeline::log_time());
  if (stream.log_tick()) add_auto(Timeline::log_tick());
  set_ = stream.intern(std::move(all));
  slots_.clear();
  for (const auto& t : set_->timelines) {
    auto it = std::find_if(entries_.begin(), entries_.end(),
                           [&](const Entry& e) { return e.timeline.name() == t.name(); });
    if (it != entries_.end()) {
      slots_.push_back(int(it - entries_.begin()));
    } else {
      slots_.push_back(t.name() == "log_time" ? kSlotLogTime : kSlotLogTick);
    }
  }
}

}  // namespace reel::internal
