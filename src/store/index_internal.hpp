// The store's index: entity -> timeline -> component -> chunks ordered by time range (for
// latest-at and range), and entity -> component -> the visible static cell. Private to the
// store module; maintained and queried in index.cpp under ChunkStore::Impl's lock.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "reel/chunk/chunk.hpp"

namespace reel::store::internal {

// One chunk's data for one (timeline, component): the time range where the component is
// non-null, and cached column pointers (valid while `chunk` lives).
struct IndexEntry {
  TimeRange range;
  ChunkPtr chunk;
  const TimeColumn* times;
  const ListColumn* list;
};

struct Candidate {
  bool found = false;
  TimeInt time = kTimeMin;
  RowId row_id;
  int64_t row = 0;
  bool beats(TimeInt t, const RowId& r) const {
    return !found || t > time || (t == time && r > row_id);
  }
};

struct ComponentIndex {
  std::vector<IndexEntry> entries;  // ordered by range.min
  std::vector<TimeInt> prefix_max;  // prefix_max[k] = max(entries[0..k].range.max)

  void recompute_prefix(size_t from);
  void insert(IndexEntry e);
  void erase(const ChunkId& id, TimeInt min);
  // The latest non-null row at or before `at`, and the entry (chunk) holding it. Counts the
  // chunks it examines in `scanned`.
  std::pair<Candidate, const IndexEntry*> latest_at(TimeInt at,
                                                    std::atomic<uint64_t>* scanned) const;
};

struct TimelineIndex {
  Timeline timeline;
  std::unordered_map<ComponentDescriptor, ComponentIndex> components;
};

struct StaticCell {
  ChunkPtr chunk;
  int64_t row = 0;
  RowId row_id;
};

struct EntityIndex {
  std::map<std::string, TimelineIndex, std::less<>> timelines;
  std::unordered_map<ComponentDescriptor, StaticCell> statics;
  // Compaction targets: the last chunk of each schema (see compaction_internal.hpp).
  std::unordered_map<std::string, ChunkId> open_chunks;
  // The element type of every component ever stored: one type per entity + component for
  // the store's lifetime, so queries and dataframes can trust it.
  std::unordered_map<ComponentDescriptor, arrow::TypePtr> types;
};

// Rough bytes per index entry, so memory reports include the store's own bookkeeping.
constexpr uint64_t kBytesPerIndexEntry = sizeof(IndexEntry) + sizeof(TimeInt) + 16;

}  // namespace reel::store::internal
