#include "sdk/sink_set_internal.hpp"

#include "sdk/error_handler_internal.hpp"
#include "sdk/sinks_internal.hpp"

namespace reel::internal {

void SinkSet::attach(std::shared_ptr<Sink> sink, Attach mode) {
  std::vector<std::shared_ptr<Sink>> dropped;
  {
    std::lock_guard lock(mutex_);
    report_error(sink->begin(info_));
    if (!buffered_.empty()) {
      report_error(sink->send(buffered_));
      buffered_.clear();
      buffered_.shrink_to_fit();
    }
    if (mode != Attach::kAdd) {
      for (auto& s : sinks_) {
        auto* m = dynamic_cast<MemorySink*>(s.get());
        const bool keep = mode == Attach::kReplaceKeepMemory && m && m->store() == memory_store_;
        if (!keep) dropped.push_back(std::move(s));
      }
      std::erase(sinks_, nullptr);
      if (mode == Attach::kReplaceAll) memory_store_.reset();
    }
    sinks_.push_back(std::move(sink));
  }
  // Dropped sinks finish (a file writes its footer) outside the lock.
  dropped.clear();
}

std::shared_ptr<ChunkStore> SinkSet::memory_store() {
  std::lock_guard lock(mutex_);
  return memory_store_;
}

void SinkSet::set_memory_store(std::shared_ptr<ChunkStore> store) {
  {
    std::lock_guard lock(mutex_);
    memory_store_ = store;
  }
  attach(std::make_shared<MemorySink>(std::move(store)), Attach::kAdd);
}

void SinkSet::send(std::vector<ChunkPtr>& chunks) {
  if (chunks.empty()) return;
  std::lock_guard lock(mutex_);
  if (sinks_.empty()) {
    buffered_.insert(buffered_.end(), chunks.begin(), chunks.end());
    return;
  }
  for (auto& sink : sinks_) report_error(sink->send(chunks));
}

Status SinkSet::flush() {
  std::lock_guard lock(mutex_);
  Status first;
  for (auto& sink : sinks_) {
    Status st = sink->flush();
    if (st.ok()) continue;
    // Data loss (a CapacityError from a TCP sink) is what the caller must see.
    const bool loss = st.code() == StatusCode::kCapacityError;
    if (first.ok() || (loss && first.code() != StatusCode::kCapacityError)) {
      if (!first.ok()) report_error(first);
      first = st;
    } else {
      report_error(st);
    }
  }
  return first;
}

}  // namespace reel::internal
