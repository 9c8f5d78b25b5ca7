// One store per recording under one budget (recordings.hpp).
#include "server/recordings.hpp"

#include <algorithm>

namespace reel::server {

namespace {

bool unnamed(const StoreInfo& info) {
  return info.recording_id.empty() && info.application_id.empty();
}

}  // namespace

RecordingSet::RecordingSet(ChunkStoreConfig config) : config_(config) {}

RecordingSet::RecordingSet(std::shared_ptr<ChunkStore> store) : config_(store->config()) {
  recordings_.push_back({{0, std::move(store), nullptr}, 0});
}

std::shared_ptr<ChunkStore> RecordingSet::store_for(const StoreInfo& info, bool* created) {
  if (created) *created = false;
  std::lock_guard lock(mutex_);
  for (const auto& r : recordings_) {
    const StoreInfo current = r.entry.store->info();
    if (unnamed(info) ? unnamed(current) : current.recording_id == info.recording_id) {
      return r.entry.store;
    }
  }
  if (!unnamed(info)) {
    for (const auto& r : recordings_) {
      if (!unnamed(r.entry.store->info())) continue;
      r.entry.store->set_info(info);
      if (listener_) listener_(r.entry, false);
      return r.entry.store;
    }
  }
  auto store = std::make_shared<ChunkStore>(config_);
  if (!unnamed(info)) store->set_info(info);
  recordings_.push_back({{uint32_t(recordings_.size()), store, nullptr}, 0});
  if (created) *created = true;
  if (listener_) listener_(recordings_.back().entry, true);
  return store;
}

void RecordingSet::attach_pager(const ChunkStore* store, std::shared_ptr<FilePager> pager) {
  std::lock_guard lock(mutex_);
  for (auto& r : recordings_) {
    if (r.entry.store.get() == store) r.entry.pager = pager;
  }
}

std::vector<RecordingEntry> RecordingSet::list() const {
  std::lock_guard lock(mutex_);
  std::vector<RecordingEntry> out;
  out.reserve(recordings_.size());
  for (const auto& r : recordings_) out.push_back(r.entry);
  return out;
}

std::shared_ptr<ChunkStore> RecordingSet::find(uint32_t number) const {
  std::lock_guard lock(mutex_);
  return number < recordings_.size() ? recordings_[number].entry.store : nullptr;
}

std::optional<uint32_t> RecordingSet::number_of(const std::string& recording_id) const {
  std::lock_guard lock(mutex_);
  for (const auto& r : recordings_) {
    if (r.entry.store->info().recording_id == recording_id) return r.entry.number;
  }
  return std::nullopt;
}

std::optional<uint32_t> RecordingSet::number_of(const ChunkStore* store) const {
  std::lock_guard lock(mutex_);
  for (const auto& r : recordings_) {
    if (r.entry.store.get() == store) return r.entry.number;
  }
  return std::nullopt;
}

std::shared_ptr<ChunkStore> RecordingSet::default_store() const { return find(0); }

size_t RecordingSet::size() const {
  std::lock_guard lock(mutex_);
  return recordings_.size();
}

uint64_t RecordingSet::memory_bytes() const {
  uint64_t total = 0;
  for (const auto& e : list()) total += e.store->memory_bytes();
  return total;
}

void RecordingSet::enforce_budget(const ChunkStore* written) {
  std::vector<Recording> order;
  {
    std::lock_guard lock(mutex_);
    ++clock_;
    for (auto& r : recordings_) {
      if (r.entry.store.get() == written) r.last_write = clock_;
    }
    // A lone recording is kept within the budget by its own store.
    if (config_.memory_limit == 0 || recordings_.size() < 2) return;
    order = recordings_;
  }
  auto total_of = [&] {
    uint64_t total = 0;
    for (const auto& r : order) total += r.entry.store->memory_bytes();
    return total;
  };
  if (total_of() <= config_.memory_limit) return;
  std::lock_guard gc_lock(gc_mutex_);
  uint64_t total = total_of();  // another pass may have made room meanwhile
  if (total <= config_.memory_limit) return;
  const auto target = uint64_t(double(config_.memory_limit) * config_.gc_target_fraction);
  // Least recently written first; by number among those never written (files loaded first).
  std::stable_sort(order.begin(), order.end(), [](const Recording& a, const Recording& b) {
    return a.last_write < b.last_write;
  });
  for (const auto& r : order) {
    if (total <= target) break;
    const uint64_t bytes = r.entry.store->memory_bytes();
    const uint64_t excess = total - target;
    const GcReport report =
        r.entry.store->gc({bytes > excess ? bytes - excess : 0, config_.gc_protect_latest});
    total -=
        std::min(total, report.bytes_before - std::min(report.bytes_before, report.bytes_after));
  }
}

std::vector<RecordingEntry> RecordingSet::listen(Listener listener) {
  std::lock_guard lock(mutex_);
  listener_ = std::move(listener);
  std::vector<RecordingEntry> out;
  for (const auto& r : recordings_) out.push_back(r.entry);
  return out;
}

}  // namespace reel::server
